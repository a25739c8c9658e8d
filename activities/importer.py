"""Historic meeting ledgers (三会一课台账, interfaces.md §1.3) through the shared import flow.

Imported meetings are final (submitted) records. Same organization + date + types + topic is the
same meeting, so a re-import changes nothing.
"""
from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.actions import ImportedMeeting, check_kinds, import_meetings
from activities.models import Attendance, Meeting, MeetingKind
from branches.models import Organization
from core.importing import ImportCannotRun, Importer, Plan, RowPlan, counted_result
from tabular.values import normalize_name, normalize_text

KIND_BY_LABEL = {label: value for value, label in Meeting.Kind.choices}
KIND_BY_LABEL.update({"党员大会": Meeting.Kind.PARTY_CONGRESS, "支委会": Meeting.Kind.COMMITTEE,
                      "支部委员会会议": Meeting.Kind.COMMITTEE})
KIND_SEPARATORS = re.compile(r"[、，,;；/＋+\s]+")
NAME_SEPARATORS = re.compile(r"[、，,;；\s]+")
ATTENDANCE_COLUMNS = (
    ("present", Attendance.Status.PRESENT),
    ("leave", Attendance.Status.LEAVE),
    ("absent", Attendance.Status.ABSENT),
)


def meeting_key(org_id: int, day: str, kinds, topic: str) -> tuple:
    return (org_id, day, tuple(sorted(kinds)), topic)


