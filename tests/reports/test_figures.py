"""The §3 figures on hand-built quarters, every number compared."""
import json

import pytest

from activities.models import Meeting
from branches.models import Organization
from core.quarters import Quarter
from reports.figures import Figures, chunk_roots, compute_figures
from reports.models import Exemption, RequirementRule
from tests.factories import make_org
from tests.reports.builders import D, K, add_meeting, add_member, add_members, hold_everything

Q3 = "2026Q3"


def branch_of(figures, code):
    return next(b for b in figures.branches if b.code == code)


@pytest.mark.django_db
def test_a_branch_that_held_everything_is_compliant_with_every_number(district):
    members = add_members(district.b1, 7) + add_members(district.b1, 2, full=False)
    hold_everything(district.b1, groups=[district.g1], present=members[:6])

    b = branch_of(compute_figures(district.top, Q3), "1101")

    assert (b.members, b.full_members) == (9, 7)
    assert b.requirements == {
        "party_congress": {"slots": 1, "met": 1},
        "committee": {"slots": 3, "met": 3},
        "group_meetings": {"slots": 3, "met": 3},
        "party_lecture": {"slots": 1, "met": 1},
        "theme_day": {"slots": 3, "met": 3},
    }
    assert (b.slots_applicable, b.slots_met, b.completion_rate, b.compliant) == (11, 11, 1.0, True)
    assert (b.members_attended, b.coverage) == (6, 0.6667)
    assert b.gaps == []


@pytest.mark.django_db
def test_a_committee_is_required_from_seven_full_members_not_six(district):
    add_members(district.b1, 7)
    add_members(district.b2, 6)
    add_members(district.b2, 3, full=False)  # probationary members do not make a committee

    figures = compute_figures(district.top, Q3)

    assert branch_of(figures, "1101").requirements["committee"] == {"slots": 3, "met": 0}
    assert branch_of(figures, "1102").requirements["committee"] is None
    assert branch_of(figures, "1102").full_members == 6


@pytest.mark.django_db
def test_group_meetings_apply_only_to_branches_with_groups_and_count_per_group(district):
    g2 = make_org("1101-2", "第一社区第一党支部第二党小组", Organization.Kind.GROUP, district.b1)
    add_meeting(district.g1, D(2026, 7, 5), K.GROUP_MEETING)
    add_meeting(district.g1, D(2026, 8, 5), K.GROUP_MEETING)
    add_meeting(g2, D(2026, 9, 5), K.GROUP_MEETING)
    add_meeting(district.b1, D(2026, 9, 6), K.GROUP_MEETING)  # the branch itself is no group

    figures = compute_figures(district.top, Q3)
    b1 = branch_of(figures, "1101")

    assert b1.requirements["group_meetings"] == {"slots": 6, "met": 3}
    assert branch_of(figures, "1102").requirements["group_meetings"] is None
    gaps = [s.gap_text for s in b1.gaps if s.key == "group_meetings"]
    assert gaps == [
        "第一社区第一党支部第一党小组 党小组会：9月未开",
        "第一社区第一党支部第二党小组 党小组会：7月未开",
        "第一社区第一党支部第二党小组 党小组会：8月未开",
    ]


@pytest.mark.django_db
def test_the_first_and_last_day_count_and_the_days_outside_do_not(district):
    add_meeting(district.b2, D(2026, 6, 30), K.PARTY_CONGRESS)
    add_meeting(district.b2, D(2026, 10, 1), K.PARTY_LECTURE)
    add_meeting(district.b2, D(2026, 7, 1), K.THEME_DAY)
    add_meeting(district.b2, D(2026, 9, 30), K.THEME_DAY)

    b2 = branch_of(compute_figures(district.top, Q3), "1102")

    assert b2.requirements["party_congress"] == {"slots": 1, "met": 0}
    assert b2.requirements["party_lecture"] == {"slots": 1, "met": 0}
    assert b2.requirements["theme_day"] == {"slots": 3, "met": 2}
    assert [s.gap_text for s in b2.gaps] == [
        "支部党员大会：本季度未开",
        "党课：本季度未开",
        "主题党日：8月未开",
    ]


