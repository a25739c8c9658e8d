"""`recruitment_check` (interfaces.md §4.3) and the §4.2 time rules at every boundary day."""
import datetime

import pytest

from core.quarters import add_months
from recruitment.models import TimeRule
from recruitment.pipeline import Progress, deadlines, evaluate
from recruitment.rules import RuleBook
from tests.recruitment.builders import check, import_ledger, ledger_file, new_id, person_of, row

D = datetime.date
pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ month arithmetic (pure)

@pytest.mark.parametrize("day, months, expected", [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)),
    (D(2025, 11, 30), 3, D(2026, 2, 28)),
    (D(2025, 3, 31), 11, D(2026, 2, 28)),
    (D(2024, 2, 29), 11, D(2025, 1, 29)),
    (D(2025, 12, 31), 2, D(2026, 2, 28)),
])
def test_month_arithmetic_clamps_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def _deadlines(on, **dates):
    return {d.rule: (d.due, d.overdue) for d in deadlines(Progress(**dates), on, RuleBook())}


def test_talk_within_due_one_calendar_month_after_the_application():
    dates = {"stage": "applicant", "applied": D(2026, 1, 31)}
    assert _deadlines(D(2026, 2, 28), **dates) == {"talk_within": (D(2026, 2, 28), False)}
    assert _deadlines(D(2026, 3, 1), **dates) == {"talk_within": (D(2026, 2, 28), True)}


def test_approval_within_three_months_of_the_congress():
    dates = {"stage": "candidate", "applied": D(2024, 1, 1), "talk": D(2024, 1, 5),
             "congress": D(2025, 11, 30)}
    assert _deadlines(D(2026, 2, 28), **dates) == {"approval_within": (D(2026, 2, 28), False)}
    assert _deadlines(D(2026, 3, 1), **dates)["approval_within"] == (D(2026, 2, 28), True)


@pytest.mark.parametrize("joined, due", [
    (D(2025, 1, 31), D(2025, 12, 31)),
    (D(2024, 2, 29), D(2025, 1, 29)),
    (D(2025, 3, 31), D(2026, 2, 28)),
])
def test_probation_confirmation_request_due_eleven_months_after_joining(joined, due):
    dates = {"stage": "probationary", "applied": D(2020, 1, 1), "talk": D(2020, 1, 2),
             "congress": joined, "approval": joined}
    assert _deadlines(due, **dates) == {"probation": (due, False)}
    assert _deadlines(due + datetime.timedelta(days=1), **dates) == {"probation": (due, True)}


def test_an_extended_probation_moves_the_request():
    p = Progress(stage="probationary", joined=D(2025, 1, 31), extension_months=6)
    assert [d.due for d in deadlines(p, D(2025, 1, 31), RuleBook())] == [D(2026, 6, 30)]


def test_a_recorded_step_closes_its_deadline():
    p = Progress(stage="probationary", applied=D(2020, 1, 1), talk=D(2020, 1, 2),
                 congress=D(2025, 1, 1), approval=D(2025, 2, 1), confirm_applied=D(2025, 12, 1))
    assert deadlines(p, D(2026, 6, 1), RuleBook()) == []


@pytest.mark.parametrize("activist, candidate, broken", [
    (D(2025, 3, 1), D(2026, 3, 1), False),
    (D(2025, 3, 1), D(2026, 2, 28), True),
    (D(2024, 2, 29), D(2025, 2, 28), False),
    (D(2024, 2, 29), D(2025, 2, 27), True),
])
def test_activist_min_is_one_full_year(activist, candidate, broken):
    p = Progress(stage="candidate", applied=D(2024, 1, 1), talk=D(2024, 1, 2), activist=activist,
                 candidate=candidate)
    rules = [v.rule for v in evaluate(p, D(2026, 6, 1), RuleBook()).violations]
    assert ("activist_min" in rules) is broken


def test_the_next_step_of_an_activist_is_to_develop_one_year_on():
    p = Progress(stage="activist", applied=D(2024, 2, 1), talk=D(2024, 2, 10),
                 activist=D(2024, 2, 29))
    assert evaluate(p, D(2024, 6, 1), RuleBook()).next.as_json() == {
        "step": "develop", "earliest": "2025-02-28", "due": None}


@pytest.mark.parametrize("hours, broken", [(24, False), ("23.5", True), (None, True), (40, False)])
def test_training_hours_before_the_congress(hours, broken):
    from decimal import Decimal
    p = Progress(stage="candidate", applied=D(2024, 1, 1), talk=D(2024, 1, 2),
                 congress=D(2025, 6, 1), hours=None if hours is None else Decimal(str(hours)))
    rules = [v.rule for v in evaluate(p, D(2025, 6, 2), RuleBook()).violations]
    assert ("training_hours" in rules) is broken


def test_no_training_rule_before_the_congress():
    p = Progress(stage="candidate", applied=D(2024, 1, 1), talk=D(2024, 1, 2), candidate=D(2025, 2, 1))
    assert evaluate(p, D(2025, 6, 2), RuleBook()).violations == []


