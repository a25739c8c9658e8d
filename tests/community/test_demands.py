"""A demand from 受理 to 归档, and the §9 figures computed by hand."""
import datetime
import json
from io import StringIO

import pandas  # noqa: F401 - imported before freezegun
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from freezegun import freeze_time

from accounts.models import AuditLog
from community import actions
from community.figures import summarize
from community.models import DeadlineRule, Demand
from core.quarters import Quarter
from tests.community.builders import PHONE, demand

D = datetime.date
pytestmark = pytest.mark.django_db


def summary_json(code, quarter="2026Q3"):
    out = StringIO()
    call_command("demands_summary", quarter, "--org", code, "--json", stdout=out)
    return json.loads(out.getvalue())


@freeze_time("2026-11-30")
def test_a_demand_gets_the_category_default_deadline_and_every_step_is_audited(district, personas):
    DeadlineRule.objects.update_or_create(category="矛盾纠纷", defaults={"days": 15})
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 2), category="矛盾纠纷")
    other = demand(district.b1, personas.secretary, on=D(2026, 11, 2), category="没有设置的类别")
    assert d.deadline == D(2026, 11, 17)
    assert other.deadline == D(2026, 11, 9)  # §9: 7 days when the category has none

    actions.add_note(d, note="已联系物业", on=D(2026, 11, 3), by=personas.secretary)
    actions.close_demand(d, on=D(2026, 11, 10), by=personas.secretary)
    actions.record_visit(d, result="satisfied", on=D(2026, 11, 11), by=personas.secretary)
    actions.archive_demand(d, on=D(2026, 11, 12), by=personas.secretary)

    d.refresh_from_db()
    assert d.status == Demand.Status.ARCHIVED
    assert [s.kind for s in d.steps.all()] == ["received", "note", "closed", "visited", "archived"]
    trail = AuditLog.objects.filter(action__startswith="community.demand_", detail__demand_id=d.pk)
    assert trail.count() == 5
    assert not [row for row in AuditLog.objects.all() if PHONE in f"{row.target}{row.detail}"]


@freeze_time("2026-11-30")
def test_unsatisfied_reopens_once(district, personas):
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 2))
    actions.close_demand(d, on=D(2026, 11, 5), by=personas.secretary)
    actions.record_visit(d, result="unsatisfied", on=D(2026, 11, 6), by=personas.secretary)

    actions.reopen_demand(d, on=D(2026, 11, 7), by=personas.secretary)
    d.refresh_from_db()
    assert (d.status, d.closed_on, d.visit, d.deadline) == ("dispatched", None, "", D(2026, 11, 14))

    actions.close_demand(d, on=D(2026, 11, 10), by=personas.secretary)
    actions.record_visit(d, result="unsatisfied", on=D(2026, 11, 11), by=personas.secretary)
    with pytest.raises(ValidationError, match="已重办过一次"):
        actions.reopen_demand(d, on=D(2026, 11, 12), by=personas.secretary)


@freeze_time("2026-11-30")
def test_a_satisfied_demand_cannot_reopen(district, personas):
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 2))
    actions.close_demand(d, on=D(2026, 11, 5), by=personas.secretary)
    actions.record_visit(d, result="basic", on=D(2026, 11, 6), by=personas.secretary)
    with pytest.raises(ValidationError, match="不满意"):
        actions.reopen_demand(d, on=D(2026, 11, 7), by=personas.secretary)


@freeze_time("2026-11-30")
def test_steps_keep_their_order_of_dates(district, personas):
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 2))
    with pytest.raises(ValidationError, match="早于受理日期"):
        actions.close_demand(d, on=D(2026, 11, 1), by=personas.secretary)
    with pytest.raises(ValidationError, match="晚于今天"):
        actions.close_demand(d, on=D(2026, 12, 1), by=personas.secretary)
    with pytest.raises(ValidationError, match="办结后才能回访"):
        actions.record_visit(d, result="satisfied", on=D(2026, 11, 3), by=personas.secretary)


