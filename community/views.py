"""Pages of 群众诉求 and 双报到. Every queryset starts from the user's scope; every write goes
through community.actions; out of scope is 404, read-only roles get 403."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, policy_for
from branches.access import get_org, scope_roots
from branches.models import Organization
from community import actions
from community.export import export_demands, export_registrations
from community.figures import KEYS, LABELS, summarize
from community.forms import (
    STEP_FORMS,
    ClaimForm,
    ConfirmForm,
    DemandForm,
    PostForm,
    RegistrationForm,
    RuleForm,
)
from community.models import DeadlineRule, Demand, Registration, Service, ServicePost
from community.queries import (
    demands_for,
    home_members,
    posts_of,
    reported_to,
    services_of,
    total_hours,
)
from core.cache import cached, digest
from core.quarters import Quarter
from members.forms import apply_errors
from members.models import Member

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_FILTERS = {"open": "未办结", "overdue": "已超期", "closed": "已办结", "all": "全部"}


# ----------------------------------------------------------------------------- helpers

def _org(request, *, default_root: bool = True) -> Organization | None:
    """The organization the page is about (?org=CODE, 404 out of scope), else the user's root."""
    code = (request.GET.get("org") or "").strip()
    if code:
        return get_org(request.user, code=code)[0]
    roots = scope_roots(request.user)
    if len(roots) == 1 or (default_root and roots):
        return roots[0]
    return None


def _quarter(request) -> Quarter:
    try:
        return Quarter.parse((request.GET.get("quarter") or "").strip())
    except ValueError:
        return Quarter.current()


def _say(request, exc) -> None:
    messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


def _form_errors(form) -> str:
    return "；".join(f"{form.fields[name].label if name in form.fields else ''}：{' '.join(errors)}"
                     .lstrip("：") for name, errors in form.errors.items())


def _demand(request, pk) -> Demand:
    return get_object_or_404(demands_for(request.user), pk=pk)


def _require_change(user, demand: Demand) -> None:
    if not actions.may_change(user, demand):
        raise PermissionDenied("您对该诉求只有查看权限。")


def overdue_badge(request) -> int | None:
    """The menu's count: open demands past their deadline that the user may act on."""
    policy = policy_for(request.user)
    if not policy.may_change_anything:
        return None
    today = timezone.localdate()
    mine = Organization.objects.changeable_by(request.user)

    def count():
        return Demand.objects.open().filter(deadline__lt=today).filter(
            Q(handler__in=mine) | Q(received_by__in=mine)).count()

    # Cached for the organizations the user may change, until a demand or the tree changes.
    return cached(f"overdue-demands:{today}:{digest(policy.scope(Right.CHANGE))}",
                  (actions.DEMANDS, "tree"), count) or None


# ------------------------------------------------------------------------------- demands

