"""Reminder kinds of the quarterly requirements (interfaces.md §8): a required slot whose period
ends within 7 days and is not met (meeting_due), and one whose period has ended unmet in the
running quarter (meeting_overdue). Both read the same figures as the workbench."""
from __future__ import annotations

import datetime

from core.cache import cached
from core.quarters import Month, Quarter
from core.registry import ReminderItem
from reports.figures import WholeTree, compute_figures

DUE_WITHIN = datetime.timedelta(days=7)


def _open_slots(on: datetime.date):
    """(branch, slot, the day its period ends) for every applicable slot not met, this quarter."""
    quarter = Quarter.of(on)
    figures = cached(f"reminder-figures:{quarter}:{on}", ("members", "tree", "rules", "meetings"),
                     lambda: compute_figures(WholeTree(), quarter))
    for branch in figures.branches:
        for slot in branch.slots:
            if slot.met or slot.exempt:
                continue
            ends = Month(quarter.year, slot.month).end if slot.month else quarter.end
            yield branch, slot, ends


def _item(kind, branch, slot, ends, quarter, text) -> ReminderItem:
    return ReminderItem(
        kind=kind, organization_id=branch.id, due=ends, text=text,
        identity=f"{kind}:{branch.id}:{quarter}:{slot.key}:{slot.month or 'q'}:{slot.group_code or ''}",
    )


def meetings_due(on: datetime.date):
    quarter = Quarter.of(on)
    for branch, slot, ends in _open_slots(on):
        if on <= ends <= on + DUE_WITHIN:
            yield _item("meeting_due", branch, slot, ends, quarter,
                        f"{branch.name}：{slot.gap_text.replace('未开', '尚未召开')}，"
                        f"请在 {ends:%m月%d日} 前召开并录入")


def meetings_overdue(on: datetime.date):
    quarter = Quarter.of(on)
    for branch, slot, ends in _open_slots(on):
        if ends < on:
            yield _item("meeting_overdue", branch, slot, ends, quarter,
                        f"{branch.name}：{slot.gap_text}（期限 {ends:%m月%d日} 已过）")