class MeetingImporter(Importer):
    kind = "meetings"
    title = "三会一课台账"
    fields = {
        "org": ["党组织", "组织编码", "党支部", "所在党组织"],
        "kinds": ["会议类型", "类型"],
        "date": ["会议日期", "日期", "时间"],
        "topic": ["主题", "会议主题"],
        "host": ["主持人"],
        "recorder": ["记录人"],
        "place": ["地点"],
        "present": ["参会人员", "出席人员", "实到人员"],
        "leave": ["请假人员"],
        "absent": ["缺席人员"],
        "minutes": ["会议内容", "会议记录", "内容"],
    }
    required_headers = ("org", "kinds", "date", "topic")

    def check_target(self):
        org = self.organization
        if org is None:
            raise ImportCannotRun("请指定导入到哪个党组织（--org 组织编码）。")
        if self.user is not None and not (
            Organization.objects.changeable_by(self.user).filter(pk=org.pk).exists()
        ):
            raise ImportCannotRun(f"您无权向{org.name}导入会议台账。")

    # -- planning --------------------------------------------------------------------------
    def plan_rows(self, records, progress):
        scope = _Scope(self.organization)
        today = timezone.localdate()
        rows: list[RowPlan] = []
        for row_number, record in records:
            rows.append(self._plan_row(row_number, record, scope, today))
        self._decide(rows)
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _plan_row(self, row_number: int, record: dict, scope: _Scope, today) -> RowPlan:
        row = RowPlan(row=row_number, action="create")
        org = self._resolve_org(row, record, scope)
        kinds = self._parse_kinds(row, record, org)
        try:
            day = self.read_date(row_number, "date", record.get("date"))
            if day is None:
                row.fail(self.column("date"), "会议日期不能为空。")
            elif day > today:
                row.fail(self.column("date"), f"会议日期 {day} 晚于今天：台账只能导入已召开的会议。")
        except ValueError as exc:
            day = None
            row.fail(self.column("date"), str(exc))
        topic = normalize_text(record.get("topic")) or ""
        if not topic:
            row.fail(self.column("topic"), "主题不能为空。")
        elif len(topic) > 200:
            row.fail(self.column("topic"), "主题超过 200 个字符。")
        row.label = f"{day or ''} {topic}".strip()
        attendance = self._resolve_names(row, record, org, scope, day) if org else []
        if row.action == "error":
            return row
        row.values = {
            "organization": org.pk,
            "organization_name": org.name,
            "kinds": kinds,
            "date": day.isoformat(),
            "topic": topic,
            "host": (normalize_text(record.get("host")) or "")[:50],
            "recorder": (normalize_text(record.get("recorder")) or "")[:50],
            "place": (normalize_text(record.get("place")) or "")[:200],
            "minutes": normalize_text(record.get("minutes")) or "",
            "attendance": attendance,
        }
        row.key = "|".join([org.code, day.isoformat(), "、".join(kinds), topic])
        return row

    def _resolve_org(self, row, record, scope) -> Organization | None:
        ref = normalize_text(record.get("org"))
        column = self.column("org")
        if not ref:
            row.fail(column, "党组织不能为空：请填写党支部或党小组的编码或全称。")
            return None
        org, problem = scope.find(ref)
        if problem:
            row.fail(column, problem)
        return org

    def _parse_kinds(self, row, record, org) -> list[str]:
        column = self.column("kinds")
        text = normalize_text(record.get("kinds")) or ""
        labels = [part for part in KIND_SEPARATORS.split(text) if part]
        if not labels:
            row.fail(column, "会议类型不能为空。")
            return []
        unknown = [label for label in labels if label not in KIND_BY_LABEL]
        if unknown:
            row.fail(column, f"未知的会议类型“{'、'.join(unknown)}”；应为："
                             + "、".join(Meeting.Kind.labels) + "，多种类型用“、”连接。")
            return []
        kinds = [KIND_BY_LABEL[label] for label in labels]
        if org is None:
            return kinds
        try:
            return check_kinds(org, kinds)
        except ValidationError as exc:
            row.fail(column, exc.messages[0])
            return []

    def _resolve_names(self, row, record, org, scope, day) -> list[list]:
        """[[member_id, status], …] for the names in the three attendance columns; each must be
        on the branch's roster on the meeting's day, as the form's rows are (roster_for)."""
        branch = org.branch
        seen: dict[int, str] = {}
        result = []
        for field, status in ATTENDANCE_COLUMNS:
            column = self.column(field)
            text = normalize_text(record.get(field)) or ""
            for raw in (part for part in NAME_SEPARATORS.split(text) if part):
                try:
                    name = normalize_name(raw)
                except ValueError:
                    continue
                ids = scope.members_named(branch, name)
                if not ids:
                    row.fail(column, f"“{name}”不是{branch.name}的党员，请核对姓名。")
                    continue
                if len(ids) > 1:
                    row.fail(column, f"{branch.name}有 {len(ids)} 名党员叫“{name}”，无法区分；"
                                     "请在系统中录入该次会议。")
                    continue
                member_id = ids[0]
                if day is not None and not scope.on_roster(branch, member_id, day):
                    row.fail(column, f"“{name}”在 {day} 不在{branch.name}的党员名单中"
                                     "（组织关系转入前或转出后），不能记入该次会议。")
                    continue
                if member_id in seen:
                    row.fail(column, f"“{name}”同时出现在“{seen[member_id]}”和“{column}”中。")
                    continue
                seen[member_id] = column
                result.append([member_id, status])
        return result

    def _decide(self, rows: list[RowPlan]) -> None:
        planned = [r for r in rows if r.action != "error"]
        existing = _existing_keys(planned)
        first_row: dict[tuple, int] = {}
        for row in planned:
            v = row.values
            key = meeting_key(v["organization"], v["date"], v["kinds"], v["topic"])
            if key in first_row:
                row.fail(self.column("topic"), f"与第 {first_row[key]} 行是同一次会议（党组织、日期、类型、主题都相同）。")
                continue
            first_row[key] = row.row
            row.action = "unchanged" if key in existing else "create"

    # -- applying --------------------------------------------------------------------------
    @transaction.atomic
    def apply(self, plan: Plan, *, skip_invalid: bool):
        todo = [r for r in plan.rows if r.action == "create"]
        existing = _existing_keys(todo)
        orgs = Organization.objects.in_bulk({r.values["organization"] for r in todo})
        unchanged = 0
        new = []
        for row in todo:
            v = row.values
            key = meeting_key(v["organization"], v["date"], v["kinds"], v["topic"])
            if key in existing:  # written since the preview
                unchanged += 1
                continue
            existing.add(key)
            new.append(ImportedMeeting(
                row=row.row, organization=orgs[v["organization"]],
                date=datetime.date.fromisoformat(v["date"]), topic=v["topic"], host=v["host"],
                recorder=v["recorder"], place=v["place"], minutes=v["minutes"], kinds=v["kinds"],
                attendance=[tuple(pair) for pair in v["attendance"]]))
        result = counted_result(plan, created=len(new), updated=0,
                                unchanged=plan.count("unchanged") + unchanged)
        import_meetings(new, at=self.organization, by=self.user, unchanged=result.unchanged,
                        batch=self.batch_id)
        return result


