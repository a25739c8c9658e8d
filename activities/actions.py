"""Every change of a meeting or activity: one transaction, the actor, an audit.

Views, the importer, the admin and tests call these functions; nothing else writes the models.
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from activities.attachments import check_upload
from activities.attendance import roster_for
from activities.models import (
    Activity,
    Attachment,
    Attendance,
    Meeting,
    MeetingEvent,
    MeetingKind,
    Participation,
)
from activities.sanitize import clean_minutes
from branches.access import can_change, require_change
from branches.models import Organization
from core.cache import changed
from core.errors import ActionRefused  # noqa: F401 - callers catch actions.ActionRefused

K = Meeting.Kind
GROUP_KINDS = {K.GROUP_MEETING, K.PARTY_LECTURE, K.THEME_DAY}
EDITABLE_FIELDS = (
    "date", "start_time", "end_time", "place", "host", "recorder", "topic", "agenda", "minutes",
    "resolutions", "lecturer", "lecture_title", "study_hours",
)


# -- who may do what -------------------------------------------------------------------------
def is_upper_level(user, branch: Organization) -> bool:
    """组织部 staff, or a keeper of an organization above the branch (accounts.policy REVIEW)."""
    return policy_for(user).allows(Right.REVIEW, branch)


def can_edit_meeting(user, meeting: Meeting) -> bool:
    """A draft: whoever may change the branch's records. A submitted record: nobody — the upper
    level returns it with a comment. A returned record: the branch's own people, not its
    reviewers (the record stays the branch's)."""
    if not can_change(user, meeting.branch):
        return False
    if meeting.status == Meeting.Status.SUBMITTED:
        return False
    if meeting.status == Meeting.Status.RETURNED:
        return not is_upper_level(user, meeting.branch)
    return True


def can_resubmit(user, meeting: Meeting) -> bool:
    """重新提交 a returned record: the branch's own people only, never the reviewer who returned it."""
    return can_change(user, meeting.branch) and not is_upper_level(user, meeting.branch)


def _require_edit(user, meeting: Meeting) -> None:
    require_change(user, meeting.branch)
    if not can_edit_meeting(user, meeting):
        if meeting.status == Meeting.Status.SUBMITTED:
            raise ActionRefused("该会议记录已提交，不能修改；如需更正，请由上级党组织退回修改。")
        raise ActionRefused("退回的会议记录由支部修改后重新提交；上级党组织不能代为修改。")


# -- meetings ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttendanceEntry:
    member_id: int
    status: str
    reason: str = ""


def check_kinds(organization: Organization, kinds) -> list[str]:
    kinds = sorted(set(kinds), key=list(K.values).index)
    if not kinds:
        raise ValidationError("请至少选择一种会议类型。")
    unknown = [k for k in kinds if k not in K.values]
    if unknown:
        raise ValidationError(f"未知的会议类型：{'、'.join(unknown)}")
    if organization.is_group:
        wrong = [K(k).label for k in kinds if k not in GROUP_KINDS]
        if wrong:
            raise ValidationError(f"党小组不能召开{'、'.join(wrong)}；请选择所在党支部作为党组织。")
    elif K.GROUP_MEETING in kinds:
        raise ValidationError("党小组会应由党小组召开：请在“党组织”中选择相应的党小组。")
    return kinds


@transaction.atomic
def save_meeting(
    meeting: Meeting | None,
    *,
    organization: Organization,
    fields: dict,
    kinds,
    attendance: list[AttendanceEntry],
    by,
) -> Meeting:
    """Create a draft, or edit a draft / returned record (or, for the upper level, any record).

    Attendance replaces what was recorded: one row per roster member, plus 列席 observers.
    """
    if organization.kind not in (*Organization.BRANCH_KINDS, Organization.Kind.GROUP):
        raise ValidationError("会议只能由党支部或党小组召开。")
    require_change(by, organization)
    if meeting is not None:
        _require_edit(by, meeting)
        if meeting.organization.branch != organization.branch:
            raise ValidationError("会议记录不能改到其他党支部名下。")
    kinds = check_kinds(organization, kinds)
    start, end = fields.get("start_time"), fields.get("end_time")
    if start and end and end <= start:
        raise ValidationError("结束时间应晚于开始时间。")
    creating = meeting is None
    if creating:
        meeting = Meeting(created_by=by if getattr(by, "pk", None) else None)
    meeting.organization = organization
    for name in EDITABLE_FIELDS:
        if name in fields:
            value = fields[name]
            if name == "minutes":
                value = clean_minutes(value)
            elif value is None and name not in ("start_time", "end_time"):
                value = Decimal(0) if name == "study_hours" else ""
            setattr(meeting, name, value)
    if K.PARTY_LECTURE in kinds and not meeting.study_hours:
        meeting.study_hours = lecture_hours(meeting.start_time, meeting.end_time)
    meeting.save()
    MeetingKind.objects.filter(meeting=meeting).exclude(kind__in=kinds).delete()
    have = set(MeetingKind.objects.filter(meeting=meeting).values_list("kind", flat=True))
    MeetingKind.objects.bulk_create(
        [MeetingKind(meeting=meeting, kind=k) for k in kinds if k not in have]
    )
    _replace_attendance(meeting, attendance, by)
    MeetingEvent.objects.create(
        meeting=meeting, kind=MeetingEvent.Kind.CREATED if creating else MeetingEvent.Kind.EDITED,
        by=_actor(by),
    )
    audit(by, "meeting.create" if creating else "meeting.edit", organization=meeting.branch,
          target=str(meeting), meeting=meeting.pk)
    changed(f"branch:{meeting.branch_id}", "meetings")
    return meeting


def lecture_hours(start, end) -> Decimal:
    """A 党课's study hours when none are given: its duration, to the half hour."""
    if not (start and end) or end <= start:
        return Decimal(0)
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return Decimal(round(minutes / 30)) / 2


def _replace_attendance(meeting: Meeting, entries: list[AttendanceEntry], by) -> None:
    from members.models import Member

    roster_ids = set(roster_for(meeting.organization, meeting.date).values_list("pk", flat=True))
    rows: dict[int, Attendance] = {}
    observer_ids = [e.member_id for e in entries if e.status == Attendance.Status.OBSERVER]
    allowed_observers = set(
        Member.objects.visible_to(by).filter(pk__in=observer_ids).values_list("pk", flat=True)
    )
    unexplained = [e.member_id for e in entries if e.status == Attendance.Status.LEAVE
                   and e.member_id in roster_ids and not (e.reason or "").strip()]
    if unexplained:
        names = Member.objects.filter(pk__in=unexplained).order_by("name").values_list("name", flat=True)
        raise ValidationError([f"{name} 请假，请填写请假事由。" for name in names])
    for entry in entries:
        if entry.status not in Attendance.Status.values:
            raise ValidationError(f"未知的出席情况：{entry.status}")
        if entry.status == Attendance.Status.OBSERVER:
            if entry.member_id in roster_ids or entry.member_id not in allowed_observers:
                continue
        elif entry.member_id not in roster_ids:
            continue  # not expected at this meeting (e.g. the date moved before they joined)
        reason = (entry.reason or "").strip()[:200] if entry.status == Attendance.Status.LEAVE else ""
        rows[entry.member_id] = Attendance(
            meeting=meeting, member_id=entry.member_id, status=entry.status, reason=reason
        )
    for member_id in roster_ids - rows.keys():
        rows[member_id] = Attendance(
            meeting=meeting, member_id=member_id, status=Attendance.Status.PRESENT
        )
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(rows.values())


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("branch").get(pk=meeting.pk)


@transaction.atomic
def submit_meeting(meeting: Meeting, *, by) -> Meeting:
    """Draft or returned → submitted (it counts in the reports from now on)."""
    meeting = _locked(meeting)
    require_change(by, meeting.branch)
    if meeting.status == Meeting.Status.SUBMITTED:
        raise ActionRefused("该会议记录已经提交。")
    if meeting.date > timezone.localdate():
        raise ActionRefused("会议日期在今天之后：会议召开后才能提交记录。")
    if not meeting.kinds.exists():
        raise ActionRefused("请先选择会议类型。")
    resubmitting = meeting.status == Meeting.Status.RETURNED
    if resubmitting and not can_resubmit(by, meeting):
        raise ActionRefused("退回的会议记录由支部修改后重新提交。")
    meeting.status = Meeting.Status.SUBMITTED
    meeting.submitted_at = timezone.now()
    meeting.reviewed_at, meeting.reviewed_by = None, None
    meeting.save()
    kind = MeetingEvent.Kind.RESUBMITTED if resubmitting else MeetingEvent.Kind.SUBMITTED
    MeetingEvent.objects.create(meeting=meeting, kind=kind, by=_actor(by))
    audit(by, "meeting.resubmit" if resubmitting else "meeting.submit",
          organization=meeting.branch, target=str(meeting), meeting=meeting.pk)
    changed(f"branch:{meeting.branch_id}", "meetings")
    return meeting


@transaction.atomic
def return_meeting(meeting: Meeting, *, comment: str, by) -> Meeting:
    """The upper level sends a submitted record back for correction (退回修改) with a comment."""
    meeting = _locked(meeting)
    require_change(by, meeting.branch)
    if not is_upper_level(by, meeting.branch):
        raise PermissionDenied("只有上级党组织可以退回会议记录。")
    comment = (comment or "").strip()
    if not comment:
        raise ActionRefused("请填写退回意见，说明需要修改的地方。")
    if meeting.status != Meeting.Status.SUBMITTED:
        raise ActionRefused("只有已提交的会议记录可以退回。")
    meeting.status = Meeting.Status.RETURNED
    meeting.review_comment = comment
    meeting.reviewed_at, meeting.reviewed_by = None, None
    meeting.save()
    MeetingEvent.objects.create(meeting=meeting, kind=MeetingEvent.Kind.RETURNED, comment=comment,
                                by=_actor(by))
    audit(by, "meeting.return", organization=meeting.branch, target=str(meeting),
          meeting=meeting.pk, comment=comment)
    changed(f"branch:{meeting.branch_id}", "meetings")
    return meeting


@transaction.atomic
def mark_reviewed(meeting: Meeting, *, by) -> Meeting:
    """The upper level has read a submitted record and takes it off the review queue."""
    meeting = _locked(meeting)
    require_change(by, meeting.branch)
    if not is_upper_level(by, meeting.branch):
        raise PermissionDenied("只有上级党组织可以审核会议记录。")
    if meeting.status != Meeting.Status.SUBMITTED:
        raise ActionRefused("只有已提交的会议记录可以审核。")
    if meeting.reviewed_at:
        return meeting
    meeting.reviewed_at, meeting.reviewed_by = timezone.now(), _actor(by)
    meeting.save()
    MeetingEvent.objects.create(meeting=meeting, kind=MeetingEvent.Kind.REVIEWED, by=_actor(by))
    audit(by, "meeting.review", organization=meeting.branch, target=str(meeting),
          meeting=meeting.pk)
    return meeting


@transaction.atomic
def delete_draft(meeting: Meeting, *, by) -> None:
    meeting = _locked(meeting)
    require_change(by, meeting.branch)
    if meeting.status != Meeting.Status.DRAFT or meeting.submitted_at:
        raise ActionRefused("只有从未提交过的草稿可以删除。")
    audit(by, "meeting.delete", organization=meeting.branch, target=str(meeting),
          meeting=meeting.pk)
    files = [a.file for a in meeting.attachments.all()]
    meeting.delete()
    # Files go only once the rows are gone for good: a rolled-back delete keeps both.
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


# -- attachments -------------------------------------------------------------------------------
def _stored_file(upload, *, by, **owner) -> Attachment:
    kind = check_upload(upload)
    upload.seek(0)
    attachment = Attachment(
        original_name=(upload.name or "附件")[:200],
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=_actor(by),
        **owner,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{kind.extension}", ContentFile(upload.read()),
                         save=False)
    attachment.save()
    return attachment


@transaction.atomic
def add_attachment(meeting: Meeting, upload, *, by) -> Attachment:
    """Keep an uploaded file after checking what it really is (AttachmentRejected otherwise)."""
    _require_edit(by, meeting)
    attachment = _stored_file(upload, by=by, meeting=meeting)
    MeetingEvent.objects.create(meeting=meeting, kind=MeetingEvent.Kind.EDITED, by=_actor(by),
                                comment=f"上传附件：{attachment.original_name}")
    audit(by, "meeting.attach", organization=meeting.branch, target=attachment.original_name,
          meeting=meeting.pk, attachment=attachment.pk)
    return attachment


@transaction.atomic
def add_activity_attachment(activity: Activity, upload, *, by) -> Attachment:
    require_change(by, activity.branch)
    attachment = _stored_file(upload, by=by, activity=activity)
    audit(by, "activity.attach", organization=activity.branch, target=attachment.original_name,
          activity=activity.pk, attachment=attachment.pk)
    return attachment


@transaction.atomic
def delete_attachment(attachment: Attachment, *, by) -> None:
    meeting = attachment.meeting
    if meeting is not None:
        _require_edit(by, meeting)
        MeetingEvent.objects.create(meeting=meeting, kind=MeetingEvent.Kind.EDITED, by=_actor(by),
                                    comment=f"删除附件：{attachment.original_name}")
    else:
        require_change(by, attachment.activity.branch)
    audit(by, "attachment.delete", organization=attachment.branch,
          target=attachment.original_name, meeting=attachment.meeting_id,
          activity=attachment.activity_id)
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


# -- other activities --------------------------------------------------------------------------
@transaction.atomic
def save_activity(
    activity: Activity | None,
    *,
    organization: Organization,
    fields: dict,
    participants: list[tuple[int, Decimal]],
    by,
) -> Activity:
    """Create or edit an activity with its participants (members of the branch) and their hours."""
    from members.models import Member

    if organization.kind not in (*Organization.BRANCH_KINDS, Organization.Kind.GROUP):
        raise ValidationError("活动只能记在党支部或党小组名下。")
    require_change(by, organization)
    if activity is not None:
        require_change(by, activity.branch)
    creating = activity is None
    activity = activity or Activity(created_by=_actor(by))
    activity.organization = organization
    for name in ("kind", "date", "title", "description", "counts_as_study"):
        if name in fields:
            setattr(activity, name, fields[name])
    activity.save()
    wanted = {member_id: hours for member_id, hours in participants}
    allowed = set(
        Member.objects.visible_to(by).filter(pk__in=list(wanted)).values_list("pk", flat=True)
    )
    if any(hours is not None and hours < 0 for hours in wanted.values()):
        raise ValidationError("时长不能为负数。")
    Participation.objects.filter(activity=activity).delete()
    Participation.objects.bulk_create(
        Participation(activity=activity, member_id=m, hours=h or Decimal(0))
        for m, h in wanted.items() if m in allowed
    )
    audit(by, "activity.create" if creating else "activity.edit", organization=activity.branch,
          target=str(activity), activity=activity.pk)
    return activity


@transaction.atomic
def delete_activity(activity: Activity, *, by) -> None:
    require_change(by, activity.branch)
    audit(by, "activity.delete", organization=activity.branch, target=str(activity),
          activity=activity.pk)
    files = [a.file for a in activity.attachments.all()]
    activity.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])


