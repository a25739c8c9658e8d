"""The amount rule of interfaces.md §5.1 as pure functions over plain values (no database).

A rate table maps each 人员类型 to a rule: brackets on the base (the whole base times the bracket's
percent), or a fixed amount (farmers may give their own within a range). Amounts are rounded to the
fen, half up. `month_amount` adds what the book needs around it: the member's first due month, the
base in force and an approved exemption.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.quarters import Month

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")

EMPLOYED, RETIRED, FARMER, STUDENT, UNEMPLOYED, SUBSISTENCE, OTHER = (
    "employed", "retired", "farmer", "student", "unemployed", "subsistence", "other")
NEEDS_BASE = (EMPLOYED, RETIRED)


def fen(value: Decimal) -> Decimal:
    """Rounded to the fen (0.01 元), half up."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bracket:
    upper_bound: Decimal | None  # inclusive; None = no upper bound
    percent: Decimal  # of the whole base, in per cent (0.5 = 0.5%)


@dataclass(frozen=True)
class CategoryRule:
    brackets: tuple[Bracket, ...] = ()
    fixed: Decimal | None = None  # the amount when the file gives none
    min_amount: Decimal | None = None  # a given amount must lie in [min, max]; None = not allowed
    max_amount: Decimal | None = None

    @property
    def uses_base(self) -> bool:
        return bool(self.brackets)

    def accepts_given_amount(self) -> bool:
        return self.min_amount is not None


@dataclass(frozen=True)
class RateTable:
    effective_from: Month
    rules: dict[str, CategoryRule]


def _d(text: str) -> Decimal:
    return Decimal(text)


IN_SERVICE = (Bracket(_d("3000"), _d("0.5")), Bracket(_d("5000"), _d("1")),
              Bracket(_d("10000"), _d("1.5")), Bracket(None, _d("2")))
DEFAULT_RULES = {
    EMPLOYED: CategoryRule(brackets=IN_SERVICE),
    RETIRED: CategoryRule(brackets=(Bracket(_d("5000"), _d("0.5")), Bracket(None, _d("1")))),
    FARMER: CategoryRule(fixed=_d("0.50"), min_amount=_d("0.20"), max_amount=_d("1.00")),
    STUDENT: CategoryRule(fixed=_d("0.20")),
    UNEMPLOYED: CategoryRule(fixed=_d("0.20")),
    SUBSISTENCE: CategoryRule(fixed=_d("0.20")),
    # 其他: §5.1 gives no rule; the file's 月缴纳额 when given, else the 在职 brackets on the base.
    OTHER: CategoryRule(brackets=IN_SERVICE, min_amount=_d("0.01"), max_amount=None),
}
DEFAULT_TABLE = RateTable(Month(2000, 1), DEFAULT_RULES)


class AmountError(ValueError):
    """The inputs cannot give an amount (a base missing, a given amount out of range)."""


def percent_of(brackets: tuple[Bracket, ...], base: Decimal) -> Decimal:
    for bracket in brackets:
        if bracket.upper_bound is None or base <= bracket.upper_bound:
            return bracket.percent
    return brackets[-1].percent


def monthly_amount(rule: CategoryRule, base: Decimal | None, given: Decimal | None = None) -> Decimal:
    """The monthly amount for one member under `rule`: `base` for the bracket categories, `given`
    the file's 月缴纳额 (only where the rule accepts one)."""
    if given is not None and rule.accepts_given_amount():
        if given < rule.min_amount or (rule.max_amount is not None and given > rule.max_amount):
            upper = f"至 {rule.max_amount} 元" if rule.max_amount is not None else "以上"
            raise AmountError(f"月缴纳额 {given} 元不在 {rule.min_amount} 元{upper}之间。")
        return fen(given)
    if rule.brackets:
        if base is None:
            raise AmountError("该人员类型须填写缴费基数。")
        if base < 0:
            raise AmountError("缴费基数不能为负数。")
        return fen(base * percent_of(rule.brackets, base) / HUNDRED)
    if rule.fixed is None:
        raise AmountError("该人员类型没有规定的缴纳额。")
    return fen(rule.fixed)


def table_for(tables: list[RateTable], month: Month) -> RateTable:
    """The version in force in `month` (`tables` in order of effective month); the defaults
    before the first version."""
    found = DEFAULT_TABLE
    for table in tables:
        if table.effective_from <= month:
            found = table
        else:
            break
    return found


@dataclass(frozen=True)
class BaseEntry:
    effective_from: Month
    category: str
    base: Decimal | None
    fixed_amount: Decimal | None


@dataclass(frozen=True)
class ExemptionEntry:
    first_month: Month
    last_month: Month
    kind: str  # "exempt" | "reduced"
    amount: Decimal | None  # the reduced amount

    def covers(self, month: Month) -> bool:
        return self.first_month <= month <= self.last_month


def base_in_force(bases: list[BaseEntry], month: Month) -> BaseEntry | None:
    """The latest base from a month not after `month` (`bases` in order)."""
    found = None
    for entry in bases:
        if entry.effective_from <= month:
            found = entry
        else:
            break
    return found


@dataclass(frozen=True)
class MonthAmount:
    amount: Decimal
    category: str
    base: Decimal | None
    exemption: str = ""  # "exempt" | "reduced" | ""


def month_amount(month: Month, *, joined: Month, bases: list[BaseEntry], tables: list[RateTable],
                 exemptions: list[ExemptionEntry] = ()) -> MonthAmount | None:
    """What a member owes for `month`, or None when nothing is due: before the month of their
    入党日期 (a 预备党员 pays from it) or before their first base. An approved exemption covering
    the month replaces the amount (免交 → 0; 减交 → its amount)."""
    if month < joined:
        return None
    entry = base_in_force(bases, month)
    if entry is None:
        return None
    rule = table_for(tables, month).rules.get(entry.category) or DEFAULT_RULES[entry.category]
    try:
        amount = monthly_amount(rule, entry.base, entry.fixed_amount)
    except AmountError:
        amount = ZERO  # a base the rates cannot price (a rate change): shown as 0, never guessed
    for exemption in exemptions:
        if exemption.covers(month):
            reduced = ZERO if exemption.kind == "exempt" else fen(exemption.amount or ZERO)
            return MonthAmount(reduced, entry.category, entry.base, exemption.kind)
    return MonthAmount(amount, entry.category, entry.base)


def split_payment(amounts: list[Decimal], paid: Decimal) -> list[Decimal] | None:
    """How a payment for several months is split over them: each month its amount, when the
    payment equals their sum (interfaces.md §5.2); None when it does not. A single month takes
    whatever was paid (a partial or larger payment is recorded as it was handed in)."""
    if len(amounts) == 1:
        return [fen(paid)]
    if fen(paid) != fen(sum(amounts, ZERO)):
        return None
    return [fen(a) for a in amounts]


def arrears_run(months: list[tuple[Decimal, Decimal]]) -> int:
    """The run of consecutive unpaid months ending at the last of `months` ((amount, paid), oldest
    first, from the member's first due month): months with amount 0 are skipped."""
    run = 0
    for amount, paid in reversed(months):
        if amount == 0:
            continue
        if paid >= amount:
            break
        run += 1
    return run


WARN_AT, LAPSE_AT = 3, 6
FLAG_TEXT = {
    "warn": "连续3个月未交，应批评教育",
    "lapse": "连续6个月未交，按党章第三十八条提请支部核实处理",
}


def flag_for(arrears_months: int) -> str | None:
    if arrears_months >= LAPSE_AT:
        return "lapse"
    if arrears_months >= WARN_AT:
        return "warn"
    return None
