"""What every member action shares: the rights check, the dates, the locked member, the
membership periods and the MemberEvent with its audit record."""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import audit
from branches.access import can_change
from branches.models import Organization
from core.cache import changed
from members.models import Member, MemberEvent, Membership
from members.validation import check_person

DATE_FIELDS = {"birth_date", "joined_on", "confirmed_on", "lost_contact_on"}


def _today() -> datetime.date:
    return timezone.localdate()


def _may_change(user, branch: Organization) -> bool:
    """`user` None is the system itself (management commands, data fixes), never a request."""
    return user is None or can_change(user, branch)


def _require_change(user, branch: Organization) -> None:
    if not _may_change(user, branch):
        raise PermissionDenied("您无权修改该党支部的党员信息。")


def _check_day(day: datetime.date, what: str) -> None:
    if day is None:
        raise ValidationError(f"请填写{what}日期。")
    if day > _today():
        raise ValidationError(f"{what}日期不能晚于今天。")


def _record(member, kind, day, *, by, note="", from_branch=None, to_branch=None, **detail):
    event = MemberEvent.objects.create(
        member=member, kind=kind, date=day, note=note, from_branch=from_branch,
        to_branch=to_branch, recorded_by=by if getattr(by, "pk", None) else None, detail=detail,
    )
    audit(
        by, f"member.{kind}", organization=member.branch, target=f"{member.name}（{member.masked_id_number}）",
        member_id=member.pk, date=day.isoformat(), **detail,
    )
    changed("members")
    return event


def _open_membership(member, branch, day) -> None:
    Membership.objects.create(member=member, branch=branch, started_on=day)


def _close_membership(member, day) -> None:
    """End the open period on `day` (the first day the member no longer counts)."""
    current = Membership.objects.filter(member=member, ended_on__isnull=True).first()
    if current is None:
        return
    if day < current.started_on:
        raise ValidationError(
            f"日期不能早于本段组织关系的起始日期 {current.started_on:%Y-%m-%d}。"
        )
    current.ended_on = day
    current.save(update_fields=["ended_on"])


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("branch").get(pk=member.pk)


def _require_active(member: Member, what: str) -> None:
    if member.status != Member.Status.NORMAL:
        raise ValidationError(f"该党员党籍状态为“{member.get_status_display()}”，不能办理{what}。")


def _member_values(data: dict) -> dict:
    """check_person's JSON-safe values → model field values."""
    values = {}
    for name, value in data.items():
        if name in DATE_FIELDS and isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        values[name] = value
    return values


def _validate(data: dict) -> dict:
    checked = check_person(data, today=_today())
    if checked.errors:
        raise ValidationError({name: [message] for name, message in checked.errors})
    return _member_values(checked.values)
