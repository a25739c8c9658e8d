"""What is done, due and overdue, read from the quarterly figures (reports.figures).

The rules are applied once, in `reports.figures.compute_figures`; this module only says, for
each slot of a branch, where it stands on a given day.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from core.quarters import Quarter

DONE, DUE, OVERDUE, UPCOMING, EXEMPT = "done", "due", "overdue", "upcoming", "exempt"
STATE_LABELS = {DONE: "已完成", DUE: "待开", OVERDUE: "逾期未开", UPCOMING: "未到期", EXEMPT: "豁免"}


def slot_state(slot, quarter: Quarter, today: datetime.date) -> str:
    if slot.exempt:
        return EXEMPT
    if slot.met:
        return DONE
    if today > quarter.end:
        return OVERDUE
    if slot.month is None:
        return DUE
    if today < quarter.start:
        return UPCOMING
    if slot.month < today.month:
        return OVERDUE
    return DUE if slot.month == today.month else UPCOMING


@dataclass
class Item:
    key: str
    label: str  # "支部委员会" or "第一党小组 党小组会"
    when: str  # "11月" or "本季度"
    month: int | None
    state: str
    group_code: str | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def items_for(branch_figures, quarter: Quarter, today: datetime.date) -> list[Item]:
    items = []
    for slot in branch_figures.slots:
        who = f"{slot.group_name} " if getattr(slot, "group_name", None) else ""
        items.append(Item(
            key=slot.key,
            label=f"{who}{slot.label}",
            when=f"{slot.month}月" if slot.month else "本季度",
            month=slot.month,
            state=slot_state(slot, quarter, today),
            group_code=slot.group_code,
        ))
    return items


def requirement_state(items: list[Item]) -> str | None:
    """One cell of the branches × requirements table: the most pressing state among its slots."""
    states = {i.state for i in items}
    for state in (OVERDUE, DUE, UPCOMING, DONE, EXEMPT):
        if state in states:
            return state
    return None
