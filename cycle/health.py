"""The committee flags on an organization's page (domain.md's rules of thumb, never enforced):
a term ending within 180 days, a term ended without a 换届. Replaces the tree's own check, which
read only the organization's election date."""
from __future__ import annotations

from cycle.models import Committee
from cycle.queries import term_of
from cycle.rules import holds_committee, rule


def committee_term_flags(orgs, today) -> dict[int, list[str]]:
    holders = [o for o in orgs if holds_committee(o)]
    latest: dict[int, Committee] = {}
    for committee in Committee.objects.filter(organization__in=[o.pk for o in holders],
                                              elected_on__lte=today).order_by("elected_on"):
        latest[committee.organization_id] = committee
    flags: dict[int, list[str]] = {}
    for org in holders:
        committee = latest.get(org.pk)
        if committee is None and org.committee_elected_on and org.has_committee:
            committee = Committee(organization=org, elected_on=org.committee_elected_on)
        term = term_of(org, committee, today)
        if term.status == "ending":
            flags[org.pk] = [f"委员会任期将于 {term.due_on:%Y年%m月%d日} 届满"
                             f"（{rule('term_ending_days')} 天内），请做好换届准备"]
        elif term.status == "overdue":
            flags[org.pk] = [f"委员会任期已于 {term.due_on:%Y年%m月%d日} 届满，应按期换届"]
    return flags
