"""The monthly book: the due amount of every member-month, computed from the recorded inputs
(memberships, bases, rate versions, approved exemptions) by dues.rules, and what was paid for it.

`sync` writes the `Due` rows of open months so that the reads (dues_status, the pages, the
measure) are plain queries; it is idempotent, writes only rows that changed, and never touches a
closed (branch, month) unless a correction forces that member-month. The rows are derived data
like a cache, so the reads that sync carry no audit record of their own; every change of the
inputs is an audited action in dues.actions.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from branches.models import Organization
from core.quarters import Month
from dues.models import (
    BookSync,
    Due,
    DuesBase,
    Exemption,
    MonthClose,
    PaymentPart,
    Rate,
    RateVersion,
)
from dues.rules import (
    BaseEntry,
    Bracket,
    CategoryRule,
    ExemptionEntry,
    MonthAmount,
    RateTable,
    month_amount,
    table_for,
)
from members.models import Member, MemberEvent, Membership

CHUNK = 5000
ZERO = Decimal("0.00")


@lru_cache(maxsize=4096)
def as_month(day: datetime.date) -> Month:
    """The month of `day` (cached: a city's inputs hold a few hundred distinct days)."""
    return Month(day.year, day.month)


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def of_members(chunk: list[int], field: str = "member_id") -> Q:
    """The rows of these members (`chunk` sorted): a range when the ids are dense, as a whole
    city's are (an IN of 5,000 parameters costs more to build than the query takes), else IN.
    A range may hold other members' rows: callers keep only those of `chunk`."""
    if chunk and chunk[-1] - chunk[0] < 2 * len(chunk):
        return Q(**{f"{field}__gte": chunk[0], f"{field}__lte": chunk[-1]})
    return Q(**{f"{field}__in": chunk})


# -- the inputs --------------------------------------------------------------------------------

def load_tables() -> list[RateTable]:
    """Every rate version, oldest first, as dues.rules tables."""
    rules: dict[int, dict[str, list[Rate]]] = defaultdict(lambda: defaultdict(list))
    versions = list(RateVersion.objects.order_by("effective_from"))
    for rate in Rate.objects.order_by("version_id", "category", "position"):
        rules[rate.version_id][rate.category].append(rate)
    return [RateTable(as_month(v.effective_from),
                      {category: rule_of(lines) for category, lines in rules[v.pk].items()})
            for v in versions]


def rules_table(month: Month) -> RateTable:
    """The rate table in force in `month`."""
    return table_for(load_tables(), month)


def rule_of(lines: list[Rate]) -> CategoryRule:
    brackets = tuple(Bracket(line.upper_bound, line.percent) for line in lines
                     if line.percent is not None)
    fixed = next((line for line in lines if line.fixed_amount is not None
                  or line.min_amount is not None), None)
    return CategoryRule(
        brackets=brackets,
        fixed=fixed.fixed_amount if fixed else None,
        min_amount=fixed.min_amount if fixed else None,
        max_amount=fixed.max_amount if fixed else None,
    )


@dataclass
class MemberInputs:
    joined: Month
    bases: list[BaseEntry]
    exemptions: list[ExemptionEntry]
    memberships: list[tuple[int, datetime.date, datetime.date | None]]  # branch, from, until

    def branch_in(self, month: Month) -> int | None:
        """Where the member pays in `month`: the branch they were registered in when it began
        (a member who moves mid-month pays that month where they came from; a newcomer pays
        where they arrive)."""
        for branch_id, started, ended in self.memberships:  # in order of start
            if started <= month.end and (ended is None or ended > month.start):
                return branch_id
        return None


def load_inputs(member_ids: Iterable[int]) -> dict[int, MemberInputs]:
    ids = sorted(set(member_ids))
    found: dict[int, MemberInputs] = {}
    for chunk in chunks(ids):
        wanted = set(chunk)
        for pk, joined in Member.objects.filter(of_members(chunk, "pk")).values_list(
                "pk", "joined_on"):
            if pk in wanted:
                found[pk] = MemberInputs(as_month(joined), [], [], [])
        for member_id, start, category, base, fixed in DuesBase.objects.filter(
                of_members(chunk)).order_by("member_id", "effective_from").values_list(
                "member_id", "effective_from", "category", "base", "fixed_amount"):
            if member_id in wanted:
                found[member_id].bases.append(BaseEntry(as_month(start), category, base, fixed))
        for member_id, first, last, kind, amount in Exemption.objects.filter(
                of_members(chunk), status=Exemption.Status.APPROVED).order_by(
                "member_id", "first_month", "pk").values_list(
                "member_id", "first_month", "last_month", "kind", "amount"):
            if member_id in wanted:
                found[member_id].exemptions.append(ExemptionEntry(
                    as_month(first), as_month(last), kind, amount))
        for member_id, branch_id, started, ended in Membership.objects.filter(
                of_members(chunk)).order_by("member_id", "started_on", "pk").values_list(
                "member_id", "branch_id", "started_on", "ended_on"):
            if member_id in wanted:
                found[member_id].memberships.append((branch_id, started, ended))
    return found


def compute(inputs: MemberInputs, month: Month, tables) -> tuple[int, MonthAmount] | None:
    """(branch, amount) for one member-month, or None when nothing is due."""
    branch_id = inputs.branch_in(month)
    if branch_id is None:
        return None
    found = month_amount(month, joined=inputs.joined, bases=inputs.bases, tables=tables,
                         exemptions=inputs.exemptions)
    return None if found is None else (branch_id, found)


def members_in(org, first: Month, last: Month) -> list[int]:
    """Members registered in `org`'s subtree at some time in first … last."""
    return list(Membership.objects.filter(
        branch__path__startswith=org.path, started_on__lte=last.end,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first.start))
        .values_list("member_id", flat=True).distinct())


