"""Account pages: 组织部 staff manage every account, a 党组织管理员 those of their subtree.
Pages start from useradmin.scope (an account outside it is 404; a role without the right 403);
every change is one action in useradmin.actions."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import AuditLog, Role
from accounts.policy import policy_for
from branches.models import Organization
from core.errors import ActionRefused
from core.registry import site
from core.views import say_refused
from useradmin import actions
from useradmin.forms import AccountForm, RoleForm
from useradmin.models import PasswordSheet
from useradmin.scope import accounts_visible_to, check_manageable, manages_accounts


def _require_manager(request) -> None:
    if not manages_accounts(request.user):
        raise PermissionDenied("只有组织部和党组织管理员可以管理账号。")


def _account(request, pk):
    _require_manager(request)
    return get_object_or_404(accounts_visible_to(request.user), pk=pk)


def _roles():
    return Prefetch("roles", queryset=Role.objects.select_related("organization").order_by("kind"))


@require_GET
def account_list(request):
    _require_manager(request)
    accounts = accounts_visible_to(request.user).select_related("account").prefetch_related(
        _roles()).order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                                   | Q(roles__organization__name__icontains=query)
                                   | Q(roles__organization__code=query)).distinct()
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    sheets = PasswordSheet.objects.filter(owner=request.user, shown_at__isnull=True)
    return render(request, "useradmin/account_list.html", {
        "page": page, "query": query, "sheets": sheets,
        "import_org": Organization.objects.allowed(request.user, "manage_accounts")
        .order_by("path").first(),
    })


@require_http_methods(["GET", "POST"])
def account_create(request):
    _require_manager(request)
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sheet = actions.create_account(
                username=data["username"], name=data["name"], phone=data["phone"],
                kind=data["kind"], organization=data["organization"], by=request.user)
        except (ActionRefused, ValidationError) as exc:
            form.add_error(None, exc.message if isinstance(exc, ActionRefused) else exc.messages[0])
        else:
            messages.success(request, f"已创建账号 {data['username']}。初始密码只显示这一次，请打印或抄送本人。")
            return redirect("useradmin:sheet", pk=sheet.pk)
    return render(request, "useradmin/account_form.html", {"form": form})


@require_GET
def account_detail(request, pk):
    account = _account(request, pk)
    try:
        check_manageable(account, request.user)
        may_change, why_not = True, ""
    except ActionRefused as exc:
        may_change, why_not = False, exc.message
    roles = Role.objects.filter(user=account).select_related("organization").order_by("kind")
    history = AuditLog.objects.filter(
        Q(target=account.username) | Q(target__startswith=f"{account.username} ")
    ).select_related("actor")[:30]
    return render(request, "useradmin/account_detail.html", {
        "account": account, "roles": roles, "may_change": may_change, "why_not": why_not,
        "role_form": RoleForm(user=request.user), "history": history,
        "labels": site().audit_labels,
        "profile": getattr(account, "account", None),
    })


def _act(request, pk, change, done: str):
    account = _account(request, pk)
    try:
        result = change(account)
    except (ActionRefused, ValidationError) as exc:
        say_refused(request, exc)
        return redirect("useradmin:account-detail", pk=account.pk)
    if isinstance(result, PasswordSheet):
        messages.success(request, done)
        return redirect("useradmin:sheet", pk=result.pk)
    messages.success(request, done)
    return redirect("useradmin:account-detail", pk=account.pk)


@require_POST
def account_reset(request, pk):
    return _act(request, pk, lambda a: actions.reset_password(a, by=request.user),
                "已重置密码。新的初始密码只显示这一次；该用户下次登录须修改密码。")


@require_POST
def account_active(request, pk):
    active = request.POST.get("active") == "1"
    return _act(request, pk, lambda a: actions.set_active(a, active, by=request.user),
                "已启用账号。" if active else "已停用账号：该用户不能再登录。")


@require_POST
def role_grant(request, pk):
    form = RoleForm(request.POST, user=request.user)

    def grant(account):
        if not form.is_valid():
            raise ValidationError("请选择角色和党组织。")
        return actions.grant_role(account, form.cleaned_data["kind"],
                                  form.cleaned_data["organization"], by=request.user)

    return _act(request, pk, grant, "已授予角色。")


@require_POST
def role_revoke(request, pk):
    _require_manager(request)
    role = get_object_or_404(Role.objects.filter(user__in=accounts_visible_to(request.user))
                             .select_related("user", "organization"), pk=pk)
    return _act(request, role.user_id, lambda a: actions.revoke_role(role, by=request.user),
                "已撤销角色。")


@require_GET
def sheet(request, pk):
    """The initial passwords, once: printable, then wiped."""
    sheet = get_object_or_404(PasswordSheet.objects.filter(owner=request.user), pk=pk)
    rows = actions.show_sheet(sheet, by=request.user)
    return render(request, "useradmin/sheet.html", {"sheet": sheet, "rows": rows})


@require_GET
def audit_log(request):
    """The audit trail, read-only: staff see all of it; other upper roles their subtree's."""
    policy = policy_for(request.user)
    if not policy.is_upper:
        raise PermissionDenied("只有组织部和党组织管理员、审计可以查看操作记录。")
    entries = AuditLog.objects.select_related("actor", "organization")
    if not policy.is_staff:
        entries = entries.filter(organization__in=Organization.objects.visible_to(request.user))
    labels = site().audit_labels
    action = request.GET.get("action", "").strip()
    query = request.GET.get("q", "").strip()
    if action:
        entries = entries.filter(action=action)
    if query:
        entries = entries.filter(Q(target__icontains=query) | Q(actor__username=query))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    codes = AuditLog.objects.order_by().values_list("action", flat=True).distinct()
    choices = sorted(((code, labels.get(code, "其他操作")) for code in set(codes)),
                     key=lambda c: c[1])
    return render(request, "useradmin/audit_log.html", {
        "page": page, "action": action, "query": query, "actions": choices, "labels": labels,
    })

