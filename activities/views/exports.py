"""The 台账 of a branch's meetings for a period: an Excel workbook, or one printable page."""
from __future__ import annotations

import datetime
from urllib.parse import quote

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from activities.attendance import counts_of, with_counts
from activities.export import ledger_workbook
from activities.models import Attendance, Meeting, MeetingKind
from activities.views.common import MEETING_ORG_KINDS, parse_day
from branches.access import get_visible_org
from core.quarters import Quarter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def meeting_export(request):
    """?org=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD (default: this year so far)."""
    org = get_visible_org(request.user, code=request.GET.get("org", "").strip(),
                          kind__in=MEETING_ORG_KINDS)
    branch = org.branch
    today = timezone.localdate()
    start = parse_day(request.GET.get("from"), datetime.date(today.year, 1, 1))
    end = parse_day(request.GET.get("to"), today)
    meetings = Meeting.objects.visible_to(request.user).filter(branch=branch)
    if org.is_group:
        meetings = meetings.filter(organization=org)
    content = ledger_workbook(org, meetings, start, end)
    name = f"{org.name}三会一课台账_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _ledger_period(request, today: datetime.date):
    """?year=2026 (the whole year) or ?quarter=2026Q3 (default: this quarter) → (label, start, end,
    quarter or None, year)."""
    year_text = request.GET.get("year", "").strip()
    if year_text.isdigit() and 2000 <= int(year_text) <= 2100:
        year = int(year_text)
        return f"{year}年", datetime.date(year, 1, 1), datetime.date(year, 12, 31), None, year
    try:
        quarter = Quarter.parse(request.GET.get("quarter", "").strip())
    except ValueError:
        quarter = Quarter.of(today)
    return quarter.label, quarter.start, quarter.end, quarter, quarter.year


@require_GET
def meeting_ledger(request):
    """A branch's 三会一课 台账 for a quarter or a year as one printable document: a table of
    contents, then every recorded meeting (drafts excepted) with its minutes and attendance."""
    org = get_visible_org(request.user, code=request.GET.get("org", "").strip(),
                          kind__in=MEETING_ORG_KINDS)
    branch = org.branch
    today = timezone.localdate()
    label, start, end, quarter, year = _ledger_period(request, today)
    meetings = Meeting.objects.visible_to(request.user).filter(
        branch=branch, date__range=(start, end)).exclude(status=Meeting.Status.DRAFT)
    if org.is_group:
        meetings = meetings.filter(organization=org)
    meetings = list(
        with_counts(meetings.select_related("organization"))
        .prefetch_related(
            Prefetch("kinds", queryset=MeetingKind.objects.order_by("id")),
            Prefetch("attendances", queryset=Attendance.objects.select_related("member")
                     .order_by("member__name", "member_id")),
        )
        .order_by("date", "start_time", "id")
    )
    for meeting in meetings:
        meeting.counts = counts_of(meeting)
        rows = list(meeting.attendances.all())
        meeting.present_rows = [a for a in rows if a.status != Attendance.Status.OBSERVER]
        meeting.observer_rows = [a for a in rows if a.status == Attendance.Status.OBSERVER]
    return render(request, "activities/meeting_ledger.html", {
        "org": org, "branch": branch, "meetings": meetings, "label": label,
        "start": start, "end": end, "quarter": quarter, "year": year, "today": today,
        "quarters": [Quarter(year, n) for n in range(1, 5)],
    })
