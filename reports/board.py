"""What the report pages show, read from stored results (or computed live when none is stored).

A stored report covers its organization's whole subtree, so the figures of any organization
inside it are the branch rows under its path: the district's nightly report answers for every
党委 and 支部 without recomputing. Totals are SQL aggregates over those rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from branches.models import PATH_STEP, Organization
from core.quarters import Quarter
from reports.figures import REQUIREMENT_LABELS, current_figures, rate
from reports.models import Report, ReportBranch
from reports.rules import RULE_KEYS

BRANCH_TABLE_LIMIT = 500


@dataclass
class Board:
    """The figures of one organization for one quarter, whatever their source."""

    quarter: Quarter
    report: Report | None  # the stored report they come from; None = computed live
    summary: dict
    requirements: dict[str, dict]
    branches: list[dict] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    truncated: bool = False

    @property
    def live(self) -> bool:
        return self.report is None


def covering_report(org: Organization, quarter: Quarter) -> Report | None:
    """The most recent current report whose subtree contains `org` (its own or an ancestor's)."""
    return (
        Report.objects.current()
        .filter(quarter=str(quarter), organization_id__in=[org.pk, *org.ancestor_ids()])
        .order_by("-finished_at")
        .first()
    )


def covering_reports(org: Organization, quarters: list[Quarter]) -> dict[str, Report]:
    found: dict[str, Report] = {}
    qs = (
        Report.objects.current()
        .filter(quarter__in=[str(q) for q in quarters],
                organization_id__in=[org.pk, *org.ancestor_ids()])
        .order_by("finished_at")
    )
    for report in qs:
        found[report.quarter] = report  # the latest finished wins
    return found


def _totals(aggregate: dict) -> tuple[dict, dict]:
    summary = {
        "branches": aggregate["branches"],
        "compliant_branches": aggregate["compliant"],
        "compliance_rate": rate(aggregate["compliant"], aggregate["branches"]),
        "members": aggregate["members"] or 0,
        "members_attended": aggregate["attended"] or 0,
        "coverage": rate(aggregate["attended"] or 0, aggregate["members"] or 0),
        "slots_applicable": aggregate["applicable"] or 0,
        "slots_met": aggregate["met"] or 0,
        "completion_rate": rate(aggregate["met"] or 0, aggregate["applicable"] or 0),
    }
    requirements = {}
    for key in RULE_KEYS:
        slots, met = aggregate[f"total_{key}_slots"] or 0, aggregate[f"total_{key}_met"] or 0
        requirements[key] = {
            "label": REQUIREMENT_LABELS[key], "branches": aggregate[f"total_{key}_branches"],
            "slots": slots, "met": met, "completion_rate": rate(met, slots),
        }
    return summary, requirements


def _aggregates() -> dict:
    parts = {
        "branches": Count("id"),
        "compliant": Count("id", filter=Q(compliant=True)),
        "members": Sum("members"),
        "attended": Sum("members_attended"),
        "applicable": Sum("slots_applicable"),
        "met": Sum("slots_met"),
    }
    for key in RULE_KEYS:
        parts[f"total_{key}_slots"] = Sum(f"{key}_slots")
        parts[f"total_{key}_met"] = Sum(f"{key}_met")
        parts[f"total_{key}_branches"] = Count(f"{key}_slots")
    return parts


def stored_rows(report: Report, org: Organization):
    return ReportBranch.objects.filter(report=report, path__startswith=org.path)


def stored_totals(report: Report, org: Organization) -> tuple[dict, dict]:
    return _totals(stored_rows(report, org).aggregate(**_aggregates()))


def history(org: Organization, quarters: list[Quarter]) -> list[dict]:
    """Summary and requirement totals per quarter from stored results (None when not stored)."""
    reports = covering_reports(org, quarters)
    result = []
    for quarter in quarters:
        report = reports.get(str(quarter))
        if report is None:
            result.append({"quarter": quarter, "report": None, "summary": None, "requirements": None})
            continue
        summary, requirements = stored_totals(report, org)
        result.append({"quarter": quarter, "report": report, "summary": summary,
                       "requirements": requirements})
    return result


def _children_stored(report: Report, org: Organization, kids: list[Organization]) -> list[dict]:
    """Per child organization: totals over the branch rows under its path (one GROUP BY)."""
    width = len(org.path) + PATH_STEP
    grouped = (
        stored_rows(report, org)
        .annotate(prefix=Substr("path", 1, width))
        .values("prefix")
        .annotate(**_aggregates())
        .order_by()
    )
    by_prefix = {row["prefix"]: _totals(row)[0] for row in grouped}
    return [{"org": kid, "summary": by_prefix.get(kid.path)} for kid in kids]


def _row_dict(row: ReportBranch) -> dict:
    return {
        "code": row.code, "name": row.name, "path": row.path, "members": row.members,
        "full_members": row.full_members, "members_attended": row.members_attended,
        "coverage": row.coverage, "slots_applicable": row.slots_applicable,
        "slots_met": row.slots_met, "completion_rate": row.completion_rate,
        "compliant": row.compliant, "gaps": row.gaps, "slots": row.slots,
        "requirements": row.requirements,
    }


def stored_board(report: Report, org: Organization, quarter: Quarter, kids, *,
                 totals: tuple[dict, dict] | None = None) -> Board:
    summary, requirements = totals or stored_totals(report, org)
    rows = list(stored_rows(report, org).order_by("completion_rate", "code")[: BRANCH_TABLE_LIMIT + 1])
    return Board(
        quarter=quarter, report=report, summary=summary, requirements=requirements,
        branches=[_row_dict(r) for r in rows[:BRANCH_TABLE_LIMIT]],
        children=_children_stored(report, org, kids),
        truncated=len(rows) > BRANCH_TABLE_LIMIT,
    )


def live_board(org: Organization, quarter: Quarter, kids) -> Board:
    """The figures as they stand today, for a quarter with no stored report."""
    figures = current_figures(org, quarter)
    rows = [
        {**b.as_json(), "path": b.path, "gaps": [s.gap_text for s in b.gaps],
         "slots": [{"key": s.key, "month": s.month, "group_code": s.group_code,
                    "group_name": s.group_name, "met": s.met, "exempt": s.exempt,
                    "pending": s.pending}
                   for s in b.slots]}
        for b in figures.branches
    ]
    rows.sort(key=lambda r: (r["completion_rate"] is not None, r["completion_rate"] or 0, r["code"]))
    children = []
    for kid in kids:
        part = [b for b in figures.branches if b.path.startswith(kid.path)]
        children.append({"org": kid, "summary": type(figures)(figures.quarter, kid.code, part).summary})
    requirements = figures.requirement_totals()
    return Board(
        quarter=quarter, report=None, summary=figures.summary, requirements=requirements,
        branches=rows[:BRANCH_TABLE_LIMIT], children=children,
        truncated=len(rows) > BRANCH_TABLE_LIMIT,
    )


def board_for(org: Organization, quarter: Quarter, *, known: dict | None = None) -> Board:
    """The board of `org` for `quarter`; `known` is its row of history() when already read."""
    kids = list(org.children.exclude(kind=Organization.Kind.GROUP).order_by("code"))
    if known is not None:
        report = known["report"]
    else:
        report = covering_report(org, quarter)
    if report is None:
        return live_board(org, quarter, kids)
    totals = (known["summary"], known["requirements"]) if known else None
    return stored_board(report, org, quarter, kids, totals=totals)


def chart_data(rows: list[dict]) -> dict:
    """The data element reports.js draws from: per requirement, completion rate per quarter."""
    quarters = [str(r["quarter"]) for r in rows]
    return {
        "quarters": quarters,
        "summary": {
            name: [r["summary"][name] if r["summary"] else None for r in rows]
            for name in ("compliance_rate", "completion_rate", "coverage")
        },
        "requirements": [
            {
                "key": key,
                "label": REQUIREMENT_LABELS[key],
                "rates": [
                    r["requirements"][key]["completion_rate"] if r["requirements"] else None
                    for r in rows
                ],
            }
            for key in RULE_KEYS
        ],
    }
