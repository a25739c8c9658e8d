"""Roster pages. Every queryset starts from visible_to; writes go through members.actions."""
from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import audit
from accounts.policy import Right, policy_for
from branches.access import can_change, get_visible_org, require_change, scope_roots
from branches.models import Organization
from core.registry import site
from members import actions, official
from members.export import export_roster
from members.forms import EVENT_FORMS, MemberForm, apply_errors, events_for
from members.models import Member, Transfer

PAGE_SIZE = 50
# What the roster's rows show (members/list.html): only these are fetched for its page.
ROSTER_COLUMNS = ("name", "id_number", "sex", "category", "joined_on", "phone", "status",
                  "is_mobile", "is_lost_contact", "branch__name", "group__name")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTS = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "joined": ("joined_on", "pk"),
    "-joined": ("-joined_on", "-pk"),
    "branch": ("branch__path", "name", "pk"),
    "category": ("category", "name", "pk"),
}
FILTER_KEYS = ("q", "category", "status", "group", "mobile", "sort")


# ----------------------------------------------------------------------------- helpers

def _org_from_request(request) -> Organization | None:
    code = (request.GET.get("org") or "").strip()
    if code:
        return get_visible_org(request.user, code=code)
    roots = scope_roots(request.user)
    return roots[0] if len(roots) == 1 else None


def _visible_member(request, pk) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(request.user).select_related("branch", "group"), pk=pk
    )


def _changeable_member(request, pk) -> Member:
    member = _visible_member(request, pk)
    require_change(request.user, member.branch)
    return member


def _filtered(request, org):
    members = Member.objects.visible_to(request.user)
    if org is not None and org.is_group:
        members = members.filter(group=org)
    elif org is not None:
        members = members.in_subtree(org)
    params = request.GET
    query = _search_text(request)
    if query:
        condition = Q(name__icontains=query) | Q(phone__contains=query)
        if len(query) >= 4 and query[:-1].isdigit():
            condition |= Q(id_number__endswith=query.upper())
        members = members.filter(condition)
    if params.get("category") in Member.Category.values:
        members = members.filter(category=params["category"])
    status = params.get("status")
    if status in Member.Status.values:
        members = members.filter(status=status)
    elif status != "all":
        members = members.on_roster()
    group = params.get("group") or ""
    if group.isdigit() and int(group) < 2**31:  # a larger number names no group (not a 500)
        members = members.filter(group_id=int(group))
    if params.get("mobile") == "1":
        members = members.filter(is_mobile=True)
    elif params.get("mobile") == "0":
        members = members.filter(is_mobile=False)
    elif params.get("mobile") == "lost":
        members = members.filter(is_lost_contact=True)
    sort = SORTS.get(params.get("sort") or "", ("branch__path", "name", "pk"))
    return members.order_by(*sort)


FULL_ID_TYPED = re.compile(r"\d{17}[\dXx]")


def _search_text(request) -> str:
    """The search box's text; a full ID number is dropped (the box holds 17 characters, so only a
    hand-made URL carries one, and it must not be echoed back or searched for)."""
    query = (request.GET.get("q") or "").strip()
    return "" if FULL_ID_TYPED.search(query) else query


def _filters(request) -> dict:
    filters = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    if "q" in filters and not _search_text(request):
        del filters["q"]
    return filters


def _may_see_full_ids(user, org) -> bool:
    """Staff, org admins and secretaries may; auditors (read-only roles) may not."""
    return org is not None and can_change(user, org)


# ------------------------------------------------------------------------------- pages

@require_GET
def member_list(request):
    org = _org_from_request(request)
    if (request.GET.get("q") or "").strip() and not _search_text(request):
        messages.warning(request, "请勿输入完整的公民身份号码：按身份证号查找请输入后 4–6 位。")
    members = _filtered(request, org).select_related("branch", "group").only(*ROSTER_COLUMNS)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = []
    if org is not None:
        groups = Organization.objects.subtree(org).groups().order_by("path")
    querystring = request.GET.copy()
    querystring.pop("page", None)
    if not _search_text(request):
        querystring.pop("q", None)
    changeable = org is not None and can_change(request.user, org)
    context = {
        "org": org,
        "page": page,
        "groups": groups,
        "filters": _filters(request),
        "querystring": querystring.urlencode(),
        "can_change": changeable,
        "full_export": _may_see_full_ids(request.user, org),
        "branch_groups": (
            org.children.filter(kind=Organization.Kind.GROUP).order_by("path")
            if changeable and org.is_branch else []
        ),
        "categories": Member.Category.choices,
        "statuses": Member.Status.choices,
        "pending_transfers": (
            Transfer.objects.visible_to(request.user).pending().count() if org is not None else 0
        ),
    }
    return render(request, "members/list.html", context)