# --------------------------------------------------------------------------- the ledger import

MEETINGS_IMPORTED = "meeting.import"


@dataclass(frozen=True)
class ImportedMeeting:
    """One checked row of the meeting ledger (activities.importer plans it)."""

    row: int
    organization: Organization
    date: datetime.date
    topic: str
    host: str
    recorder: str
    place: str
    minutes: str
    kinds: list
    attendance: list  # [(member_id, status)]


@transaction.atomic
def import_meetings(meetings: list[ImportedMeeting], *, at: Organization | None, by,
                    unchanged: int = 0, batch: int | None = None) -> int:
    """The import's bulk write: submitted meetings with their kinds, attendance and an IMPORTED
    event each, in one transaction with one audit record for the batch (its id: None from the
    command line)."""
    now = timezone.now()
    user = _actor(by)
    kinds, attendance, events, branches = [], [], [], set()
    for item in meetings:
        meeting = Meeting.objects.create(
            organization=item.organization, status=Meeting.Status.SUBMITTED, date=item.date,
            topic=item.topic, host=item.host, recorder=item.recorder, place=item.place,
            minutes=clean_minutes(item.minutes), submitted_at=now, created_by=user,
        )
        branches.add(item.organization.branch.pk)
        kinds += [MeetingKind(meeting=meeting, kind=k) for k in item.kinds]
        attendance += [Attendance(meeting=meeting, member_id=m, status=s) for m, s in item.attendance]
        events.append(MeetingEvent(meeting=meeting, kind=MeetingEvent.Kind.IMPORTED, by=user,
                                   comment=f"第 {item.row} 行"))
    MeetingKind.objects.bulk_create(kinds)
    Attendance.objects.bulk_create(attendance)
    MeetingEvent.objects.bulk_create(events)
    changed("meetings", *{f"branch:{pk}" for pk in branches})
    audit(by, MEETINGS_IMPORTED, organization=at,
          target=f"{len(meetings)} 新增 / {unchanged} 无变化", created=len(meetings),
          unchanged=unchanged, batch=batch)
    return len(meetings)