@pytest.mark.django_db
def test_drafts_and_returned_records_do_not_count(district):
    member = add_member(district.b2)
    add_meeting(district.b2, D(2026, 7, 3), K.PARTY_CONGRESS, present=[member],
                status=Meeting.Status.DRAFT)
    add_meeting(district.b2, D(2026, 7, 4), K.PARTY_LECTURE, present=[member],
                status=Meeting.Status.RETURNED)

    b2 = branch_of(compute_figures(district.top, Q3), "1102")

    assert (b2.slots_met, b2.members_attended, b2.coverage) == (0, 0, 0.0)


@pytest.mark.django_db
def test_one_sitting_with_several_types_counts_for_each(district):
    add_meeting(district.b2, D(2026, 8, 1), K.PARTY_CONGRESS, K.PARTY_LECTURE, K.THEME_DAY)

    b2 = branch_of(compute_figures(district.top, Q3), "1102")

    assert b2.requirements["party_congress"]["met"] == 1
    assert b2.requirements["party_lecture"]["met"] == 1
    assert b2.requirements["theme_day"]["met"] == 1
    assert (b2.slots_applicable, b2.slots_met, b2.completion_rate) == (5, 3, 0.6)


@pytest.mark.django_db
def test_an_exempted_requirement_is_not_applicable_for_that_quarter_only(district):
    add_members(district.b1, 7)
    Exemption.objects.create(branch=district.b1, quarter=Q3, key="committee", reason="换届")
    Exemption.objects.create(branch=district.b1, quarter="2026Q2", key="", reason="整顿")

    b1 = branch_of(compute_figures(district.top, Q3), "1101")

    assert b1.requirements["committee"] is None
    assert b1.slots_applicable == 1 + 3 + 1 + 3  # congress, groups, lecture, theme days
    assert b1.exempt_keys == ["committee"]
    assert not any(s.key == "committee" for s in b1.gaps)


@pytest.mark.django_db
def test_a_branch_exempted_from_everything_has_no_slots_and_no_rate(district):
    Exemption.objects.create(branch=district.b2, quarter=Q3, key="", reason="新建")

    b2 = branch_of(compute_figures(district.top, Q3), "1102")

    assert all(v is None for v in b2.requirements.values())
    assert (b2.slots_applicable, b2.slots_met, b2.completion_rate, b2.compliant) == (0, 0, None, True)


@pytest.mark.django_db
def test_the_rules_in_force_for_the_quarter_apply_and_later_changes_do_not(district):
    add_members(district.b2, 5)
    RequirementRule.objects.create(key="theme_day", effective_from="2026Q3", enabled=False,
                                   period="month")
    RequirementRule.objects.create(key="committee", effective_from="2026Q4", period="month",
                                   min_full_members=5)
    RequirementRule.objects.create(key="party_lecture", effective_from="2026Q1", period="month")

    b2 = branch_of(compute_figures(district.top, Q3), "1102")

    assert b2.requirements["theme_day"] is None
    assert b2.requirements["committee"] is None
    assert b2.requirements["party_lecture"] == {"slots": 3, "met": 0}
    q4 = branch_of(compute_figures(district.top, "2026Q4", as_of=D(2027, 1, 1)), "1102")
    assert q4.requirements["committee"] == {"slots": 3, "met": 0}


@pytest.mark.django_db
def test_members_are_counted_as_they_stood_on_the_last_day_of_the_quarter(district):
    b = district.b2
    add_member(b, since=D(2026, 9, 30))  # joined on the last day: counts
    add_member(b, since=D(2026, 10, 1))  # the day after: does not
    add_member(b, until=D(2026, 9, 30))  # left during the quarter (last day counted 9-29)
    add_member(b, until=D(2026, 10, 1))  # left the day after: counts
    add_member(b, confirmed_on=D(2026, 9, 30))  # full from the last day
    add_member(b, confirmed_on=D(2026, 10, 1))  # still probationary on the last day
    add_member(b, full=False)

    b2 = branch_of(compute_figures(district.top, Q3), "1102")

    assert (b2.members, b2.full_members) == (5, 3)


