"""The reminder kind `dues_arrears` (interfaces.md §8): a member flagged warn (3 months unpaid in a
row) or lapse (6) in the last finished month, for the record keepers of the branch that keeps them.
The current month is not counted: it is still being collected."""
from __future__ import annotations

import datetime
from collections.abc import Iterator

from branches.models import Organization
from core.quarters import Month
from core.registry import ReminderItem
from dues.queries import dues_status
from dues.rules import FLAG_TEXT

KIND = "dues_arrears"


def collect(on: datetime.date) -> Iterator[ReminderItem]:
    month = Month.of(on) - 1
    for root in Organization.objects.filter(parent__isnull=True):
        for row in dues_status(root, month).rows:
            if row.flag is None:
                continue
            yield ReminderItem(
                kind=KIND, organization_id=row.branch_id, due=month.end,
                text=f"{row.name}截至{month.label}已连续 {row.arrears_months} 个月未交党费："
                     f"{FLAG_TEXT[row.flag]}。",
                identity=f"{KIND}:{row.member_id}:{month}:{row.flag}",
                names_person=True,
            )
