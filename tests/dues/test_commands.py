"""The dues files and dues_status (interfaces.md §5.2, §5.3) against figures worked out by hand."""
import datetime
from decimal import Decimal

import pytest

from accounts.models import AuditLog
from core.quarters import Month
from dues import actions
from dues.models import Due, DuesBase, Payment
from tests.dues.builders import (
    BASE_HEADER,
    PAYMENT_HEADER,
    import_bases,
    import_payments,
    joined_midyear,
    members_of,
    row_of,
    status,
    write,
)

pytestmark = pytest.mark.django_db
PAID = "2026-07-05"


@pytest.fixture
def book(district, tmp_path):
    """Nine members of 1101 with bases from 2026-01 and half a year of payments."""
    m = members_of(district.b1, ["甲", "乙", "丙", "丁", "戊", "己", "庚", "壬"])
    m["辛"] = joined_midyear(district.b1, "辛")
    bases = [("甲", "在职", "3000.00", None), ("乙", "在职", "3000.01", None),
             ("丙", "在职", "5000", None), ("丁", "在职", "10000", None),
             ("戊", "离退休", "6000", None), ("己", "农民", None, "0.8"), ("庚", "学生", None, None),
             ("辛", "在职", "4000", None), ("壬", "在职", "8000", None)]
    path = write(tmp_path, [(n, m[n].id_number, c, b, f) for n, c, b, f in bases], BASE_HEADER,
                 title_rows=["第一党支部党费缴纳基数表"])
    code, result = import_bases(path)
    assert (code, result["created"], result["errors"]) == (0, 9, []), result
    actions.request_exemption(m["壬"], kind="exempt", first=Month(2026, 3), last=Month(2026, 4),
                              reason="重病住院")
    payments = [("甲", "2026-01至2026-06", "90.00"), ("乙", "2026年1月至2026年3月", "90"),
                ("丁", "2026-01至2026-05", "750"), ("丁", "2026-06", "100"),
                ("戊", "2026年6月", "60"), ("己", "2026-01至2026-06", "4.80"),
                ("壬", "2026-01", "120.00")]
    path = write(tmp_path, [(n, m[n].id_number, months, amount, PAID)
                            for n, months, amount in payments], PAYMENT_HEADER, name="pay.csv")
    code, result = import_payments(path)
    assert (code, result["created"], result["errors"]) == (0, 7, []), result
    assert len(result["warnings"]) == 1 and result["warnings"][0]["row"] == 5  # 丁 June: 100 ≠ 150
    m["payments"] = path
    return m


def test_amounts_at_every_bracket_and_category_match_the_hand_figures(book):
    code, result = status()
    assert code == 0
    amounts = {r["name"]: r["amount"] for r in result["members"]}
    assert amounts == {"甲": "15.00", "乙": "30.00", "丙": "50.00", "丁": "150.00", "戊": "60.00",
                       "己": "0.80", "庚": "0.20", "辛": "40.00", "壬": "120.00"}


def test_arrears_runs_and_flags_match_the_hand_figures(book):
    _, result = status()
    got = {r["name"]: (r["paid"], r["arrears_months"], r["flag"]) for r in result["members"]}
    assert got == {
        "甲": (True, 0, None),
        "乙": (False, 3, "warn"),  # paid Jan–Mar
        "丙": (False, 6, "lapse"),
        "丁": (False, 1, None),  # June part-paid (100 of 150)
        "戊": (True, 0, None),
        "己": (True, 0, None),
        "庚": (False, 6, "lapse"),
        "辛": (False, 3, "warn"),  # joined in April: counts from April only
        "壬": (False, 3, "warn"),  # Feb, May, June; the exempt Mar–Apr neither break nor count
    }
    assert result["summary"] == {"members": 9, "due": "466.00", "collected": "175.80",
                                 "collection_rate": 0.3773, "warn": 3, "lapse": 2}
    assert row_of(result, book["甲"].id_number)["branch"] == "1101"


