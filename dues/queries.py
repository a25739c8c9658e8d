"""Reads of the book: `dues_status` (interfaces.md §5.3), the branch table of the upper levels,
and the quarterly measure. Each reads `Due` rows after `book.sync_scope` brought them up to date."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from branches.models import Organization
from core.quarters import Month, Quarter
from core.registry import MeasureResult
from dues import book
from dues.models import Due, MonthClose
from dues.rules import arrears_run, flag_for

ZERO = Decimal("0.00")


def money(value: Decimal | None) -> str:
    return f"{(value or ZERO):.2f}"


def rate(part: Decimal, whole: Decimal) -> float | None:
    return round(float(part / whole), 4) if whole else None


@dataclass
class StatusRow:
    member_id: int
    id_number: str
    name: str
    branch_id: int
    branch_code: str
    branch_name: str
    amount: Decimal
    paid_amount: Decimal
    arrears_months: int
    exemption: str

    @property
    def paid(self) -> bool | None:
        return None if self.amount == 0 else self.paid_amount >= self.amount

    @property
    def flag(self) -> str | None:
        return flag_for(self.arrears_months)

    @property
    def masked_id_number(self) -> str:
        v = self.id_number
        return v[:6] + "*" * 8 + v[-4:] if len(v) == 18 else "*" * len(v)

    def as_json(self) -> dict:
        return {"id_number": self.id_number, "name": self.name, "branch": self.branch_code,
                "amount": money(self.amount), "paid": self.paid,
                "arrears_months": self.arrears_months, "flag": self.flag}


@dataclass
class Totals:
    members: int = 0
    due: Decimal = ZERO
    collected: Decimal = ZERO
    warn: int = 0
    lapse: int = 0

    def add(self, row: StatusRow) -> None:
        self.members += 1
        self.due += row.amount
        self.collected += row.paid_amount
        flag = row.flag
        if flag == "warn":
            self.warn += 1
        elif flag == "lapse":
            self.lapse += 1

    @property
    def collection_rate(self) -> float | None:
        return rate(self.collected, self.due)

    def as_json(self) -> dict:
        return {"members": self.members, "due": money(self.due),
                "collected": money(self.collected), "collection_rate": self.collection_rate,
                "warn": self.warn, "lapse": self.lapse}


@dataclass
class Status:
    org: Organization
    month: Month
    rows: list[StatusRow] = field(default_factory=list)
    summary: Totals = field(default_factory=Totals)

    def as_json(self) -> dict:
        return {"org": self.org.code, "month": str(self.month),
                "members": [r.as_json() for r in self.rows], "summary": self.summary.as_json()}

    def by_branch(self) -> dict[int, Totals]:
        found: dict[int, Totals] = {}
        for row in self.rows:
            found.setdefault(row.branch_id, Totals()).add(row)
        return found


def status_rows(org: Organization, month: Month) -> list[tuple]:
    """The month's dues of `org`'s subtree with each member's run of unpaid months: the month's
    rows in one query; then the earlier months of the members whose month is unpaid or skipped
    (only they can be in arrears), and the run counted here (dues.rules.arrears_run)."""
    rows = list(Due.objects.filter(month=month.start, branch__path__startswith=org.path)
                .order_by("branch__code", "member__name", "member_id")
                .values_list("member_id", "member__id_number", "member__name", "branch_id",
                             "branch__code", "branch__name", "amount", "paid", "exemption"))
    open_ = [values[0] for values in rows if values[6] == 0 or values[7] < values[6]]
    history: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for chunk in book.chunks(open_):
        for member_id, amount, paid in (Due.objects.filter(
                member_id__in=chunk, month__lte=month.start, amount__gt=0)
                .order_by("member_id", "month").values_list("member_id", "amount", "paid")):
            history.setdefault(member_id, []).append((amount, paid))
    arrears = {member_id: arrears_run(months) for member_id, months in history.items()}
    return [(*values[:8], arrears.get(values[0], 0), values[8]) for values in rows]


def dues_status(org: Organization, month: Month, *, sync: bool = True) -> Status:
    if sync:
        book.sync_scope(org, month)
    result = Status(org, month)
    for values in status_rows(org, month):
        row = StatusRow(*values)
        result.rows.append(row)
        result.summary.add(row)
    return result


def paid_up_to(member_id: int) -> Month | None:
    """党费交至: the last month before the member's first unpaid month (months with nothing due
    do not stop it), or their last recorded month when none is unpaid; None before any payment."""
    months = list(Due.objects.filter(member_id=member_id).order_by("month")
                  .values_list("month", "amount", "paid"))
    last = None
    for month, amount, paid in months:
        if amount > 0 and paid < amount:
            break
        last = month
    if last is None or not any(paid for _, _, paid in months):
        return None
    return Month(last.year, last.month)


# -- the upper levels' table ---------------------------------------------------------------------

@dataclass
class BranchLine:
    branch: Organization
    totals: Totals
    closed: bool

    @property
    def flagged(self) -> int:
        return self.totals.warn + self.totals.lapse


def branch_lines(org: Organization, month: Month, status: Status | None = None) -> list[BranchLine]:
    """Every branch of the subtree with its month's totals and whether it was handed up."""
    status = status or dues_status(org, month)
    totals = status.by_branch()
    closed = set(MonthClose.objects.filter(month=month.start, branch__path__startswith=org.path)
                 .values_list("branch_id", flat=True))
    branches = Organization.objects.filter(path__startswith=org.path,
                                           kind__in=Organization.BRANCH_KINDS).order_by("path")
    return [BranchLine(b, totals.get(b.pk, Totals()), b.pk in closed) for b in branches]


# -- the quarterly measure (core.registry `measure`) -------------------------------------------

MEASURE_COLUMNS = ("due", "collected", "collection_rate", "members", "flagged")


def quarter_measure(org: Organization, quarter: Quarter) -> MeasureResult:
    """Per branch: the quarter's due and collected (sums of its months), the collection rate and
    the members flagged (warn or lapse) in its last month (this month, for the running quarter)."""
    last = min(Month.of(quarter.end), Month.current())
    months = [m for m in (Month(quarter.year, n) for n in quarter.months) if m <= last]
    result = MeasureResult()
    if not months:
        return result
    status = dues_status(org, last)
    sums = {b: (d, c) for b, d, c in Due.objects.filter(
        branch__path__startswith=org.path, month__in=[m.start for m in months]).values(
        "branch_id").annotate(d=Sum("amount"), c=Sum("paid")).values_list("branch_id", "d", "c")}
    total_due = total_collected = ZERO
    total_members = total_flagged = 0
    for line in branch_lines(org, last, status):
        due, collected = sums.get(line.branch.pk, (ZERO, ZERO))
        members = line.totals.members
        flags = line.flagged
        result.rows.append({"code": line.branch.code, "name": line.branch.name, "due": money(due),
                            "collected": money(collected), "collection_rate": rate(collected, due),
                            "members": members, "flagged": flags})
        total_due += due
        total_collected += collected
        total_members += members
        total_flagged += flags
    result.summary = {"due": money(total_due), "collected": money(total_collected),
                      "collection_rate": rate(total_collected, total_due),
                      "members": total_members, "flagged": total_flagged}
    return result

