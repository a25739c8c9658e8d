"""Members' yearly 学时: from meetings they attended and activities counted as study.

A meeting counts with its `study_hours` (党课, study sessions) for each member recorded present
(or 列席) at it, once it is submitted; an activity marked `counts_as_study` counts with each
participant's hours. Targets: 32 a year for members, 56 for secretaries and committee members.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from activities.models import Attendance, Meeting, Participation

MEMBER_TARGET = 32
CADRE_TARGET = 56
CADRE_POST_WORDS = ("书记", "委员")  # 书记, 副书记, 委员, 组织委员, 宣传委员, 纪检委员 …
ZERO = Decimal("0")


def target_for(member) -> int:
    post = (member.party_post or "").strip()
    return CADRE_TARGET if any(word in post for word in CADRE_POST_WORDS) else MEMBER_TARGET


@dataclass(frozen=True)
class StudyHours:
    year: int
    meetings: Decimal
    activities: Decimal
    target: int

    @property
    def total(self) -> Decimal:
        return self.meetings + self.activities

    @property
    def met(self) -> bool:
        return self.total >= self.target

    @property
    def remaining(self) -> Decimal:
        return max(Decimal(self.target) - self.total, ZERO)

    @property
    def percent(self) -> int:
        return min(100, int(self.total * 100 / self.target)) if self.target else 100


def _meeting_hours(member_ids, year: int) -> dict[int, Decimal]:
    rows = (
        Attendance.objects.filter(
            member_id__in=member_ids,
            status__in=[Attendance.Status.PRESENT, Attendance.Status.OBSERVER],
            meeting__status=Meeting.Status.SUBMITTED,
            meeting__date__year=year,
            meeting__study_hours__gt=0,
        )
        .values("member_id")
        .annotate(hours=Sum("meeting__study_hours"))
        .values_list("member_id", "hours")
    )
    return dict(rows)


def _activity_hours(member_ids, year: int) -> dict[int, Decimal]:
    rows = (
        Participation.objects.filter(
            member_id__in=member_ids,
            activity__counts_as_study=True,
            activity__date__year=year,
        )
        .values("member_id")
        .annotate(hours=Sum("hours"))
        .values_list("member_id", "hours")
    )
    return dict(rows)


def study_hours_for(member, year: int) -> StudyHours:
    """One member's 学时 for `year` against their target."""
    return StudyHours(
        year=year,
        meetings=_meeting_hours([member.pk], year).get(member.pk) or ZERO,
        activities=_activity_hours([member.pk], year).get(member.pk) or ZERO,
        target=target_for(member),
    )


def study_hours_of(members, year: int) -> list[tuple]:
    """(member, StudyHours) for many members in two aggregate queries.

    Given a queryset, the aggregates filter by it as a subquery (no long id lists).
    """
    ids = members.values("pk") if isinstance(members, QuerySet) else [m.pk for m in members]
    members = list(members)
    meeting_hours, activity_hours = _meeting_hours(ids, year), _activity_hours(ids, year)
    return [
        (m, StudyHours(year, meeting_hours.get(m.pk) or ZERO, activity_hours.get(m.pk) or ZERO,
                       target_for(m)))
        for m in members
    ]


def summarize(rows: list[tuple]) -> dict:
    """Per-branch summary: members, members reaching their target, total and average hours."""
    n = len(rows)
    total = sum((h.total for _, h in rows), ZERO)
    return {
        "members": n,
        "met": sum(1 for _, h in rows if h.met),
        "total": total,
        "average": (total / n).quantize(Decimal("0.1")) if n else ZERO,
    }
