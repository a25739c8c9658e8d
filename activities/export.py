"""A branch's meetings for a period as an Excel 台账: one sheet per meeting type."""
from __future__ import annotations

import datetime
import io

from django.db.models import Prefetch

from activities.models import Attendance, Meeting, MeetingKind
from activities.sanitize import minutes_as_text
from tabular.writer import Column, new_workbook, write_sheet

COLUMNS = [
    Column("会议日期", 12, "date"),
    Column("党组织", 26),
    Column("会议类型", 22),
    Column("主题", 30),
    Column("地点", 16),
    Column("主持人", 10),
    Column("记录人", 10),
    Column("应到", 6, "int"),
    Column("实到", 6, "int"),
    Column("请假", 6, "int"),
    Column("缺席", 6, "int"),
    Column("参会人员", 40),
    Column("请假人员", 24),
    Column("缺席人员", 24),
    Column("列席人员", 20),
    Column("会议内容", 60),
    Column("状态", 8),
]


def meetings_for_export(meetings, start: datetime.date, end: datetime.date):
    """The meetings of a (scoped) queryset in the period, with kinds and attendance prefetched."""
    return (
        meetings.filter(date__range=(start, end))
        .select_related("organization")
        .prefetch_related(
            Prefetch("kinds", queryset=MeetingKind.objects.order_by("id")),
            Prefetch("attendances",
                     queryset=Attendance.objects.select_related("member").order_by("member__name")),
        )
        .order_by("date", "id")
    )


def _row(meeting: Meeting) -> list:
    by_status: dict[str, list[str]] = {s: [] for s in Attendance.Status.values}
    for a in meeting.attendances.all():
        by_status[a.status].append(
            f"{a.member.name}（{a.reason}）" if a.status == Attendance.Status.LEAVE and a.reason
            else a.member.name
        )
    present, leave, absent = (by_status[s] for s in ("present", "leave", "absent"))
    return [
        meeting.date, meeting.organization.name, meeting.kinds_display(), meeting.topic,
        meeting.place, meeting.host, meeting.recorder,
        len(present) + len(leave) + len(absent), len(present), len(leave), len(absent),
        "、".join(present), "、".join(leave), "、".join(absent), "、".join(by_status["observer"]),
        minutes_as_text(meeting.minutes), meeting.get_status_display(),
    ]


def ledger_workbook(branch, meetings, start: datetime.date, end: datetime.date) -> bytes:
    """One sheet per meeting type (a multi-type sitting appears on each of its sheets)."""
    meetings = list(meetings_for_export(meetings, start, end))
    wb = new_workbook()
    wb.remove(wb.active)
    period = f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
    for kind, label in Meeting.Kind.choices:
        rows = [_row(m) for m in meetings if kind in {k.kind for k in m.kinds.all()}]
        ws = wb.create_sheet(label)
        write_sheet(ws, COLUMNS, rows, title=f"{branch.name} {label}台账（{period}）",
                    notes=[f"共 {len(rows)} 次。应到、实到、请假、缺席人数由出席记录自动统计。"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
