"""The reminder kind `recruitment_due` (interfaces.md §8): a §4.2 deadline within 14 days or
passed, and an 积极分子's half-yearly 考察 coming due, for the branch that keeps the person."""
from __future__ import annotations

import datetime
from collections.abc import Iterator

from core.registry import ReminderItem
from recruitment.models import Applicant
from recruitment.pipeline import RULE_LABELS, people, review_due
from recruitment.rules import RuleBook

KIND = "recruitment_due"
WITHIN_DAYS = 14
WHAT = {
    "talk_within": "派人谈话",
    "approval_within": "上级党委审批",
    "probation": "提出转正申请",
    "activist_review": "积极分子考察",
}


def collect(on: datetime.date) -> Iterator[ReminderItem]:
    """Every open item on `on`, across the whole tree; the identity names the person, the rule and
    the due date, so the same item is delivered once."""
    book = RuleBook.load()
    horizon = on + datetime.timedelta(days=WITHIN_DAYS)
    for person in people(Applicant.objects.all(), on, book):
        items = [(d.rule, d.due) for d in person.evaluation.deadlines]
        review = review_due(person.progress, book)
        if review is not None:
            items.append(("activist_review", review))
        for rule, due in items:
            if due > horizon:
                continue
            state = "已超期" if due < on else "即将到期"
            yield ReminderItem(
                kind=KIND, organization_id=person.branch_id, due=due,
                text=f"{person.name}（{person.stage_label}）：{WHAT[rule]}应于 {due} 前完成，{state}"
                     f"（{RULE_LABELS[rule]}）。",
                identity=f"{KIND}:{person.id}:{rule}:{due.isoformat()}",
                names_person=True,
            )
