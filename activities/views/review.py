"""The upper levels' review queue: submitted records of the branches below them."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policy import Right, policy_for
from activities.attendance import counts_of, with_counts
from activities.forms import ReturnForm
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
    meetings = with_counts(review_queryset(request.user).select_related("organization", "branch"))
    meetings = meetings.prefetch_related(
        Prefetch("kinds", queryset=MeetingKind.objects.order_by("id"))
    ).order_by("submitted_at", "id")
    page = Paginator(meetings, 50).get_page(request.GET.get("page"))
    for meeting in page:
        meeting.counts = counts_of(meeting)
    return render(request, "activities/review_queue.html", {"page": page, "return_form": ReturnForm()})
