"""Where each person stands against the time rules (§4.2): one piece of code for the pages,
`recruitment_check`, the reminders and the import's checks.

`refresh_milestones(ids)` pivots the dates the rules read out of the steps (one grouped query)
into `Applicant.milestones`, after every write; `progress_rows(applicants)` reads them back, one
row per person; `evaluate(progress, on, book)` is a pure function of those dates, giving the next
step, the violations and the open deadlines.
"""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DateField, DecimalField, Max, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from core.quarters import add_months as _add_months
from recruitment import steps
from recruitment.rules import RuleBook
from tabular.values import mask_id_number

MILESTONES = ("applied", "talk", "activist", "candidate", "committee_review", "congress",
              "approval", "oath", "confirm_applied", "confirm_congress", "confirm_approval")
# Kept too, for the upper levels' work list (recruitment.queries.waiting_for).
UPPER_MILESTONES = ("activist_filed", "candidate_filed", "pre_review", "upper_talk", "approval_filed")

# Whole pipelines repeat the same few thousand days: the month arithmetic is remembered.
add_months = functools.lru_cache(maxsize=1 << 16)(_add_months)

RULE_LABELS = {
    "min_age": "年龄",
    "talk_within": "谈话时限",
    "activist_min": "积极分子培养期",
    "activist_review": "积极分子考察",
    "training_hours": "集中培训学时",
    "approval_within": "审批时限",
    "probation": "预备期",
}
NEXT_LABELS = {
    "talk": "派人谈话",
    "activist": "确定入党积极分子",
    "develop": "确定发展对象",
    "congress": "支部大会讨论",
    "approve": "上级党委审批",
    "confirm_apply": "提出转正申请",
    "confirm": "讨论转正",
}


@dataclass(slots=True)
class Progress:
    """The dates of one person's milestones (None when not recorded) and what the rules need."""

    stage: str
    birth_date: datetime.date | None = None
    applied: datetime.date | None = None
    talk: datetime.date | None = None
    activist: datetime.date | None = None
    candidate: datetime.date | None = None
    committee_review: datetime.date | None = None
    congress: datetime.date | None = None
    approval: datetime.date | None = None
    oath: datetime.date | None = None
    confirm_applied: datetime.date | None = None
    confirm_congress: datetime.date | None = None
    confirm_approval: datetime.date | None = None
    hours: Decimal | None = None
    last_review: datetime.date | None = None
    joined: datetime.date | None = None  # 入党日期: the member's, else the 支部大会's
    extension_months: int = 0

    @property
    def joined_on(self) -> datetime.date | None:
        return self.joined or self.congress

    def probation_ends(self, book: RuleBook) -> datetime.date | None:
        joined = self.joined_on
        if joined is None:
            return None
        return add_months(joined, book.value("probation", joined) + self.extension_months)


@dataclass(frozen=True)
class Deadline:
    rule: str
    due: datetime.date
    overdue: bool

    def as_json(self) -> dict:
        return {"rule": self.rule, "due": self.due.isoformat(), "overdue": self.overdue}