@freeze_time("2026-11-30")
def test_who_may_change_a_demand(district, personas):
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 2))
    with pytest.raises(PermissionDenied):
        actions.add_note(d, note="看看", by=personas.other_secretary)
    with pytest.raises(PermissionDenied):
        actions.add_note(d, note="看看", by=personas.auditor)
    with pytest.raises(PermissionDenied):  # a branch secretary cannot send work to another branch
        actions.dispatch_demand(d, to=district.b2, by=personas.secretary)

    actions.dispatch_demand(d, to=district.b2, deadline=D(2026, 11, 20), by=personas.admin)
    # once dispatched, the handling branch works on it
    actions.add_note(d, note="已到现场", on=D(2026, 11, 4), by=personas.other_secretary)
    assert Demand.objects.visible_to(personas.other_secretary).filter(pk=d.pk).exists()
    assert Demand.objects.visible_to(personas.secretary).filter(pk=d.pk).exists()
    assert not Demand.objects.visible_to(personas.outsider).filter(pk=d.pk).exists()


@freeze_time("2026-11-30")
def test_the_phone_is_revealed_only_to_keepers_and_the_reveal_is_logged(district, personas):
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 2))
    assert d.masked_phone == "139****5678"
    with pytest.raises(PermissionDenied):
        actions.reveal_phone(d, by=personas.auditor)

    assert actions.reveal_phone(d, by=personas.secretary) == PHONE
    row = AuditLog.objects.get(action=actions.PHONE_REVEALED)
    assert row.actor == personas.secretary and PHONE not in f"{row.target}{row.detail}"


def quarter_of_demands(district, personas):
    """Nine demands of 2026Q3 under 党委 1100 and one in 1201, with the outcomes named."""
    by = personas.staff
    q3 = {}
    # 1101: closed exactly on its deadline day (on time), satisfied
    q3["on_deadline"] = demand(district.b1, by, on=D(2026, 7, 1), text="路灯不亮")
    actions.close_demand(q3["on_deadline"], on=D(2026, 7, 8), by=by)  # deadline 07-08
    actions.record_visit(q3["on_deadline"], result="satisfied", on=D(2026, 7, 9), by=by)
    # 1101: closed a day late, basically satisfied
    q3["late"] = demand(district.b1, by, on=D(2026, 7, 1), text="井盖松动")
    actions.close_demand(q3["late"], on=D(2026, 7, 9), by=by)
    actions.record_visit(q3["late"], result="basic", on=D(2026, 7, 10), by=by)
    # received by 1101, dispatched across branches to 1102: counts at 1102, closed on time
    q3["dispatched"] = demand(district.b1, by, on=D(2026, 8, 3), text="小区停车")
    actions.dispatch_demand(q3["dispatched"], to=district.b2, deadline=D(2026, 8, 20), by=by,
                            on=D(2026, 8, 4))
    actions.close_demand(q3["dispatched"], on=D(2026, 8, 18), by=by)
    actions.record_visit(q3["dispatched"], result="satisfied", on=D(2026, 8, 19), by=by)
    # 1102: unsatisfied, reopened; not closed again: open, new deadline 09-17 passed by 09-30
    q3["reopened"] = demand(district.b2, by, on=D(2026, 9, 1), text="噪音扰民")
    actions.close_demand(q3["reopened"], on=D(2026, 9, 5), by=by)
    actions.record_visit(q3["reopened"], result="unsatisfied", on=D(2026, 9, 6), by=by)
    actions.reopen_demand(q3["reopened"], on=D(2026, 9, 10), by=by)
    # 1102: closed, no 回访 yet
    q3["unvisited"] = demand(district.b2, by, on=D(2026, 9, 2), text="树枝遮挡")
    actions.close_demand(q3["unvisited"], on=D(2026, 9, 4), by=by)
    # 1101: open and its deadline (09-27) passed before the quarter's end
    q3["overdue"] = demand(district.b1, by, on=D(2026, 9, 20), text="水管漏水")
    # 1101: open, deadline 10-06 after the quarter's end: not overdue in Q3
    q3["open"] = demand(district.b1, by, on=D(2026, 9, 29), text="垃圾清运")
    # 1101: received in Q2, closed late in Q3, unsatisfied: closed in Q3, not received in Q3
    q3["from_q2"] = demand(district.b1, by, on=D(2026, 6, 20), text="屋顶渗水")
    actions.close_demand(q3["from_q2"], on=D(2026, 7, 2), by=by)
    actions.record_visit(q3["from_q2"], result="unsatisfied", on=D(2026, 7, 3), by=by)
    # 1101: received in Q3, closed in Q4 after its deadline: open overdue at Q3's end
    q3["closed_later"] = demand(district.b1, by, on=D(2026, 9, 1), text="电梯故障")
    actions.close_demand(q3["closed_later"], on=D(2026, 10, 15), by=by)
    # another 党委's branch: never in 1100's figures
    q3["elsewhere"] = demand(district.b3, by, on=D(2026, 7, 5), text="二社区诉求")
    return q3


