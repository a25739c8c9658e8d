"""Who is expected at a meeting, and the counts derived from attendance rows (never typed)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from activities.models import Attendance


def roster_for(organization, day: datetime.date):
    """The members expected at a meeting of `organization` on `day`.

    A branch: everyone whose membership of the branch is in force that day. A 党小组: those of
    them assigned to the group.
    """
    from members.models import Member

    branch = organization.branch or organization
    qs = Member.objects.filter(
        memberships__branch=branch,
        memberships__started_on__lte=day,
    ).filter(Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gt=day))
    if organization.is_group:
        qs = qs.filter(group=organization)
    return qs.distinct().order_by("name", "pk")


@dataclass(frozen=True)
class Counts:
    expected: int  # 应到
    present: int  # 实到
    leave: int  # 请假
    absent: int  # 缺席
    observers: int  # 列席


S = Attendance.Status
COUNT_ANNOTATIONS = {
    "n_expected": Count("attendances", filter=~Q(attendances__status=S.OBSERVER)),
    "n_present": Count("attendances", filter=Q(attendances__status=S.PRESENT)),
    "n_leave": Count("attendances", filter=Q(attendances__status=S.LEAVE)),
    "n_absent": Count("attendances", filter=Q(attendances__status=S.ABSENT)),
    "n_observers": Count("attendances", filter=Q(attendances__status=S.OBSERVER)),
}


def with_counts(meetings):
    """Annotate a meeting queryset with the derived counts (one query, no row explosion)."""
    return meetings.annotate(**COUNT_ANNOTATIONS)


def counts_of(meeting) -> Counts:
    if hasattr(meeting, "n_expected"):
        return Counts(meeting.n_expected, meeting.n_present, meeting.n_leave, meeting.n_absent,
                      meeting.n_observers)
    statuses = [a.status for a in meeting.attendances.all()]
    return Counts(
        expected=sum(1 for s in statuses if s != S.OBSERVER),
        present=statuses.count(S.PRESENT),
        leave=statuses.count(S.LEAVE),
        absent=statuses.count(S.ABSENT),
        observers=statuses.count(S.OBSERVER),
    )
