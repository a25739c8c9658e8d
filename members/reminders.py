"""The roster's reminder kind (interfaces.md §8): a 预备期 ending within 30 days (or already
ended) with no 转正 recorded. The text names the member: it goes to the branch's keepers only."""
from __future__ import annotations

import datetime

from core.quarters import add_years
from core.registry import ReminderItem
from members.models import Member

WITHIN = datetime.timedelta(days=30)


def probations_ending(on: datetime.date):
    # 预备期 is a year from joining unless extended (to at most two years): a bounded window.
    earliest_joined = add_years(on + WITHIN, -2)
    members = (
        Member.objects.active()
        .filter(category=Member.Category.PROBATIONARY, joined_on__gte=earliest_joined)
        .select_related("branch")
        .order_by("branch_id", "joined_on", "id")
    )
    for member in members:
        ends = member.probation_ends_on()
        if ends > on + WITHIN:
            continue
        state = "已届满" if ends < on else "即将届满"
        yield ReminderItem(
            kind="probation_ending", organization_id=member.branch_id, due=ends,
            text=f"{member.branch.name}：预备党员{member.name}的预备期{state}（{ends:%Y-%m-%d}），"
                 "请按程序讨论其转正",
            identity=f"probation_ending:{member.pk}:{ends:%Y%m%d}", names_person=True,
        )
