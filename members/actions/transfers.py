"""组织关系转接: inside the district (the receiving side accepts) and across its border."""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from branches.models import Organization
from members.actions.common import (
    _check_day,
    _close_membership,
    _lock,
    _may_change,
    _open_membership,
    _record,
    _require_active,
    _require_change,
    _validate,
)
from members.models import Member, MemberEvent, Membership, Transfer


def _check_destination(member, to_branch) -> None:
    if not to_branch.is_branch:
        raise ValidationError("只能转入党支部（或联合党支部、临时党支部）。")
    if to_branch.pk == member.branch_id:
        raise ValidationError("转入党支部与现所在党支部相同。")


def _move(member, to_branch, on, *, by, note, transfer=None) -> None:
    from_branch = member.branch
    _close_membership(member, on)
    _open_membership(member, to_branch, on)
    member.branch = to_branch
    member.group = None
    member.save(update_fields=["branch", "group", "updated_at"])
    detail = {"transfer_id": transfer.pk} if transfer else {}
    _record(member, MemberEvent.Kind.TRANSFER_OUT, on, by=by, note=note,
            from_branch=from_branch, to_branch=to_branch, **detail)
    _record(member, MemberEvent.Kind.TRANSFER_IN, on, by=by, note=note,
            from_branch=from_branch, to_branch=to_branch, **detail)


@transaction.atomic
def transfer_out(member: Member, to_branch: Organization, *, on: datetime.date, by, note: str = "") -> Transfer:
    """组织关系转出. If `by` may also change the receiving branch, the move happens at once;
    otherwise a pending Transfer waits for the receiving side to accept it."""
    member = _lock(member)
    _require_change(by, member.branch)
    _require_active(member, "组织关系转接")
    _check_day(on, "转出")
    _check_destination(member, to_branch)
    if Transfer.objects.pending().filter(member=member).exists():
        raise ValidationError("该党员已有一项待接收的组织关系转接。")
    transfer = Transfer.objects.create(
        member=member, from_branch=member.branch, to_branch=to_branch, initiated_on=on,
        note=note, initiated_by=by if getattr(by, "pk", None) else None,
    )
    if _may_change(by, to_branch):
        _accept(transfer, member, on, by)
    else:
        audit(by, "member.transfer_initiated", organization=member.branch,
              target=f"{member.name} → {to_branch.name}", member_id=member.pk,
              transfer_id=transfer.pk, date=on.isoformat())
    return transfer


def _accept(transfer, member, on, by) -> None:
    _move(member, transfer.to_branch, on, by=by, note=transfer.note, transfer=transfer)
    transfer.status = Transfer.Status.ACCEPTED
    transfer.accepted_on = on
    transfer.decided_by = by if getattr(by, "pk", None) else None
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "accepted_on", "decided_by", "decided_at"])


def transfer_member(member: Member, to_branch: Organization, *, on: datetime.date, by, note: str = "") -> Transfer:
    """Direct transfer, for a user who may change both branches."""
    if not _may_change(by, to_branch):
        raise PermissionDenied("您无权修改转入党支部；请由转入方接收。")
    return transfer_out(member, to_branch, on=on, by=by, note=note)


