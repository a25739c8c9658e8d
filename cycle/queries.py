"""The yearly cycle's figures: committee terms (interfaces.md §10 `committee_terms`), the
民主评议 counts per branch (`evaluation_summary`) and a branch's year at a glance. Counts only:
nothing here lists people by their results."""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count

from activities.models import Meeting, MeetingKind
from branches.models import Organization
from cycle import yearly
from cycle.evaluations import year_end
from cycle.models import Committee, Evaluation, Inflow, Outflow, TransferLetter
from cycle.rules import (
    COMMITTEE_KINDS,
    STATUS_LABELS,
    default_term_years,
    due_on,
    rule,
    term_status,
)
from cycle.yearly import BranchYearFigure
from members.models import Membership

RESULT_KEYS = {
    Evaluation.Result.EXCELLENT: "excellent",
    Evaluation.Result.QUALIFIED: "qualified",
    Evaluation.Result.BASICALLY_QUALIFIED: "basically_qualified",
    Evaluation.Result.UNQUALIFIED: "unqualified",
}
SUMMARY_KEYS = ("members", "rated", "excellent", "qualified", "basically_qualified",
                "unqualified", "not_rated")


# ------------------------------------------------------------------------------ committees

@dataclass
class Term:
    organization: Organization
    committee: Committee | None
    term_years: int | None
    due_on: datetime.date | None
    status: str

    @property
    def elected_on(self):
        return self.committee.elected_on if self.committee else None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_json(self) -> dict:
        return {
            "code": self.organization.code,
            "elected_on": self.elected_on.isoformat() if self.elected_on else None,
            "term_years": self.term_years,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "status": self.status,
        }


def term_of(org: Organization, committee: Committee | None, on: datetime.date) -> Term:
    if committee is None:
        return Term(org, None, None, None, "none")
    years = committee.term_years or default_term_years(org)
    due = due_on(committee.elected_on, years)
    return Term(org, committee, years, due, term_status(due, on))


def committee_holders(orgs, on: datetime.date):
    """The organizations that hold committees (党委, 党工委, 党总支, 党支部, 联合党支部), not
    dissolved by `on`."""
    return orgs.filter(kind__in=COMMITTEE_KINDS).exclude(dissolved_on__lte=on)


def terms(orgs, on: datetime.date) -> list[Term]:
    """Each organization's committee in force on `on` (the latest elected on or before it),
    in tree order: two queries however many organizations."""
    holders = list(committee_holders(orgs, on).order_by("path"))
    current: dict[int, Committee] = {}
    for committee in Committee.objects.filter(
            organization__in=[o.pk for o in holders], elected_on__lte=on).order_by("elected_on"):
        current[committee.organization_id] = committee
    return [term_of(org, current.get(org.pk), on) for org in holders]


def committee_terms(org: Organization, on: datetime.date) -> dict:
    """`committee_terms --json` (interfaces.md §10) over `org`'s subtree."""
    found = terms(Organization.objects.subtree(org), on)
    return {"on": on.isoformat(), "organizations": [t.as_json() for t in found]}


# ------------------------------------------------------------------------------ 民主评议

def _zero() -> dict:
    return dict.fromkeys(SUMMARY_KEYS, 0)


def evaluation_counts(org: Organization, year: int) -> list[tuple[Organization, dict]]:
    """Per branch of `org`'s subtree existing on 12-31 of `year`: members on its roster that day,
    and the year's results among them (a result counts where the member belongs on 12-31)."""
    end = year_end(year)
    branches = list(Organization.objects.subtree(org).branches().existing_on(end).order_by("path"))
    branch_ids = [b.pk for b in branches]
    belongs = dict(
        Membership.objects.on(end).filter(branch_id__in=branch_ids).values_list("member_id", "branch_id")
    )
    counts: dict[int, dict] = defaultdict(_zero)
    for branch_id in belongs.values():
        counts[branch_id]["members"] += 1
    for member_id, result in Evaluation.objects.filter(
            year=year, member_id__in=list(belongs)).values_list("member_id", "result"):
        row = counts[belongs[member_id]]
        row["rated"] += 1
        row[RESULT_KEYS[result]] += 1
    rows = []
    for branch in branches:
        row = {**_zero(), **counts.get(branch.pk, {})}
        row["not_rated"] = row["members"] - row["rated"]
        rows.append((branch, row))
    return rows


def summed(rows: list[tuple[Organization, dict]]) -> dict:
    """The counts of evaluation_counts added over the branches."""
    summary = _zero()
    for _, row in rows:
        for key in SUMMARY_KEYS:
            summary[key] += row[key]
    return summary


def evaluation_summary(org: Organization, year: int) -> dict:
    """`evaluation_summary --json` (interfaces.md §10)."""
    rows = evaluation_counts(org, year)
    summary = summed(rows)
    return {
        "year": year, "org": org.code,
        "branches": [{"code": b.code, **row} for b, row in rows],
        "summary": summary,
    }


# ------------------------------------------------------------------------ registers, letters

def outflows_due_for_transfer(outflows, on: datetime.date):
    """Open outflows at one fixed place for longer than the rule's months: the relationship
    should be transferred."""
    from core.quarters import add_months

    months = rule("outflow_transfer_months")
    return [o for o in outflows if o.returned_on is None and o.fixed_place
            and add_months(o.since, months) <= on]


def expired_letters(letters, on: datetime.date):
    return [letter for letter in letters if letter.expired_on(on)]


@dataclass
class BranchYear:
    """A branch's year at a glance."""

    branch: Organization
    year: int
    meetings: dict  # kind label → final meetings of the year counting as that kind
    evaluation: dict  # the counts of evaluation_counts
    term: Term
    outflows_open: int
    outflows_due: int
    inflows_open: int
    letters_open: int
    letters_expired: int
    yearly: BranchYearFigure | None  # None: the branch did not exist on 12-31 of the year


def branch_year(branch: Organization, year: int, today: datetime.date) -> BranchYear:
    first, last = datetime.date(year, 1, 1), year_end(year)
    held = Counter(dict(
        MeetingKind.objects.filter(
            meeting__organization__path__startswith=branch.path,
            meeting__status=Meeting.Status.SUBMITTED, meeting__date__range=(first, last))
        .values_list("kind").annotate(n=Count("id")).order_by()
    ))
    kinds = {label: held[value] for value, label in Meeting.Kind.choices}
    # a branch dissolved before 12-31 (or founded after) has no row: nothing to count
    rows = evaluation_counts(branch, year) if branch.is_branch else []
    counts = dict(rows[0][1]) if rows else {}
    committee = (Committee.objects.filter(organization=branch, elected_on__lte=today)
                 .order_by("-elected_on").first())
    outflows = list(Outflow.objects.filter(branch=branch, returned_on__isnull=True))
    letters = list(TransferLetter.objects.filter(from_branch=branch, receipt_on__isnull=True)
                   .exclude(direction=TransferLetter.Direction.IN))
    return BranchYear(
        branch=branch, year=year, meetings=kinds, evaluation=counts,
        term=term_of(branch, committee, today), outflows_open=len(outflows),
        outflows_due=len(outflows_due_for_transfer(outflows, today)),
        inflows_open=Inflow.objects.filter(branch=branch, left_on__isnull=True).count(),
        letters_open=len(letters), letters_expired=len(expired_letters(letters, today)),
        yearly=next(iter(yearly.figures(branch, year).branches), None) if branch.is_branch else None,
    )
