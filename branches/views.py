from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import can_change, get_visible_org, scope_roots
from branches.health import health_flags, member_counts, subtree_member_counts
from branches.models import Organization


def _with_counts(orgs):
    orgs = list(orgs)
    counts = subtree_member_counts(orgs)
    child_counts = dict(
        Organization.objects.filter(parent__in=orgs)
        .values_list("parent_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org in orgs:
        org.member_count = counts.get(org.pk, 0)
        org.child_count = child_counts.get(org.pk, 0)
    return orgs


@require_GET
def tree(request):
    """The organization tree of the user's scope; deeper levels load when expanded."""
    roots = _with_counts(scope_roots(request.user))
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        found = list(
            Organization.objects.visible_to(request.user)
            .filter(name__icontains=query)
            .order_by("path")[:50]
        ) + list(Organization.objects.visible_to(request.user).filter(code=query)[:1])
    return render(request, "branches/tree.html", {"roots": roots, "query": query, "found": found})


@require_GET
def children(request, code):
    """htmx fragment: the children of one organization."""
    org = get_visible_org(request.user, code=code)
    kids = _with_counts(org.children.order_by("path"))
    return render(request, "branches/_children.html", {"nodes": kids})


@require_GET
def detail(request, code):
    org = get_visible_org(request.user, code=code)
    kids = _with_counts(org.children.order_by("path"))
    visible = Organization.objects.visible_to(request.user)
    ancestors = [a for a in org.ancestors() if visible.filter(pk=a.pk).exists()]
    counts = member_counts([org.pk]).get(org.pk) if org.is_branch else None
    subtree = Organization.objects.subtree(org)
    branch_ids = list(subtree.branches().values_list("id", flat=True))
    all_counts = member_counts(branch_ids)
    flagged = []
    if not org.is_branch:
        for branch in subtree.branches().order_by("path"):
            flags = health_flags(branch, all_counts.get(branch.pk))
            if flags:
                flagged.append((branch, flags))
    context = {
        "org": org,
        "children": kids,
        "ancestors": ancestors,
        "counts": counts,
        "flags": health_flags(org, counts),
        "flagged_branches": flagged[:100],
        "branch_count": len(branch_ids),
        "member_total": sum(c["total"] for c in all_counts.values()),
        "can_change": can_change(request.user, org),
    }
    return render(request, "branches/detail.html", context)

