"""Quarters as the reports name them: "2026Q3" = 2026-07-01 … 2026-09-30."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _PATTERN.match(str(text))
        if not match:
            raise ValueError(f"季度格式应为 2026Q3 这样的形式，收到：{text}")
        return cls(int(match.group(1)), int(match.group(2)))

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
