"""The time rules of interfaces.md §4.2: defaults, and the versions 组织部 staff add.

A version is in force for a clock that starts on or after its effective date: the 申请 date for
`min_age` and `talk_within`, the 积极分子 date for `activist_min` and `activist_review`, the 支部大会
date for `training_hours` and `approval_within`, the 入党日期 for `probation`.
"""
from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass

from recruitment.models import TimeRule


@dataclass(frozen=True)
class Default:
    value: int
    unit: str
    text: str
    limit: int | None = None


DEFAULTS: dict[str, Default] = {
    "min_age": Default(18, "周岁", "申请入党时年满 18 周岁"),
    "talk_within": Default(1, "个月", "收到入党申请书后 1 个月内派人谈话"),
    "activist_min": Default(12, "个月", "确定为积极分子满 1 年后方可确定为发展对象"),
    "activist_review": Default(6, "个月", "积极分子每半年考察一次"),
    "training_hours": Default(24, "学时", "支部大会讨论前集中培训不少于 24 学时"),
    "approval_within": Default(3, "个月", "支部大会讨论后 3 个月内上级党委审批（有理由的最长 6 个月）",
                               limit=6),
    "probation": Default(12, "个月", "预备期 1 年；期满前 1 个月提出转正申请"),
}
KEYS = tuple(DEFAULTS)


class RuleBook:
    """Every version of every rule, loaded once (a handful of rows) and answered by date."""

    def __init__(self, versions=()):
        self._starts: dict[str, list[datetime.date]] = {k: [] for k in KEYS}
        self._values: dict[str, list[tuple[int, int | None]]] = {k: [] for k in KEYS}
        for version in sorted(versions, key=lambda v: (v.key, v.effective_from)):
            if version.key in self._starts:
                self._starts[version.key].append(version.effective_from)
                self._values[version.key].append((version.value, version.limit))
        # a rule never changed answers without a search (a city's check asks ~100,000 times)
        self._constant = {k: DEFAULTS[k].value for k in KEYS if not self._starts[k]}

    @classmethod
    def load(cls) -> RuleBook:
        return cls(TimeRule.objects.all())

    def _version(self, key: str, day: datetime.date | None) -> tuple[int, int | None]:
        starts = self._starts[key]
        if not starts:
            return DEFAULTS[key].value, DEFAULTS[key].limit
        index = bisect.bisect_right(starts, day) - 1 if day is not None else len(starts) - 1
        if index >= 0:
            return self._values[key][index]
        return DEFAULTS[key].value, DEFAULTS[key].limit

    def value(self, key: str, day: datetime.date | None) -> int:
        """The rule's number in force for a clock starting on `day` (None: the latest)."""
        constant = self._constant.get(key)
        return constant if constant is not None else self._version(key, day)[0]

    def limit(self, key: str, day: datetime.date | None) -> int | None:
        return self._version(key, day)[1]
