"""The reminder kinds the portal's own apps register (interfaces.md §8): meeting_due,
meeting_overdue, record_returned and probation_ending, each on its boundary days."""
import datetime

import pytest
from freezegun import freeze_time

from activities import actions as meeting_actions
from core.registry import site
from members import actions as member_actions
from tests.activities.conftest import make_member, record_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
D = datetime.date


def items(kind, on):
    return list(site().reminder_kinds.get(kind).items(on))


def test_a_monthly_slot_is_due_in_the_last_seven_days_of_its_month(district):
    assert not [i for i in items("meeting_due", D(2026, 11, 22)) if i.organization_id == district.b2.pk]
    found = [i for i in items("meeting_due", D(2026, 11, 23)) if i.organization_id == district.b2.pk]
    assert {(i.identity.split(":")[3], i.due) for i in found} == {("theme_day", D(2026, 11, 30))}
    assert "主题党日" in found[0].text and "11月30日" in found[0].text


def test_a_quarterly_slot_is_due_in_the_last_week_of_the_quarter(district):
    found = {i.identity.split(":")[3] for i in items("meeting_due", D(2026, 12, 24))
             if i.organization_id == district.b2.pk}
    assert found == {"party_congress", "party_lecture", "theme_day"}
    assert not [i for i in items("meeting_due", D(2026, 12, 23))
                if i.organization_id == district.b2.pk and "party_congress" in i.identity]


def test_a_met_slot_is_not_due_and_stays_quiet(district, personas):
    record_meeting(district.b2, personas.other_secretary, kinds=["theme_day"], submit=True,
                   day=D(2026, 11, 5))
    assert not [i for i in items("meeting_due", D(2026, 11, 25))
                if i.organization_id == district.b2.pk and "theme_day" in i.identity]


def test_a_month_past_unmet_is_overdue_until_the_quarter_ends(district):
    found = [i for i in items("meeting_overdue", D(2026, 11, 1))
             if i.organization_id == district.b2.pk]
    assert {(i.identity.split(":")[3], i.due) for i in found} == {("theme_day", D(2026, 10, 31))}
    assert not [i for i in items("meeting_overdue", D(2027, 1, 1))
                if i.due.year == 2026]  # a new quarter: last quarter's gaps are in the report


def test_the_same_slot_keeps_its_identity_from_day_to_day(district):
    first = {i.identity for i in items("meeting_overdue", D(2026, 11, 10))}
    second = {i.identity for i in items("meeting_overdue", D(2026, 11, 11))}
    assert first and first == second


@freeze_time("2026-11-20 10:00:00+08:00")
def test_a_returned_record_is_reminded_until_resubmitted(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                             day=D(2026, 11, 18))
    meeting_actions.return_meeting(meeting, comment="请补充", by=personas.admin)

    [item] = items("record_returned", D(2026, 11, 20))
    assert (item.organization_id, item.due) == (district.b1.pk, D(2026, 11, 20))

    meeting_actions.submit_meeting(meeting, by=personas.secretary)
    assert items("record_returned", D(2026, 11, 21)) == []


def test_a_probation_ending_within_thirty_days_is_reminded_to_the_branch(district, personas):
    member = make_member("预备甲", district.b1, category="probationary", joined=D(2025, 12, 20))
    assert [i for i in items("probation_ending", D(2026, 11, 19)) if str(member.pk) in i.identity] == []

    [item] = [i for i in items("probation_ending", D(2026, 11, 20)) if str(member.pk) in i.identity]
    assert (item.organization_id, item.due, item.names_person) == (district.b1.pk, D(2026, 12, 20), True)

    with freeze_time("2026-12-21 09:00:00+08:00"):
        member_actions.confirm(member, on=D(2026, 12, 20), by=personas.staff)
    assert [i for i in items("probation_ending", D(2026, 12, 21)) if str(member.pk) in i.identity] == []
