"""The quarterly figures of interfaces.md §3, computed in the database and shaped with pandas.

`compute_figures(org, quarter)` is the one computation: the command, the Celery job, the pages,
the stored result and the workbook all format what it returns. It runs four aggregate queries
over the subtree (members per branch, meeting types per branch × organization × month, distinct
members present per branch, and the organizations themselves) and never reads attendance rows
into Python.

A report over a large subtree may be computed in chunks (one per child subtree) and merged with
`Figures.merge`: the branches of the chunks are disjoint and the summary is always derived from
the branches, so the merged figures equal the one-shot computation exactly.
"""
from __future__ import annotations

import datetime
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from activities.models import Attendance, Meeting, MeetingKind
from branches.models import Organization
from core.cache import cached
from core.quarters import Month, Quarter
from members.models import Member, Membership
from reports.rules import RULE_KEYS, exemptions_for, is_exempt, rules_in_force

REQUIREMENT_LABELS = {
    "party_congress": "支部党员大会",
    "committee": "支部委员会",
    "group_meetings": "党小组会",
    "party_lecture": "党课",
    "theme_day": "主题党日",
}


def rate(numerator: int, denominator: int) -> float | None:
    """A rate rounded to 4 places; None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(numerator / denominator, 4)


class Slot(NamedTuple):
    """One thing a branch had to hold: a requirement in a month (or in the quarter).

    A tuple: a city's report has ~60,000 of them, and tuples are the cheapest objects to make.
    """

    key: str
    month: int | None  # None for a requirement counted once a quarter
    group_code: str | None = None
    group_name: str | None = None
    met: bool = False
    exempt: bool = False
    pending: bool = False  # not met and its period has not ended yet (未到期): not counted

    @property
    def counted(self) -> bool:
        """In slots_applicable: met, or its period is over (a pending slot is not yet missed)."""
        return not self.exempt and (self.met or not self.pending)

    @property
    def label(self) -> str:
        return REQUIREMENT_LABELS.get(self.key, self.key)

    @property
    def when(self) -> str:
        return f"{self.month}月" if self.month else "本季度"

    @property
    def gap_text(self) -> str:
        """"支部委员会：8月未开"; for a 党小组: "第一党小组 党小组会：8月未开"."""
        who = f"{self.group_name} " if self.group_name else ""
        return f"{who}{self.label}：{self.when}未开"


@dataclass(slots=True)
class BranchFigures:
    id: int
    code: str
    name: str
    path: str
    kind: str
    members: int
    full_members: int
    requirements: dict  # key → None (not applicable / exempt) or {"slots": n, "met": m}
    slots_applicable: int
    slots_met: int
    completion_rate: float | None
    compliant: bool
    members_attended: int
    coverage: float | None
    slots: list[Slot] = field(default_factory=list)

    @property
    def gaps(self) -> list[Slot]:
        """The missed slots: unmet once their period is over (a pending slot is no gap yet)."""
        return [s for s in self.slots if s.counted and not s.met]

    @property
    def exempt_keys(self) -> list[str]:
        return sorted({s.key for s in self.slots if s.exempt})

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "members": self.members,
            "full_members": self.full_members,
            "requirements": self.requirements,
            "slots_applicable": self.slots_applicable,
            "slots_met": self.slots_met,
            "completion_rate": self.completion_rate,
            "compliant": self.compliant,
            "members_attended": self.members_attended,
            "coverage": self.coverage,
        }

    def to_dict(self) -> dict:
        """Everything, slots included: what a chunk task returns and a stored result keeps."""
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["slots"] = [slot._asdict() for slot in self.slots]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> BranchFigures:
        data = dict(data)
        data["slots"] = [Slot(**s) for s in data.get("slots", [])]
        return cls(**data)


@dataclass
class Figures:
    quarter: str
    org: str
    branches: list[BranchFigures]

    @property
    def summary(self) -> dict:
        """Counts and sums over the branches; rates pooled (sum over sum), never averaged."""
        n = len(self.branches)
        compliant = sum(1 for b in self.branches if b.compliant)
        members = sum(b.members for b in self.branches)
        attended = sum(b.members_attended for b in self.branches)
        applicable = sum(b.slots_applicable for b in self.branches)
        met = sum(b.slots_met for b in self.branches)
        return {
            "branches": n,
            "compliant_branches": compliant,
            "compliance_rate": rate(compliant, n),
            "members": members,
            "members_attended": attended,
            "coverage": rate(attended, members),
            "slots_applicable": applicable,
            "slots_met": met,
            "completion_rate": rate(met, applicable),
        }

    def requirement_totals(self) -> dict[str, dict]:
        """Per requirement: branches it applies to, slots, slots met, completion rate."""
        totals = {}
        for key in RULE_KEYS:
            cells = [b.requirements.get(key) for b in self.branches]
            cells = [c for c in cells if c is not None]
            slots = sum(c["slots"] for c in cells)
            met = sum(c["met"] for c in cells)
            totals[key] = {
                "label": REQUIREMENT_LABELS[key],
                "branches": len(cells),
                "slots": slots,
                "met": met,
                "completion_rate": rate(met, slots),
            }
        return totals

    def as_json(self) -> dict:
        """Exactly the JSON of interfaces.md §3."""
        return {
            "quarter": self.quarter,
            "org": self.org,
            "branches": [b.as_json() for b in self.branches],
            "summary": self.summary,
        }

    def to_dict(self) -> dict:
        return {
            "quarter": self.quarter,
            "org": self.org,
            "branches": [b.to_dict() for b in self.branches],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Figures:
        return cls(
            quarter=data["quarter"],
            org=data["org"],
            branches=[BranchFigures.from_dict(b) for b in data["branches"]],
        )

    @classmethod
    def merge(cls, org_code: str, quarter: str, parts: list[Figures]) -> Figures:
        """Figures of disjoint subtrees joined into one report for `org_code`."""
        seen: dict[int, BranchFigures] = {}
        for part in parts:
            for branch in part.branches:
                seen[branch.id] = branch
        return cls(quarter=str(quarter), org=org_code, branches=_ordered(seen.values()))


def _ordered(branches) -> list[BranchFigures]:
    return sorted(branches, key=lambda b: b.code)


def as_quarter(quarter: Quarter | str) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


@dataclass(frozen=True)
class WholeTree:
    """Every organization in the database (a city's several roots at once), for benchmarks."""

    code: str = "*"
    path: str = ""
    name: str = "全部党组织"
    is_branch: bool = False
    is_group: bool = False


def as_org(org: Organization | WholeTree | str) -> Organization | WholeTree:
    if isinstance(org, Organization | WholeTree):
        return org
    return WholeTree() if org == "*" else Organization.objects.get(code=org)


# --- the queries -----------------------------------------------------------------------------


def branches_at(org: Organization, day: datetime.date) -> pd.DataFrame:
    """The branches of the subtree existing on `day`: id, code, name, path, kind, founded_on."""
    rows = (
        Organization.objects.subtree(org)
        .branches()
        .existing_on(day)
        .values_list("id", "code", "name", "path", "kind", "founded_on")
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["id", "code", "name", "path", "kind", "founded_on"]
    ).set_index("id")


def groups_at(org: Organization, day: datetime.date) -> pd.DataFrame:
    """The 党小组 of the subtree existing on `day`: id, code, name, branch_id."""
    rows = (
        Organization.objects.subtree(org)
        .groups()
        .existing_on(day)
        .values_list("id", "code", "name", "parent_id")
    )
    return pd.DataFrame.from_records(list(rows), columns=["id", "code", "name", "branch_id"])


def memberships_at(org: Organization, day: datetime.date):
    """Memberships in force on `day` in the subtree's branches.

    A membership is closed by a transfer out, 停止党籍, 出党 or death (members/models.py), so
    "in force" already means 党籍 正常 and belonging to that branch on that day.
    """
    return Membership.objects.on(day).filter(**in_subtree(org))


def member_counts(org: Organization, day: datetime.date) -> pd.DataFrame:
    """Per branch: members and full members (正式, confirmed on or before `day`)."""
    full = Q(member__category=Member.Category.FULL) & (
        Q(member__confirmed_on__isnull=True) | Q(member__confirmed_on__lte=day)
    )
    rows = (
        memberships_at(org, day)
        .values("branch_id")
        .annotate(
            members=Count("member_id", distinct=True),
            full_members=Count("member_id", filter=full, distinct=True),
        )
        .values_list("branch_id", "members", "full_members")
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["branch_id", "members", "full_members"]
    ).set_index("branch_id")


def in_subtree(org, field: str = "branch") -> dict:
    """A filter on `field` (an organization) being in `org`'s subtree, as an IN (subquery):
    the planner then hashes the subtree's ids instead of joining organizations row by row."""
    if not org.path:
        return {}
    return {f"{field}__in": Organization.objects.filter(path__startswith=org.path).values("id")}


def kind_counts(org: Organization, quarter: Quarter) -> pd.DataFrame:
    """Per branch × holding organization × meeting type × month: the number of sittings.

    Counted: final (submitted) meetings dated inside the quarter, held by a branch of the
    subtree or one of its 党小组 (Meeting.branch is the branch either way).
    """
    rows = (
        MeetingKind.objects.filter(
            meeting__status=Meeting.Status.SUBMITTED,
            meeting__date__gte=quarter.start,
            meeting__date__lte=quarter.end,
            **in_subtree(org, "meeting__branch"),
        )
        .values(
            branch_id=F("meeting__branch_id"),
            org_id=F("meeting__organization_id"),
            kind_value=F("kind"),
            month=ExtractMonth("meeting__date"),
        )
        .annotate(n=Count("id"))
        .values_list("branch_id", "org_id", "kind_value", "month", "n")
    )
    return pd.DataFrame.from_records(
        list(rows), columns=["branch_id", "org_id", "kind", "month", "n"]
    )


def present_at_counted_meeting(quarter: Quarter):
    """Attendance marked present at a counted meeting of the OuterRef'd membership's branch."""
    return Attendance.objects.filter(
        member_id=OuterRef("member_id"),
        meeting__branch_id=OuterRef("branch_id"),
        status=Attendance.Status.PRESENT,
        meeting__status=Meeting.Status.SUBMITTED,
        meeting__date__gte=quarter.start,
        meeting__date__lte=quarter.end,
    )


def attended_counts(org: Organization, quarter: Quarter) -> pd.DataFrame:
    """Per branch: its members at the quarter's end present at ≥1 counted meeting of it.

    Written from the memberships' side with EXISTS, so PostgreSQL runs one hash semi-join
    of the members against the quarter's attendance instead of a join per attendance row.
    """
    rows = (
        memberships_at(org, quarter.end)
        .filter(Exists(present_at_counted_meeting(quarter)))
        .values("branch_id")
        .annotate(attended=Count("member_id", distinct=True))
        .values_list("branch_id", "attended")
    )
    return pd.DataFrame.from_records(list(rows), columns=["branch_id", "attended"]).set_index(
        "branch_id"
    )


# --- shaping ---------------------------------------------------------------------------------


def compute_figures(org: Organization | str, quarter: Quarter | str, *,
                    as_of: datetime.date | None = None) -> Figures:
    """The §3 figures for `org`'s subtree in `quarter` (see the module docstring), as they stand
    on `as_of` (default today): a slot whose period has not ended is pending, not missed."""
    org = as_org(org)
    quarter = as_quarter(quarter)
    day = quarter.end
    as_of = as_of or timezone.localdate()

    branches = branches_at(org, day)
    if branches.empty:
        return Figures(quarter=str(quarter), org=org.code, branches=[])
    groups = groups_at(org, day)
    groups = groups[groups["branch_id"].isin(branches.index)]
    counts = member_counts(org, day).reindex(branches.index, fill_value=0)
    attended = attended_counts(org, quarter).reindex(branches.index, fill_value=0)
    kinds = kind_counts(org, quarter)
    kinds = kinds[kinds["branch_id"].isin(branches.index)]

    rules = rules_in_force(quarter)
    exemptions = exemptions_for(quarter)

    # (branch, kind, month) and (branch, kind) with ≥1 sitting; (group, month) and groups with
    # ≥1 党小组会 held by that group. Every aggregated row has n ≥ 1.
    branch_col, kind_col, month_col = (kinds[c].tolist() for c in ("branch_id", "kind", "month"))
    held_month = set(zip(branch_col, kind_col, month_col, strict=True))
    held_quarter = set(zip(branch_col, kind_col, strict=True))
    group_rows = kinds[
        (kinds["kind"] == Meeting.Kind.GROUP_MEETING) & kinds["org_id"].isin(groups["id"])
    ]
    group_month = set(zip(group_rows["org_id"].tolist(), group_rows["month"].tolist(), strict=True))
    group_any = set(group_rows["org_id"].tolist())
    groups_by_branch: dict[int, list[tuple]] = {}
    for gid, gcode, gname, bid in groups.sort_values("code").itertuples(index=False):
        groups_by_branch.setdefault(bid, []).append((gid, gcode, gname))

    with _gc_paused():
        result = _shape(branches.join(counts).join(attended), rules, exemptions,
                        Periods(quarter, as_of), groups_by_branch, held_month, held_quarter,
                        group_month, group_any)
    return Figures(quarter=str(quarter), org=org.code, branches=_ordered(result))


# What a subtree's figures are computed from: members and memberships, the tree, the rules and
# exemptions, any branch's meetings and attendance (core.cache).
SUBTREE_SCOPES = ("members", "tree", "rules", "meetings")


def current_figures(org: Organization, quarter: Quarter) -> Figures:
    """compute_figures(org, quarter) as of today, shared by the dashboard and the overview (and by
    every process) until an action changes one of SUBTREE_SCOPES."""
    return cached(f"subtree-figures:{org.pk}:{quarter}:{timezone.localdate()}", SUBTREE_SCOPES,
                  lambda: compute_figures(org, quarter))


@contextmanager
def _gc_paused():
    """Building a city's ~60,000 slots would trigger many full collections of a heap holding
    Django and pandas; the objects made here form no cycles, so collect once afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Periods:
    """Which of a quarter's periods a branch answers for, and which have ended on `as_of`.

    A monthly slot applies when the branch was founded on or before the month's first day; a
    quarterly slot when it existed for at least one whole month of the quarter (founded on or
    before the first day of the quarter's last month). A period has ended after its last day."""

    def __init__(self, quarter: Quarter, as_of: datetime.date):
        self.quarter = quarter
        self.firsts = [datetime.date(quarter.year, m, 1) for m in quarter.months]
        self.ended = {m: Month(quarter.year, m).end < as_of for m in quarter.months}
        self.quarter_ended = quarter.end < as_of

    def months_for(self, founded: datetime.date | None) -> list[int]:
        return [first.month for first in self.firsts if founded is None or founded <= first]

    def quarter_applies(self, founded: datetime.date | None) -> bool:
        return founded is None or founded <= self.firsts[-1]


def _shape(frame, rules, exemptions, periods, groups_by_branch, held_month, held_quarter,
           group_month, group_any) -> list[BranchFigures]:
    result = []
    for bid, code, name, path, kind, founded, members, full, n_attended in frame.itertuples():
        members, full, n_attended = int(members), int(full), int(n_attended)
        founded = None if pd.isna(founded) else founded
        exempted = exemptions.get(bid)
        my_groups = groups_by_branch.get(bid, [])
        requirements: dict[str, dict | None] = {}
        slots: list[Slot] = []
        for key in RULE_KEYS:
            rule = rules[key]
            applies = rule.enabled and full >= rule.min_full_members
            if key == "group_meetings":
                applies = applies and bool(my_groups)
            if not applies:
                requirements[key] = None
                continue
            exempt = is_exempt(exempted, key)
            key_slots = _slots_for(
                key, rule, bid, periods, founded, my_groups, held_month, held_quarter,
                group_month, group_any, exempt,
            )
            if not key_slots:  # founded too late in the quarter for this requirement
                requirements[key] = None
                continue
            if exempt:
                requirements[key] = None
            else:
                requirements[key] = {
                    "slots": sum(1 for s in key_slots if s.counted),
                    "met": sum(1 for s in key_slots if s.met),
                }
            slots.extend(key_slots)
        applicable = sum(r["slots"] for r in requirements.values() if r)
        met = sum(r["met"] for r in requirements.values() if r)
        result.append(
            BranchFigures(
                id=int(bid),
                code=code,
                name=name,
                path=path,
                kind=kind,
                members=members,
                full_members=full,
                requirements=requirements,
                slots_applicable=applicable,
                slots_met=met,
                completion_rate=rate(met, applicable),
                compliant=met == applicable,
                members_attended=n_attended,
                coverage=rate(n_attended, members),
                slots=slots,
            )
        )
    return result


def _slots_for(key, rule, bid, periods, founded, groups, held_month, held_quarter, group_month,
               group_any, exempt):
    monthly = rule.period == "month"
    if monthly:
        months = periods.months_for(founded)
        ended = periods.ended
    elif not periods.quarter_applies(founded):
        return []
    if key == "group_meetings":
        if monthly:
            return [
                _slot(key, m, gcode, gname, (gid, m) in group_month, exempt, ended[m])
                for gid, gcode, gname in groups
                for m in months
            ]
        return [_slot(key, None, gcode, gname, gid in group_any, exempt, periods.quarter_ended)
                for gid, gcode, gname in groups]
    kind = rule.meeting_kind
    if monthly:
        return [_slot(key, m, None, None, (bid, kind, m) in held_month, exempt, ended[m])
                for m in months]
    return [_slot(key, None, None, None, (bid, kind) in held_quarter, exempt,
                  periods.quarter_ended)]


def _slot(key, month, group_code, group_name, met, exempt, ended) -> Slot:
    return Slot(key, month, group_code, group_name, met, exempt, pending=not met and not ended)


def chunk_roots(org: Organization) -> list[Organization]:
    """Disjoint subtrees whose branches together are exactly `org`'s: the children that can hold
    branches (a branch is its own single chunk)."""
    if org.is_branch or org.is_group:
        return [org]
    return list(org.children.exclude(kind=Organization.Kind.GROUP).order_by("path"))


def absent_members(org: Organization | str, quarter: Quarter | str, *,
                   branch_ids: list[int] | None = None) -> pd.DataFrame:
    """Members at the quarter's end never recorded present at a counted meeting of their branch.

    Columns: branch_id, member_id, name, id_number; one anti-join in the database. Pass
    `branch_ids` (the branches whose members_attended < members) to skip fully covered ones.
    """
    org = as_org(org)
    quarter = as_quarter(quarter)
    columns = ["branch_id", "member_id", "name", "id_number"]
    if branch_ids is not None and not branch_ids:
        return pd.DataFrame(columns=columns)
    memberships = memberships_at(org, quarter.end)
    if branch_ids is None:
        existing = Organization.objects.subtree(org).branches().existing_on(quarter.end)
        memberships = memberships.filter(branch__in=existing)
    else:
        memberships = memberships.filter(branch_id__in=branch_ids)
    rows = (
        memberships.exclude(Exists(present_at_counted_meeting(quarter)))
        .order_by("branch__code", "member__name")
        .values_list("branch_id", "member_id", "member__name", "member__id_number")
    )
    return pd.DataFrame.from_records(list(rows), columns=columns)
