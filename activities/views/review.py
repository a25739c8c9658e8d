"""The upper levels' review queue: submitted records of the branches below them."""
from __future__ import annotations

import datetime

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.policy import Right, policy_for
from activities.attendance import counts_of, with_counts
from activities.forms import ReviewFilterForm
from activities.models import Meeting, MeetingKind


def review_queryset(user):
    """Submitted records not yet reviewed, of branches below the user's level."""
    scope = policy_for(user).scope(Right.REVIEW)
    if scope.empty:
        return Meeting.objects.none()
    meetings = Meeting.objects.filter(status=Meeting.Status.SUBMITTED, reviewed_at__isnull=True)
    condition = scope.q("branch__path")
    return meetings if condition is None else meetings.filter(condition)


@require_GET
def review_queue(request):
    """Oldest first, with the days each record has waited; a record is approved or returned
    from its own page, after reading its minutes and attachments."""
    meetings = review_queryset(request.user)
    form = ReviewFilterForm(request.GET or None, user=request.user)
    now = timezone.now()
    if form.is_valid():
        org = form.cleaned_data.get("org")
        if org is not None:
            meetings = meetings.filter(organization__path__startswith=org.path)
        if form.cleaned_data.get("waiting"):
            days = int(form.cleaned_data["waiting"])
            meetings = meetings.filter(submitted_at__lte=now - datetime.timedelta(days=days))
    elif form.is_bound:
        meetings = meetings.none()  # the filter's error says why
    meetings = with_counts(meetings.select_related("organization", "branch"))
    meetings = meetings.prefetch_related(
        Prefetch("kinds", queryset=MeetingKind.objects.order_by("id"))
    ).order_by("submitted_at", "id")
    page = Paginator(meetings, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for meeting in page:
        meeting.counts = counts_of(meeting)
        meeting.days_waiting = (today - timezone.localdate(meeting.submitted_at)).days
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "activities/review_queue.html", {
        "page": page, "form": form, "querystring": querystring.urlencode(),
        "filtered": bool(request.GET.get("org") or request.GET.get("waiting")),
    })
