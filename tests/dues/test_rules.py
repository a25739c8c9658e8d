"""The amount rule of interfaces.md §5.1, on plain values: every bracket boundary, retirees, the
fixed categories, exemptions, a 预备党员 joining mid-year, and how payments split."""
from decimal import Decimal as D

import pytest

from core.quarters import Month
from dues.rules import (
    DEFAULT_RULES,
    DEFAULT_TABLE,
    AmountError,
    BaseEntry,
    Bracket,
    CategoryRule,
    ExemptionEntry,
    RateTable,
    arrears_run,
    fen,
    flag_for,
    month_amount,
    monthly_amount,
    split_payment,
)


@pytest.mark.parametrize(("base", "expected"), [
    ("0", "0.00"),
    ("2999.99", "15.00"),
    ("3000.00", "15.00"),  # ≤ 3000 → 0.5%
    ("3000.01", "30.00"),  # above → 1% of the whole base (30.0001)
    ("4999.99", "50.00"),
    ("5000", "50.00"),
    ("5000.01", "75.00"),  # 1.5% (75.00015)
    ("10000", "150.00"),
    ("10000.01", "200.00"),  # 2% (200.0002)
    ("12345.67", "246.91"),  # 246.9134
    ("3001", "30.01"),
    ("4321.50", "43.22"),  # 43.215 rounds half up
])
def test_in_service_brackets_take_the_whole_base(base, expected):
    assert monthly_amount(DEFAULT_RULES["employed"], D(base)) == D(expected)


@pytest.mark.parametrize(("base", "expected"), [
    ("4000", "20.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("6543.21", "65.43"),
    ("2345.50", "11.73"),  # 11.7275 half up
])
def test_retirees_pay_half_a_percent_up_to_5000_and_one_above(base, expected):
    assert monthly_amount(DEFAULT_RULES["retired"], D(base)) == D(expected)


def test_farmers_pay_what_the_file_gives_within_the_range_or_half_a_yuan():
    farmer = DEFAULT_RULES["farmer"]
    assert monthly_amount(farmer, None) == D("0.50")
    assert monthly_amount(farmer, None, D("0.8")) == D("0.80")
    assert monthly_amount(farmer, None, D("0.2")) == D("0.20")
    with pytest.raises(AmountError, match="不在"):
        monthly_amount(farmer, None, D("1.5"))


@pytest.mark.parametrize("category", ["student", "unemployed", "subsistence"])
def test_students_the_unemployed_and_low_income_pay_twenty_fen(category):
    assert monthly_amount(DEFAULT_RULES[category], D("8000")) == D("0.20")
    assert monthly_amount(DEFAULT_RULES[category], None, D("5")) == D("0.20")


def test_a_base_category_without_a_base_is_an_error():
    with pytest.raises(AmountError, match="缴费基数"):
        monthly_amount(DEFAULT_RULES["employed"], None)


def test_money_rounds_half_up_to_the_fen():
    assert fen(D("0.005")) == D("0.01")
    assert fen(D("2.675")) == D("2.68")  # a float would give 2.67
    assert isinstance(monthly_amount(DEFAULT_RULES["employed"], D("3000.01")), D)


def _bases(*entries):
    return [BaseEntry(Month.parse(m), c, D(b) if b else None, None) for m, c, b in entries]


def test_a_probationary_member_pays_from_the_month_of_joining():
    bases = _bases(("2026-01", "employed", "6000"))
    joined = Month(2026, 7)  # 入党 2026-07-20
    assert month_amount(Month(2026, 6), joined=joined, bases=bases, tables=[]) is None
    assert month_amount(Month(2026, 7), joined=joined, bases=bases, tables=[]).amount == D("90.00")


def test_a_later_base_replaces_the_earlier_from_its_month():
    bases = _bases(("2026-01", "employed", "3000"), ("2026-05", "retired", "4000"))
    amounts = [month_amount(Month(2026, n), joined=Month(2000, 1), bases=bases, tables=[]).amount
               for n in (4, 5)]
    assert amounts == [D("15.00"), D("20.00")]
    assert month_amount(Month(2025, 12), joined=Month(2000, 1), bases=bases, tables=[]) is None


def test_an_exemption_replaces_the_amount_in_its_months_only():
    bases = _bases(("2026-01", "employed", "8000"))
    exempt = [ExemptionEntry(Month(2026, 3), Month(2026, 4), "exempt", None)]
    reduced = [ExemptionEntry(Month(2026, 3), Month(2026, 3), "reduced", D("10"))]
    got = [month_amount(Month(2026, n), joined=Month(2000, 1), bases=bases, tables=[],
                        exemptions=exempt) for n in (2, 3, 4, 5)]
    assert [g.amount for g in got] == [D("120.00"), D("0.00"), D("0.00"), D("120.00")]
    assert got[1].exemption == "exempt"
    assert month_amount(Month(2026, 3), joined=Month(2000, 1), bases=bases, tables=[],
                        exemptions=reduced).amount == D("10.00")


def test_a_newer_rate_version_applies_from_its_month():
    flat = RateTable(Month(2026, 7), {**DEFAULT_TABLE.rules, "employed": CategoryRule(
        brackets=(Bracket(None, D("1")),))})
    bases = _bases(("2026-01", "employed", "8000"))
    june, july = (month_amount(Month(2026, n), joined=Month(2000, 1), bases=bases, tables=[flat])
                  for n in (6, 7))
    assert (june.amount, july.amount) == (D("120.00"), D("80.00"))


def test_a_range_payment_must_equal_the_sum_of_its_months():
    assert split_payment([D("45.00"), D("45.00"), D("50.00")], D("140")) == [
        D("45.00"), D("45.00"), D("50.00")]
    assert split_payment([D("45.00"), D("45.00")], D("80")) is None
    assert split_payment([D("45.00")], D("20")) == [D("20.00")]  # one month: as handed in


def test_arrears_count_the_unpaid_run_and_skip_months_with_nothing_due():
    paid, unpaid, skipped = (D("10"), D("10")), (D("10"), D("0")), (D("0"), D("0"))
    assert arrears_run([paid, unpaid, unpaid, unpaid]) == 3
    assert arrears_run([unpaid, paid, unpaid, skipped, unpaid]) == 2
    assert arrears_run([unpaid, unpaid]) == 2
    assert arrears_run([paid]) == 0
    assert arrears_run([(D("10"), D("5"))]) == 1  # a part payment leaves the month unpaid
    assert [flag_for(n) for n in (2, 3, 5, 6, 9)] == [None, "warn", "warn", "lapse", "lapse"]