def test_an_exempt_month_is_neither_paid_nor_unpaid(book):
    _, result = status(month="2026-04")
    row = row_of(result, book["壬"].id_number)
    assert (row["amount"], row["paid"], row["arrears_months"]) == ("0.00", None, 1)


def test_the_probationary_member_owes_nothing_before_joining(book):
    _, result = status(month="2026-03")
    assert book["辛"].id_number not in {r["id_number"] for r in result["members"]}
    assert Due.objects.filter(member=book["辛"]).order_by("month").first().month == datetime.date(2026, 4, 1)


def test_the_same_payments_file_again_changes_nothing(book):
    before = Payment.objects.count()
    code, result = import_payments(book["payments"])
    assert (code, result["created"], result["unchanged"]) == (0, 0, 7)
    assert Payment.objects.count() == before


def test_a_range_payment_that_does_not_match_its_months_rejects_the_file(book, tmp_path):
    m = book
    path = write(tmp_path, [("丙", m["丙"].id_number, "2026-01", "50", PAID),
                            ("丙", m["丙"].id_number, "2026-02至2026-03", "90", PAID)],
                 PAYMENT_HEADER)
    before = Payment.objects.count()
    code, result = import_payments(path)
    assert code == 1 and Payment.objects.count() == before
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(3, "金额")]
    assert "应交合计 100.00 元" in result["errors"][0]["message"]


def test_bad_rows_are_numbered_and_write_nothing(district, tmp_path):
    m = members_of(district.b1, ["甲"])
    outsider = members_of(district.b3, ["外"])["外"]
    path = write(tmp_path, [("甲", m["甲"].id_number, "在职", "abc", None),
                            ("外", outsider.id_number, "在职", "4000", None),
                            ("甲乙", "110101198001010011", "干部", "4000", None),
                            ("甲", m["甲"].id_number, "离退休", None, None)],
                 BASE_HEADER, title_rows=["党费基数"])
    code, result = import_bases(path, org="1100")
    assert code == 1 and not DuesBase.objects.exists()
    errors = [(e["row"], e["column"]) for e in result["errors"]]
    assert errors[0] == (3, "缴费基数（元）") and (4, "公民身份号码") in errors
    assert (5, "人员类型") in errors or (5, "公民身份号码") in errors
    assert (6, "公民身份号码") in errors  # the same ID twice


def test_bases_history_is_kept_and_the_later_base_counts_from_its_month(district, tmp_path):
    m = members_of(district.b1, ["甲"])
    import_bases(write(tmp_path, [("甲", m["甲"].id_number, "在职", "4000", None)], BASE_HEADER))
    code, result = import_bases(write(tmp_path, [("甲", m["甲"].id_number, "在职", "12000", None)],
                                      BASE_HEADER, name="b.xlsx"), month="2026-04")
    assert code == 0 and result["created"] == 1
    assert DuesBase.objects.filter(member=m["甲"]).count() == 2
    _, march = status(month="2026-03")
    _, april = status(month="2026-04")
    assert (march["members"][0]["amount"], april["members"][0]["amount"]) == ("40.00", "240.00")
    # the same file again is unchanged
    assert import_bases(write(tmp_path, [("甲", m["甲"].id_number, "在职", "12000", None)],
                              BASE_HEADER, name="c.xlsx"), month="2026-04")[1]["unchanged"] == 1


def test_commands_refuse_what_they_cannot_run(district, tmp_path):
    path = write(tmp_path, [], BASE_HEADER)
    assert import_bases(path, org="9999")[0] == 2
    assert import_bases(path, month="2026-13")[0] == 2
    assert status(org="9999")[0] == 2
    assert status(month="六月")[0] == 2


def test_imports_are_audited(book):
    assert AuditLog.objects.filter(action=actions.BASES_IMPORTED).count() == 1
    assert AuditLog.objects.filter(action=actions.PAYMENTS_IMPORTED).count() == 1


def test_money_is_decimal_in_the_database(book):
    due = Due.objects.get(member=book["乙"], month=datetime.date(2026, 6, 1))
    assert isinstance(due.amount, Decimal) and due.amount == Decimal("30.00")
