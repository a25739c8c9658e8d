"""Builders for report tests: members with their membership periods, meetings with attendance."""
import datetime

from activities.models import Attendance, Meeting, MeetingKind
from tests.factories import make_member

D = datetime.date
_names = iter(range(1, 10**6))
LONG_AGO = D(2020, 1, 1)


def add_member(branch, *, full=True, since=LONG_AGO, until=None, confirmed_on=None,
                name=None, group=None):
    """A member of `branch` from `since` (until the day before `until`, if given)."""
    n = next(_names)
    return make_member(
        branch, name=name or f"党员{n}", birth=D(1980, 1, 1) + datetime.timedelta(days=n),
        joined=D(2010, 1, 1), category="full" if full else "probationary",
        confirmed_on=confirmed_on, since=since, until=until, group=group,
    )


def add_members(branch, count, **kwargs):
    return [add_member(branch, **kwargs) for _ in range(count)]


def add_meeting(org, day, *kinds, present=(), absent=(), status=Meeting.Status.SUBMITTED,
                topic="会议"):
    meeting = Meeting(organization=org, date=day, topic=topic, status=status)
    meeting.save()
    MeetingKind.objects.bulk_create([MeetingKind(meeting=meeting, kind=k) for k in kinds])
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=m, status=Attendance.Status.PRESENT) for m in present]
        + [Attendance(meeting=meeting, member=m, status=Attendance.Status.ABSENT) for m in absent]
    )
    return meeting


K = Meeting.Kind


def hold_everything(branch, months=(7, 8, 9), groups=(), present=()):
    """A complete quarter for a branch: 大会+党课 on the first theme day, committee, theme day
    and each group's meeting every month."""
    for i, month in enumerate(months):
        kinds = [K.THEME_DAY, K.COMMITTEE]
        if i == 0:
            kinds += [K.PARTY_CONGRESS, K.PARTY_LECTURE]
        add_meeting(branch, D(2026, month, 10), *kinds, present=present)
        for group in groups:
            add_meeting(group, D(2026, month, 12), K.GROUP_MEETING)
