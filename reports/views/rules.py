"""Requirement settings (组织部 staff) and per-branch exemptions (staff and upper levels)."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.policy import Right, policy_for
from branches.access import get_visible_org
from branches.models import Organization
from core.quarters import Quarter
from core.views import say_refused
from reports import actions
from reports.forms import ExemptionForm, RuleVersionForm
from reports.models import Exemption, RequirementRule
from reports.rules import DEFAULT_RULES, RULE_KEYS, rules_in_force


def _require_staff(user):
    if not policy_for(user).is_staff:
        raise PermissionDenied("只有组织部管理员可以修改考核要求。")


@require_http_methods(["GET", "POST"])
def rule_list(request):
    """The requirement table in force now and next quarter, its versions, and a form for a new one."""
    _require_staff(request.user)
    form = RuleVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_rule_version(
                key=data["key"], effective_from=data["effective_from"], enabled=data["enabled"],
                period=data["period"], min_full_members=data["min_full_members"], by=request.user,
            )
            messages.success(request, f"已保存，自{data['effective_from'].label}起生效；此前的季度不受影响。")
            return redirect("reports:rule-list")
        except (actions.ActionRefused, ValidationError) as exc:
            say_refused(request, exc)
    current = Quarter.current()
    in_force = rules_in_force(current)
    upcoming = rules_in_force(current.next())
    rows = [
        {"key": k, "label": RequirementRule.Key(k).label, "now": in_force[k], "next": upcoming[k],
         "default": DEFAULT_RULES[k]}
        for k in RULE_KEYS
    ]
    return render(request, "reports/rule_list.html", {
        "form": form, "rows": rows, "current": current, "next": current.next(),
        "versions": RequirementRule.objects.select_related("changed_by").order_by("key", "effective_from"),
        "periods": dict(RequirementRule.Period.choices),
    })


@require_http_methods(["GET", "POST"])
def exemption_list(request):
    """Exemptions of the branches below the user's level; add one with a reason."""
    user = request.user
    policy = policy_for(user)
    if not policy.is_upper:
        raise PermissionDenied("豁免由上级党组织或组织部设置。")
    if request.method == "POST" and policy.scope(Right.REVIEW).empty:
        raise PermissionDenied("您只有查看权限。")
    form = ExemptionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        branch = get_visible_org(user, code=data["branch"].code)
        try:
            actions.add_exemption(branch, quarter=data["quarter"], key=data["key"],
                                  reason=data["reason"], by=user)
            messages.success(request, f"已为{branch.name}设置{data['quarter'].label}的豁免。")
            return redirect("reports:exemption-list")
        except (actions.ActionRefused, ValidationError) as exc:
            say_refused(request, exc)
    exemptions = Exemption.objects.filter(
        branch__in=Organization.objects.visible_to(user)
    ).select_related("branch", "created_by").order_by("-quarter", "branch__path")[:500]
    for exemption in exemptions:
        exemption.removable = policy.allows(Right.REVIEW, exemption.branch)
    return render(request, "reports/exemption_list.html", {
        "form": form, "exemptions": exemptions,
        "can_exempt": not policy.scope(Right.REVIEW).empty,  # the same question as the POST's
    })


@require_POST
def exemption_delete(request, pk):
    exemption = get_object_or_404(
        Exemption.objects.filter(branch__in=Organization.objects.visible_to(request.user))
        .select_related("branch"),
        pk=pk,
    )
    try:
        actions.remove_exemption(exemption, by=request.user)
        messages.success(request, "已取消豁免。")
    except actions.ActionRefused as exc:
        say_refused(request, exc)
    return redirect("reports:exemption-list")
