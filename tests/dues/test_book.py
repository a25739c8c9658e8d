"""The monthly book through its pages and actions: one payment, all paid on a day, closing the
month, a correction of a closed month, exemptions approved by the level above, the rates page."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import AuditLog
from core.errors import ActionRefused
from core.quarters import Month
from dues import actions
from dues.models import (
    BookSync,
    Correction,
    Due,
    DuesBase,
    Exemption,
    MonthClose,
    Payment,
    RateVersion,
)
from dues.queries import dues_status
from dues.rules import DEFAULT_RULES
from members import actions as member_actions
from members.models import Membership
from tests.factories import make_member

pytestmark = pytest.mark.django_db
MAY = Month(2026, 5)


@pytest.fixture
def branch(district):
    people = {name: make_member(district.b1, name=name) for name in ("甲", "乙", "丙")}
    for name, base in (("甲", "4000"), ("乙", "6000"), ("丙", "2000")):
        actions.save_base(people[name], month=Month(2026, 1), category="employed", base=Decimal(base))
    return people


def _book(client, month=MAY, code="1101"):
    return client.get(reverse("dues:book"), {"org": code, "month": str(month)})


def test_the_secretary_records_one_payment_and_the_book_shows_it(client, personas, branch):
    client.force_login(personas.secretary)
    response = client.post(f"{reverse('dues:pay')}?org=1101&month=2026-05", {
        "member": branch["甲"].pk, "first": "2026-05", "last": "", "amount": "40.00",
        "paid_on": "2026-05-06", "method": "cash"})
    assert response.status_code == 302
    due = Due.objects.get(member=branch["甲"], month=MAY.start)
    assert due.paid == Decimal("40.00")
    page = _book(client).content.decode()
    assert "甲" in page and "已交" in page
    assert AuditLog.objects.filter(action=actions.PAYMENT_RECORDED).exists()


def test_a_range_payment_must_match_the_months_or_is_refused_with_the_sum(personas, branch):
    with pytest.raises(ActionRefused, match="应交合计 120.00 元"):
        actions.record_payment(branch["甲"], first=Month(2026, 1), last=Month(2026, 3),
                               amount=Decimal("100"), paid_on=datetime.date(2026, 4, 1),
                               by=personas.secretary)
    actions.record_payment(branch["甲"], first=Month(2026, 1), last=Month(2026, 3),
                           amount=Decimal("120"), paid_on=datetime.date(2026, 4, 1),
                           by=personas.secretary)
    assert [d.paid for d in Due.objects.filter(member=branch["甲"], month__lte=datetime.date(
        2026, 3, 1)).order_by("month")] == [Decimal("40.00")] * 3


def test_all_paid_in_cash_on_one_day_pays_the_rest_of_everyone(client, personas, branch):
    actions.record_payment(branch["乙"], first=MAY, amount=Decimal("30"),
                           paid_on=datetime.date(2026, 5, 2), by=personas.secretary)
    client.force_login(personas.secretary)
    client.post(f"{reverse('dues:all-paid')}?org=1101&month=2026-05",
                {"paid_on": "2026-11-05", "method": "cash"})
    status = dues_status(branch["甲"].branch, MAY)
    assert all(r.paid for r in status.rows)
    assert status.summary.collected == Decimal("140.00")  # 40 + 90 (6000 × 1.5%) + 10
    assert Payment.objects.filter(source=Payment.Source.BULK).count() == 3


def test_a_closed_month_changes_only_through_an_audited_correction(client, personas, branch):
    client.force_login(personas.secretary)
    client.post(f"{reverse('dues:close')}?org=1101&month=2026-05")
    closed = MonthClose.objects.get(month=MAY.start)
    assert (closed.members, closed.due, closed.collected) == (3, Decimal("140.00"), Decimal("0.00"))
    with pytest.raises(ActionRefused, match="已报送"):
        actions.record_payment(branch["甲"], first=MAY, amount=Decimal("40"),
                               paid_on=datetime.date(2026, 6, 1), by=personas.secretary)
    # a new base does not reach into the closed month
    actions.save_base(branch["甲"], month=Month(2026, 5), category="employed",
                      base=Decimal("9000"), by=personas.secretary)
    assert Due.objects.get(member=branch["甲"], month=MAY.start).amount == Decimal("40.00")
    assert Due.objects.get(member=branch["甲"], month=Month(2026, 6).start).amount == Decimal("135.00")

    client.post(f"{reverse('dues:correct')}?org=1101&month=2026-05", {
        "member": branch["甲"].pk, "amount": "40", "paid_on": "2026-06-02", "reason": "漏记"})
    closed.refresh_from_db()
    assert closed.collected == Decimal("40.00")
    assert Correction.objects.get().reason == "漏记"
    assert AuditLog.objects.get(action=actions.CORRECTED).detail["collected_after"] == "40.00"


def test_the_auditor_cannot_open_the_book_but_sees_the_branch_table(client, personas, branch):
    client.force_login(personas.auditor)
    assert _book(client).status_code == 403
    page = client.get(reverse("dues:overview"), {"org": "1100", "month": "2026-05"})
    text = page.content.decode()
    assert page.status_code == 200 and "第一社区第一党支部" in text
    assert "甲" not in text.replace("甲级", "")  # counts only: no member names


def test_an_exemption_asked_by_the_branch_waits_for_the_level_above(client, personas, branch):
    client.force_login(personas.secretary)
    client.post(reverse("dues:exemption-request", args=[branch["丙"].pk]), {
        "kind": "exempt", "first": "2026-05", "last": "2026-06", "reason": "失业"})
    exemption = Exemption.objects.get()
    assert exemption.status == Exemption.Status.PENDING
    assert Due.objects.get(member=branch["丙"], month=MAY.start).amount == Decimal("10.00")
    assert client.post(reverse("dues:exemption-decide", args=[exemption.pk]),
                       {"approve": "1"}).status_code == 403
    client.force_login(personas.admin)
    assert "失业" in client.get(reverse("dues:overview"), {"org": "1100"}).content.decode()
    client.post(reverse("dues:exemption-decide", args=[exemption.pk]), {"approve": "1"})
    assert Due.objects.get(member=branch["丙"], month=MAY.start).amount == Decimal("0.00")


def test_staff_save_a_new_rate_version_from_a_month(client, personas, branch):
    client.force_login(personas.staff)
    page = client.get(reverse("dues:rates"))
    form = page.context["form"]
    data = {name: str(field.initial) for name, field in form.fields.items() if field.initial is not None}
    data.update({"month": "2026-04", "note": "调整", "percent_1": "1.2"})  # 3000–5000: 1.2%
    assert client.post(reverse("dues:rates"), data).status_code == 302
    assert RateVersion.objects.count() == 2
    assert Due.objects.get(member=branch["甲"], month=Month(2026, 3).start).amount == Decimal("40.00")
    assert Due.objects.get(member=branch["甲"], month=MAY.start).amount == Decimal("48.00")
    client.force_login(personas.admin)
    assert client.get(reverse("dues:rates")).status_code == 403


def test_the_yearly_ledger_sums_equal_the_rows(client, personas, branch):
    import io

    import openpyxl

    actions.record_payment(branch["甲"], first=Month(2026, 1), last=Month(2026, 2),
                           amount=Decimal("80"), paid_on=datetime.date(2026, 3, 1))
    client.force_login(personas.secretary)
    response = client.get(reverse("dues:ledger"), {"org": "1101", "year": "2026"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] in ("甲", "乙", "丙", "合计")]
    total = rows[-1]
    assert total[0] == "合计"
    for column in range(3, len(total)):
        assert sum(Decimal(str(r[column] or 0)) for r in rows[:-1]) == Decimal(str(total[column] or 0))
    first = next(r for r in rows if r[0] == "甲")
    assert (Decimal(str(first[3])), Decimal(str(first[4]))) == (Decimal("40"), Decimal("40"))


def test_a_member_who_moves_pays_each_month_where_registered_when_it_began(personas, branch,
                                                                           district):
    from members import actions as member_actions

    member_actions.transfer_member(branch["甲"], district.b2, on=datetime.date(2026, 5, 15),
                                   by=personas.staff)
    may, june = (dues_status(district.c1, m) for m in (MAY, Month(2026, 6)))
    assert {r.name: r.branch_code for r in may.rows}["甲"] == "1101"
    assert {r.name: r.branch_code for r in june.rows}["甲"] == "1102"


def test_bases_go_through_the_shared_upload_flow_with_a_month_column(client, personas, branch,
                                                                     district):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.models import ImportBatch
    from tests.members.builders import csv_bytes

    rows = [["姓名", "公民身份号码", "人员类型", "缴费基数（元）", "起始月份"],
            ["乙", branch["乙"].id_number, "离退休", "5000", "2026-06"],
            ["无此人", "110101198001010011", "在职", "3000", "2026-06"]]
    client.force_login(personas.secretary)
    client.post(reverse("imports:upload", args=["dues_bases"]),
                {"organization": district.b1.code, "file": SimpleUploadedFile("b.csv", csv_bytes(rows))})
    batch = ImportBatch.objects.get()
    assert batch.plan["rows"][1]["errors"][0]["row"] == 3
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status != ImportBatch.Status.DONE  # nothing written: one row is bad
    assert Due.objects.get(member=branch["乙"], month=Month(2026, 6).start).amount == Decimal("90.00")

    rows.pop()
    client.post(reverse("imports:upload", args=["dues_bases"]),
                {"organization": district.b1.code, "file": SimpleUploadedFile("b.csv", csv_bytes(rows))})
    batch = ImportBatch.objects.order_by("-pk").first()
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert Due.objects.get(member=branch["乙"], month=Month(2026, 6).start).amount == Decimal("25.00")
    assert Due.objects.get(member=branch["乙"], month=MAY.start).amount == Decimal("90.00")


def test_the_arrears_run_stops_at_the_last_paid_month_and_skips_an_exempt_one(personas, branch):
    """甲 owes January, pays February, owes March, is exempt in April, owes May and June: the run
    at June is March, May, June (April skipped, January before the paid month)."""
    member = branch["甲"]
    actions.record_payment(member, first=Month(2026, 2), amount=Decimal("40"),
                           paid_on=datetime.date(2026, 2, 5), by=personas.secretary)
    actions.request_exemption(member, kind=Exemption.Kind.EXEMPT, first=Month(2026, 4),
                              last=Month(2026, 4), reason="病休", by=None)
    june = dues_status(branch["甲"].branch, Month(2026, 6))
    row = next(r for r in june.rows if r.name == "甲")
    assert (row.arrears_months, row.flag) == (3, "warn")
    april = next(r for r in dues_status(branch["甲"].branch, Month(2026, 4)).rows if r.name == "甲")
    assert (april.amount, april.paid, april.arrears_months) == (Decimal("0.00"), None, 1)


def test_a_second_read_resyncs_only_the_members_changed_since_the_first(personas, district):
    june = Month(2026, 6)
    with freeze_time("2026-06-20 09:00") as clock:
        people = {name: make_member(district.b1, name=name) for name in ("甲", "乙", "丁")}
        for person in people.values():
            actions.save_base(person, month=Month(2026, 1), category="employed",
                              base=Decimal("4000"))
        clock.tick(datetime.timedelta(hours=1))
        dues_status(district.c1, june)
        assert BookSync.objects.filter(path=district.c1.path, month=june.start).exists()
        clock.tick(datetime.timedelta(hours=1))
        # Rows changed behind the book's back stay until something of their member changes.
        Due.objects.filter(month=june.start).update(amount=Decimal("1.00"))
        member_actions.transfer_member(people["甲"], district.b2, on=datetime.date(2026, 6, 1),
                                       by=personas.staff)
        # A registration moved without an event or a save: its row no longer matches it.
        Membership.objects.filter(member=people["乙"]).update(branch=district.b2)
        newcomer = make_member(district.b2, name="丙")
        DuesBase.objects.create(member=newcomer, effective_from=Month(2026, 1).start,
                                category="employed", base=Decimal("2000"))
        clock.tick(datetime.timedelta(hours=1))
        rows = {r.name: (r.branch_code, r.amount) for r in dues_status(district.c1, june).rows}
    assert rows == {"甲": ("1102", Decimal("40.00")), "乙": ("1102", Decimal("40.00")),
                    "丙": ("1102", Decimal("10.00")), "丁": ("1101", Decimal("1.00"))}


def test_a_rate_change_makes_the_next_read_sync_every_member(personas, branch):
    dues_status(branch["甲"].branch, MAY)
    Due.objects.filter(month=MAY.start).update(amount=Decimal("1.00"))
    actions.save_rates(Month(2030, 1), actions.lines_of(DEFAULT_RULES), by=personas.staff)
    assert not BookSync.objects.exists()
    amounts = {r.name: r.amount for r in dues_status(branch["甲"].branch, MAY).rows}
    assert amounts == {"甲": Decimal("40.00"), "乙": Decimal("90.00"), "丙": Decimal("10.00")}


def test_a_read_fills_every_month_without_rows_since_the_earliest_base(district):
    member = make_member(district.b1, name="戊")
    DuesBase.objects.create(member=member, effective_from=datetime.date(2024, 1, 1),
                            category="employed", base=Decimal("4000"))
    dues_status(district.b1, Month(2026, 6))  # 30 months: more than the per-month probes cover
    assert Due.objects.filter(member=member).count() == 30
    assert Due.objects.filter(member=member, month=datetime.date(2025, 3, 1),
                              amount=Decimal("40.00")).exists()
