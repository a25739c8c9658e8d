"""The upper levels' review queue: submitted records of the branches below them."""
from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, Min, Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.policy import Right, policy_for
from activities.attendance import counts_of, with_counts
from activities.forms import ReviewFilterForm
from activities.models import Meeting, MeetingKind
from core.views import table_download, wants_xlsx
from tabular.writer import Column

PAGE_SIZE = 50


def review_queryset(user):
    """Submitted records not yet reviewed, of branches below the user's level."""
    scope = policy_for(user).scope(Right.REVIEW)
    if scope.empty:
        return Meeting.objects.none()
    meetings = Meeting.objects.filter(status=Meeting.Status.SUBMITTED, reviewed_at__isnull=True)
    condition = scope.q("branch__path")
    return meetings if condition is None else meetings.filter(condition)


def _days_waiting(meeting, now) -> int:
    return (now - meeting.submitted_at).days if meeting.submitted_at else 0


@require_GET
def review_queue(request):
    """The queue, oldest first, with the days each record has waited and the count waiting per
    branch, filtered by organization and waiting time; a record is approved or returned from its
    own page, after reading its minutes and attachments. ?format=xlsx is what the filters show,
    as a workbook."""
    queue = review_queryset(request.user)
    form = ReviewFilterForm(request.GET or None, user=request.user)
    now = timezone.now()
    if form.is_valid():
        org = form.cleaned_data.get("org")
        if org is not None:
            queue = queue.filter(organization__path__startswith=org.path)
        if form.cleaned_data.get("waiting"):
            days = int(form.cleaned_data["waiting"])
            queue = queue.filter(submitted_at__lte=now - datetime.timedelta(days=days))
    elif form.is_bound:
        queue = queue.none()  # the filter's error says why
    meetings = with_counts(queue.select_related("organization", "branch"))
    meetings = meetings.prefetch_related(
        Prefetch("kinds", queryset=MeetingKind.objects.order_by("id"))
    ).order_by("submitted_at", "id")
    if wants_xlsx(request):
        return _queue_workbook(meetings, now)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    for meeting in page:
        meeting.counts = counts_of(meeting)
        meeting.days_waiting = _days_waiting(meeting, now)
    per_branch = list(
        queue.values("branch__code", "branch__name")
        .annotate(waiting=Count("id"), oldest=Min("submitted_at"))
        .order_by("oldest", "branch__code")
    )
    for row in per_branch:
        row["days"] = (now - row["oldest"]).days if row["oldest"] else 0
    querystring = request.GET.copy()
    querystring.pop("page", None)
    querystring.pop("format", None)
    return render(request, "activities/review_queue.html", {
        "page": page, "form": form, "per_branch": per_branch,
        "querystring": querystring.urlencode(),
        "filtered": bool(request.GET.get("org") or request.GET.get("waiting")),
    })


def _queue_workbook(meetings, now):
    columns = [Column("提交时间", 18), Column("等待天数", 10, "int"), Column("党支部", 28),
               Column("党组织", 28), Column("会议日期", 12, "date"), Column("会议类型", 20),
               Column("主题", 36), Column("应到", 8, "int"), Column("实到", 8, "int")]
    rows = []
    for m in meetings:
        counts = counts_of(m)
        rows.append([
            timezone.localtime(m.submitted_at).strftime("%Y-%m-%d %H:%M") if m.submitted_at else "",
            _days_waiting(m, now), m.branch.name, m.organization.name, m.date,
            m.kinds_display(), m.topic, counts.expected, counts.present,
        ])
    return table_download(f"审核队列_{timezone.localdate():%Y%m%d}.xlsx", columns, rows,
                          title="待审核的会议记录", notes=[f"共 {len(rows)} 条，按提交时间排列。"])
