"""Meeting records: list, create/edit with attendance, detail, submit/return/review, print."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, policy_for
from activities import actions
from activities.attendance import counts_of, roster_for, with_counts
from activities.forms import AttachmentForm, MeetingForm, ReturnForm
from activities.models import Attendance, Meeting, MeetingKind
from activities.views.common import (
    MEETING_ORG_KINDS,
    branch_for_new_record,
    changeable_branches,
    meeting_orgs,
    parse_day,
    say_refused,
    visible_meeting,
)
from branches.access import get_visible_org, require_change
from branches.models import Organization
from core import formtoken
from core.quarters import Quarter
from core.registry import site
from members.models import Member

S = Attendance.Status
PAGE_SIZE = 50
# What the meeting list's rows show (activities/meeting_list.html): only these are fetched, not
# the long texts (agenda, minutes, resolutions) nor the organization's other columns.
LIST_COLUMNS = ("date", "topic", "status", "reviewed_at", "organization__name")


@require_GET
def meeting_list(request):
    """Meetings of the user's scope, or of one organization's subtree (?org=CODE)."""
    user = request.user
    meetings = Meeting.objects.visible_to(user)
    org = None
    if request.GET.get("org"):
        org = get_visible_org(user, code=request.GET["org"].strip())
        meetings = meetings.filter(organization__path__startswith=org.path)
    status = request.GET.get("status", "")
    if status in Meeting.Status.values:
        meetings = meetings.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in Meeting.Kind.values:
        meetings = meetings.filter(kinds__kind=kind)
    quarter = None
    if request.GET.get("quarter"):
        try:
            quarter = Quarter.parse(request.GET["quarter"])
            meetings = meetings.filter(date__range=(quarter.start, quarter.end))
        except ValueError:
            quarter = None
    meetings = with_counts(meetings.select_related("organization").only(*LIST_COLUMNS)).prefetch_related(
        Prefetch("kinds", queryset=MeetingKind.objects.order_by("id"))
    ).order_by("-date", "-id")
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    for meeting in page:
        meeting.counts = counts_of(meeting)
    can_create = changeable_branches(user).exists()
    return render(request, "activities/meeting_list.html", {
        "year_start": timezone.localdate().replace(month=1, day=1),
        "today": timezone.localdate(),
        "page": page, "org": org, "status": status, "kind": kind, "quarter": quarter,
        "statuses": Meeting.Status.choices, "kinds": Meeting.Kind.choices, "can_create": can_create,
        "query": request.GET.copy(),
    })


def _attendance_rows(organization, day, meeting=None, data=None):
    """Rows for the attendance grid: every roster member with a status (出席 unless recorded)."""
    recorded = {}
    if meeting is not None:
        recorded = {a.member_id: a for a in meeting.attendances.all()}
    rows = []
    for member in roster_for(organization, day):
        if data is not None:
            status = data.get(f"status_{member.pk}", S.PRESENT)
            reason = data.get(f"reason_{member.pk}", "")
        elif member.pk in recorded:
            status, reason = recorded[member.pk].status, recorded[member.pk].reason
        else:
            status, reason = S.PRESENT, ""
        if status == S.OBSERVER:
            status = S.PRESENT
        rows.append({"member": member, "status": status, "reason": reason})
    return rows


def _observer_candidates(user, organization, roster_ids):
    """Members in the user's scope who are not expected at the meeting (may attend as 列席)."""
    top = organization.branch.parent if organization.branch.parent_id else organization.branch
    return (
        Member.objects.visible_to(user).active()
        .filter(branch__path__startswith=top.path)
        .exclude(pk__in=roster_ids)
        .select_related("branch")
        .order_by("branch__path", "name")[:500]
    )


def _read_attendance(request, rows) -> list:
    """The posted attendance; its rules (a 请假 needs its reason…) are the action's."""
    entries = []
    for row in rows:
        member = row["member"]
        status = request.POST.get(f"status_{member.pk}", S.PRESENT)
        if status not in (S.PRESENT, S.LEAVE, S.ABSENT):
            status = S.PRESENT
        reason = request.POST.get(f"reason_{member.pk}", "").strip()
        entries.append(actions.AttendanceEntry(member.pk, status, reason))
    for value in request.POST.getlist("observers"):
        if value.isdigit():
            entries.append(actions.AttendanceEntry(int(value), S.OBSERVER))
    return entries


