from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from accounts.models import AuditLog, Role
from accounts.policy import is_staff_user, policy_for
from branches.models import Organization


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


def home(request):
    """Send each user to their working page: secretaries to their branch, others to the dashboard."""
    policy = policy_for(request.user)
    if not policy.has_role:
        return render(request, "accounts/no_role.html")
    if policy.only_secretary:
        targets = ["reports:secretary-home", "branches:tree"]
    else:
        targets = ["reports:dashboard", "branches:tree"]
    for name in targets:
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return redirect("branches:tree")


@require_GET
def audit_log(request):
    """The audit trail, read-only: staff see all of it; other upper roles their subtree's."""
    user = request.user
    roles = Role.for_user(user)
    if not is_staff_user(user) and not any(r.kind != Role.Kind.SECRETARY for r in roles):
        raise PermissionDenied("只有组织部和党组织管理员、审计可以查看操作记录。")
    entries = AuditLog.objects.select_related("actor", "organization")
    if not is_staff_user(user):
        entries = entries.filter(organization__in=Organization.objects.visible_to(user))
    action = request.GET.get("action", "").strip()
    query = request.GET.get("q", "").strip()
    if action:
        entries = entries.filter(action=action)
    if query:
        entries = entries.filter(Q(target__icontains=query) | Q(actor__username=query))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    actions = AuditLog.objects.order_by().values_list("action", flat=True).distinct()
    return render(request, "accounts/audit_log.html", {
        "page": page, "action": action, "query": query, "actions": sorted(set(actions)),
    })
