"""What the roster tells about an organization: member counts beside it in the tree, and the
支部工作条例's rules of thumb (domain.md) as health flags — shown, never enforced."""
from django.db.models import Count, Q

from core.cache import cached
from members.models import Member


def _per_branch(branch_ids) -> dict[int, dict]:
    """Active members and full members per branch id, in one query."""
    rows = (
        Member.objects.active()
        .filter(branch_id__in=list(branch_ids))
        .values("branch_id")
        .annotate(total=Count("id"), full=Count("id", filter=Q(category=Member.Category.FULL)))
    )
    return {r["branch_id"]: {"total": r["total"], "full": r["full"]} for r in rows}


def _per_subtree(full_only: bool) -> dict[str, int]:
    """Active (or full) members under each organization path (its whole subtree), for the whole
    tree: one aggregate per branch, summed up to every ancestor once, cached until a member or
    the tree changes (core.cache). A page then looks each organization up instead of scanning
    every branch for each organization it shows."""

    def count():
        members = Member.objects.active()
        if full_only:
            members = members.filter(category=Member.Category.FULL)
        per_branch = members.values_list("branch__path").annotate(n=Count("id")).order_by()
        totals: dict[str, int] = {}
        for path, n in per_branch:
            if not path:
                continue
            end = path.find("/")
            while end != -1:  # "1/2/3/" counts for "1/", "1/2/" and "1/2/3/"
                prefix = path[:end + 1]
                totals[prefix] = totals.get(prefix, 0) + n
                end = path.find("/", end + 1)
        return totals

    return cached(f"members-per-subtree:{int(full_only)}", ("members", "tree"), count)


def _subtree_counts(orgs, full_only: bool) -> dict[int, int]:
    per_subtree = _per_subtree(full_only)
    return {org.pk: per_subtree.get(org.path, 0) for org in orgs}


def subtree_members(orgs) -> dict[int, int]:
    """Active members under each of `orgs` (its whole subtree), in one query."""
    return _subtree_counts(orgs, full_only=False)


def subtree_full_members(orgs) -> dict[int, int]:
    return _subtree_counts(orgs, full_only=True)


def roster_flags(orgs, today) -> dict[int, list[str]]:
    """A branch with fewer than 3 full members, more than 50 members, or 7 full members and no
    committee registered."""
    branches = [o for o in orgs if o.is_branch]
    counts = _per_branch(o.pk for o in branches)
    flags = {}
    for org in branches:
        c = counts.get(org.pk, {"total": 0, "full": 0})
        found = []
        if c["full"] < 3:
            found.append(f"正式党员 {c['full']} 人，少于 3 人（支部一般应有 3 名以上正式党员）")
        if c["total"] > 50:
            found.append(f"党员 {c['total']} 人，超过 50 人（可考虑分设支部或成立党总支）")
        if c["full"] >= 7 and not org.has_committee:
            found.append(f"正式党员 {c['full']} 人（≥7），应设支部委员会，但尚未登记")
        if found:
            flags[org.pk] = found
    return flags