@pytest.mark.django_db
def test_members_attended_counts_present_members_of_the_branch_at_the_end_once(district):
    stays = add_member(district.b1, group=district.g1)
    absent = add_member(district.b1)
    left = add_member(district.b1, until=D(2026, 8, 31))
    moved_in = add_member(district.b1, since=D(2026, 9, 1))
    add_member(district.b2, until=D(2026, 9, 1))  # moved_in's earlier branch, same person below
    elsewhere = add_member(district.b2)
    add_meeting(district.b1, D(2026, 7, 10), K.THEME_DAY, present=[stays, left], absent=[absent])
    add_meeting(district.g1, D(2026, 9, 10), K.GROUP_MEETING, present=[stays, moved_in])
    add_meeting(district.b2, D(2026, 7, 11), K.THEME_DAY, present=[absent])  # another branch's
    add_meeting(district.b1, D(2026, 9, 12), K.THEME_DAY, present=[elsewhere])  # guest

    figures = compute_figures(district.top, Q3)
    b1, b2 = branch_of(figures, "1101"), branch_of(figures, "1102")

    assert (b1.members, b1.members_attended, b1.coverage) == (3, 2, 0.6667)
    assert (b2.members, b2.members_attended, b2.coverage) == (1, 0, 0.0)


@pytest.mark.django_db
def test_branches_that_do_not_exist_at_the_quarter_end_are_left_out(district):
    district.b2.dissolved_on = D(2026, 9, 30)
    district.b2.save()
    make_org("1103", "新建支部", Organization.Kind.BRANCH, district.c1, founded_on=D(2026, 10, 1))
    make_org("1104", "季末成立支部", Organization.Kind.BRANCH, district.c1,
             founded_on=D(2026, 9, 30))

    codes = [b.code for b in compute_figures(district.c1, Q3).branches]

    assert codes == ["1101", "1104"]


@pytest.mark.django_db
def test_the_summary_pools_sums_instead_of_averaging_rates(district):
    add_members(district.b1, 3)
    ones = add_members(district.b2, 1)
    hold_everything(district.b2, present=ones)
    add_meeting(district.b3, D(2026, 7, 1), K.THEME_DAY)

    summary = compute_figures(district.top, Q3).summary

    # 1101: groups 3 + 1 + 1 + 3 = 8 slots, 0 met; 1102: 5/5; 1201: 5 slots, 1 met.
    assert summary == {
        "branches": 3, "compliant_branches": 1, "compliance_rate": 0.3333,
        "members": 4, "members_attended": 1, "coverage": 0.25,
        "slots_applicable": 18, "slots_met": 6, "completion_rate": 0.3333,
    }


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_the_json_has_exactly_the_shape_of_the_contract(district):
    add_members(district.b1, 8)
    hold_everything(district.b1, groups=[district.g1])

    data = json.loads(json.dumps(compute_figures(district.top, Quarter(2026, 3)).as_json()))

    assert list(data) == ["quarter", "org", "branches", "summary"]
    assert (data["quarter"], data["org"]) == ("2026Q3", "1000")
    assert list(data["branches"][0]) == [
        "code", "name", "members", "full_members", "requirements", "slots_applicable",
        "slots_met", "completion_rate", "compliant", "members_attended", "coverage",
    ]
    assert list(data["branches"][0]["requirements"]) == [
        "party_congress", "committee", "group_meetings", "party_lecture", "theme_day",
    ]
    assert list(data["summary"]) == [
        "branches", "compliant_branches", "compliance_rate", "members", "members_attended",
        "coverage", "slots_applicable", "slots_met", "completion_rate",
    ]
    assert data["branches"][1]["requirements"]["committee"] is None


@pytest.mark.django_db
def test_figures_merged_from_child_subtrees_equal_the_one_shot_computation(district):
    people = add_members(district.b1, 8) + add_members(district.b3, 4)
    hold_everything(district.b1, groups=[district.g1], present=people[:5])
    add_meeting(district.b3, D(2026, 8, 3), K.THEME_DAY, K.PARTY_CONGRESS, present=people[9:])

    whole = compute_figures(district.top, Q3)
    parts = [compute_figures(root, Q3) for root in chunk_roots(district.top)]
    merged = Figures.merge("1000", Q3, [Figures.from_dict(p.to_dict()) for p in parts])

    assert [r.code for r in chunk_roots(district.top)] == ["1100", "1200"]
    assert merged.as_json() == whole.as_json()
    assert merged.to_dict() == whole.to_dict()


@pytest.mark.django_db
def test_a_report_on_a_single_branch_covers_that_branch(district):
    add_members(district.b2, 2)

    figures = compute_figures("1102", Q3)

    assert [b.code for b in figures.branches] == ["1102"]
    assert figures.summary["members"] == 2
