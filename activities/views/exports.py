"""The Excel 台账 of a branch's meetings for a period."""
from __future__ import annotations

import datetime
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from activities.export import ledger_workbook
from activities.models import Meeting
from activities.views.common import MEETING_ORG_KINDS, parse_day
from branches.access import get_visible_org

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
