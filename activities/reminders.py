"""The reminder kind of the review flow (interfaces.md §8): a returned record not yet resubmitted."""
from __future__ import annotations

import datetime

from django.db.models import Max, Q
from django.utils import timezone

from activities.models import Meeting, MeetingEvent
from core.registry import ReminderItem


def records_returned(on: datetime.date):
    returned = (
        Meeting.objects.filter(status=Meeting.Status.RETURNED)
        .annotate(returned_at=Max("events__at", filter=Q(events__kind=MeetingEvent.Kind.RETURNED)))
        .select_related("branch")
        .order_by("branch_id", "date", "id")
    )
    for meeting in returned:
        day = timezone.localtime(meeting.returned_at).date() if meeting.returned_at else meeting.date
        if day > on:
            continue
        yield ReminderItem(
            kind="record_returned", organization_id=meeting.branch_id, due=day,
            text=f"{meeting.branch.name}：{meeting.date:%Y-%m-%d}“{meeting.topic}”的会议记录被退回，"
                 "请按意见修改后重新提交",
            identity=f"record_returned:{meeting.pk}:{meeting.returned_at:%Y%m%d%H%M%S}"
            if meeting.returned_at else f"record_returned:{meeting.pk}",
        )
