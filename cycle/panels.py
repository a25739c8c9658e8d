"""What the yearly cycle shows on a meeting's pages (core.registry meeting_panel): the branch's
流入党员 registered on the meeting's date, 列席 or not. They are not members here: the panel sits
beside the attendance and no figure counts them."""
from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string

from activities.actions import can_edit_meeting
from cycle.models import Inflow, InflowAttendance


def meeting_inflows(request, meeting, mode: str) -> str:
    """One query; nothing when the branch hosted nobody that day."""
    recorded = InflowAttendance.objects.filter(meeting=meeting, inflow=OuterRef("pk")).values("present")[:1]
    inflows = list(Inflow.objects.filter(branch_id=meeting.branch_id).open_on(meeting.date)
                   .annotate(present=Subquery(recorded)).order_by("name", "pk"))
    if not inflows:
        return ""
    may_record = can_edit_meeting(request.user, meeting)
    return render_to_string("cycle/_meeting_inflows.html", {
        "meeting": meeting, "inflows": inflows, "mode": mode,
        "can_record": may_record and mode == "detail", "may_record": may_record,
    }, request=request)