@require_GET
def member_export(request):
    org = _org_from_request(request)
    if org is None:
        messages.error(request, "请先选择要导出的党组织。")
        return redirect("members:member-list")
    masked = not _may_see_full_ids(request.user, org)
    members = _filtered(request, org)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="roster-{org.code}.xlsx"'
    export_roster(members, response, org=org, by=request.user, masked=masked,
                  filters=_filters(request))
    return response


def _xlsx_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def official_export(request):
    """党员信息采集表 of the chosen organization's subtree; IDs masked unless the role may reveal."""
    org = _org_from_request(request)
    if org is None or org.is_group:
        messages.error(request, "请先选择要导出的党组织（党支部或其上级）。")
        return redirect("members:member-list")
    masked = not policy_for(request.user).allows(Right.REVEAL_ID, org)
    response = _xlsx_response(f"official-members-{org.code}.xlsx")
    official.export_members(org, response, by=request.user, masked=masked)
    return response


@require_GET
def official_org_export(request):
    """The 党组织 sheet of the chosen organization's subtree (no personal data)."""
    org = _org_from_request(request)
    if org is None or org.is_group:
        messages.error(request, "请先选择要导出的党组织（党支部或其上级）。")
        return redirect("members:member-list")
    response = _xlsx_response(f"official-organizations-{org.code}.xlsx")
    official.export_organizations(org, response)
    return response


@require_GET
def member_detail(request, pk):
    member = _visible_member(request, pk)
    return _render_detail(request, member)


def _render_detail(request, member, *, full_id=False, open_kind=None, form=None, status=200):
    """The member's page: facts, history, and a menu of the actions that apply now.

    One action at a time: `open_kind` names the one whose form is open (from the menu, or sent
    back with its errors). Dates start empty: 出党 and 去世 are never one click from today.
    """
    changeable = can_change(request.user, member.branch)
    kinds = events_for(member) if changeable else []
    open_form = None
    if open_kind is not None:
        open_form = (open_kind, EVENT_FORMS[open_kind][0],
                     form or EVENT_FORMS[open_kind][1](prefix=open_kind))
    context = {
        "member": member,
        "full_id": full_id,
        "can_change": changeable,
        "can_reveal": changeable,
        "event_menu": [(kind, EVENT_FORMS[kind][0]) for kind in kinds],
        "open_form": open_form,
        "events": member.events.select_related("from_branch", "to_branch", "recorded_by").order_by(
            "-date", "-recorded_at"),
        "memberships": member.memberships.select_related("branch").order_by("-started_on"),
        "transfers": member.transfers.select_related("from_branch", "to_branch").order_by("-created_at"),
        "links": [link for entry in site().member_links for link in entry.run(member, request.user)],
    }
    return render(request, "members/detail.html", context, status=status)


@require_POST
def member_reveal_id(request, pk):
    member = _visible_member(request, pk)
    if not can_change(request.user, member.branch):
        raise PermissionDenied("您的角色不能查看完整的公民身份号码。")
    audit(request.user, "member.reveal_id", organization=member.branch,
          target=f"{member.name}（{member.masked_id_number}）", member_id=member.pk)
    return _render_detail(request, member, full_id=True)


