"""Every change to a member: one named function each, one transaction, a MemberEvent and an audit.

Membership periods are kept right in every action (see Membership): a period closes on the
first day the member no longer counts for the branch and opens on the first day they count.
Views, the admin and the importer call these functions; nothing else writes Member.branch,
category or status.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from branches.access import can_change
from branches.models import Organization
from core.cache import changed
from core.importing import RowPlan
from core.quarters import add_years
from members import bulk
from members.models import Member, MemberEvent, Membership, Transfer
from members.validation import LABELS, check_person
from tabular.values import mask_birth_date, mask_id_number, normalize_id_number

EDITABLE_FIELDS = (
    "name", "id_number", "sex", "ethnicity", "birth_date", "education", "joined_on",
    "work_unit", "phone", "landline", "home_address", "is_lost_contact", "lost_contact_on",
    "remarks",
)
FLAG_FIELDS = ("party_post", "reporting_community")
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


# -------------------------------------------------------------------------- create / edit

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


# ----------------------------------------------------------------- an ID number registered elsewhere

ID_CLASH = "member.id_clash"
ID_TAKEN = ("该公民身份号码已有登记，不能在此登记。请核对号码；如系组织关系转入，"
            "请由其所在党组织办理组织关系转接。")


def transfer_message(branch_name: str) -> str:
    return f"该党员组织关系在{branch_name}，请办理组织关系转接。"


class ClashNames:
    """What to say about ID numbers registered in another branch: that branch's name only to those
    who may see it, otherwise the one sentence any clash gets (so no answer tells whether, or
    where, the number belongs to a party member). `record` audits the lookups made."""

    def __init__(self, by, *, at: Organization | None):
        self.by, self.at = by, at
        self._visible: dict[int, bool] = {}
        self.numbers: list[str] = []
        self.named = 0

    def message(self, id_number: str, branch_id: int, branch_name: str, named=transfer_message) -> str:
        if branch_id not in self._visible:
            self._visible[branch_id] = self.by is None or Organization.objects.visible_to(
                self.by).filter(pk=branch_id).exists()
        self.numbers.append(id_number)
        if self._visible[branch_id]:
            self.named += 1
            return named(branch_name)
        return ID_TAKEN

    def record(self, what: str) -> None:
        """One audit row for the lookups made (in its own transaction when called outside one)."""
        if not self.numbers:
            return
        count = len(self.numbers)
        audit(self.by, ID_CLASH, organization=self.at,
              target=f"{what}：{count} 个公民身份号码已有登记", count=count, named=self.named,
              id_numbers=[mask_id_number(n) for n in self.numbers[:100]])


def _refuse_clash(by, at: Organization, id_number: str, holder: Organization, what: str):
    """Audit the lookup (it stays recorded, though the refusal rolls back the write) and refuse."""
    names = ClashNames(by, at=at)
    message = names.message(id_number, holder.pk, holder.name)
    names.record(what)
    raise ValidationError({"id_number": [message]})


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


# ---------------------------------------------------------------------------- life events

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


# ------------------------------------------------------------- across the district's border

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


# --------------------------------------------------------------------------- the roster import

ROSTER_IMPORTED = "member.import"


@transaction.atomic
def import_roster(rows: list[RowPlan], *, current: dict[str, dict], at: Organization, by,
                  unchanged: int = 0, skipped: int = 0, batch: int | None = None) -> tuple[int, int]:
    """The roster import's bulk write: the planned rows' new members (with their first period
    and a CREATED event) and changed ones (an EDITED event, CONFIRMED when the file confirms
    them), in one transaction with one audit record naming the organization, the counts and the
    upload batch (None from the command line). `current` is what the importer read and locked of
    these members in this transaction (members.bulk.existing_members); a member changed since
    raises ChangedDuringApply and nothing is written. Returns (created, updated)."""
    created = bulk.create_members([r for r in rows if r.action == "create"], by)
    updated = bulk.update_members([r for r in rows if r.action == "update"], current, by)
    changed("members")
    audit(by, ROSTER_IMPORTED, organization=at,
          target=f"{created} 新增 / {updated} 更新 / {unchanged} 无变化",
          created=created, updated=updated, unchanged=unchanged, skipped=skipped, batch=batch)
    return created, updated