def _existing_keys(rows: list[RowPlan]) -> set[tuple]:
    """Keys of meetings already in the database among the planned rows' organizations and dates."""
    if not rows:
        return set()
    org_ids = {r.values["organization"] for r in rows}
    days = {r.values["date"] for r in rows}
    found: dict[int, tuple] = {}
    kinds: dict[int, list[str]] = defaultdict(list)
    for meeting_id, org_id, day, topic, kind in MeetingKind.objects.filter(
        meeting__organization_id__in=org_ids, meeting__date__in=days
    ).values_list("meeting_id", "meeting__organization_id", "meeting__date", "meeting__topic", "kind"):
        found[meeting_id] = (org_id, day.isoformat(), topic)
        kinds[meeting_id].append(kind)
    return {meeting_key(o, d, kinds[mid], t) for mid, (o, d, t) in found.items()}


class _Scope:
    """Branches and 党小组 of the import's subtree, and their members' names."""

    def __init__(self, target: Organization):
        from members.models import Member, Membership

        self.target = target
        orgs = list(
            Organization.objects.subtree(target)
            .filter(kind__in=(*Organization.BRANCH_KINDS, Organization.Kind.GROUP))
            .select_related("parent")
        )
        self.by_code = {o.code: o for o in orgs}
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        for o in orgs:
            self.by_name[o.name].append(o)
        # A 党小组's meetings resolve names among its whole branch (even for a 党小组 target).
        branch_ids = {o.branch.pk for o in orgs if o.branch}
        self.names: dict[tuple[int, str], set[int]] = defaultdict(set)
        current = Member.objects.filter(branch_id__in=branch_ids).values_list("pk", "name", "branch_id")
        past = Member.objects.filter(memberships__branch_id__in=branch_ids).values_list(
            "pk", "name", "memberships__branch_id"
        )
        for pk, name, branch_id in [*current, *past]:
            self.names[(branch_id, name)].add(pk)
        self.spells: dict[tuple[int, int], list[tuple]] = defaultdict(list)
        for member_id, branch_id, started, ended in Membership.objects.filter(
                branch_id__in=branch_ids).values_list("member_id", "branch_id", "started_on",
                                                      "ended_on"):
            self.spells[(branch_id, member_id)].append((started, ended))

    def on_roster(self, branch: Organization, member_id: int, day) -> bool:
        """The rule of activities.attendance.roster_for: a membership in force that day."""
        return any(started <= day and (ended is None or ended > day)
                   for started, ended in self.spells.get((branch.pk, member_id), ()))

    def find(self, ref: str) -> tuple[Organization | None, str | None]:
        if ref in self.by_code:
            return self.by_code[ref], None
        candidates = self.by_name.get(ref, [])
        if len(candidates) == 1:
            return candidates[0], None
        if len(candidates) > 1:
            return None, f"党组织名称“{ref}”有重名，请改用组织编码。"
        other = Organization.objects.filter(code=ref).first() or Organization.objects.filter(name=ref).first()
        if other is None:
            return None, f"找不到党组织“{ref}”（既不是组织编码，也不是组织全称）。"
        if not other.path.startswith(self.target.path):
            return None, f"党组织“{other.name}”不在{self.target.name}范围内。"
        return None, f"“{other.name}”是{other.get_kind_display()}：会议应记在党支部或党小组名下。"

    def members_named(self, branch: Organization, name: str) -> list[int]:
        return sorted(self.names.get((branch.pk, name), ()))
