"""Every change to the dues records: one named function each, in one transaction, audited.

Branch records (bases, payments, closing a month) need the change right on the member's branch;
approving an exemption needs the review right (the level above the branch, or 组织部 staff); the
rate table is 组织部 staff's. `by=None` is the system (commands, the demo). A closed month changes
only through `correct_closed_month`, which says why.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from core.errors import ActionRefused
from core.quarters import Month
from dues import book
from dues.models import (
    BookSync,
    Correction,
    Due,
    DuesBase,
    Exemption,
    MonthClose,
    Payment,
    PaymentPart,
    Rate,
    RateVersion,
)
from dues.rules import DEFAULT_RULES, AmountError, CategoryRule, monthly_amount, split_payment

BASE_SAVED = "dues.base_saved"
BASES_IMPORTED = "dues.bases_imported"
EXEMPTION_REQUESTED = "dues.exemption_requested"
EXEMPTION_DECIDED = "dues.exemption_decided"
PAYMENT_RECORDED = "dues.payment_recorded"
PAYMENTS_BULK = "dues.payments_bulk"
PAYMENTS_IMPORTED = "dues.payments_imported"
PAYMENT_VOIDED = "dues.payment_voided"
MONTH_CLOSED = "dues.month_closed"
CORRECTED = "dues.corrected"
RATES_SAVED = "dues.rates_saved"
LEDGER_EXPORTED = "dues.ledger_exported"
SEEDED = "dues.seeded"

AUDIT_LABELS = {
    BASE_SAVED: "登记党费缴纳基数",
    BASES_IMPORTED: "导入党费缴纳基数",
    EXEMPTION_REQUESTED: "申请党费免交/减交",
    EXEMPTION_DECIDED: "审批党费免交/减交",
    PAYMENT_RECORDED: "登记党费缴纳",
    PAYMENTS_BULK: "批量登记党费缴纳",
    PAYMENTS_IMPORTED: "导入党费缴纳记录",
    PAYMENT_VOIDED: "作废党费缴纳记录",
    MONTH_CLOSED: "报送党费月度台账",
    CORRECTED: "更正已报送的党费台账",
    RATES_SAVED: "修改党费标准",
    LEDGER_EXPORTED: "导出党费收缴台账",
    SEEDED: "生成党费演示数据",
}


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _require(by, right: Right, branch, message: str) -> None:
    if by is not None and not policy_for(by).allows(right, branch):
        raise PermissionDenied(message)


def _target(member) -> str:
    return f"{member.name}（{member.masked_id_number}）"


def is_closed(branch_id: int, month: Month) -> bool:
    return MonthClose.objects.filter(branch_id=branch_id, month=month.start).exists()


# -- bases ----------------------------------------------------------------------------------------

def check_base(category: str, base: Decimal | None, fixed: Decimal | None,
               month: Month) -> Decimal:
    """The amount the base gives in `month` under the rates then; AmountError says what is wrong."""
    table = book.rules_table(month)
    return monthly_amount(table.rules.get(category) or DEFAULT_RULES[category], base, fixed)


@transaction.atomic
def save_base(member, *, month: Month, category: str, base: Decimal | None,
              fixed_amount: Decimal | None = None, by=None) -> DuesBase:
    """The member's 人员类型 and base from `month` on (the same month again replaces it)."""
    _require(by, Right.CHANGE, member.branch, "只有本支部的党务工作者可以登记缴费基数。")
    try:
        amount = check_base(category, base, fixed_amount, month)
    except AmountError as exc:
        raise ActionRefused(str(exc)) from exc
    entry, _ = DuesBase.objects.update_or_create(
        member=member, effective_from=month.start,
        defaults={"category": category, "base": base, "fixed_amount": fixed_amount,
                  "recorded_by": _actor(by)})
    book.sync_member(member.pk, since=month)
    audit(by, BASE_SAVED, organization=member.branch, target=_target(member),
          month=str(month), category=category, base=str(base) if base is not None else None,
          amount=str(amount))
    return entry


@dataclass
class BaseRow:
    member_id: int
    category: str
    base: Decimal | None
    fixed_amount: Decimal | None