@require_http_methods(["GET", "POST"])
def meeting_create(request):
    branch, choice = branch_for_new_record(request, noun="会议记录", target="activities:meeting-create")
    if choice is not None:
        return choice
    return _meeting_form(request, branch, None)


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = visible_meeting(request.user, pk)
    require_change(request.user, meeting.branch)
    if not actions.can_edit_meeting(request.user, meeting):
        if meeting.status == Meeting.Status.SUBMITTED:
            messages.error(request, "该会议记录已提交，不能修改；如需更正，请由上级党组织退回修改。")
        else:
            messages.error(request, "退回的会议记录由支部修改后重新提交；上级党组织不能代为修改。")
        return redirect("activities:meeting-detail", pk=meeting.pk)
    return _meeting_form(request, meeting.branch, meeting)


def _meeting_form(request, branch, meeting):
    user = request.user
    organizations = meeting_orgs(user, branch)
    if request.method == "POST":
        form = MeetingForm(request.POST, organizations=organizations)
        organization = _posted_org(request, organizations, branch)
        day = parse_day(request.POST.get("date"), timezone.localdate())
        rows = _attendance_rows(organization, day, data=request.POST)
        entries = _read_attendance(request, rows)
        first, earlier = formtoken.claim(request) if form.is_valid() and meeting is None else (True, None)
        if not first:
            messages.info(request, "该会议记录已经保存过，未重复保存。")
            return redirect(earlier or "activities:meeting-list")
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = actions.save_meeting(
                    meeting,
                    organization=data["organization"],
                    fields={k: v for k, v in data.items() if k not in ("organization", "kinds")},
                    kinds=data["kinds"],
                    attendance=entries,
                    by=user,
                )
            except ValidationError as exc:
                formtoken.release(request)
                for problem in exc.messages:
                    form.add_error(None, problem)
            except actions.ActionRefused as exc:
                formtoken.release(request)
                say_refused(request, exc)
            else:
                formtoken.saved(request, reverse("activities:meeting-detail", args=[meeting.pk]))
                if "submit" in request.POST:
                    try:
                        actions.submit_meeting(meeting, by=user)
                        messages.success(request, "会议记录已提交。")
                    except actions.ActionRefused as exc:
                        messages.warning(request, f"已保存为草稿，但未能提交：{exc.message}")
                else:
                    messages.success(request, "已保存草稿。确认无误后请提交。")
                return redirect("activities:meeting-detail", pk=meeting.pk)
    else:
        if meeting is not None:
            form = MeetingForm(initial=MeetingForm.initial_from(meeting), organizations=organizations)
            organization, day = meeting.organization, meeting.date
        else:
            organization = _initial_org(request, organizations, branch)
            day = parse_day(request.GET.get("date"), timezone.localdate())
            kinds = [k for k in request.GET.getlist("kind") if k in Meeting.Kind.values]
            form = MeetingForm(
                initial={"organization": organization.pk, "date": day, "kinds": kinds},
                organizations=organizations,
            )
        rows = _attendance_rows(organization, day, meeting=meeting)
    roster_ids = [r["member"].pk for r in rows]
    observers = set()
    if request.method == "POST":
        observers = {int(v) for v in request.POST.getlist("observers") if v.isdigit()}
    elif meeting is not None:
        observers = set(meeting.attendances.filter(status=S.OBSERVER).values_list("member_id", flat=True))
    return render(request, "activities/meeting_form.html", {
        "form": form, "meeting": meeting, "branch": branch, "rows": rows,
        "form_token": formtoken.token_for(request),
        "organization": organization, "day": day,
        "candidates": _observer_candidates(user, organization, roster_ids),
        "observers": observers, "statuses": [(S.PRESENT, "出席"), (S.LEAVE, "请假"), (S.ABSENT, "缺席")],
        "panels": _panels(request, meeting, "form"),
    })


def _posted_org(request, organizations, branch):
    value = request.POST.get("organization", "")
    if value.isdigit():
        org = organizations.filter(pk=int(value)).first()
        if org is not None:
            return org
    return branch


def _initial_org(request, organizations, branch):
    code = request.GET.get("org")
    if code:
        org = organizations.filter(code=code).first()
        if org is not None:
            return org
    return branch


