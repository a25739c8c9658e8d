"""Honest current-quarter figures (issue 15 item 4, docs/metrics.md "The running quarter"):
a slot whose period has not ended is pending (未到期) — shown, never counted as missed — and a
branch answers only for the periods it existed through."""
import json

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.quarters import Quarter
from reports.figures import compute_figures
from tests.factories import make_org
from tests.reports.builders import D, K, add_meeting, add_members

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)


def branch_of(figures, code):
    return next(b for b in figures.branches if b.code == code)


def held_october_and_november(branch):
    add_meeting(branch, D(2026, 10, 9), K.THEME_DAY, K.PARTY_CONGRESS, K.PARTY_LECTURE)
    add_meeting(branch, D(2026, 11, 9), K.THEME_DAY)


def test_on_the_first_day_of_the_last_month_december_is_pending_not_missed(district):
    add_members(district.b2, 3)
    held_october_and_november(district.b2)

    b2 = branch_of(compute_figures(district.c1, Q4, as_of=D(2026, 12, 1)), "1102")

    assert b2.requirements["theme_day"] == {"slots": 2, "met": 2}
    assert b2.requirements["party_congress"] == {"slots": 1, "met": 1}
    assert (b2.slots_applicable, b2.slots_met, b2.completion_rate, b2.compliant) == (4, 4, 1.0, True)
    december = [s for s in b2.slots if s.month == 12]
    assert [(s.key, s.pending) for s in december] == [("theme_day", True)]
    assert b2.gaps == []


def test_the_day_after_the_month_ends_its_slot_is_missed(district):
    add_members(district.b2, 3)
    held_october_and_november(district.b2)

    b2 = branch_of(compute_figures(district.c1, Q4, as_of=D(2027, 1, 1)), "1102")

    assert b2.requirements["theme_day"] == {"slots": 3, "met": 2}
    assert [s.gap_text for s in b2.gaps] == ["主题党日：12月未开"]
    assert b2.compliant is False


def test_the_last_day_of_a_month_is_still_inside_its_period(district):
    add_members(district.b2, 3)
    b2 = branch_of(compute_figures(district.c1, Q4, as_of=D(2026, 10, 31)), "1102")
    assert b2.requirements["theme_day"] == {"slots": 0, "met": 0}
    assert b2.slots_applicable == 0 and b2.compliant is True


def test_a_slot_met_early_counts_at_once(district):
    add_members(district.b2, 3)
    add_meeting(district.b2, D(2026, 10, 3), K.PARTY_CONGRESS)
    b2 = branch_of(compute_figures(district.c1, Q4, as_of=D(2026, 10, 5)), "1102")
    assert b2.requirements["party_congress"] == {"slots": 1, "met": 1}
    assert b2.requirements["theme_day"] == {"slots": 0, "met": 0}


def test_a_branch_founded_on_11_20_is_not_charged_for_october_or_november(district):
    late = make_org("1103", "新成立党支部", "branch", district.c1, founded_on=D(2026, 11, 20))
    add_members(late, 3)

    figures = branch_of(compute_figures(district.c1, Q4, as_of=D(2027, 1, 1)), "1103")

    assert figures.requirements["theme_day"] == {"slots": 1, "met": 0}  # December only
    assert figures.requirements["party_congress"] == {"slots": 1, "met": 0}  # a whole December
    assert [s.month for s in figures.slots if s.key == "theme_day"] == [12]


def test_a_branch_founded_on_the_first_of_a_month_answers_for_that_month(district):
    make_org("1103", "新成立党支部", "branch", district.c1, founded_on=D(2026, 11, 1))
    figures = branch_of(compute_figures(district.c1, Q4, as_of=D(2027, 1, 1)), "1103")
    assert [s.month for s in figures.slots if s.key == "theme_day"] == [11, 12]


def test_a_branch_founded_after_the_last_months_first_day_has_no_quarterly_slot(district):
    make_org("1103", "新成立党支部", "branch", district.c1, founded_on=D(2026, 12, 2))
    figures = branch_of(compute_figures(district.c1, Q4, as_of=D(2027, 1, 1)), "1103")
    assert figures.requirements["party_congress"] is None
    assert figures.requirements["theme_day"] is None
    assert figures.slots == [] and figures.slots_applicable == 0


def test_a_finished_quarter_changes_only_for_branches_founded_inside_it(district):
    add_members(district.b2, 3)
    held_october_and_november(district.b2)
    before = compute_figures(district.c1, Quarter(2026, 3), as_of=D(2026, 11, 30))
    make_org("1103", "新成立党支部", "branch", district.c1, founded_on=D(2026, 8, 15))
    after = compute_figures(district.c1, Quarter(2026, 3), as_of=D(2026, 11, 30))

    assert [b.as_json() for b in after.branches if b.code != "1103"] == \
        [b.as_json() for b in before.branches]
    assert branch_of(after, "1103").requirements["theme_day"] == {"slots": 1, "met": 0}


def test_the_json_keeps_the_shape_of_interfaces_3(district):
    add_members(district.b2, 3)
    data = json.loads(json.dumps(compute_figures(district.c1, Q4, as_of=D(2026, 12, 1)).as_json()))
    branch = data["branches"][0]
    assert set(branch) == {"code", "name", "members", "full_members", "requirements",
                           "slots_applicable", "slots_met", "completion_rate", "compliant",
                           "members_attended", "coverage"}
    assert set(branch["requirements"]["theme_day"]) == {"slots", "met"}


@freeze_time("2026-12-01 09:00:00+08:00")
def test_the_workbench_shows_december_as_due_not_as_a_gap(client, district, personas):
    add_members(district.b1, 3)
    held_october_and_november(district.b1)
    client.force_login(personas.secretary)

    page = client.get(reverse("reports:secretary-home")).content.decode()

    overdue = page.split('id="overdue-list"')[1].split("</ul>")[0] if 'id="overdue-list"' in page else ""
    assert "主题党日" not in overdue
    assert "主题党日" in page.split('id="due-this-month"')[1].split("</ul>")[0]