def import_bases(rows: list[BaseRow], *, month: Month, organization, by=None,
                 counts: dict | None = None) -> None:
    """Bases from a file (already checked by the importer), in one go; one audit record."""
    existing = {b.member_id: b for b in DuesBase.objects.filter(
        member_id__in=[r.member_id for r in rows], effective_from=month.start)}
    create, update = [], []
    for row in rows:
        entry = existing.get(row.member_id)
        if entry is None:
            create.append(DuesBase(member_id=row.member_id, effective_from=month.start,
                                   category=row.category, base=row.base,
                                   fixed_amount=row.fixed_amount, recorded_by=_actor(by)))
        else:
            entry.category, entry.base, entry.fixed_amount = row.category, row.base, row.fixed_amount
            entry.recorded_by = _actor(by)
            update.append(entry)
    DuesBase.objects.bulk_create(create, batch_size=2000)
    DuesBase.objects.bulk_update(update, ["category", "base", "fixed_amount", "recorded_by"],
                                 batch_size=2000)
    touched = [r.member_id for r in rows]
    if touched:
        last = max(Month.current(), month)
        book.sync(touched, book.months_between(month, last))
    audit(by, BASES_IMPORTED, organization=organization, target=f"{month.label}起 {len(rows)} 人",
          month=str(month), **(counts or {}))


# -- exemptions -----------------------------------------------------------------------------------

@transaction.atomic
def request_exemption(member, *, kind: str, first: Month, last: Month, reason: str,
                      amount: Decimal | None = None, by=None) -> Exemption:
    """A branch asks for 免交/减交; one who may review the branch (or the system) approves at once."""
    _require(by, Right.CHANGE, member.branch, "只有本支部的党务工作者可以申请免交或减交。")
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写免交或减交的理由。")
    if last < first:
        raise ActionRefused("截止月份不能早于起始月份。")
    if kind == Exemption.Kind.REDUCED and (amount is None or amount < 0):
        raise ActionRefused("减交须填写减交后的月缴纳额。")
    if kind == Exemption.Kind.EXEMPT:
        amount = None
    exemption = Exemption.objects.create(
        member=member, kind=kind, first_month=first.start, last_month=last.start, amount=amount,
        reason=reason, requested_by=_actor(by))
    audit(by, EXEMPTION_REQUESTED, organization=member.branch, target=_target(member),
          kind=kind, first=str(first), last=str(last), reason=reason)
    if by is None or policy_for(by).allows(Right.REVIEW, member.branch):
        _decide(exemption, approve=True, by=by)
    return exemption


@transaction.atomic
def decide_exemption(exemption: Exemption, *, approve: bool, by=None) -> Exemption:
    member = exemption.member
    _require(by, Right.REVIEW, member.branch, "免交、减交由上级党组织审批。")
    if exemption.status != Exemption.Status.PENDING:
        raise ActionRefused("该申请已审批。")
    _decide(exemption, approve=approve, by=by)
    return exemption


def _decide(exemption: Exemption, *, approve: bool, by) -> None:
    exemption.status = Exemption.Status.APPROVED if approve else Exemption.Status.REFUSED
    exemption.decided_by, exemption.decided_at = _actor(by), timezone.now()
    exemption.save(update_fields=["status", "decided_by", "decided_at"])
    if approve:
        book.sync_member(exemption.member_id, since=book.as_month(exemption.first_month),
                         until=max(Month.current(), book.as_month(exemption.last_month)))
    audit(by, EXEMPTION_DECIDED, organization=exemption.member.branch,
          target=_target(exemption.member), approved=approve, kind=exemption.kind,
          first=f"{exemption.first_month:%Y-%m}", last=f"{exemption.last_month:%Y-%m}")


# -- payments -------------------------------------------------------------------------------------

def _dues_of(member_id: int, first: Month, last: Month) -> list[Due]:
    months = book.months_between(first, last)
    book.sync([member_id], months)
    return list(Due.objects.filter(member_id=member_id, month__range=(first.start, last.start))
                .order_by("month"))


def payment_plan(member, first: Month, last: Month, amount: Decimal) -> list[tuple[Due, Decimal]]:
    """How a payment splits over its months; ActionRefused when it cannot be recorded."""
    if last < first:
        raise ActionRefused("缴费月份的截止月份不能早于起始月份。")
    if amount <= 0:
        raise ActionRefused("缴纳金额必须大于 0。")
    dues = _dues_of(member.pk, first, last)
    found = {d.month for d in dues}
    missing = [m for m in book.months_between(first, last) if m.start not in found]
    if missing:
        raise ActionRefused(f"{missing[0].label}该党员没有应交党费（尚未登记缴费基数、尚未入党或"
                            "组织关系不在本支部），不能登记缴纳。")
    parts = split_payment([d.amount for d in dues], amount)
    if parts is None:
        total = sum((d.amount for d in dues), Decimal("0.00"))
        raise ActionRefused(f"缴纳 {first}至{last} 共 {len(dues)} 个月，应交合计 {total:.2f} 元，"
                            f"与金额 {amount:.2f} 元不符。")
    return list(zip(dues, parts, strict=True))


