"""Quarters as the reports name them: "2026Q3" = 2026-07-01 … 2026-09-30."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
# Years a page or a file may name: from the Party's founding to well past any plan. Outside
# them a date cannot be built around the period (9999Q4 has no next quarter): refused, not a 500.
FIRST_YEAR, LAST_YEAR = 1921, 2100


def _check_year(year: int, text) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"年份应在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间，收到：{text}")
    return year


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(str(text))
        if not match:
            raise ValueError(f"季度格式应为 2026Q3 这样的形式，收到：{text}")
        return cls(_check_year(int(match.group(1)), text), int(match.group(2)))

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    @property
    def months(self) -> list[int]:
        first = (self.number - 1) * 3 + 1
        return [first, first + 1, first + 2]

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.months[0], 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


# -- months ---------------------------------------------------------------------------------------

_MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*$")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole calendar months, clamped to the month's end.

    2026-01-31 + 1 month = 2026-02-28; 2024-02-29 + 12 months = 2025-02-28 (the rules' arithmetic).
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, _days_in(year, month)))


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def _days_in(year: int, month: int) -> int:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month as the dues book and the contracts name it: "2026-11"."""

    year: int
    number: int

    def __post_init__(self):
        if not 1 <= self.number <= 12 or not 1900 <= self.year <= 9999:
            raise ValueError(f"月份不正确：{self.year}-{self.number}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """"2026-11", "2026/11", "2026.11" or "2026年11月"; ValueError with a Chinese message."""
        match = _MONTH.match(str(text))
        if not match:
            raise ValueError(f"月份格式应为 2026-11 或 2026年11月，收到：{text}")
        return cls(_check_year(int(match.group(1)), text), int(match.group(2)))

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Month:
        return cls.of(timezone.localdate())

    def __str__(self) -> str:
        return f"{self.year}-{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.number}月"

    @property
    def index(self) -> int:
        """Months since year 0: differences of indexes count months."""
        return self.year * 12 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        year, month = divmod(index, 12)
        return cls(year, month + 1)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other):
        if isinstance(other, Month):
            return self.index - other.index
        return Month.from_index(self.index - other)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.number, 1)

    @property
    def end(self) -> datetime.date:
        return datetime.date(self.year, self.number, _days_in(self.year, self.number))

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.start)

    def until(self, last: Month) -> list[Month]:
        """This month through `last`, inclusive (empty when `last` is earlier)."""
        return [Month.from_index(i) for i in range(self.index, last.index + 1)]