@require_http_methods(["GET", "POST"])
def member_create(request):
    code = (request.GET.get("org") or "").strip()
    branch = get_visible_org(request.user, code=code) if code else None
    if branch is None or not branch.is_branch:
        messages.error(request, "请从党支部的花名册页面登记党员。")
        return redirect("members:member-list")
    require_change(request.user, branch)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = actions.create_member(form.data_for_actions(), branch=branch, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记党员 {member.name}。")
            return redirect("members:member-detail", pk=member.pk)
    return render(request, "members/form.html", {"form": form, "branch": branch, "member": None})


@require_http_methods(["GET", "POST"])
def member_edit(request, pk):
    member = _changeable_member(request, pk)
    initial = {name: getattr(member, name) for name in actions.EDITABLE_FIELDS if name != "id_number"}
    # Opening the form is not a reveal: it shows the masked ID, and the masked ID sent back means
    # "unchanged". A correction is typed in full.
    initial["id_number"] = member.masked_id_number
    # The birth date is the ID's hidden middle: shown beside the masked number it would give the
    # number back. Left blank, it stays the date the (unchanged or corrected) number says.
    initial["birth_date"] = None
    initial.update(
        is_lost_contact=member.is_lost_contact,
        party_post=member.party_post,
        reporting_community=member.reporting_community if member.reporting_community_id else None,
    )
    form = MemberForm(request.POST or None, initial=initial, editing=True, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_actions()
        if (data.get("id_number") or "").strip() == member.masked_id_number:
            data["id_number"] = member.id_number
        if data.get("birth_date") is None and data.get("id_number", member.id_number) == member.id_number:
            data["birth_date"] = member.birth_date
        try:
            actions.update_member(member, data, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("members:member-detail", pk=member.pk)
    context = {"form": form, "branch": member.branch, "member": member}
    return render(request, "members/form.html", context)


@require_http_methods(["GET", "POST"])
def member_event(request, pk, kind):
    """GET opens one action's form on the member's page; POST records it through the action."""
    member = _changeable_member(request, pk)
    if kind not in EVENT_FORMS:
        raise Http404
    label, form_class = EVENT_FORMS[kind]
    if request.method == "GET":
        if kind not in events_for(member):
            messages.error(request, f"{member.name}当前的状态不能办理{label}。")
            return _render_detail(request, member)
        return _render_detail(request, member, open_kind=kind)
    form = form_class(request.POST, prefix=kind, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        common = {"on": data["on"], "by": request.user, "note": data.get("note", "")}
        try:
            if kind == "transfer":
                to_branch = data["to_branch"]
                transfer = actions.transfer_out(member, to_branch, **common)
                if transfer.status == Transfer.Status.PENDING:
                    messages.success(request, f"已发起转接，等待{to_branch.name}接收。")
                else:
                    messages.success(request, f"已转入{to_branch.name}。")
                return redirect(_after_event(request, member))
            if kind == "extend":
                actions.extend_probation(member, until=data["until"], **common)
            elif kind == "flow_out":
                actions.flow_out(member, destination=data["destination"], **common)
            else:
                getattr(actions, {"flow_in": "flow_in", "suspend": "suspend",
                                  "restore": "restore", "leave": "leave", "decease": "decease"}[kind])(
                    member, **common)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已办理{label}。")
            return redirect(_after_event(request, member))
    # The reasons go to the top of the page, where the eye lands after the reload; the form
    # stays open below with what was typed.
    reasons = [str(e) for e in form.non_field_errors()] + [
        f"{form.fields[name].label}：{error}"
        for name, errors in form.errors.items() if name != "__all__" for error in errors
    ]
    messages.error(request, f"未能办理{label}：" + "；".join(reasons))
    member.refresh_from_db()
    return _render_detail(request, member, open_kind=kind, form=form, status=400)


def _after_event(request, member) -> str:
    if Member.objects.visible_to(request.user).filter(pk=member.pk).exists():
        return reverse("members:member-detail", args=[member.pk])
    return reverse("members:transfer-list")


@require_POST
def member_assign_group(request):
    org = get_visible_org(request.user, code=(request.POST.get("org") or "").strip())
    require_change(request.user, org)
    group_id = request.POST.get("group") or ""
    group = None
    if group_id:
        group = get_object_or_404(
            Organization.objects.changeable_by(request.user).groups(), pk=group_id
        )
    ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
    members = list(Member.objects.changeable_by(request.user).in_subtree(org).filter(pk__in=ids))
    try:
        changed = actions.assign_group(members, group, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已调整 {changed} 名党员的党小组。")
    return redirect(f"{reverse('members:member-list')}?org={org.code}")


@require_GET
def transfer_list(request):
    transfers = Transfer.objects.visible_to(request.user).select_related(
        "member", "from_branch", "to_branch"
    )
    changeable = set(Organization.objects.changeable_by(request.user).values_list("pk", flat=True)) \
        if transfers.pending().exists() else set()
    rows = []
    for t in transfers[:200]:
        rows.append({
            "transfer": t,
            "can_accept": t.status == Transfer.Status.PENDING and t.to_branch_id in changeable,
            "can_withdraw": t.status == Transfer.Status.PENDING and t.from_branch_id in changeable,
        })
    return render(request, "members/transfers.html", {"rows": rows})


@require_POST
def transfer_decide(request, pk, decision):
    transfer = get_object_or_404(Transfer.objects.visible_to(request.user), pk=pk)
    try:
        if decision == "accept":
            actions.accept_transfer(transfer, by=request.user)
            messages.success(request, f"已接收 {transfer.member.name} 的组织关系。")
        elif decision == "refuse":
            actions.refuse_transfer(transfer, by=request.user, note=request.POST.get("note", ""))
            messages.success(request, "已退回该转接。")
        elif decision == "withdraw":
            actions.withdraw_transfer(transfer, by=request.user)
            messages.success(request, "已撤回该转接。")
        else:
            return HttpResponse(status=404)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("members:transfer-list")
