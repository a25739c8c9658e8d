"""The §9 figures of residents' demands (interfaces.md §9, docs/metrics.md), per organization.

One function computes them; `demands_summary`, the page, the report measure and its workbook
sheet format them. A demand counts at the organization handling it (承办: the receiving one
until dispatched): `received` in the quarter of its 受理日期; `closed`, `closed_on_time`,
`visited`, `satisfied` in the quarter of its 办结日期; `open_overdue` is a stock on the quarter's
last day (today for the current quarter): received by then, not closed by then, its deadline
already passed. Rates are pooled and rounded to 4 places, None with nothing under them.
Nothing is computed per person.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from branches.models import Organization
from community.models import Demand
from core.quarters import Quarter
from core.registry import Column, MeasureResult

COUNTS = ("received", "closed", "closed_on_time", "visited", "satisfied", "open_overdue")
KEYS = ("received", "closed", "closed_on_time", "on_time_rate", "visited", "satisfied",
        "satisfaction_rate", "open_overdue")
LABELS = {
    "received": "受理", "closed": "办结", "closed_on_time": "按时办结", "on_time_rate": "按时办结率",
    "visited": "已回访", "satisfied": "满意（含基本满意）", "satisfaction_rate": "满意率",
    "open_overdue": "超期未办结",
}
COLUMNS = [Column(key, LABELS[key], "rate" if key.endswith("_rate") else "int") for key in KEYS]
SATISFIED = (Demand.Visit.SATISFIED, Demand.Visit.BASIC)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def with_rates(counts: dict) -> dict:
    """The §9 keys in order: the counts and the two pooled rates."""
    return {
        "received": counts["received"], "closed": counts["closed"],
        "closed_on_time": counts["closed_on_time"],
        "on_time_rate": rate(counts["closed_on_time"], counts["closed"]),
        "visited": counts["visited"], "satisfied": counts["satisfied"],
        "satisfaction_rate": rate(counts["satisfied"], counts["visited"]),
        "open_overdue": counts["open_overdue"],
    }


def as_of(quarter: Quarter, today: datetime.date | None = None) -> datetime.date:
    """The day `open_overdue` looks at: the quarter's end, or today while it runs."""
    today = today or timezone.localdate()
    return min(quarter.end, today)


@dataclass
class Row:
    code: str
    name: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def figures(self) -> dict:
        return with_rates(self.counts)


@dataclass
class Summary:
    quarter: Quarter
    organization: Organization
    rows: list[Row]
    by_category: list[tuple[str, dict]]

    @property
    def total(self) -> dict:
        return with_rates({key: sum(r.counts[key] for r in self.rows) for key in COUNTS})

    def as_json(self) -> dict:
        """The `demands_summary --json` shape of interfaces.md §9."""
        return {
            "quarter": str(self.quarter), "org": self.organization.code,
            "branches": [{"code": r.code, **r.figures()} for r in self.rows],
            "summary": self.total,
        }


def _counts(demands, quarter: Quarter, day: datetime.date, group: str):
    start, end = quarter.start, quarter.end
    closed_in = Q(closed_on__gte=start, closed_on__lte=end)
    return demands.values(group).annotate(
        received=Count("pk", filter=Q(received_on__gte=start, received_on__lte=end)),
        closed=Count("pk", filter=closed_in),
        closed_on_time=Count("pk", filter=closed_in & Q(closed_on__lte=F("deadline"))),
        visited=Count("pk", filter=closed_in & ~Q(visit="")),
        satisfied=Count("pk", filter=closed_in & Q(visit__in=SATISFIED)),
        open_overdue=Count("pk", filter=Q(received_on__lte=day, deadline__lt=day)
                           & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))),
    )


def summarize(organization: Organization, quarter: Quarter, *,
              today: datetime.date | None = None) -> Summary:
    """The figures of the demands handled in `organization`'s subtree, per organization: every
    branch existing at the quarter's end, and any other organization that handled one."""
    day = as_of(quarter, today)
    demands = Demand.objects.filter(handler__path__startswith=organization.path)
    found = {row["handler"]: row for row in _counts(demands, quarter, day, "handler")}
    orgs = Organization.objects.subtree(organization).filter(
        Q(pk__in=[pk for pk, row in found.items() if any(row[k] for k in COUNTS)])
        | Q(pk__in=Organization.objects.subtree(organization).branches()
            .existing_on(quarter.end).values("pk"))
    ).order_by("path").only("code", "name")
    rows = []
    for org in orgs:
        row = Row(org.code, org.name)
        if org.pk in found:
            row.counts = {key: found[org.pk][key] for key in COUNTS}
        rows.append(row)
    categories = [
        (c["category"], with_rates({key: c[key] for key in COUNTS}))
        for c in _counts(demands, quarter, day, "category").order_by("category")
        if any(c[key] for key in COUNTS)
    ]
    return Summary(quarter, organization, rows, categories)


def measure(organization: Organization, quarter: Quarter) -> MeasureResult:
    """The report measure (core.registry): a row per organization, the pooled total."""
    found = summarize(organization, quarter)
    return MeasureResult(
        rows=[{"code": r.code, "name": r.name, **r.figures()} for r in found.rows],
        summary=found.total,
    )