@freeze_time("2026-11-30")
def test_demands_summary_matches_the_hand_computed_figures(district, personas):
    quarter_of_demands(district, personas)

    got = summary_json("1100")

    rows = {r["code"]: r for r in got["branches"]}
    assert rows["1101"] == {
        "code": "1101", "received": 5, "closed": 3, "closed_on_time": 1, "on_time_rate": 0.3333,
        "visited": 3, "satisfied": 2, "satisfaction_rate": 0.6667, "open_overdue": 2}
    assert rows["1102"] == {
        "code": "1102", "received": 3, "closed": 2, "closed_on_time": 2, "on_time_rate": 1.0,
        "visited": 1, "satisfied": 1, "satisfaction_rate": 1.0, "open_overdue": 1}
    assert got["summary"] == {
        "received": 8, "closed": 5, "closed_on_time": 3, "on_time_rate": 0.6, "visited": 4,
        "satisfied": 3, "satisfaction_rate": 0.75, "open_overdue": 3}
    assert (got["quarter"], got["org"]) == ("2026Q3", "1100")
    assert "1201" not in rows


@freeze_time("2026-11-30")
def test_the_current_quarter_counts_overdue_until_today(district, personas):
    q = quarter_of_demands(district, personas)
    late = demand(district.b1, personas.staff, on=D(2026, 11, 1), text="十一月诉求")  # due 11-08
    demand(district.b1, personas.staff, on=D(2026, 11, 25), text="未到期")  # due 12-02

    found = summarize(district.c1, Quarter(2026, 4))

    row = {r.code: r.figures() for r in found.rows}["1101"]
    # Q3's 水管漏水 and 垃圾清运 (due 10-06), and 11-01's; 1102's reopened one (due 09-17)
    assert row["open_overdue"] == 3 and found.total["open_overdue"] == 4
    assert row["received"] == 2 and row["closed"] == 1 and row["closed_on_time"] == 0
    assert late.pk and q["overdue"].pk


@freeze_time("2026-11-30")
def test_a_rate_with_nothing_under_it_is_null(district, personas):
    got = summary_json("1101")
    assert got["branches"] == [{"code": "1101", "received": 0, "closed": 0, "closed_on_time": 0,
                                "on_time_rate": None, "visited": 0, "satisfied": 0,
                                "satisfaction_rate": None, "open_overdue": 0}]
    assert got["summary"]["on_time_rate"] is None


def test_demands_summary_refuses_bad_arguments(district):
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("demands_summary", "2026Q5", "--org", "1100", "--json", stdout=out)
    assert exit_.value.code == 2 and "季度" in json.loads(out.getvalue())["error"]
    with pytest.raises(SystemExit) as exit_:
        call_command("demands_summary", "2026Q3", "--org", "nope", "--json", stdout=StringIO())
    assert exit_.value.code == 2


@freeze_time("2026-11-30")
def test_the_report_measure_gives_organizations_not_people(district, personas):
    from core.registry import site

    quarter_of_demands(district, personas)
    result = site().measures.get("demands").run(district.c1, Quarter(2026, 3))
    assert {r["code"] for r in result.rows} == {"1101", "1102"}
    assert result.summary["received"] == 8
    text = json.dumps(result.as_json(), ensure_ascii=False)
    assert "王大妈" not in text and PHONE not in text


@freeze_time("2026-11-30")
def test_the_quarterly_job_stores_the_measure_and_the_workbook_has_its_sheet(district, personas):
    import io

    import openpyxl

    from reports import actions as report_actions

    quarter_of_demands(district, personas)
    report = report_actions.request_report(district.c1, Quarter(2026, 3), by=personas.admin,
                                           enqueue=False)
    report = report_actions.run_report(report.pk)

    assert report.measures["demands"]["summary"] == summary_json("1100")["summary"]
    book = openpyxl.load_workbook(io.BytesIO(report.workbook.read()))
    assert "群众诉求" in book.sheetnames
    text = " ".join(str(c) for row in book["群众诉求"].iter_rows(values_only=True) for c in row if c)
    assert "第一社区第二党支部" in text and "王大妈" not in text
