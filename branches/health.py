"""Health flags and figures of organizations, gathered from the apps that know them
(core.registry); the flags the tree itself can tell are here too."""
from core.registry import site


def committee_term_flags(orgs, today) -> dict[int, list[str]]:
    flags = {}
    for org in orgs:
        ends = org.committee_term_ends_on() if org.is_branch else None
        if org.is_branch and org.has_committee and ends and ends < today:
            flags[org.pk] = [f"支部委员会任期已于 {ends:%Y年%m月%d日} 届满，应按期换届"]
    return flags


def flags_for(orgs, today) -> dict[int, list[str]]:
    """Every registered health check's flags (core.registry), for many organizations at once."""
    found: dict[int, list[str]] = {}
    for check in site().health_checks:
        for org_id, flags in check.run(orgs, today).items():
            found.setdefault(org_id, []).extend(flags)
    return found


def figures_for(orgs) -> list[tuple]:
    """(label, unit, {org id: value}) of every registered figure (core.registry), in order."""
    return [(f.label, f.unit, f.run(orgs)) for f in site().org_figures]