def months_between(first: Month, last: Month) -> list[Month]:
    return [first + i for i in range(last - first + 1)]


# -- writing the rows ----------------------------------------------------------------------------

def closed_pairs(months: list[Month]) -> set[tuple[int, datetime.date]]:
    return set(MonthClose.objects.filter(month__in=[m.start for m in months])
               .values_list("branch_id", "month"))


def paid_sums(member_ids: list[int], months: list[Month]) -> dict[tuple[int, datetime.date], Decimal]:
    days = [m.start for m in months]
    sums = {}
    for chunk in chunks(member_ids):
        for member_id, day, total in PaymentPart.objects.filter(
                of_members(chunk), month__in=days, payment__voided=False).values(
                "member_id", "month").annotate(total=Sum("amount")).values_list(
                "member_id", "month", "total"):
            sums[(member_id, day)] = total
    return sums


def sync(member_ids: Iterable[int], months: list[Month], *,
         force: Iterable[tuple[int, datetime.date]] = ()) -> int:
    """Bring the `Due` rows of these members and months in line with the inputs; returns how many
    rows were written. Closed (branch, month) rows stay as they were handed up, except the
    (member, month) pairs in `force` (a correction)."""
    ids = sorted(set(member_ids))
    if not ids or not months:
        return 0
    forced = set(force)
    tables = load_tables()
    inputs = load_inputs(ids)
    closed = closed_pairs(months)
    paid = paid_sums(ids, months)
    days = [m.start for m in months]
    written = 0
    fields = ("branch_id", "category", "base", "amount", "paid", "exemption")
    for chunk in chunks(ids):
        existing = {(member_id, month): values for member_id, month, *values in Due.objects.filter(
            of_members(chunk), month__in=days).values_list("member_id", "month", "pk", *fields)}
        create, update, stale = [], [], []
        for member_id in chunk:
            member = inputs.get(member_id)
            if member is None:
                continue
            for month in months:
                key = (member_id, month.start)
                row = existing.get(key)  # (pk, branch_id, category, base, amount, paid, exemption)
                if row is not None and (row[1], month.start) in closed and key not in forced:
                    continue
                found = compute(member, month, tables)
                if found is None:
                    if row is not None:
                        stale.append((row[0], key, row[4]))
                    continue
                branch_id, amount = found
                if (branch_id, month.start) in closed and key not in forced:
                    continue
                values = (branch_id, amount.category, amount.base, amount.amount,
                          paid.get(key, ZERO), amount.exemption)
                if row is None:
                    create.append(Due(member_id=member_id, month=month.start,
                                      **dict(zip(fields, values, strict=True))))
                elif tuple(row[1:]) != values:
                    update.append(Due(pk=row[0], member_id=member_id, month=month.start,
                                      **dict(zip(fields, values, strict=True))))
        Due.objects.bulk_create(create, batch_size=2000)
        Due.objects.bulk_update(update, list(fields), batch_size=2000)
        for pk, key, amount in stale:
            if paid.get(key):
                if amount:  # paid for but no longer due: kept, skipped
                    Due.objects.filter(pk=pk).update(amount=ZERO)
            else:
                Due.objects.filter(pk=pk).delete()
        written += len(create) + len(update) + len(stale)
    return written


# How far back the next read looks for changes before a recorded sync began: a transaction
# that was still open when the sync read its inputs commits its member events stamped earlier.
SYNC_SLACK = datetime.timedelta(minutes=15)


def scope_members(org, last: Month):
    """Members registered in `org`'s subtree at some time up to `last`, as a subquery."""
    return Membership.objects.filter(branch__path__startswith=org.path,
                                     started_on__lte=last.end).values("member_id")


def first_scope_month(org, last: Month) -> Month | None:
    """The earliest base month of the members registered in `org`'s subtree up to `last`."""
    day = DuesBase.objects.filter(member_id__in=scope_members(org, last)).aggregate(
        m=Min("effective_from"))["m"]
    return as_month(day) if day else None


def scope_paths(path: str) -> list[str]:
    """`path` and its ancestors' paths, "" (every organization) first."""
    parts = [p for p in path.split("/") if p]
    return [""] + ["".join(f"{p}/" for p in parts[:n]) for n in range(1, len(parts) + 1)]