@require_GET
def demands(request):
    org = _org(request, default_root=False)
    today = timezone.localdate()
    status = request.GET.get("status") or "open"
    if status not in STATUS_FILTERS:
        status = "open"
    found = demands_for(request.user, org)
    if status == "open":
        found = found.open()
    elif status == "overdue":
        found = found.open().filter(deadline__lt=today)
    elif status == "closed":
        found = found.filter(closed_on__isnull=False)
    page = Paginator(found.order_by("-received_on", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rights = policy_for(request.user).rights(org) if org else None
    return render(request, "community/demands.html", {
        "org": org, "page": page, "status": status, "filters": STATUS_FILTERS, "today": today,
        "can_create": bool(org and not org.is_group and rights.change),
        "can_import": bool(org and rights.change),
    })


@require_http_methods(["GET", "POST"])
def demand_create(request):
    code = (request.GET.get("org") or "").strip()
    org = get_org(request.user, code=code)[0] if code else None
    if org is None or org.is_group:
        messages.error(request, "请从党支部（或其上级党组织）的群众诉求页面受理诉求。")
        return redirect("community:demands")
    if not policy_for(request.user).allows(Right.CHANGE, org):
        raise PermissionDenied("您对该党组织只有查看权限。")
    form = DemandForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            demand = actions.receive_demand(form.cleaned_data, received_by=org, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已受理诉求，办理时限 {demand.deadline:%Y-%m-%d}。")
            return redirect("community:demand-detail", pk=demand.pk)
    return render(request, "community/demand_form.html", {"form": form, "org": org},
                  status=400 if request.method == "POST" else 200)


def _step_forms(demand: Demand) -> list[str]:
    if demand.status == Demand.Status.ARCHIVED:
        return []
    if demand.closed_on is None:
        return ["dispatch", "note", "close"]
    steps = [] if demand.visit else ["visit"]
    if actions.may_reopen(demand):
        steps.append("reopen")
    return steps + ["archive"]


def _render_detail(request, demand, *, phone=None, forms=None, status=200):
    may_change = actions.may_change(request.user, demand)
    today = timezone.localdate()
    forms = forms or {}
    step_forms = []
    if may_change:
        for key in _step_forms(demand):
            label, form_class = STEP_FORMS[key]
            step_forms.append((key, label, forms.get(key) or form_class(
                prefix=key, initial={"on": today})))
    policy = policy_for(request.user)
    return render(request, "community/demand_detail.html", {
        "demand": demand, "phone": phone, "may_change": may_change, "step_forms": step_forms,
        "steps": demand.steps.select_related("recorded_by", "organization"),
        "overdue": demand.overdue_on(today),
        "may_reveal": bool(demand.resident_phone) and phone is None and any(
            policy.allows(Right.REVEAL_ID, o) for o in (demand.received_by, demand.handler)),
    }, status=status)


@require_GET
def demand_detail(request, pk):
    return _render_detail(request, _demand(request, pk))


@require_POST
def demand_reveal_phone(request, pk):
    demand = _demand(request, pk)
    phone = actions.reveal_phone(demand, by=request.user)
    return _render_detail(request, demand, phone=phone)


def _find_target(user, ref: str) -> Organization | None:
    ref = (ref or "").strip()
    seen = Organization.objects.visible_to(user)
    return seen.filter(code=ref).first() or (
        seen.filter(name=ref).first() if seen.filter(name=ref).count() == 1 else None)


@require_POST
def demand_step(request, pk, step):
    demand = _demand(request, pk)
    if step not in STEP_FORMS:
        raise Http404
    _require_change(request.user, demand)
    form = STEP_FORMS[step][1](request.POST, prefix=step)
    if not form.is_valid():
        return _render_detail(request, demand, forms={step: form}, status=400)
    data, by = form.cleaned_data, request.user
    try:
        if step == "dispatch":
            to = _find_target(by, data["to"])
            if to is None:
                raise ValidationError(f"在您可见的范围内找不到党组织“{data['to']}”。")
            actions.dispatch_demand(demand, to=to, deadline=data["deadline"], on=data["on"],
                                    note=data["note"], by=by)
        elif step == "note":
            actions.add_note(demand, note=data["note"], on=data["on"], by=by)
        elif step == "close":
            actions.close_demand(demand, on=data["on"], note=data["note"], by=by)
        elif step == "visit":
            actions.record_visit(demand, result=data["result"], on=data["on"], note=data["note"],
                                 by=by)
        elif step == "reopen":
            actions.reopen_demand(demand, on=data["on"], deadline=data["deadline"],
                                  note=data["note"], by=by)
        else:
            actions.archive_demand(demand, on=data["on"], by=by)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _render_detail(request, demand, forms={step: form}, status=400)
    messages.success(request, f"已记录：{STEP_FORMS[step][0]}。")
    return redirect("community:demand-detail", pk=demand.pk)


@require_GET
def figures(request):
    """The §9 figures of an organization's subtree for a quarter, per organization: no names."""
    org = _org(request)
    if org is None:
        raise Http404
    quarter = _quarter(request)
    found = summarize(org, quarter)
    current = Quarter.current()
    return render(request, "community/figures.html", {
        "org": org, "quarter": quarter, "found": found, "keys": KEYS, "labels": LABELS,
        "quarters": [current.previous().previous(), current.previous(), current],
    })


@require_GET
def demands_export(request):
    org = _org(request, default_root=False)
    if org is None:
        messages.error(request, "请先选择要导出的党组织。")
        return redirect("community:demands")
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="demands-{org.code}.xlsx"'
    export_demands(demands_for(request.user, org), response, org=org, by=request.user)
    return response


@require_http_methods(["GET", "POST"])
def rules(request):
    if not policy_for(request.user).is_staff:
        raise PermissionDenied("诉求办理时限由组织部设置。")
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.save_deadline_rule(form.cleaned_data["category"],
                                           form.cleaned_data["days"], by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存办理时限。")
                return redirect("community:rules")
    return render(request, "community/rules.html", {
        "form": form, "rules": DeadlineRule.objects.all(),
    }, status=400 if request.method == "POST" else 200)


# ------------------------------------------------------------------------------- 双报到

def _community(org) -> bool:
    return org.sector == Organization.Sector.COMMUNITY and not org.is_group


@require_GET
def reporting(request):
    """The community's view (who reported to it, its posts) and the home view (its members'
    reports and their service hours), for a quarter. Hours are shown, never ranked."""
    org = _org(request)
    if org is None:
        raise Http404
    quarter = _quarter(request)
    rights = policy_for(request.user).rights(org)
    arrived = list(reported_to(org, quarter))
    ours = list(home_members(org, quarter))
    current = Quarter.current()
    return render(request, "community/reporting.html", {
        "org": org, "quarter": quarter, "arrived": arrived, "ours": ours,
        "arrived_hours": total_hours(arrived), "our_hours": total_hours(ours),
        "posts": posts_of(org, quarter), "rights": rights,
        "can_post": rights.change and _community(org),
        "post_form": PostForm(initial={"date": timezone.localdate(), "places": 1}),
        "can_register": rights.change and org.is_branch,
        "quarters": [current.previous().previous(), current.previous(), current],
        "is_community": Organization.objects.subtree(org).filter(
            sector=Organization.Sector.COMMUNITY).exists(),
    })


@require_http_methods(["GET", "POST"])
def registration_create(request):
    code = (request.GET.get("org") or "").strip()
    branch = get_org(request.user, code=code)[0] if code else None
    if branch is None or not branch.is_branch:
        messages.error(request, "请从党支部的双报到页面登记。")
        return redirect("community:reporting")
    if not policy_for(request.user).allows(Right.CHANGE, branch):
        raise PermissionDenied("您对该党支部只有查看权限。")
    members = Member.objects.filter(branch=branch).active().order_by("name")
    form = RegistrationForm(request.POST or None, members=members,
                            initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ref = data["community"].strip()
        community = Organization.objects.filter(code=ref).first()
        if community is None and Organization.objects.filter(name=ref).count() == 1:
            community = Organization.objects.get(name=ref)
        try:
            registration = actions.register(
                members.get(pk=data["member"]), community=community, on=data["registered_on"],
                interests=data["interests"], by=request.user)
        except ValidationError as exc:
            form.add_error("community", exc)
        else:
            messages.success(request, f"已登记 {registration.member.name} 到{community.name}报到。")
            return redirect(f"{reverse('community:reporting')}?org={branch.code}")
    return render(request, "community/registration_form.html", {"form": form, "branch": branch},
                  status=400 if request.method == "POST" else 200)


@require_POST
def registration_end(request, pk):
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("member__branch",
                                                                     "community"), pk=pk)
    policy = policy_for(request.user)
    if not (policy.allows(Right.CHANGE, registration.member.branch)
            or policy.allows(Right.CHANGE, registration.community)):
        raise PermissionDenied("您对该双报到记录只有查看权限。")
    try:
        actions.end_registration(registration, on=timezone.localdate(), by=request.user)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, f"已结束 {registration.member.name} 的双报到。")
    side = registration.community if policy.allows(Right.SEE, registration.community) \
        else registration.member.branch
    return redirect(f"{reverse('community:reporting')}?org={side.code}")


@require_GET
def reporting_export(request):
    org = _org(request, default_root=False)
    if org is None:
        messages.error(request, "请先选择要导出的党组织。")
        return redirect("community:reporting")
    quarter = _quarter(request)
    rows = {r.pk: r for r in [*reported_to(org, quarter), *home_members(org, quarter)]}
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="reporting-{org.code}.xlsx"'
    export_registrations(list(rows.values()), response, org=org, by=request.user, quarter=quarter)
    return response


@require_POST
def post_create(request):
    code = (request.GET.get("org") or request.POST.get("org") or "").strip()
    community, rights = get_org(request.user, need=Right.CHANGE, code=code) if code else (None, None)
    if community is None:
        raise Http404
    form = PostForm(request.POST)
    target = f"{reverse('community:reporting')}?org={community.code}"
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(target)
    try:
        post = actions.create_post(community, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _say(request, exc)
        return redirect(target)
    messages.success(request, f"已发布服务岗位：{post.title}。")
    return redirect("community:post-detail", pk=post.pk)


def _post(request, pk) -> ServicePost:
    return get_object_or_404(
        ServicePost.objects.filter(community__in=Organization.objects.visible_to(request.user))
        .select_related("community"), pk=pk)


@require_GET
def post_detail(request, pk):
    post = _post(request, pk)
    may_change = policy_for(request.user).allows(Right.CHANGE, post.community)
    claimed = {s.registration_id for s in post.services.all()}
    registrations = Registration.objects.active().filter(community=post.community).exclude(
        pk__in=claimed).select_related("member").order_by("member__name")
    return render(request, "community/post_detail.html", {
        "post": post, "services": services_of(post), "may_change": may_change,
        "claim_form": ClaimForm(registrations=registrations) if may_change else None,
        "confirm_form": ConfirmForm(initial={"on": timezone.localdate(), "hours": 2}),
    })


@require_POST
def post_claim(request, pk):
    post = _post(request, pk)
    if not policy_for(request.user).allows(Right.CHANGE, post.community):
        raise PermissionDenied("您对该社区党组织只有查看权限。")
    registrations = Registration.objects.active().filter(community=post.community) \
        .select_related("member")
    form = ClaimForm(request.POST, registrations=registrations)
    if not form.is_valid():
        messages.error(request, "请选择在本社区报到的党员。")
    else:
        try:
            actions.claim_post(post, registrations.get(pk=form.cleaned_data["registration"]),
                               by=request.user)
        except ValidationError as exc:
            _say(request, exc)
        else:
            messages.success(request, "已记录认领。")
    return redirect("community:post-detail", pk=post.pk)


@require_POST
def service_confirm(request, pk):
    service = get_object_or_404(
        Service.objects.filter(post__community__in=Organization.objects.visible_to(request.user))
        .select_related("post__community"), pk=pk)
    if not policy_for(request.user).allows(Right.CHANGE, service.post.community):
        raise PermissionDenied("您对该社区党组织只有查看权限。")
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
    else:
        try:
            actions.confirm_service(service, hours=form.cleaned_data["hours"],
                                    on=form.cleaned_data["on"], by=request.user)
        except ValidationError as exc:
            _say(request, exc)
        else:
            messages.success(request, "已确认服务时长。")
    return redirect("community:post-detail", pk=service.post_id)