# ------------------------------------------------------------------------- rule versions

def test_a_rule_version_applies_to_clocks_started_from_its_effective_date():
    book = RuleBook([TimeRule(key="talk_within", effective_from=D(2026, 6, 1), value=2)])
    before = Progress(stage="applicant", applied=D(2026, 5, 31))
    after = Progress(stage="applicant", applied=D(2026, 6, 1))
    assert [d.due for d in deadlines(before, D(2026, 6, 1), book)] == [D(2026, 6, 30)]
    assert [d.due for d in deadlines(after, D(2026, 6, 1), book)] == [D(2026, 8, 1)]


def test_later_versions_replace_earlier_ones_from_their_day():
    book = RuleBook([
        TimeRule(key="training_hours", effective_from=D(2027, 1, 1), value=32),
        TimeRule(key="training_hours", effective_from=D(2026, 1, 1), value=28),
    ])
    assert [book.value("training_hours", D(y, 6, 1)) for y in (2025, 2026, 2027)] == [24, 28, 32]


def test_the_check_reads_the_versions_from_the_database(district, tmp_path):
    TimeRule.objects.create(key="talk_within", effective_from=D(2026, 1, 1), value=2)
    pid = new_id()
    import_ledger(ledger_file(tmp_path, [row(pid, applied="2026-01-31")]))
    person = person_of(check(on="2026-03-30")[1], pid)
    assert person["deadlines"] == [{"rule": "talk_within", "due": "2026-03-31", "overdue": False}]


# ------------------------------------------------------------------------- the command

def test_the_check_prints_every_person_with_next_violations_deadlines_and_a_summary(district, tmp_path):
    ids = [new_id() for _ in range(5)]
    import_ledger(ledger_file(tmp_path, [
        row(ids[0], name="甲", applied="2026-10-31"),  # applicant, talk due 11-30
        row(ids[1], name="乙", applied="2026-09-30"),  # applicant, talk overdue (10-30)
        row(ids[2], name="丙", applied="2025-01-31", talk="2025-03-01", activist="2025-03-01"),
        row(ids[3], name="丁", applied="2023-01-10", talk="2023-01-20", activist="2023-03-01",
            candidate="2024-03-01", hours=24, congress="2026-08-15"),
        row(ids[4], name="戊", applied="2023-01-10", talk="2023-01-20", activist="2023-03-01",
            candidate="2024-03-01", hours=24, congress="2025-11-30", approval="2025-12-20"),
    ]))

    status, result = check("1000", "2026-11-30")

    assert status == 0
    assert set(result) == {"org", "on", "people", "summary"}
    assert (result["org"], result["on"]) == ("1000", "2026-11-30")
    assert all(set(p) == {"id_number", "name", "branch", "stage", "next", "violations", "deadlines"}
               for p in result["people"])
    first = person_of(result, ids[0])
    assert first["deadlines"] == [{"rule": "talk_within", "due": "2026-11-30", "overdue": False}]
    assert person_of(result, ids[1])["deadlines"][0]["overdue"] is True
    third = person_of(result, ids[2])
    assert third["stage"] == "activist" and third["branch"] == "1101"
    assert third["next"] == {"step": "develop", "earliest": "2026-03-01", "due": None}
    assert third["violations"][0]["rule"] == "talk_within" and third["violations"][0]["message"]
    assert person_of(result, ids[3])["deadlines"] == [
        {"rule": "approval_within", "due": "2026-11-15", "overdue": True}]
    assert person_of(result, ids[4])["deadlines"] == [
        {"rule": "probation", "due": "2026-10-30", "overdue": True}]
    assert result["summary"] == {"applicant": 2, "activist": 1, "candidate": 1,
                                 "probationary": 1, "overdue": 3, "violations": 1}


def test_the_check_covers_only_the_orgs_subtree(district, tmp_path):
    mine, other = new_id(), new_id()
    import_ledger(ledger_file(tmp_path, [row(mine), row(other, branch="1201")]))
    result = check("1100", "2026-01-01")[1]
    assert [p["id_number"] for p in result["people"]] == [mine]
    assert check("1201", "2026-01-01")[1]["summary"]["applicant"] == 1


@pytest.mark.parametrize("args", [("--org", "nope"), ("--org", "1000", "--on", "2026-13-01")])
def test_the_check_cannot_run_on_bad_arguments(district, args):
    from tests.recruitment.builders import run
    status, result = run("recruitment_check", *args)
    assert status == 2 and result["error"]


def test_the_check_prints_prose_without_json(district, tmp_path):
    import io

    from django.core.management import call_command
    import_ledger(ledger_file(tmp_path, [row(new_id(), name="甲")]))
    out = io.StringIO()
    call_command("recruitment_check", "--org", "1000", "--on", "2026-01-01", stdout=out)
    assert "甲" in out.getvalue() and "合计" in out.getvalue()