def last_synced(org, month: Month) -> datetime.datetime | None:
    """When a sync of `month` for `org`'s subtree (or a scope holding it) last began."""
    return BookSync.objects.filter(path__in=scope_paths(org.path), month=month.start).aggregate(
        at=Max("synced_at"))["at"]


# The month's registrations in the scope (of members with a base) and its rows there, paired by
# member and branch: a registration without its row is a newcomer (or a move), a row without its
# registration a member who left or moved. One pass over each instead of two anti-joins.
UNMATCHED_SQL = """
SELECT coalesce(r.member_id, d.member_id) FROM (
    SELECT ms.member_id, ms.branch_id FROM {membership} ms
    JOIN {organization} o ON o.id = ms.branch_id
    WHERE ms.started_on <= %(end)s AND (ms.ended_on IS NULL OR ms.ended_on > %(start)s)
      AND o.path LIKE %(prefix)s
      AND EXISTS (SELECT 1 FROM {base} b WHERE b.member_id = ms.member_id
                  AND b.effective_from <= %(start)s)
) r FULL JOIN (
    SELECT d.member_id, d.branch_id FROM {due} d
    JOIN {organization} o ON o.id = d.branch_id
    WHERE d.month = %(start)s AND o.path LIKE %(prefix)s
) d ON d.member_id = r.member_id AND d.branch_id = r.branch_id
WHERE r.member_id IS NULL OR d.member_id IS NULL
"""


def changed_since(org, month: Month, since: datetime.datetime) -> set[int]:
    """The members of `org`'s subtree whose `month` may differ from its row since `since`: a
    member event (transfers, 转正, status, imports, edits of 入党日期) or a member saved; a base or
    an exemption recorded; and, whatever the time, a registration in the subtree in the month
    without its row there (a new member) or a row there without its registration (a member who
    left or moved)."""
    touched: set[int] = set()
    touched.update(MemberEvent.objects.filter(recorded_at__gt=since)
                   .values_list("member_id", flat=True))
    touched.update(Member.objects.filter(updated_at__gt=since).values_list("pk", flat=True))
    touched.update(DuesBase.objects.filter(recorded_at__gt=since)
                   .values_list("member_id", flat=True))
    touched.update(Exemption.objects.filter(Q(created_at__gt=since) | Q(decided_at__gt=since))
                   .values_list("member_id", flat=True))
    ever = scope_members(org, month)
    found: set[int] = set()
    for chunk in chunks(sorted(touched)):  # few: the scope test after the time test
        found.update(ever.filter(member_id__in=chunk).values_list("member_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(UNMATCHED_SQL.format(
            membership=Membership._meta.db_table, organization=Organization._meta.db_table,
            base=DuesBase._meta.db_table, due=Due._meta.db_table),
            {"start": month.start, "end": month.end, "prefix": f"{org.path}%"})
        found.update(member_id for (member_id,) in cursor.fetchall())
    return found


def months_with_rows(org, months: list[Month]) -> set[Month]:
    """Which of `months` hold rows in `org`'s subtree: an EXISTS each (an index probe) for a year
    or two, one DISTINCT over the rows beyond that."""
    rows = Due.objects.filter(branch__path__startswith=org.path).order_by()
    if len(months) <= 24:
        return {m for m in months if rows.filter(month=m.start).exists()}
    days = set(rows.filter(month__range=(months[0].start, months[-1].start))
               .values_list("month", flat=True).distinct())
    return {m for m in months if m.start in days}


def sync_scope(org, last: Month) -> list[Month]:
    """Bring `last` up to date for every member registered in `org`'s subtree, and fill the
    earlier months (from the scope's earliest base) that hold no rows yet. Months that hold rows
    were written by the actions that changed their inputs, so a city-wide read recomputes one
    month, not a year; and once a sync of `last` is recorded (BookSync), only the members changed
    since (`changed_since`). Returns the months written."""
    started = timezone.now()
    earliest = first_scope_month(org, last)
    if earliest is None or earliest > last:
        return []
    months = months_between(earliest, last)
    present = months_with_rows(org, months)
    fill = [m for m in months if m not in present and m != last]
    since = last_synced(org, last) if last in present else None
    if fill or since is None:
        ids = members_in(org, Month(1900, 1), last)
        sync(ids, fill if since is not None else fill + [last])
    if since is not None:
        sync(changed_since(org, last, since - SYNC_SLACK), [last])
    BookSync.objects.update_or_create(path=org.path, month=last.start,
                                      defaults={"synced_at": started})
    return fill + [last]


def sync_member(member_id: int, *, since: Month | None = None, until: Month | None = None,
                force=()) -> None:
    """One member's months (a base, an exemption or a payment changed)."""
    inputs = load_inputs([member_id]).get(member_id)
    if inputs is None or not inputs.bases:
        return
    first = since or inputs.bases[0].effective_from
    last = until or max(Month.current(), first)
    sync([member_id], months_between(min(first, last), last), force=force)

