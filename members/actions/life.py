"""A member's life events in their branch: 转正, 延长预备期, 流出 and 返回, 停止 and 恢复党籍,
出党, 去世."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from core.quarters import add_years
from members.actions.common import (
    _check_day,
    _close_membership,
    _lock,
    _open_membership,
    _record,
    _require_active,
    _require_change,
)
from members.models import Member, MemberEvent, Membership, Transfer


@transaction.atomic
def confirm(member: Member, *, on: datetime.date, by, note: str = "") -> Member:
    """转正: 预备 → 正式 on `on`, not before the probation ends."""
    member = _lock(member)
    _require_change(by, member.branch)
    _require_active(member, "转正")
    _check_day(on, "转正")
    if member.category != Member.Category.PROBATIONARY:
        raise ValidationError("该党员已是正式党员。")
    ends = member.probation_ends_on()
    if on < ends:
        raise ValidationError(f"预备期至 {ends:%Y-%m-%d} 届满，转正日期不能早于该日。")
    member.category = Member.Category.FULL
    member.confirmed_on = on
    member.save(update_fields=["category", "confirmed_on", "updated_at"])
    _record(member, MemberEvent.Kind.CONFIRMED, on, by=by, note=note)
    return member


@transaction.atomic
def extend_probation(member: Member, *, until: datetime.date, on: datetime.date, by, note: str = "") -> Member:
    """延长预备期: by up to one year beyond the normal end."""
    member = _lock(member)
    _require_change(by, member.branch)
    _require_active(member, "延长预备期")
    _check_day(on, "决定")
    if member.category != Member.Category.PROBATIONARY:
        raise ValidationError("只有预备党员可以延长预备期。")
    normal_end = add_years(member.joined_on, 1)
    if until is None or until <= normal_end or until > add_years(member.joined_on, 2):
        raise ValidationError(
            f"延长后的预备期应晚于 {normal_end:%Y-%m-%d}，且最长延长一年"
            f"（不晚于 {add_years(member.joined_on, 2):%Y-%m-%d}）。"
        )
    member.probation_extended_until = until
    member.save(update_fields=["probation_extended_until", "updated_at"])
    _record(member, MemberEvent.Kind.PROBATION_EXTENDED, on, by=by, note=note, until=until.isoformat())
    return member


@transaction.atomic
def flow_out(member: Member, *, destination: str, on: datetime.date, by, note: str = "") -> Member:
    """流出: the member works away; they still belong to (and count in) their branch."""
    member = _lock(member)
    _require_change(by, member.branch)
    _require_active(member, "流出")
    _check_day(on, "流出")
    destination = (destination or "").strip()
    if not destination:
        raise ValidationError("请填写外出流向。")
    member.is_mobile, member.mobile_destination = True, destination[:200]
    member.save(update_fields=["is_mobile", "mobile_destination", "updated_at"])
    _record(member, MemberEvent.Kind.FLOW_OUT, on, by=by, note=note, destination=destination)
    return member


@transaction.atomic
def flow_in(member: Member, *, on: datetime.date, by, note: str = "") -> Member:
    """流入/返回: the member is back."""
    member = _lock(member)
    _require_change(by, member.branch)
    _check_day(on, "返回")
    if not member.is_mobile:
        raise ValidationError("该党员不是流动党员。")
    member.is_mobile, member.mobile_destination = False, ""
    member.save(update_fields=["is_mobile", "mobile_destination", "updated_at"])
    _record(member, MemberEvent.Kind.FLOW_IN, on, by=by, note=note)
    return member


@transaction.atomic
def suspend(member: Member, *, on: datetime.date, by, note: str = "") -> Member:
    """停止党籍: the member no longer counts from `on` but stays on the roster."""
    member = _lock(member)
    _require_change(by, member.branch)
    _require_active(member, "停止党籍")
    _check_day(on, "停止党籍")
    _close_membership(member, on)
    member.status = Member.Status.SUSPENDED
    member.save(update_fields=["status", "updated_at"])
    _record(member, MemberEvent.Kind.SUSPENDED, on, by=by, note=note)
    return member


@transaction.atomic
def restore(member: Member, *, on: datetime.date, by, note: str = "") -> Member:
    """恢复党籍: counts in the branch again from `on`."""
    member = _lock(member)
    _require_change(by, member.branch)
    _check_day(on, "恢复党籍")
    if member.status != Member.Status.SUSPENDED:
        raise ValidationError("只有停止党籍的党员可以恢复党籍。")
    last = Membership.objects.filter(member=member).order_by("-started_on").first()
    if last and last.ended_on and on < last.ended_on:
        raise ValidationError(f"恢复日期不能早于停止党籍日期 {last.ended_on:%Y-%m-%d}。")
    _open_membership(member, member.branch, on)
    member.status = Member.Status.NORMAL
    member.save(update_fields=["status", "updated_at"])
    _record(member, MemberEvent.Kind.RESTORED, on, by=by, note=note)
    return member


def _end(member, on, by, note, status, kind, what) -> Member:
    member = _lock(member)
    _require_change(by, member.branch)
    _check_day(on, what)
    if member.status in Member.OFF_ROSTER:
        raise ValidationError(f"该党员{member.get_status_display()}。")
    if Transfer.objects.pending().filter(member=member).exists():
        raise ValidationError("该党员有待接收的组织关系转接，请先撤回。")
    _close_membership(member, on)
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    _record(member, kind, on, by=by, note=note)
    return member


@transaction.atomic
def leave(member: Member, *, on: datetime.date, by, note: str = "") -> Member:
    """出党: off the active roster from `on`; history stays."""
    return _end(member, on, by, note, Member.Status.LEFT, MemberEvent.Kind.LEFT, "出党")


@transaction.atomic
def decease(member: Member, *, on: datetime.date, by, note: str = "") -> Member:
    """去世: off the active roster from `on`; history stays."""
    return _end(member, on, by, note, Member.Status.DECEASED, MemberEvent.Kind.DECEASED, "去世")