@transaction.atomic
def record_payment(member, *, first: Month, last: Month | None = None, amount: Decimal,
                   paid_on: datetime.date, method: str = Payment.Method.CASH, by=None,
                   source: str = Payment.Source.FORM) -> Payment:
    last = last or first
    plan = payment_plan(member, first, last, amount)
    for due, _ in plan:
        _require(by, Right.CHANGE, due.branch, "只有本支部的党务工作者可以登记党费缴纳。")
        if is_closed(due.branch_id, book.as_month(due.month)):
            raise ActionRefused(f"{due.month:%Y年%-m月}的党费台账已报送，请通过“更正”办理。")
    payment = _write_payment(member, plan, amount=amount, paid_on=paid_on, method=method,
                             source=source, by=by)
    audit(by, PAYMENT_RECORDED, organization=plan[0][0].branch, target=_target(member),
          months=f"{first}至{last}" if last != first else str(first), amount=f"{amount:.2f}",
          paid_on=paid_on.isoformat())
    return payment


def _write_payment(member, plan, *, amount, paid_on, method, source, by) -> Payment:
    payment = Payment.objects.create(
        member=member, branch_id=plan[0][0].branch_id, first_month=plan[0][0].month,
        last_month=plan[-1][0].month, amount=amount, paid_on=paid_on, method=method,
        source=source, recorded_by=_actor(by))
    PaymentPart.objects.bulk_create([PaymentPart(payment=payment, member=member, month=due.month,
                                                 amount=part) for due, part in plan])
    for due, part in plan:
        Due.objects.filter(pk=due.pk).update(paid=due.paid + part)
    return payment


@transaction.atomic
def record_all_paid(branch, month: Month, *, paid_on: datetime.date,
                    method: str = Payment.Method.CASH, by=None) -> int:
    """Everyone of the branch who has not paid the month in full pays the rest on `paid_on`
    ("all paid in cash on 11-05"); returns how many payments were recorded."""
    _require(by, Right.CHANGE, branch, "只有本支部的党务工作者可以登记党费缴纳。")
    if is_closed(branch.pk, month):
        raise ActionRefused(f"{month.label}的党费台账已报送，请通过“更正”办理。")
    book.sync(book.members_in(branch, month, month), [month])
    count = 0
    for due in Due.objects.filter(branch=branch, month=month.start).select_related("member"):
        rest = due.amount - due.paid
        if rest <= 0:
            continue
        _write_payment(due.member, [(due, rest)], amount=rest, paid_on=paid_on, method=method,
                       source=Payment.Source.BULK, by=by)
        count += 1
    audit(by, PAYMENTS_BULK, organization=branch, target=f"{month.label} {count} 人",
          month=str(month), paid_on=paid_on.isoformat(), method=method, payments=count)
    return count


def import_payments(items: list[dict], *, organization, by=None, counts: dict | None = None) -> None:
    """Payments from a file (checked by the importer: months due, sums matching); one audit row.
    Each item: member_id, first, last (Month), amount, paid_on."""
    from members.models import Member

    members = Member.objects.in_bulk([i["member_id"] for i in items])
    for item in items:
        plan = payment_plan(members[item["member_id"]], item["first"], item["last"], item["amount"])
        for due, _ in plan:
            if is_closed(due.branch_id, book.as_month(due.month)):
                raise ActionRefused(f"{due.month:%Y年%-m月}的党费台账已报送，请通过“更正”办理。")
        _write_payment(members[item["member_id"]], plan, amount=item["amount"],
                       paid_on=item["paid_on"], method=Payment.Method.CASH,
                       source=Payment.Source.IMPORT, by=by)
    audit(by, PAYMENTS_IMPORTED, organization=organization, target=f"{len(items)} 笔",
          **(counts or {}))


@transaction.atomic
def void_payment(payment: Payment, *, reason: str, by=None) -> None:
    _require(by, Right.CHANGE, payment.branch, "只有本支部的党务工作者可以作废缴纳记录。")
    if not (reason or "").strip():
        raise ActionRefused("请填写作废的理由。")
    if payment.voided:
        raise ActionRefused("该缴纳记录已作废。")
    if MonthClose.objects.filter(branch_id=payment.branch_id,
                                 month__range=(payment.first_month, payment.last_month)).exists():
        raise ActionRefused("该缴纳记录所属月份已报送，请通过“更正”办理。")
    payment.voided = True
    payment.save(update_fields=["voided"])
    book.sync_member(payment.member_id, since=book.as_month(payment.first_month),
                     until=book.as_month(payment.last_month))
    audit(by, PAYMENT_VOIDED, organization=payment.branch, target=_target(payment.member),
          payment=payment.pk, amount=f"{payment.amount:.2f}", reason=reason.strip())


# -- closing a month ------------------------------------------------------------------------------

