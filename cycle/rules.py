"""The yearly cycle's rules as data (domain.md, interfaces.md §10). An administrator changes them
in settings (`CYCLE_RULES`), never in code."""
from __future__ import annotations

import datetime
from fractions import Fraction

from django.conf import settings

from branches.models import Organization
from core.quarters import add_years

K, S = Organization.Kind, Organization.Sector

DEFAULTS = {
    # 届期 when the committee does not say: 党委/党工委 5 years; 党支部 and 联合党支部 in villages
    # and communities 5; everything else 3. 临时党支部 and 党小组 hold no committee.
    "term_years_upper": 5,
    "term_years_rural_branch": 5,
    "term_years_other": 3,
    "term_ending_days": 180,  # 换届 is prepared about six months ahead
    "excellent_share": Fraction(1, 3),  # 优秀 at most this share of the members rated
    "letter_valid_days": 30,  # a 组织关系介绍信's default validity
    "letter_valid_days_max": 90,  # and its longest (3 months)
    "outflow_transfer_months": 6,  # away this long at one fixed place: transfer the relationship
    "inflow_check_months": 6,  # a 流入党员's registration is checked every six months
}

COMMITTEE_KINDS = (K.COMMITTEE, K.WORKING_COMMITTEE, K.GENERAL_BRANCH, K.BRANCH, K.JOINT_BRANCH)
UPPER_TERM_KINDS = (K.COMMITTEE, K.WORKING_COMMITTEE)
RURAL_BRANCH_KINDS = (K.BRANCH, K.JOINT_BRANCH)
RURAL_SECTORS = (S.VILLAGE, S.COMMUNITY)


def rule(key: str):
    return {**DEFAULTS, **getattr(settings, "CYCLE_RULES", {})}[key]


def holds_committee(org: Organization) -> bool:
    return org.kind in COMMITTEE_KINDS


def default_term_years(org: Organization) -> int:
    """interfaces.md §10: 5 years for 党委 and 党工委 and for branches whose 单位性质 is 农村 or
    社区; 3 otherwise."""
    if org.kind in UPPER_TERM_KINDS:
        return rule("term_years_upper")
    if org.kind in RURAL_BRANCH_KINDS and org.sector in RURAL_SECTORS:
        return rule("term_years_rural_branch")
    return rule("term_years_other")


def due_on(elected_on: datetime.date, term_years: int) -> datetime.date:
    """应换届日期: the election plus the term, clamped to the month's end (2024-02-29 + 5 years
    = 2029-02-28)."""
    return add_years(elected_on, term_years)


def term_status(due: datetime.date | None, on: datetime.date) -> str:
    """`none`, `ok`, `ending` (from due − 180 days to due, both included) or `overdue` (after)."""
    if due is None:
        return "none"
    if on > due:
        return "overdue"
    if on >= due - datetime.timedelta(days=rule("term_ending_days")):
        return "ending"
    return "ok"


STATUS_LABELS = {"none": "未录入班子", "ok": "任期内", "ending": "即将届满", "overdue": "已超期未换届"}


def excellent_limit(rated: int) -> int:
    """⌊rated × share⌋: with the default one third, 10 rated allow 3 优秀, 2 rated allow none."""
    share = Fraction(rule("excellent_share"))
    return int(rated * share.numerator // share.denominator)
