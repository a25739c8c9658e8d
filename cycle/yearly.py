"""The yearly requirements beside the quarterly ones (docs/metrics.md, "The yearly figure"):
组织生活会 and 民主评议党员, their versions in force, the exemptions, and the yearly figure per
branch. One function computes the figures; the page and the workbook format them.

A meeting counts as for §3: final (submitted), dated in the year, held by the branch or one of
its 党小组; one sitting with both types counts for both. The branches are those of the subtree
that exist on 12-31 (§3's "exists at Q's end").
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from activities.models import Meeting, MeetingKind
from branches.models import PATH_STEP, Organization
from cycle.evaluations import year_end
from cycle.models import YearlyExemption, YearlyRequirement

Key = YearlyRequirement.Key
KEYS = tuple(Key.values)  # a requirement's key is its meeting type (组织生活会, 民主评议党员)


@dataclass(frozen=True)
class Rule:
    key: str
    enabled: bool = True
    times: int = 1  # meetings of the type a year

    @property
    def label(self) -> str:
        return Key(self.key).label


DEFAULT_RULES = {key: Rule(key) for key in KEYS}  # as the data migration's first versions


def rules_in_force(year: int) -> dict[str, Rule]:
    """For each requirement, the latest version effective in or before `year` (or the default)."""
    rules = dict(DEFAULT_RULES)
    for version in YearlyRequirement.objects.filter(effective_from__lte=year).order_by("effective_from"):
        if version.key in rules:
            rules[version.key] = Rule(version.key, version.enabled, version.times)
    return rules


def exemptions_for(year: int, branch_ids=None) -> dict[int, set[str]]:
    """branch id → exempted keys of the year ("" in the set = every yearly requirement)."""
    found = YearlyExemption.objects.filter(year=year)
    if branch_ids is not None:
        found = found.filter(branch_id__in=list(branch_ids))
    result: dict[int, set[str]] = defaultdict(set)
    for branch_id, key in found.values_list("branch_id", "key"):
        result[branch_id].add(key)
    return result


def meetings_held(org: Organization, year: int, branches: dict[str, int]
                  ) -> dict[int, dict[str, int]]:
    """Per branch of `branches` (path → id, in `org`'s subtree): the final 组织生活会 and 民主评议党员
    meetings of `year` held by the branch or one of its 党小组, in one query."""
    found: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    rows = (MeetingKind.objects.filter(
        kind__in=KEYS, meeting__status=Meeting.Status.SUBMITTED,
        meeting__date__range=(datetime.date(year, 1, 1), year_end(year)),
        meeting__organization__path__startswith=org.path)
        .values_list("meeting__organization__path", "kind").annotate(n=Count("id")).order_by())
    for path, kind, n in rows:
        # held by the branch itself, or by one of its 党小组 one level below (a path segment is
        # PATH_STEP characters): a dict lookup, not a scan of every branch per row
        branch_id = branches.get(path) or branches.get(path[:-PATH_STEP])
        if branch_id is not None:
            found[branch_id][kind] += n
    return found


@dataclass
class Requirement:
    """One yearly requirement of one branch's year."""

    key: str
    times: int  # required (0 when the requirement is off)
    held: int
    exempt: bool = False

    @property
    def label(self) -> str:
        return Key(self.key).label

    @property
    def applicable(self) -> bool:
        return self.times > 0 and not self.exempt

    @property
    def met(self) -> bool:
        return self.applicable and self.held >= self.times

    def as_json(self) -> dict | None:
        if not self.applicable:
            return None
        return {"times": self.times, "held": self.held, "met": self.met}


@dataclass
class BranchYearFigure:
    branch: Organization
    year: int
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def applicable(self) -> int:
        return sum(1 for r in self.requirements if r.applicable)

    @property
    def met(self) -> int:
        return sum(1 for r in self.requirements if r.met)

    @property
    def exempt(self) -> int:
        return sum(1 for r in self.requirements if r.exempt and r.times > 0)

    @property
    def compliant(self) -> bool:
        """Every applicable yearly requirement met (none applicable: compliant, as in §3)."""
        return self.met == self.applicable

    def by_key(self) -> dict[str, Requirement]:
        return {r.key: r for r in self.requirements}

    def as_json(self) -> dict:
        return {"code": self.branch.code, "name": self.branch.name,
                "requirements": {r.key: r.as_json() for r in self.requirements},
                "applicable": self.applicable, "met": self.met, "exempt": self.exempt,
                "compliant": self.compliant}


@dataclass
class YearFigures:
    year: int
    rules: dict[str, Rule]
    branches: list[BranchYearFigure]

    @property
    def compliant_branches(self) -> int:
        return sum(1 for b in self.branches if b.compliant)

    @property
    def compliance_rate(self) -> float | None:
        """compliant branches / branches, rounded to 4 places; None without branches."""
        if not self.branches:
            return None
        return round(self.compliant_branches / len(self.branches), 4)

    def summary(self) -> dict:
        return {"branches": len(self.branches), "compliant_branches": self.compliant_branches,
                "compliance_rate": self.compliance_rate}


def figures(org: Organization, year: int) -> YearFigures:
    """The yearly figure of every branch of `org`'s subtree existing on 12-31 of `year`, in four
    queries however many branches."""
    branches = list(Organization.objects.subtree(org).branches().existing_on(year_end(year))
                    .order_by("path"))
    held = meetings_held(org, year, {b.path: b.pk for b in branches})
    rules = rules_in_force(year)
    exempted = exemptions_for(year, [b.pk for b in branches])
    rows = []
    for branch in branches:
        keys = exempted.get(branch.pk, set())
        counts = held.get(branch.pk, {})
        rows.append(BranchYearFigure(branch, year, [
            Requirement(key, rule.times if rule.enabled else 0, counts.get(key, 0),
                        exempt="" in keys or key in keys)
            for key, rule in rules.items()
        ]))
    return YearFigures(year, rules, rows)
