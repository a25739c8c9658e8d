"""Health checks from the 支部工作条例 rules of thumb (domain.md): shown, never enforced."""
import datetime

from django.db.models import Count, Q


def member_counts(org_ids) -> dict[int, dict]:
    """Active members and full members per branch id, in one query."""
    from members.models import Member

    rows = (
        Member.objects.active()
        .filter(branch_id__in=list(org_ids))
        .values("branch_id")
        .annotate(total=Count("id"), full=Count("id", filter=Q(category=Member.Category.FULL)))
    )
    return {r["branch_id"]: {"total": r["total"], "full": r["full"]} for r in rows}


def subtree_member_counts(orgs) -> dict[int, int]:
    """Active members under each of `orgs` (its whole subtree), in one query."""
    from members.models import Member

    per_branch = dict(
        Member.objects.active().values_list("branch__path").annotate(n=Count("id")).order_by()
    )
    return {
        org.pk: sum(n for path, n in per_branch.items() if path.startswith(org.path))
        for org in orgs
    }


def health_flags(org, counts: dict | None, today: datetime.date | None = None) -> list[str]:
    if not org.is_branch:
        return []
    today = today or datetime.date.today()
    counts = counts or {"total": 0, "full": 0}
    flags = []
    if counts["full"] < 3:
        flags.append(f"正式党员 {counts['full']} 人，少于 3 人（支部一般应有 3 名以上正式党员）")
    if counts["total"] > 50:
        flags.append(f"党员 {counts['total']} 人，超过 50 人（可考虑分设支部或成立党总支）")
    if counts["full"] >= 7 and not org.has_committee:
        flags.append(f"正式党员 {counts['full']} 人（≥7），应设支部委员会，但尚未登记")
    ends = org.committee_term_ends_on()
    if org.has_committee and ends and ends < today:
        flags.append(f"支部委员会任期已于 {ends:%Y年%m月%d日} 届满，应按期换届")
    return flags
