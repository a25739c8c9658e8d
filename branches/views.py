from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import is_staff_user
from branches.access import can_change, get_changeable_org, get_visible_org, scope_roots
from branches.actions import create_organization, may_change_structure, update_organization
from branches.forms import EDITABLE, OrganizationForm
from branches.health import figures_for, flags_for
from branches.models import Organization
from branches.pickers import suggestions


def _with_counts(orgs):
    """Each organization with its registered figures (党员 12 …) and its number of children."""
    orgs = list(orgs)
    figures = figures_for(orgs)
    child_counts = dict(
        Organization.objects.filter(parent__in=orgs)
        .values_list("parent_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for org in orgs:
        org.figures = [
            {"label": label, "unit": unit, "value": values.get(org.pk, 0)}
            for label, unit, values in figures
        ]
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
    ancestors = org.ancestors().filter(pk__in=Organization.objects.visible_to(request.user))
    today = timezone.localdate()
    [org] = _with_counts([org])
    branches = list(Organization.objects.subtree(org).branches().order_by("path"))
    flagged = []
    if not org.is_branch:
        flags = flags_for(branches, today)
        flagged = [(branch, flags[branch.pk]) for branch in branches if branch.pk in flags]
    context = {
        "org": org,
        "children": kids,
        "ancestors": ancestors,
        "flags": flags_for([org], today).get(org.pk, []),
        "flagged_branches": flagged[:100],
        "branch_count": len(branches),
        "can_change": can_change(request.user, org),
    }
    return render(request, "branches/detail.html", context)


@require_http_methods(["GET", "POST"])
def edit(request, code):
    org = get_changeable_org(request.user, code=code)
    parents = Organization.objects.changeable_by(request.user).exclude(kind=Organization.Kind.GROUP)
    if org.parent_id and not parents.filter(pk=org.parent_id).exists():
        parents = parents | Organization.objects.filter(pk=org.parent_id)
    # The form validates on a copy: a ModelForm writes the posted values into its instance,
    # and update_organization must compare them with the organization as stored.
    form = OrganizationForm(
        request.POST or None, instance=Organization.objects.get(pk=org.pk), parents=parents,
        structure=may_change_structure(request.user, org),
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EDITABLE}
        if fields["parent"] is None and org.parent_id and not is_staff_user(request.user):
            form.add_error("parent", "只有组织部管理员可以设置顶层组织。")
        else:
            try:
                update_organization(org, by=request.user, **fields)
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(request, "已保存。")
                return redirect("branches:org-detail", code=org.code)
    return render(request, "branches/edit.html", {"form": form, "org": org})


@require_http_methods(["GET", "POST"])
def create_child(request, code):
    parent = get_changeable_org(request.user, code=code)
    if parent.is_group:
        raise PermissionDenied("党小组下不能再设下级组织。")
    parents = Organization.objects.changeable_by(request.user).exclude(kind=Organization.Kind.GROUP)
    form = OrganizationForm(
        request.POST or None, instance=Organization(parent=parent, sector=parent.sector),
        parents=parents,
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in EDITABLE}
        if fields["parent"] is None and not is_staff_user(request.user):
            form.add_error("parent", "请选择上级组织。")
        else:
            try:
                org = create_organization(code=form.cleaned_data["code"], by=request.user, **fields)
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(request, f"已新建 {org.name}。")
                return redirect("branches:org-detail", code=org.code)
    return render(request, "branches/edit.html", {"form": form, "org": None, "parent": parent})


@require_GET
def pick(request):
    """htmx: the <option>s an organization picker suggests, from the user's scope only."""
    params = request.GET
    text = params.get("q") or params.get(params.get("field") or "q") or ""
    orgs = suggestions(request.user, text[:60], kinds=params.get("kinds", "any"),
                       right=params.get("right", "see"))
    return render(request, "branches/_pick.html", {"orgs": orgs})
