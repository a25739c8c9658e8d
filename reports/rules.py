"""The requirement table of interfaces.md §3: defaults, versions in force, exemptions.

The quarterly report and the secretaries' due lists both read the rules from here.
"""
from __future__ import annotations

from dataclasses import dataclass

from activities.models import Meeting
from core.quarters import Quarter
from reports.models import RULE_KEYS, Exemption, RequirementRule  # noqa: F401 - RULE_KEYS is read from here


@dataclass(frozen=True)
class Rule:
    key: str
    meeting_kind: str
    period: str  # "quarter": 1 slot a quarter; "month": 1 slot a month (×groups for group_meetings)
    enabled: bool = True
    min_full_members: int = 0  # applies only to branches with at least this many full members

    @property
    def label(self) -> str:
        return RequirementRule.Key(self.key).label


DEFAULT_RULES: dict[str, Rule] = {
    "party_congress": Rule("party_congress", Meeting.Kind.PARTY_CONGRESS, "quarter"),
    "committee": Rule("committee", Meeting.Kind.COMMITTEE, "month", min_full_members=7),
    "group_meetings": Rule("group_meetings", Meeting.Kind.GROUP_MEETING, "month"),
    "party_lecture": Rule("party_lecture", Meeting.Kind.PARTY_LECTURE, "quarter"),
    "theme_day": Rule("theme_day", Meeting.Kind.THEME_DAY, "month"),
}


def rules_in_force(quarter: Quarter | str) -> dict[str, Rule]:
    """For each requirement, the latest version effective at or before `quarter` (or the default)."""
    quarter = quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)
    rules = dict(DEFAULT_RULES)
    versions = RequirementRule.objects.order_by("key", "effective_from")
    for version in versions:
        if Quarter.parse(version.effective_from) <= quarter and version.key in rules:
            default = DEFAULT_RULES[version.key]
            rules[version.key] = Rule(
                key=version.key,
                meeting_kind=default.meeting_kind,
                period=version.period,
                enabled=version.enabled,
                min_full_members=version.min_full_members,
            )
    return rules


def exemptions_for(quarter: Quarter | str, branch_ids=None) -> dict[int, set[str]]:
    """branch id → exempted requirement keys for the quarter ("" in the set = all requirements)."""
    qs = Exemption.objects.filter(quarter=str(quarter))
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=list(branch_ids))
    result: dict[int, set[str]] = {}
    for branch_id, key in qs.values_list("branch_id", "key"):
        result.setdefault(branch_id, set()).add(key)
    return result


def is_exempt(exempted: set[str] | None, key: str) -> bool:
    return bool(exempted) and ("" in exempted or key in exempted)