@dataclass(frozen=True)
class Broken:
    rule: str
    message: str

    def as_json(self) -> dict:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Next:
    step: str
    earliest: datetime.date | None = None
    due: datetime.date | None = None

    @property
    def label(self) -> str:
        return NEXT_LABELS[self.step]

    def as_json(self) -> dict:
        return {
            "step": self.step,
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass
class Evaluation:
    next: Next | None
    violations: list[Broken] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def overdue(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.overdue]

    @property
    def first_due(self) -> datetime.date | None:
        return min((d.due for d in self.deadlines), default=None)


def _d(day: datetime.date) -> str:
    return day.isoformat()


def violations(p: Progress, book: RuleBook) -> list[Broken]:
    """Steps recorded after their deadline or earlier than allowed (§4.2)."""
    found = []
    if p.applied and p.talk:
        months = book.value("talk_within", p.applied)
        due = add_months(p.applied, months)
        if p.talk > due:
            found.append(Broken("talk_within", f"谈话日期 {_d(p.talk)} 超过申请入党后 {months} 个月"
                                               f"（申请 {_d(p.applied)}，应不晚于 {_d(due)}）。"))
    if p.activist and p.candidate:
        months = book.value("activist_min", p.activist)
        earliest = add_months(p.activist, months)
        if p.candidate < earliest:
            found.append(Broken("activist_min", f"确定发展对象日期 {_d(p.candidate)} 距确定积极分子"
                                                f"（{_d(p.activist)}）不满 {months} 个月，最早应为 {_d(earliest)}。"))
    if p.congress:
        need = book.value("training_hours", p.congress)
        hours = p.hours or Decimal(0)
        if hours < need:
            shown = "未记录集中培训学时" if p.hours is None else f"集中培训仅 {_hours(hours)} 学时"
            found.append(Broken("training_hours", f"{shown}，少于 {need} 学时即召开支部大会讨论"
                                                  f"（{_d(p.congress)}）。"))
    if p.congress and p.approval:
        months = book.value("approval_within", p.congress)
        due = add_months(p.congress, months)
        if p.approval > due:
            found.append(Broken("approval_within", f"上级党委审批日期 {_d(p.approval)} 超过支部大会讨论"
                                                   f"（{_d(p.congress)}）后 {months} 个月，应不晚于 {_d(due)}。"))
    return found


def _hours(value: Decimal) -> str:
    return format(value.normalize(), "f")


def deadlines(p: Progress, on: datetime.date, book: RuleBook) -> list[Deadline]:
    """The open deadlines, each while the step it governs is not yet recorded (§4.2)."""
    if p.stage not in steps.PIPELINE_STAGES:
        return []
    found = []
    if p.applied and not p.talk:
        due = add_months(p.applied, book.value("talk_within", p.applied))
        found.append(Deadline("talk_within", due, due < on))
    if p.congress and not p.approval:
        due = add_months(p.congress, book.value("approval_within", p.congress))
        found.append(Deadline("approval_within", due, due < on))
    if p.stage == steps.PROBATIONARY and not p.confirm_applied:
        due = confirm_apply_due(p, book)
        if due is not None:
            found.append(Deadline("probation", due, due < on))
    return found


def confirm_apply_due(p: Progress, book: RuleBook) -> datetime.date | None:
    """转正申请: one month before the probation (with any extension) ends."""
    joined = p.joined_on
    if joined is None:
        return None
    return add_months(joined, book.value("probation", joined) - 1 + p.extension_months)


def review_due(p: Progress, book: RuleBook) -> datetime.date | None:
    """The next half-yearly 考察 of an 积极分子 (a reminder, not a deadline of §4.3)."""
    if p.stage != steps.ACTIVIST or not p.activist:
        return None
    return add_months(p.last_review or p.activist, book.value("activist_review", p.activist))


def next_step(p: Progress, book: RuleBook) -> Next | None:
    if p.stage == steps.APPLICANT:
        if not p.talk and p.applied:
            return Next("talk", due=add_months(p.applied, book.value("talk_within", p.applied)))
        return Next("activist")
    if p.stage == steps.ACTIVIST:
        earliest = add_months(p.activist, book.value("activist_min", p.activist)) if p.activist else None
        return Next("develop", earliest=earliest)
    if p.stage == steps.CANDIDATE:
        if not p.congress:
            return Next("congress")
        return Next("approve", due=add_months(p.congress, book.value("approval_within", p.congress)))
    if p.stage == steps.PROBATIONARY:
        if not p.confirm_applied:
            return Next("confirm_apply", due=confirm_apply_due(p, book))
        return Next("confirm", earliest=p.probation_ends(book))
    return None


def evaluate(p: Progress, on: datetime.date, book: RuleBook) -> Evaluation:
    return Evaluation(next=next_step(p, book), violations=violations(p, book),
                      deadlines=deadlines(p, on, book))


# ------------------------------------------------------------------------------ from the database

def _pivot() -> dict:
    pivot = {key: Max("date", filter=Q(step=key)) for key in (*MILESTONES, *UPPER_MILESTONES)}
    pivot["hours"] = Max("hours", filter=Q(step="training"))
    pivot["last_review"] = Max("date", filter=Q(step="activist_review"))
    return pivot


def pivot_steps(applicant_ids) -> dict[int, dict]:
    """applicant id → the milestone dates (ISO text) and 学时 of their steps: one grouped query."""
    from recruitment.models import Step

    result = {}
    rows = (Step.objects.filter(applicant_id__in=applicant_ids).order_by()
            .values("applicant_id").annotate(**_pivot()))
    for row in rows:
        result[row["applicant_id"]] = {
            k: (str(row[k]) if k == "hours" else row[k].isoformat()) for k in _pivot()
            if row[k] is not None}
    return result


def refresh_milestones(applicant_ids) -> None:
    """Write each person's milestones from their steps (after every write of steps)."""
    from recruitment.models import Applicant

    ids = list(applicant_ids)
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        pivot = pivot_steps(chunk)
        people = [Applicant(pk=pk, milestones=pivot.get(pk, {})) for pk in chunk]
        Applicant.objects.bulk_update(people, ["milestones"])


ROW_FIELDS = ("id", "name", "id_number", "stage", "birth_date", "extension_months",
              "branch_id", "branch__code", "branch__name", "member__joined_on")
DATED = (*MILESTONES, "last_review")


def _milestone_columns() -> dict:
    """The milestones as typed columns: PostgreSQL casts them, the driver hands back dates."""
    columns = {key: Cast(KT(f"milestones__{key}"), DateField()) for key in DATED}
    columns["hours"] = Cast(KT("milestones__hours"), DecimalField(max_digits=5, decimal_places=1))
    return columns


def progress_rows(applicants):
    """One dict per person: their fields and their milestones (one row each, no grouping)."""
    return applicants.order_by().values(*ROW_FIELDS, **_milestone_columns())


def progress_of(row: dict) -> Progress:
    return Progress(row["stage"], row["birth_date"], *[row[key] for key in MILESTONES],
                    hours=row["hours"], last_review=row["last_review"],
                    joined=row["member__joined_on"], extension_months=row["extension_months"])


@dataclass
class Person:
    """A person of the pipeline with their evaluation, for a page, the check or a reminder."""

    id: int
    name: str
    id_number: str
    branch_id: int
    branch_code: str
    branch_name: str
    stage: str
    progress: Progress
    evaluation: Evaluation

    @property
    def stage_label(self) -> str:
        return steps.STAGE_LABELS[self.stage]

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def as_json(self, *, full_id: bool) -> dict:
        e = self.evaluation
        return {
            "id_number": self.id_number if full_id else self.masked_id_number,
            "name": self.name,
            "branch": self.branch_code,
            "stage": self.stage,
            "next": e.next.as_json() if e.next else None,
            "violations": [v.as_json() for v in e.violations],
            "deadlines": [d.as_json() for d in e.deadlines],
        }


STAGE_ORDER = {stage: i for i, stage in enumerate(steps.PIPELINE_STAGES)}


def people(applicants, on: datetime.date, book: RuleBook | None = None) -> list[Person]:
    """Everyone of `applicants` still in the pipeline, evaluated on `on`, in a stable order
    (branch, stage, name)."""
    book = book or RuleBook.load()
    result = []
    rows = progress_rows(applicants.in_pipeline().order_by())
    for row in rows:
        progress = progress_of(row)
        result.append(Person(
            id=row["id"], name=row["name"], id_number=row["id_number"], branch_id=row["branch_id"],
            branch_code=row["branch__code"], branch_name=row["branch__name"], stage=row["stage"],
            progress=progress, evaluation=evaluate(progress, on, book),
        ))
    result.sort(key=lambda p: (p.branch_code, STAGE_ORDER[p.stage], p.name, p.id_number))
    return result


def summary(found: list[Person]) -> dict:
    """The §4.3 summary: people per stage, overdue deadlines, violations."""
    counts = {stage: 0 for stage in steps.PIPELINE_STAGES}
    for person in found:
        counts[person.stage] += 1
    counts["overdue"] = sum(len(p.evaluation.overdue) for p in found)
    counts["violations"] = sum(len(p.evaluation.violations) for p in found)
    return counts
