"""The reads behind the pages and `recruitment_check`: every one starts from the user's scope
(`Applicant.objects.visible_to(user)`; the command, with no user, sees the whole subtree) and
evaluates people with recruitment.pipeline, so a page and the command agree."""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count

from accounts.policy import Right
from branches.models import Organization
from recruitment import steps
from recruitment.models import Applicant, Step, Violation
from recruitment.pipeline import people, summary
from recruitment.rules import RuleBook


def applicants_for(user=None):
    return Applicant.objects.all() if user is None else Applicant.objects.visible_to(user)


def check(org: Organization, on: datetime.date, user=None, book: RuleBook | None = None):
    """§4.3: everyone in the pipeline under `org` that `user` may see, evaluated on `on`."""
    found = people(applicants_for(user).in_subtree(org), on, book)
    return found, summary(found)


# ------------------------------------------------------------------------- counts by stage

@dataclass
class StageRow:
    org: Organization
    counts: dict
    total: int


def stage_counts(org: Organization, user) -> list[StageRow]:
    """People per stage under each organization one level below `org` (or `org` itself for a
    branch): one grouped query."""
    rows = (applicants_for(user).in_subtree(org).in_pipeline().order_by()
            .values("branch__path", "stage").annotate(n=Count("id")))
    if org.is_branch:
        parts = [org]
    else:
        parts = list(Organization.objects.visible_to(user).filter(parent=org)
                     .exclude(kind=Organization.Kind.GROUP).order_by("path"))
    counts = {o.path: Counter() for o in parts}
    for row in rows:
        for o in parts:
            if row["branch__path"].startswith(o.path):
                counts[o.path][row["stage"]] += row["n"]
                break
    return [StageRow(o, {s: counts[o.path][s] for s in steps.PIPELINE_STAGES},
                     sum(counts[o.path].values())) for o in parts]


# ------------------------------------------------------------------------- deadline calendar

@dataclass
class Due:
    person: object  # pipeline.Person
    rule: str
    due: datetime.date
    overdue: bool


def calendar(org: Organization, on: datetime.date, days: int, user) -> list[Due]:
    """Every open deadline under `org` due within `days` of `on`, and every overdue one."""
    found, _ = check(org, on, user)
    horizon = on + datetime.timedelta(days=days)
    items = [Due(p, d.rule, d.due, d.overdue) for p in found for d in p.evaluation.deadlines
             if d.due <= horizon]
    return sorted(items, key=lambda d: (d.due, d.person.branch_code, d.person.name))


# ------------------------------------------------------------------------- waiting upstairs

# (the step to do, the step it follows): what the level above owes once the branch has acted.
UPPER_AFTER = (
    ("activist_filed", "activist"),
    ("candidate_filed", "candidate"),
    ("pre_review", "committee_review"),
    ("upper_talk", "congress"),
    ("approval", "congress"),
    ("approval_filed", "approval"),
    ("confirm_approval", "confirm_congress"),
)


@dataclass
class Waiting:
    applicant: Applicant
    step: str
    since: datetime.date

    @property
    def label(self) -> str:
        return steps.ALL[self.step].label


def _dates(applicant: Applicant) -> dict:
    return {k: datetime.date.fromisoformat(v) for k, v in applicant.milestones.items() if k != "hours"}


def waiting_for(user, *, scope=None, limit: int = 500) -> tuple[list[Waiting], list[Violation]]:
    """The upper-level steps the branches under `user` wait for, and the violations not yet
    accepted; by default where the user holds the review right (strictly above, or staff).
    Reads the milestones each person keeps: one row per person."""
    reviewable = scope if scope is not None else Organization.objects.allowed(user, Right.REVIEW)
    qs = (Applicant.objects.filter(branch__in=reviewable).in_pipeline()
          .select_related("branch").order_by("branch__path", "name"))
    waiting = []
    for applicant in qs.iterator(chunk_size=2000):
        dates = _dates(applicant)
        for todo, after in UPPER_AFTER:
            if dates.get(after) and not dates.get(todo):
                waiting.append(Waiting(applicant, todo, dates[after]))
    waiting.sort(key=lambda w: (w.since, w.applicant.branch.path, w.applicant.name))
    open_violations = list(
        Violation.objects.filter(applicant__branch__in=reviewable, accepted_at__isnull=True)
        .select_related("applicant__branch").order_by("applicant__branch__path", "applicant__name")[:limit]
    )
    return waiting[:limit], open_violations


# ------------------------------------------------------------------------- 公示 lists

@dataclass
class Notice:
    applicant: Applicant
    dates: dict


def publicity(org: Organization, user) -> dict[str, list[Notice]]:
    """Who is being 公示 now: 发展对象 after the 支部委员会审查 and before the 支部大会; 预备党员
    who applied for 转正 and wait for the 支部大会."""
    qs = (applicants_for(user).in_subtree(org).filter(stage__in=(steps.CANDIDATE, steps.PROBATIONARY))
          .select_related("branch", "member").order_by("branch__path", "name"))
    lists = {"candidate": [], "confirm": []}
    for a in qs:
        dates = _dates(a)
        if a.stage == steps.CANDIDATE and dates.get("committee_review") and not dates.get("congress"):
            lists["candidate"].append(Notice(a, dates))
        elif a.stage == steps.PROBATIONARY and dates.get("confirm_applied") \
                and not dates.get("confirm_congress"):
            lists["confirm"].append(Notice(a, dates))
    return lists


# ------------------------------------------------------------------------- the year's numbers

YEAR_STEPS = (
    ("applied", "申请入党"),
    ("activist", "新确定积极分子"),
    ("candidate", "新确定发展对象"),
    ("approval", "接收预备党员"),
    ("confirm_approval", "预备党员转正"),
)


def year_numbers(year: int, org: Organization, user) -> tuple[list[dict], dict]:
    """The year's applications, new activists, new candidates, admitted and confirmed, by the
    sector (单位性质) of the branch: one grouped query. Counts of organizations' work, no names."""
    rows = (Step.objects.filter(applicant__in=applicants_for(user).in_subtree(org),
                                date__year=year, step__in=[k for k, _ in YEAR_STEPS])
            .order_by().values("applicant__branch__sector", "step")
            .annotate(n=Count("applicant_id", distinct=True)))
    labels = dict(Organization.Sector.choices)
    table: dict[str, dict] = defaultdict(lambda: {k: 0 for k, _ in YEAR_STEPS})
    for row in rows:
        table[row["applicant__branch__sector"] or ""][row["step"]] += row["n"]
    result = [{"sector": labels.get(sector, "未填写"), **counts}
              for sector, counts in sorted(table.items(), key=lambda item: list(labels).index(item[0])
                                           if item[0] in labels else 99)]
    total = {k: sum(r[k] for r in result) for k, _ in YEAR_STEPS}
    return result, total
