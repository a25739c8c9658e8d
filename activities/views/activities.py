"""Other activities (志愿服务, 走访群众 …) with participants and hours; members' study hours."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, policy_for
from activities import actions
from activities.forms import ActivityForm, AttachmentForm
from activities.models import Activity
from activities.studyhours import study_hours_of, summarize
from activities.views.common import (
    branch_for_new_record,
    changeable_branches,
    meeting_orgs,
    say_refused,
)
from branches.access import get_visible_org, require_change
from branches.models import Organization
from core import formtoken
from members.models import Member


def _visible_activities(user):
    return Activity.objects.visible_to(user)


@require_GET
def activity_list(request):
    activities = _visible_activities(request.user)
    org = None
    if request.GET.get("org"):
        org = get_visible_org(request.user, code=request.GET["org"].strip())
        activities = activities.filter(organization__path__startswith=org.path)
    kind = request.GET.get("kind", "")
    if kind in Activity.Kind.values:
        activities = activities.filter(kind=kind)
    activities = activities.select_related("organization").annotate(
        n_participants=Count("participations"), n_hours=Sum("participations__hours")
    ).order_by("-date", "-id")
    page = Paginator(activities, 50).get_page(request.GET.get("page"))
    policy = policy_for(request.user)
    for activity in page:  # read-only roles get no link to a form that would answer 403
        activity.editable = policy.allows(Right.CHANGE, activity.organization)
    return render(request, "activities/activity_list.html", {
        "page": page, "org": org, "kind": kind, "kinds": Activity.Kind.choices,
        "can_create": changeable_branches(request.user).exists(),
    })


@require_http_methods(["GET", "POST"])
def activity_create(request):
    branch, choice = branch_for_new_record(request, noun="活动", target="activities:activity-create")
    if choice is not None:
        return choice
    return _activity_form(request, branch, None)


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = get_object_or_404(_visible_activities(request.user).select_related("branch"), pk=pk)
    require_change(request.user, activity.branch)
    return _activity_form(request, activity.branch, activity)


def _activity_form(request, branch, activity):
    organizations = meeting_orgs(request.user, branch)
    members = list(Member.objects.filter(branch=branch).active().order_by("name", "pk"))
    current = {}
    if activity is not None:
        current = {p.member_id: p.hours for p in activity.participations.all()}
    form = ActivityForm(request.POST or None, instance=activity, organizations=organizations,
                        initial={"organization": branch.pk} if activity is None else None)
    problems = []
    participants = []
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("participant") if v.isdigit()}
        for member in members:
            if member.pk not in chosen:
                continue
            raw = request.POST.get(f"hours_{member.pk}", "").strip() or "0"
            try:
                hours = Decimal(raw)
                if hours < 0 or hours > 999:
                    raise InvalidOperation
            except InvalidOperation:
                problems.append(f"{member.name} 的时长“{raw}”不是有效数字。")
                continue
            participants.append((member.pk, hours))
        current = dict(participants)
        first, earlier = (formtoken.claim(request) if form.is_valid() and not problems
                          and activity is None else (True, None))
        if not first:
            messages.info(request, "该活动已经保存过，未重复保存。")
            return redirect(earlier or f"{_list_url()}?org={branch.code}")
        if form.is_valid() and not problems:
            data = form.cleaned_data
            try:
                actions.save_activity(
                    activity, organization=data["organization"],
                    fields={k: v for k, v in data.items() if k != "organization"},
                    participants=participants, by=request.user,
                )
                messages.success(request, "活动已保存。")
                formtoken.saved(request, f"{_list_url()}?org={branch.code}")
                return redirect(f"{_list_url()}?org={branch.code}")
            except ValidationError as exc:
                formtoken.release(request)
                say_refused(request, exc)
        for problem in problems:
            form.add_error(None, problem)
    rows = [{"member": m, "chosen": m.pk in current, "hours": current.get(m.pk, "")}
            for m in members]
    return render(request, "activities/activity_form.html", {
        "form": form, "activity": activity, "branch": branch, "rows": rows,
        "attachments": activity.attachments.all() if activity else [],
        "attachment_form": AttachmentForm(),
        "form_token": formtoken.token_for(request),
    })


def _list_url():
    from django.urls import reverse

    return reverse("activities:activity-list")


@require_POST
def activity_delete(request, pk):
    activity = get_object_or_404(_visible_activities(request.user).select_related("branch"), pk=pk)
    require_change(request.user, activity.branch)
    actions.delete_activity(activity, by=request.user)
    messages.success(request, "活动已删除。")
    return redirect(f"{_list_url()}?org={activity.branch.code}")


@require_GET
def study_hours(request):
    """Each member's 学时 this year for one branch; for an upper organization, per-branch sums."""
    this_year = timezone.localdate().year
    raw = request.GET.get("year") or ""
    year = int(raw) if raw.isdigit() and 1921 <= int(raw) <= this_year + 1 else this_year
    visible = Organization.objects.visible_to(request.user)
    code = request.GET.get("org", "").strip()
    if code:
        org = get_visible_org(request.user, code=code)
        if org.kind in Organization.UPPER_KINDS:
            return _study_hours_by_branch(request, org, year)
        branch = org.branch
    else:
        branches = list(visible.branches()[:2])
        if len(branches) != 1:
            return render(request, "activities/choose_branch.html", {
                "branches": visible.branches().order_by("path")[:300],
                "target": "activities:study-hours",
            })
        branch = branches[0]
    members = Member.objects.filter(branch=branch).active().order_by("name", "pk")
    rows = study_hours_of(members, year)
    return render(request, "activities/study_hours.html", {
        "branch": branch, "year": year, "rows": rows, "summary": summarize(rows),
    })


def _study_hours_by_branch(request, org, year):
    """One row per branch of the subtree: members, members at target, total and average."""
    branches = list(Organization.objects.subtree(org).branches().order_by("path"))
    members = Member.objects.filter(branch__in=branches).active().only(
        "id", "branch_id", "party_post"
    )
    by_branch: dict[int, list] = {b.pk: [] for b in branches}
    for member, hours in study_hours_of(members, year):
        by_branch[member.branch_id].append((member, hours))
    rows = [(b, summarize(by_branch[b.pk])) for b in branches]
    return render(request, "activities/study_hours_by_branch.html", {
        "org": org, "year": year, "rows": rows, "summary": summarize(
            [r for b in branches for r in by_branch[b.pk]]),
    })