@transaction.atomic
def close_month(branch, month: Month, *, by=None) -> MonthClose:
    """报送: the month's book is frozen as it stands and the upper level sees it."""
    _require(by, Right.CHANGE, branch, "只有本支部的党务工作者可以报送党费台账。")
    if month > Month.current():
        raise ActionRefused("不能报送尚未到来的月份。")
    if is_closed(branch.pk, month):
        raise ActionRefused(f"{month.label}的党费台账已报送。")
    book.sync(book.members_in(branch, month, month), [month])
    totals = Due.objects.filter(branch=branch, month=month.start).aggregate(
        due=Sum("amount"), collected=Sum("paid"))
    closed = MonthClose.objects.create(
        branch=branch, month=month.start,
        members=Due.objects.filter(branch=branch, month=month.start).count(),
        due=totals["due"] or 0, collected=totals["collected"] or 0, closed_by=_actor(by))
    audit(by, MONTH_CLOSED, organization=branch, target=month.label, month=str(month),
          members=closed.members, due=f"{closed.due:.2f}", collected=f"{closed.collected:.2f}")
    return closed


@transaction.atomic
def correct_closed_month(branch, month: Month, member, *, amount: Decimal,
                         paid_on: datetime.date, reason: str, by=None) -> Correction:
    """A payment added to a month already handed up (补录), with the reason; the month's figures
    are updated and the correction is kept beside them and in the audit log."""
    _require(by, Right.CHANGE, branch, "只有本支部的党务工作者可以更正党费台账。")
    closed = MonthClose.objects.select_for_update().filter(branch=branch, month=month.start).first()
    if closed is None:
        raise ActionRefused("该月尚未报送，直接登记即可，无需更正。")
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("更正已报送的台账须填写理由。")
    due = Due.objects.filter(branch=branch, month=month.start, member=member).first()
    if due is None:
        raise ActionRefused(f"{member.name}在{month.label}没有应交党费记录。")
    if amount <= 0:
        raise ActionRefused("缴纳金额必须大于 0。")
    payment = _write_payment(member, [(due, amount)], amount=amount, paid_on=paid_on,
                             method=Payment.Method.CASH, source=Payment.Source.CORRECTION, by=by)
    before = closed.collected
    closed.collected = Due.objects.filter(branch=branch, month=month.start).aggregate(
        c=Sum("paid"))["c"] or 0
    closed.save(update_fields=["collected"])
    correction = Correction.objects.create(
        branch=branch, month=month.start, member=member, payment=payment,
        what=f"补录缴纳 {amount:.2f} 元（{paid_on}）", reason=reason, by=_actor(by))
    audit(by, CORRECTED, organization=branch, target=f"{month.label} {_target(member)}",
          month=str(month), amount=f"{amount:.2f}", reason=reason,
          collected_before=f"{before:.2f}", collected_after=f"{closed.collected:.2f}")
    return correction


# -- the rate table -------------------------------------------------------------------------------

@dataclass
class RateLine:
    category: str
    upper_bound: Decimal | None = None
    percent: Decimal | None = None
    fixed_amount: Decimal | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None


def lines_of(rules: dict[str, CategoryRule]) -> list[RateLine]:
    lines = []
    for category, rule in rules.items():
        lines += [RateLine(category, b.upper_bound, b.percent) for b in rule.brackets]
        if rule.fixed is not None or rule.min_amount is not None:
            lines.append(RateLine(category, fixed_amount=rule.fixed, min_amount=rule.min_amount,
                                  max_amount=rule.max_amount))
    return lines


@transaction.atomic
def save_rates(month: Month, lines: list[RateLine], *, note: str = "", by=None) -> RateVersion:
    """A rate table in force from `month` on (the same month again replaces that version)."""
    if by is not None and not policy_for(by).is_staff:
        raise PermissionDenied("党费标准由组织部维护。")
    version, _ = RateVersion.objects.update_or_create(
        effective_from=month.start, defaults={"note": note, "created_by": _actor(by)})
    version.rates.all().delete()
    position: dict[str, int] = {}
    for line in lines:
        position[line.category] = position.get(line.category, -1) + 1
        Rate.objects.create(version=version, category=line.category,
                            position=position[line.category], upper_bound=line.upper_bound,
                            percent=line.percent, fixed_amount=line.fixed_amount,
                            min_amount=line.min_amount, max_amount=line.max_amount)
    BookSync.objects.all().delete()  # every month from `month` on reads the new table: sync all
    members = list(DuesBase.objects.values_list("member_id", flat=True).distinct())
    if members and month <= Month.current():
        book.sync(members, book.months_between(month, Month.current()))
    audit(by, RATES_SAVED, target=f"{month.label}起", month=str(month), note=note,
          lines=[{k: (str(v) if v is not None else None) for k, v in vars(line).items()}
                 for line in lines])
    return version
