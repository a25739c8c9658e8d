"""Meetings: kinds, attendance derived from the roster, the draft → submit → return flow."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from accounts.models import AuditLog
from activities import actions
from activities.attendance import Counts, counts_of, roster_for
from activities.models import Attendance, Meeting, MeetingEvent
from tests.activities.conftest import make_member, record_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
NOW = "2026-11-22 10:00:00+08:00"


@freeze_time(NOW)
def test_one_sitting_can_count_as_several_kinds(district, personas):
    meeting = record_meeting(district.b1, personas.secretary,
                             kinds=["theme_day", "party_congress", "party_lecture"],
                             lecturer="张书记")
    assert sorted(meeting.kind_values) == ["party_congress", "party_lecture", "theme_day"]
    assert meeting.kinds_display() == "支部党员大会、党课、主题党日"


def test_group_meeting_must_be_held_by_a_group(district, personas):
    with pytest.raises(ValidationError, match="党小组会应由党小组召开"):
        record_meeting(district.b1, personas.secretary, kinds=["group_meeting"])
    with pytest.raises(ValidationError, match="党小组不能召开支部委员会"):
        record_meeting(district.g1, personas.secretary, kinds=["committee"])


def test_a_meeting_needs_at_least_one_kind(district, personas):
    with pytest.raises(ValidationError, match="至少选择一种"):
        record_meeting(district.b1, personas.secretary, kinds=[])


@pytest.mark.sqlite_smoke
def test_attendance_has_a_row_for_every_roster_member_prefilled_present(district, personas, roster):
    meeting = record_meeting(district.b1, personas.secretary, absent=[roster.b1[1]],
                             leave=[roster.b1[2]])
    assert meeting.attendances.count() == 8
    assert counts_of(meeting) == Counts(expected=8, present=6, leave=1, absent=1, observers=0)
    leave = meeting.attendances.get(member=roster.b1[2])
    assert leave.reason == "出差"


def test_group_meeting_expects_only_the_groups_members(district, personas, roster):
    meeting = record_meeting(district.g1, personas.secretary, kinds=["group_meeting"])
    assert {a.member_id for a in meeting.attendances.all()} == {m.pk for m in roster.b1[:3]}


def test_branch_members_not_in_the_group_may_attend_as_observers(district, personas, roster):
    meeting = actions.save_meeting(
        None, organization=district.g1, fields={"date": datetime.date(2026, 11, 2), "topic": "x"},
        kinds=["group_meeting"],
        attendance=[actions.AttendanceEntry(roster.b1[5].pk, Attendance.Status.OBSERVER)],
        by=personas.secretary,
    )
    counts = counts_of(meeting)
    assert (counts.expected, counts.present, counts.observers) == (3, 3, 1)


def test_secretary_cannot_add_another_branchs_member_as_observer(district, personas, roster):
    meeting = actions.save_meeting(
        None, organization=district.b1, fields={"date": datetime.date(2026, 11, 2), "topic": "x"},
        kinds=["party_congress"],
        attendance=[actions.AttendanceEntry(roster.b2[0].pk, Attendance.Status.OBSERVER)],
        by=personas.secretary,
    )
    assert not meeting.attendances.filter(member=roster.b2[0]).exists()


def test_roster_is_taken_at_the_meeting_date(district):
    newcomer = make_member("新人", district.b1, joined=datetime.date(2026, 11, 10))
    assert newcomer not in roster_for(district.b1, datetime.date(2026, 11, 2))
    assert newcomer in roster_for(district.b1, datetime.date(2026, 11, 12))


@pytest.mark.sqlite_smoke
@freeze_time(NOW)
def test_draft_submit_return_resubmit_is_recorded_with_who(district, personas):
    meeting = record_meeting(district.b1, personas.secretary)
    assert meeting.status == Meeting.Status.DRAFT
    actions.submit_meeting(meeting, by=personas.secretary)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SUBMITTED and meeting.submitted_at
    assert not actions.can_edit_meeting(personas.secretary, meeting)
    actions.return_meeting(meeting, comment="请补充决议事项", by=personas.admin)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RETURNED
    assert meeting.review_comment == "请补充决议事项"
    assert actions.can_edit_meeting(personas.secretary, meeting)
    actions.save_meeting(meeting, organization=district.b1,
                         fields={"date": meeting.date, "topic": meeting.topic, "resolutions": "通过"},
                         kinds=["party_congress"], attendance=[], by=personas.secretary)
    actions.submit_meeting(meeting, by=personas.secretary)
    events = list(meeting.events.values_list("kind", "by__username"))
    assert events == [
        (MeetingEvent.Kind.CREATED, "sec1101"),
        (MeetingEvent.Kind.SUBMITTED, "sec1101"),
        (MeetingEvent.Kind.RETURNED, "admin1100"),
        (MeetingEvent.Kind.EDITED, "sec1101"),
        (MeetingEvent.Kind.RESUBMITTED, "sec1101"),
    ]
    assert list(AuditLog.objects.filter(action__startswith="meeting.").order_by("created_at", "id")
                .values_list("action", flat=True)) == [
        "meeting.create", "meeting.submit", "meeting.return", "meeting.edit", "meeting.resubmit"]


@freeze_time(NOW)
def test_secretary_cannot_edit_a_submitted_record(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    with pytest.raises(actions.ActionRefused, match="已提交"):
        actions.save_meeting(meeting, organization=district.b1,
                             fields={"topic": "改"}, kinds=["party_congress"], attendance=[],
                             by=personas.secretary)


@freeze_time(NOW)
def test_secretary_cannot_return_their_own_record(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    with pytest.raises(PermissionDenied):
        actions.return_meeting(meeting, comment="x", by=personas.secretary)


@freeze_time(NOW)
def test_return_needs_a_comment(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    with pytest.raises(actions.ActionRefused, match="退回意见"):
        actions.return_meeting(meeting, comment="  ", by=personas.admin)


@freeze_time(NOW)
def test_a_meeting_in_the_future_cannot_be_submitted(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, day=datetime.date(2026, 12, 1))
    with pytest.raises(actions.ActionRefused, match="会议召开后"):
        actions.submit_meeting(meeting, by=personas.secretary)


@freeze_time(NOW)
def test_only_submitted_meetings_are_final(district, personas):
    record_meeting(district.b1, personas.secretary)
    submitted = record_meeting(district.b1, personas.secretary, submit=True)
    assert list(Meeting.objects.final()) == [submitted]


def test_auditor_cannot_record_meetings(district, personas):
    with pytest.raises(PermissionDenied):
        record_meeting(district.b1, personas.auditor)


@freeze_time(NOW)
def test_minutes_are_cleaned_before_they_are_stored(district, personas):
    meeting = record_meeting(district.b1, personas.secretary,
                             minutes="<p>讨论</p><img src=x onerror=alert(1)><script>x()</script>")
    assert meeting.minutes == "<p>讨论</p>"


def test_a_leave_without_a_reason_is_refused_by_the_action_itself(district, personas):
    """The rule lives in save_meeting, so the API, the import and the page all keep it."""
    member = make_member("请假者", district.b1)
    with pytest.raises(ValidationError) as refused:
        actions.save_meeting(
            None, organization=district.b1, fields={"date": datetime.date(2026, 11, 2), "topic": "学习"},
            kinds=["party_congress"], by=personas.secretary,
            attendance=[actions.AttendanceEntry(member.pk, Attendance.Status.LEAVE, "  ")])
    assert refused.value.messages == ["请假者 请假，请填写请假事由。"]
    assert not Meeting.objects.filter(topic="学习").exists()


def test_the_ledger_import_writes_through_one_audited_bulk_action(district, personas):
    member = make_member("导入者", district.b1)
    rows = [actions.ImportedMeeting(
        row=n + 2, organization=district.b1, date=datetime.date(2026, 11, 2), topic=f"导入{n}",
        host="", recorder="", place="", minutes="", kinds=["party_congress"],
        attendance=[(member.pk, Attendance.Status.PRESENT)]) for n in range(3)]

    assert actions.import_meetings(rows, at=district.b1, by=personas.secretary) == 3

    assert Meeting.objects.filter(topic__startswith="导入", status=Meeting.Status.SUBMITTED).count() == 3
    [entry] = AuditLog.objects.filter(action=actions.MEETINGS_IMPORTED)
    assert entry.organization == district.b1 and entry.detail["created"] == 3
