"""Registering and editing members and putting them into 党小组."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import audit
from branches.models import Organization
from core.cache import changed
from members.actions.clashes import ID_TAKEN, _refuse_clash
from members.actions.common import (
    _lock,
    _open_membership,
    _record,
    _require_change,
    _today,
    _validate,
)
from members.models import Member, MemberEvent, Membership
from members.validation import LABELS
from tabular.values import mask_birth_date, mask_id_number, normalize_id_number

EDITABLE_FIELDS = (
    "name", "id_number", "sex", "ethnicity", "birth_date", "education", "joined_on",
    "work_unit", "phone", "landline", "home_address", "is_lost_contact", "lost_contact_on",
    "remarks",
)
FLAG_FIELDS = ("party_post", "reporting_community")


def create_member(data: dict, *, branch: Organization, group: Organization | None = None, by) -> Member:
    """Register a member in `branch` (counting there since 入党日期), like an imported row."""
    _require_change(by, branch)
    if not branch.is_branch:
        raise ValidationError("党员只能登记在党支部（或联合党支部、临时党支部）。")
    values = _validate(data)
    existing = Member.objects.filter(id_number=values["id_number"]).select_related("branch").first()
    if existing:
        _refuse_clash(by, branch, values["id_number"], existing.branch, "登记党员")
    return _create_member(values, branch=branch, group=group, by=by)


@transaction.atomic
def _create_member(values: dict, *, branch: Organization, group: Organization | None, by) -> Member:
    _check_group(group, branch)
    status = values.pop("status", None) or Member.Status.NORMAL
    values.pop("is_mobile", None)
    if values.get("is_lost_contact") is None:
        values.pop("is_lost_contact", None)
    member = Member.objects.create(branch=branch, group=group, status=status, **values)
    if status == Member.Status.NORMAL:
        _open_membership(member, branch, member.joined_on)
    _record(member, MemberEvent.Kind.CREATED, _today(), by=by, to_branch=branch)
    return member


def update_member(member: Member, data: dict, *, by) -> Member:
    """Edit the personal fields with the import's validation; branch/category/status are not here."""
    try:
        new = normalize_id_number(data["id_number"]) if data.get("id_number") else None
    except ValueError:
        new = None  # the validation below says what is wrong with it
    if new and new != member.id_number:
        clash = Member.objects.filter(id_number=new).exclude(pk=member.pk).select_related(
            "branch").first()
        if clash:
            _require_change(by, member.branch)
            _refuse_clash(by, member.branch, new, clash.branch, "更正公民身份号码")
    return _update_member(member, data, by=by)


@transaction.atomic
def _update_member(member: Member, data: dict, *, by) -> Member:
    member = _lock(member)
    _require_change(by, member.branch)
    data = dict(data)
    flags = {name: data.pop(name) for name in FLAG_FIELDS if name in data}
    full = {name: getattr(member, name) for name in EDITABLE_FIELDS}
    full.update({"category": member.category, "confirmed_on": member.confirmed_on})
    full.update(data)
    values = _validate(full)
    values.update(_check_flags(flags, member))
    if values.get("is_lost_contact") is None:
        values["is_lost_contact"] = False
    clash = Member.objects.filter(id_number=values["id_number"]).exclude(pk=member.pk).first()
    if clash:
        raise ValidationError({"id_number": [ID_TAKEN]})
    changes = {}
    old_joined = member.joined_on
    for name in EDITABLE_FIELDS + tuple(flags):
        new = values.get(name, getattr(member, name))
        old = getattr(member, name)
        if new != old:
            if name == "id_number":  # the history and the trail say it changed, masked
                changes[LABELS[name]] = [mask_id_number(old or ""), mask_id_number(new or "")]
            elif name == "birth_date":  # beside the masked number, the year only
                changes[LABELS[name]] = [mask_birth_date(old) or "", mask_birth_date(new) or ""]
            else:
                changes[LABELS[name]] = [_shown(old), _shown(new)]
            setattr(member, name, new)
    if not changes:
        return member
    member.save()
    if member.joined_on != old_joined:
        # A member counted since joining (an import or a registration) moves with the date.
        Membership.objects.filter(member=member, started_on=old_joined).update(
            started_on=member.joined_on
        )
    _record(member, MemberEvent.Kind.EDITED, _today(), by=by, changes=changes)
    return member


def _check_flags(flags: dict, member: Member) -> dict:
    """党内职务 and the 双报到 community: not roster columns, checked here."""
    errors = {}
    post = (flags.get("party_post") or "").strip()
    if len(post) > 30:
        errors["party_post"] = ["党内职务超过 30 个字。"]
    community = flags.get("reporting_community")
    if community is not None and community.is_group:
        errors["reporting_community"] = ["双报到的应是社区党组织，不能是党小组。"]
    if errors:
        raise ValidationError(errors)
    values = dict(flags)
    if "party_post" in flags:
        values["party_post"] = post
    return values


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _check_group(group, branch) -> None:
    if group is not None and (not group.is_group or group.parent_id != branch.pk):
        raise ValidationError({"group": [f"“{group.name}”不是{branch.name}的党小组。"]})


@transaction.atomic
def assign_group(members, group: Organization | None, *, by) -> int:
    """Put members into a 党小组 of their branch (or none). Returns how many changed."""
    count = 0
    for member in members:
        member = _lock(member)
        _require_change(by, member.branch)
        _check_group(group, member.branch)
        if member.group_id == (group.pk if group else None):
            continue
        old = member.group.name if member.group_id else ""
        member.group = group
        member.save(update_fields=["group", "updated_at"])
        MemberEvent.objects.create(
            member=member, kind=MemberEvent.Kind.GROUP_ASSIGNED, date=_today(),
            recorded_by=by if getattr(by, "pk", None) else None,
            detail={"from": old, "to": group.name if group else ""},
        )
        count += 1
    changed("members")
    audit(by, "member.group_assigned", organization=group, target=group.name if group else "（无党小组）",
          count=count)
    return count
