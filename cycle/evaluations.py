"""The rules of a 民主评议党员 (interfaces.md §10), one function for the page and the importer.

A rating is refused when the member is a 预备党员 on 12-31 of the year (they take part but are
not rated), when 不合格 lacks a 处理意见 or a 理由, and when a branch's 优秀 pass ⌊rated / 3⌋
(cycle.rules.excellent_limit): the first 优秀 over the limit is the one refused.
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from cycle.models import Evaluation
from cycle.rules import excellent_limit, rule

R = Evaluation.Result
RESULT_BY_LABEL = {label: value for value, label in R.choices}
FOLLOW_UP_BY_LABEL = {label: value for value, label in Evaluation.FollowUp.choices}


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


@dataclass
class Rating:
    """One result to record: the member (a Member), the branch it counts at, what was decided."""

    member: object
    branch_id: int
    result: str
    follow_up: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Problem:
    index: int  # position in the list checked
    field: str  # "result" | "follow_up" | "reason"
    message: str


def share_text() -> str:
    share = rule("excellent_share")
    return "三分之一" if (share.numerator, share.denominator) == (1, 3) else f"{share}"


def check(year: int, ratings: list[Rating], *, branch_names: dict[int, str] | None = None) -> list[Problem]:
    """Every problem of `ratings` for `year`, counting the results already recorded for the same
    branches (those of members not in `ratings`) toward the 优秀 limit."""
    problems: list[Problem] = []
    end = year_end(year)
    valid: list[int] = []
    for i, r in enumerate(ratings):
        before = len(problems)
        if not r.member.is_full_on(end):
            problems.append(Problem(i, "result", f"{r.member.name}在{year}年12月31日为预备党员："
                                                 "预备党员参加民主评议，但不评定等次。"))
        elif r.result == R.UNQUALIFIED:
            if not r.follow_up:
                problems.append(Problem(i, "follow_up", "评议结果为不合格的，须填写处理意见（限期改正、劝退或除名）。"))
            if not (r.reason or "").strip():
                problems.append(Problem(i, "reason", "评议结果为不合格的，须填写理由。"))
        if len(problems) == before:
            valid.append(i)
    problems += _excellent_over_limit(year, ratings, valid, branch_names or {})
    return sorted(problems, key=lambda p: (p.index, p.field))


def _excellent_over_limit(year, ratings, valid, branch_names) -> list[Problem]:
    by_branch: dict[int, list[int]] = defaultdict(list)
    for i in valid:
        by_branch[ratings[i].branch_id].append(i)
    given = {ratings[i].member.pk for i in valid} | {r.member.pk for r in ratings}
    recorded = Counter()
    recorded_excellent = Counter()
    for branch_id, result in (
        Evaluation.objects.filter(year=year, branch_id__in=list(by_branch))
        .exclude(member_id__in=given).values_list("branch_id", "result")
    ):
        recorded[branch_id] += 1
        recorded_excellent[branch_id] += result == R.EXCELLENT
    problems = []
    for branch_id, indexes in by_branch.items():
        rated = len(indexes) + recorded[branch_id]
        limit = excellent_limit(rated)
        count = recorded_excellent[branch_id]
        for i in indexes:
            if ratings[i].result != R.EXCELLENT:
                continue
            count += 1
            if count > limit:
                where = branch_names.get(branch_id, "本支部")
                problems.append(Problem(
                    i, "result",
                    f"{where}评定为优秀的已超过上限：参加评定 {rated} 人，优秀最多 {limit} 人"
                    f"（不超过{share_text()}）。"))
                break
    return problems


def excellent_limit_text(rated: int) -> str:
    return f"参加评定 {rated} 人，优秀最多 {excellent_limit(rated)} 人（不超过{share_text()}）"