def _lock_pending(transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("to_branch", "from_branch").get(
        pk=transfer.pk
    )
    if transfer.status != Transfer.Status.PENDING:
        raise ValidationError(f"该转接已{transfer.get_status_display()}。")
    return transfer


@transaction.atomic
def accept_transfer(transfer: Transfer, *, on: datetime.date | None = None, by) -> Transfer:
    """The receiving side accepts: the member counts in the new branch from `on`."""
    transfer = _lock_pending(transfer)
    _require_change(by, transfer.to_branch)
    on = on or transfer.initiated_on
    _check_day(on, "转入")
    if on < transfer.initiated_on:
        raise ValidationError("转入日期不能早于转出日期。")
    member = _lock(transfer.member)
    if member.branch_id != transfer.from_branch_id:
        raise ValidationError("该党员已不在转出党支部，转接无法完成。")
    _accept(transfer, member, on, by)
    return transfer


@transaction.atomic
def refuse_transfer(transfer: Transfer, *, by, note: str = "") -> Transfer:
    """The receiving side refuses: the member stays where they are."""
    transfer = _lock_pending(transfer)
    _require_change(by, transfer.to_branch)
    return _decide(transfer, Transfer.Status.REFUSED, by, note, "member.transfer_refused")


@transaction.atomic
def withdraw_transfer(transfer: Transfer, *, by, note: str = "") -> Transfer:
    """The sending side withdraws a transfer not yet accepted."""
    transfer = _lock_pending(transfer)
    _require_change(by, transfer.from_branch)
    return _decide(transfer, Transfer.Status.WITHDRAWN, by, note, "member.transfer_withdrawn")


def _decide(transfer, status, by, note, action) -> Transfer:
    transfer.status = status
    transfer.decided_by = by if getattr(by, "pk", None) else None
    transfer.decided_at = timezone.now()
    if note:
        transfer.note = (transfer.note + "\n" + note).strip()
    transfer.save(update_fields=["status", "decided_by", "decided_at", "note"])
    audit(by, action, organization=transfer.from_branch, target=str(transfer.member),
          transfer_id=transfer.pk, member_id=transfer.member_id)
    return transfer


@transaction.atomic
def transfer_out_of_district(member: Member, *, on: datetime.date, destination: str, by,
                             note: str = "") -> Member:
    """组织关系转出本区 (to an organization the portal does not hold): the member leaves the
    roster on `on` and no longer counts from that day; history stays."""
    member = _lock(member)
    _require_change(by, member.branch)
    _require_active(member, "组织关系转接")
    _check_day(on, "转出")
    destination = (destination or "").strip()
    if not destination:
        raise ValidationError("请填写转往的党组织名称。")
    if Transfer.objects.pending().filter(member=member).exists():
        raise ValidationError("该党员已有一项待接收的组织关系转接，请先撤回。")
    _close_membership(member, on)
    member.status = Member.Status.TRANSFERRED_OUT
    member.group = None
    member.save(update_fields=["status", "group", "updated_at"])
    _record(member, MemberEvent.Kind.TRANSFER_OUT, on, by=by, note=note, from_branch=member.branch,
            destination=destination[:200])
    return member


@transaction.atomic
def transfer_into_district(data: dict, *, branch: Organization, on: datetime.date, origin: str, by,
                           note: str = "") -> Member:
    """组织关系转入本区 (from an organization the portal does not hold): the member joins
    `branch`'s roster and counts there from `on`. A member who once left the district comes back
    on their old record."""
    _require_change(by, branch)
    if not branch.is_branch:
        raise ValidationError("党员只能转入党支部（或联合党支部、临时党支部）。")
    _check_day(on, "转入")
    origin = (origin or "").strip()
    if not origin:
        raise ValidationError("请填写转出的党组织名称（原所在党组织）。")
    values = _validate(data)
    values.pop("status", None)
    values.pop("is_mobile", None)
    if values.get("is_lost_contact") is None:
        values.pop("is_lost_contact", None)
    if on < values["joined_on"]:
        raise ValidationError("转入日期不能早于入党日期。")
    existing = Member.objects.select_for_update().filter(id_number=values["id_number"]).first()
    if existing is not None and existing.status != Member.Status.TRANSFERRED_OUT:
        raise ValidationError(
            {"id_number": ["该党员的组织关系已在本区党组织，请办理区内组织关系转接。"]}
        )
    if existing is not None:
        last = Membership.objects.filter(member=existing).order_by("-started_on").first()
        if last and last.ended_on and on < last.ended_on:
            raise ValidationError(f"转入日期不能早于该党员转出本区的日期 {last.ended_on:%Y-%m-%d}。")
        member = existing
        member.branch, member.group, member.status = branch, None, Member.Status.NORMAL
        member.save(update_fields=["branch", "group", "status", "updated_at"])
    else:
        member = Member.objects.create(branch=branch, status=Member.Status.NORMAL, **values)
    _open_membership(member, branch, on)
    _record(member, MemberEvent.Kind.TRANSFER_IN, on, by=by, note=note, to_branch=branch,
            origin=origin[:200])
    return member