@require_GET
def attendance_rows(request):
    """htmx fragment: the attendance grid for the chosen organization and date."""
    value = request.GET.get("organization", "")
    if not value.isdigit():
        raise Http404
    organization = get_object_or_404(
        Organization.objects.changeable_by(request.user).filter(kind__in=MEETING_ORG_KINDS),
        pk=int(value),
    )
    day = parse_day(request.GET.get("date"), timezone.localdate())
    meeting = None
    if request.GET.get("meeting", "").isdigit():
        meeting = visible_meeting(request.user, int(request.GET["meeting"]))
    rows = _attendance_rows(organization, day, meeting=meeting)
    roster_ids = [r["member"].pk for r in rows]
    return render(request, "activities/_attendance.html", {
        "rows": rows, "organization": organization,
        "candidates": _observer_candidates(request.user, organization, roster_ids),
        "observers": set(), "statuses": [(S.PRESENT, "出席"), (S.LEAVE, "请假"), (S.ABSENT, "缺席")],
    })


def _panels(request, meeting, mode: str) -> list[str]:
    """What other apps show on the meeting's pages (core.registry meeting_panel), as HTML."""
    if meeting is None:
        return []
    return [html for panel in site().meeting_panels if (html := panel.run(request, meeting, mode))]


@require_GET
def meeting_detail(request, pk):
    meeting = visible_meeting(request.user, pk, "reviewed_by")
    context = _detail_context(request, meeting)
    context["panels"] = _panels(request, meeting, "detail")
    return render(request, "activities/meeting_detail.html", context)


def _detail_context(request, meeting):
    attendances = list(
        meeting.attendances.select_related("member").order_by("member__name", "member_id")
    )
    changeable = policy_for(request.user).allows(Right.CHANGE, meeting.branch)
    upper = changeable and actions.is_upper_level(request.user, meeting.branch)
    return {
        "meeting": meeting,
        "attendances": [a for a in attendances if a.status != S.OBSERVER],
        "observers": [a for a in attendances if a.status == S.OBSERVER],
        "counts": counts_of(meeting),
        "events": meeting.events.select_related("by"),
        "attachments": meeting.attachments.all(),
        "can_edit": changeable and actions.can_edit_meeting(request.user, meeting),
        "can_submit": changeable and (
            meeting.status == Meeting.Status.DRAFT
            or (meeting.status == Meeting.Status.RETURNED
                and actions.can_resubmit(request.user, meeting))),
        "can_review": upper and meeting.status == Meeting.Status.SUBMITTED,
        "can_delete": changeable and meeting.status == Meeting.Status.DRAFT and not meeting.submitted_at,
        "return_form": ReturnForm(),
        "attachment_form": AttachmentForm(),
    }


@require_GET
def meeting_print(request, pk):
    meeting = visible_meeting(request.user, pk)
    context = _detail_context(request, meeting)
    context["panels"] = _panels(request, meeting, "print")
    return render(request, "activities/meeting_print.html", context)


def _acting_on(request, pk):
    meeting = visible_meeting(request.user, pk)
    require_change(request.user, meeting.branch)
    return meeting


@require_POST
def meeting_submit(request, pk):
    meeting = _acting_on(request, pk)
    try:
        actions.submit_meeting(meeting, by=request.user)
        messages.success(request, "会议记录已提交。")
    except actions.ActionRefused as exc:
        say_refused(request, exc)
    return redirect("activities:meeting-detail", pk=meeting.pk)


@require_POST
def meeting_return(request, pk):
    meeting = _acting_on(request, pk)
    form = ReturnForm(request.POST)
    try:
        actions.return_meeting(
            meeting, comment=form.data.get("comment", ""), by=request.user
        )
        messages.success(request, "已退回修改，支部将看到退回意见。")
    except actions.ActionRefused as exc:
        say_refused(request, exc)
    return _after_review(request, meeting)


@require_POST
def meeting_review(request, pk):
    meeting = _acting_on(request, pk)
    try:
        actions.mark_reviewed(meeting, by=request.user)
        messages.success(request, f"“{meeting.topic}”已标记为审核通过。")
    except actions.ActionRefused as exc:
        say_refused(request, exc)
    return _after_review(request, meeting)


def _after_review(request, meeting):
    if request.POST.get("next") == "queue":
        return redirect("activities:review-queue")
    return redirect("activities:meeting-detail", pk=meeting.pk)


@require_POST
def meeting_delete(request, pk):
    meeting = _acting_on(request, pk)
    code = meeting.branch.code
    try:
        actions.delete_draft(meeting, by=request.user)
        messages.success(request, "草稿已删除。")
    except actions.ActionRefused as exc:
        say_refused(request, exc)
        return redirect("activities:meeting-detail", pk=meeting.pk)
    return redirect(f"{reverse('activities:meeting-list')}?org={code}")
