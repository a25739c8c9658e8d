"""Every change to demands and 双报到: one named function each, in one transaction, audited.

A demand may be changed by the keepers (accounts.policy CHANGE) of the organization that
received it or of the one handling it; a dispatch goes only to an organization the dispatcher
can see. 双报到 is recorded by the member's home branch; the community posts its 服务岗位,
records who claimed them and confirms the hours. `by` None is the system (commands).
The trail names a demand by date, category and receiving organization, never by the resident.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from branches.models import Organization
from community.models import (
    DEFAULT_DAYS,
    DeadlineRule,
    Demand,
    DemandStep,
    Registration,
    Service,
    ServicePost,
)
from core.cache import changed
from members.models import Member
from tabular.values import mask_phone

RECEIVED = "community.demand_received"
DISPATCHED = "community.demand_dispatched"
NOTED = "community.demand_noted"
CLOSED = "community.demand_closed"
VISITED = "community.demand_visited"
REOPENED = "community.demand_reopened"
ARCHIVED = "community.demand_archived"
PHONE_REVEALED = "community.reveal_phone"
DEMANDS_IMPORTED = "community.demands_import"
DEMANDS_EXPORTED = "community.demands_export"
RULE_SAVED = "community.rule_saved"
REGISTERED = "community.registered"
REGISTRATION_ENDED = "community.registration_ended"
REGISTRATIONS_IMPORTED = "community.registrations_import"
REGISTRATIONS_EXPORTED = "community.registrations_export"
POST_CREATED = "community.post_created"
POST_CLAIMED = "community.post_claimed"
SERVICE_CONFIRMED = "community.service_confirmed"
SEEDED = "community.seeded"

AUDIT_LABELS = {
    RECEIVED: "受理群众诉求",
    DISPATCHED: "派单群众诉求",
    NOTED: "记录诉求办理情况",
    CLOSED: "办结群众诉求",
    VISITED: "回访群众诉求",
    REOPENED: "不满意诉求重办",
    ARCHIVED: "归档群众诉求",
    PHONE_REVEALED: "查看群众完整电话",
    DEMANDS_IMPORTED: "导入群众诉求台账",
    DEMANDS_EXPORTED: "导出群众诉求台账",
    RULE_SAVED: "修改诉求办理时限",
    REGISTERED: "在职党员到社区报到",
    REGISTRATION_ENDED: "结束双报到",
    REGISTRATIONS_IMPORTED: "导入双报到名册",
    REGISTRATIONS_EXPORTED: "导出双报到名册",
    POST_CREATED: "发布社区服务岗位",
    POST_CLAIMED: "认领社区服务岗位",
    SERVICE_CONFIRMED: "确认社区服务时长",
    SEEDED: "生成服务群众演示数据",
}
MAX_HOURS = Decimal("24")


def _today() -> datetime.date:
    return timezone.localdate()


def _allows(user, right: Right, *orgs) -> bool:
    if user is None:
        return True
    policy = policy_for(user)
    return any(policy.allows(right, org) for org in orgs if org is not None)


def may_change(user, demand: Demand) -> bool:
    return _allows(user, Right.CHANGE, demand.received_by, demand.handler)


def _require(user, demand: Demand) -> None:
    if not may_change(user, demand):
        raise PermissionDenied("您对该诉求只有查看权限。")


def _lock(demand: Demand) -> Demand:
    return Demand.objects.select_for_update().select_related("received_by", "handler").get(
        pk=demand.pk)


def _check_day(day, what: str, *, not_before=None, before_label="受理日期") -> None:
    if day is None:
        raise ValidationError(f"请填写{what}。")
    if day > _today():
        raise ValidationError(f"{what}不能晚于今天。")
    if not_before is not None and day < not_before:
        raise ValidationError(f"{what} {day} 早于{before_label} {not_before}。")


def default_days(category: str) -> int:
    rule = DeadlineRule.objects.filter(category=category).first()
    return rule.days if rule else DEFAULT_DAYS


def default_deadline(category: str, received_on: datetime.date) -> datetime.date:
    """interfaces.md §9: the category's days after 受理日期 (7 when the category has none)."""
    return received_on + datetime.timedelta(days=default_days(category))


def _step(demand, kind, day, *, by, note="", organization=None) -> DemandStep:
    return DemandStep.objects.create(demand=demand, kind=kind, date=day, note=note,
                                     organization=organization, recorded_by=_actor(by))


# The core.cache scope of the menu's overdue counts: bumped by every write to a demand.
DEMANDS = "demands"


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _audit(by, action, demand, **detail):
    """Every action on a demand ends here, after its write; the menu's overdue count is stale."""
    changed(DEMANDS)
    audit(by, action, organization=demand.handler, target=demand.label, demand_id=demand.pk,
          **detail)


# ------------------------------------------------------------------------------- demands

DEMAND_FIELDS = ("received_on", "source", "category", "description", "resident_name",
                 "resident_phone")


def clean_demand(data: dict) -> dict:
    """The fields of a demand, trimmed and checked (a ValidationError keyed by field)."""
    values = {name: data.get(name) for name in DEMAND_FIELDS}
    errors = {}
    for name in ("category", "description", "resident_name", "resident_phone"):
        values[name] = (values[name] or "").strip()
    if not values["description"]:
        errors["description"] = ["请填写诉求内容。"]
    if not values["category"]:
        errors["category"] = ["请填写诉求类别。"]
    elif len(values["category"]) > 30:
        errors["category"] = ["诉求类别不超过 30 个字。"]
    if len(values["resident_name"]) > 50:
        errors["resident_name"] = ["群众姓名不超过 50 个字。"]
    phone = values["resident_phone"]
    if phone and (len(phone) > 30 or sum(c.isdigit() for c in phone) < 5
                  or any(not (c.isdigit() or c in "-+ ()（）转") for c in phone)):
        errors["resident_phone"] = [f"联系电话“{mask_phone(phone) or '（无数字）'}”格式不正确。"]
    source = values["source"] or Demand.Source.OTHER
    if source not in Demand.Source.values:
        errors["source"] = ["来源应为走访、电话、来访、网格、12345 或其他。"]
    values["source"] = source
    day = values["received_on"]
    if day is None:
        errors["received_on"] = ["请填写受理日期。"]
    elif day > _today():
        errors["received_on"] = ["受理日期不能晚于今天。"]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def receive_demand(data: dict, *, received_by: Organization, by) -> Demand:
    """受理: a demand received by `received_by`, handled there until dispatched, with the
    category's default deadline."""
    if not _allows(by, Right.CHANGE, received_by):
        raise PermissionDenied("您对该党组织只有查看权限。")
    if received_by.is_group:
        raise ValidationError("群众诉求由党支部或其上级党组织受理，不能登记在党小组。")
    values = clean_demand(data)
    demand = Demand.objects.create(
        **values, received_by=received_by, handler=received_by,
        deadline=default_deadline(values["category"], values["received_on"]),
    )
    _step(demand, DemandStep.Kind.RECEIVED, values["received_on"], by=by,
          organization=received_by)
    _audit(by, RECEIVED, demand, source=demand.source, category=demand.category)
    return demand


@transaction.atomic
def dispatch_demand(demand: Demand, *, to: Organization, by, on: datetime.date | None = None,
                    deadline: datetime.date | None = None, note: str = "") -> Demand:
    """派单 to a branch or unit the dispatcher can see, with a deadline (default: the category's
    days after 受理日期)."""
    demand = _lock(demand)
    _require(by, demand)
    if demand.closed_on is not None or demand.status == Demand.Status.ARCHIVED:
        raise ValidationError("该诉求已办结，不能再派单。")
    if to.is_group:
        raise ValidationError("不能派单给党小组，请选择党支部或单位党组织。")
    if by is not None and not Organization.objects.visible_to(by).filter(pk=to.pk).exists():
        raise PermissionDenied("只能派单给您可见范围内的党组织。")
    on = on or _today()
    _check_day(on, "派单日期", not_before=demand.received_on)
    deadline = deadline or default_deadline(demand.category, demand.received_on)
    if deadline < demand.received_on:
        raise ValidationError(f"办理时限 {deadline} 早于受理日期 {demand.received_on}。")
    demand.handler, demand.deadline, demand.status = to, deadline, Demand.Status.DISPATCHED
    demand.save(update_fields=["handler", "deadline", "status", "updated_at"])
    _step(demand, DemandStep.Kind.DISPATCHED, on, by=by, note=note.strip(), organization=to)
    _audit(by, DISPATCHED, demand, to=to.code, deadline=deadline.isoformat())
    return demand


@transaction.atomic
def add_note(demand: Demand, *, note: str, by, on: datetime.date | None = None) -> DemandStep:
    """办理: a note on what was done."""
    demand = _lock(demand)
    _require(by, demand)
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写办理情况。")
    if demand.closed_on is not None or demand.status == Demand.Status.ARCHIVED:
        raise ValidationError("该诉求已办结。")
    on = on or _today()
    _check_day(on, "办理日期", not_before=demand.received_on)
    step = _step(demand, DemandStep.Kind.NOTE, on, by=by, note=note, organization=demand.handler)
    _audit(by, NOTED, demand)
    return step


@transaction.atomic
def close_demand(demand: Demand, *, on: datetime.date, by, note: str = "") -> Demand:
    """办结 on `on` (on time when `on` ≤ the deadline: the deadline day itself is on time)."""
    demand = _lock(demand)
    _require(by, demand)
    if demand.closed_on is not None or demand.status == Demand.Status.ARCHIVED:
        raise ValidationError("该诉求已办结。")
    _check_day(on, "办结日期", not_before=demand.received_on)
    demand.closed_on, demand.status = on, Demand.Status.CLOSED
    demand.save(update_fields=["closed_on", "status", "updated_at"])
    _step(demand, DemandStep.Kind.CLOSED, on, by=by, note=(note or "").strip(),
          organization=demand.handler)
    _audit(by, CLOSED, demand, on_time=demand.is_closed_on_time())
    return demand


@transaction.atomic
def record_visit(demand: Demand, *, result: str, on: datetime.date, by, note: str = "") -> Demand:
    """回访: the resident's 满意 / 基本满意 / 不满意 on a closed demand."""
    demand = _lock(demand)
    _require(by, demand)
    if result not in Demand.Visit.values:
        raise ValidationError("回访结果应为满意、基本满意或不满意。")
    if demand.closed_on is None:
        raise ValidationError("诉求办结后才能回访。")
    if demand.status == Demand.Status.ARCHIVED:
        raise ValidationError("该诉求已归档。")
    _check_day(on, "回访日期", not_before=demand.closed_on, before_label="办结日期")
    demand.visit, demand.visited_on, demand.status = result, on, Demand.Status.VISITED
    demand.save(update_fields=["visit", "visited_on", "status", "updated_at"])
    _step(demand, DemandStep.Kind.VISITED, on, by=by,
          note="；".join(filter(None, [Demand.Visit(result).label, (note or "").strip()])))
    _audit(by, VISITED, demand, result=result)
    return demand


def may_reopen(demand: Demand) -> bool:
    return (demand.status == Demand.Status.VISITED and demand.visit == Demand.Visit.UNSATISFIED
            and not demand.reopened)


@transaction.atomic
def reopen_demand(demand: Demand, *, on: datetime.date, by, deadline: datetime.date | None = None,
                  note: str = "") -> Demand:
    """不满意 may reopen once: the demand is open again (its 办结 and 回访 stay in the steps),
    with a new deadline (default: the category's days after the reopening)."""
    demand = _lock(demand)
    _require(by, demand)
    if not may_reopen(demand):
        if demand.reopened:
            raise ValidationError("该诉求已重办过一次，不能再次重办。")
        raise ValidationError("只有回访不满意的诉求可以重办。")
    _check_day(on, "重办日期", not_before=demand.visited_on, before_label="回访日期")
    deadline = deadline or on + datetime.timedelta(days=default_days(demand.category))
    if deadline < on:
        raise ValidationError(f"新的办理时限 {deadline} 早于重办日期 {on}。")
    demand.status, demand.reopened, demand.deadline = Demand.Status.DISPATCHED, True, deadline
    demand.closed_on, demand.visit, demand.visited_on = None, "", None
    demand.save(update_fields=["status", "reopened", "deadline", "closed_on", "visit",
                               "visited_on", "updated_at"])
    _step(demand, DemandStep.Kind.REOPENED, on, by=by, note=(note or "").strip(),
          organization=demand.handler)
    _audit(by, REOPENED, demand, deadline=deadline.isoformat())
    return demand


@transaction.atomic
def archive_demand(demand: Demand, *, by, on: datetime.date | None = None) -> Demand:
    """归档 a closed demand (after its 回访, or when the resident could not be reached)."""
    demand = _lock(demand)
    _require(by, demand)
    if demand.closed_on is None:
        raise ValidationError("诉求办结后才能归档。")
    if demand.status == Demand.Status.ARCHIVED:
        raise ValidationError("该诉求已归档。")
    on = on or _today()
    _check_day(on, "归档日期", not_before=demand.closed_on, before_label="办结日期")
    demand.status = Demand.Status.ARCHIVED
    demand.save(update_fields=["status", "updated_at"])
    _step(demand, DemandStep.Kind.ARCHIVED, on, by=by)
    _audit(by, ARCHIVED, demand)
    return demand


def reveal_phone(demand: Demand, *, by) -> str:
    """The resident's full phone, for those who keep the records of either organization; the
    reveal is audited (the trail keeps the masked number only)."""
    if not _allows(by, Right.REVEAL_ID, demand.received_by, demand.handler):
        raise PermissionDenied("您的角色不能查看群众的完整电话。")
    _audit(by, PHONE_REVEALED, demand, phone=demand.masked_phone)
    return demand.resident_phone


@transaction.atomic
def save_deadline_rule(category: str, days: int, *, by) -> DeadlineRule:
    """组织部 sets a category's default days."""
    if by is not None and not policy_for(by).is_staff:
        raise PermissionDenied("诉求办理时限由组织部设置。")
    category = (category or "").strip()
    if not category or len(category) > 30:
        raise ValidationError("请填写诉求类别（不超过 30 个字）。")
    if not 1 <= int(days) <= 365:
        raise ValidationError("办理时限应为 1 至 365 天。")
    rule, _ = DeadlineRule.objects.update_or_create(category=category, defaults={"days": days})
    audit(by, RULE_SAVED, target=f"{category}：{days} 天", category=category, days=int(days))
    return rule


@dataclass
class LedgerRow:
    """A demand from the ledger import (interfaces.md §9), checked by the importer."""

    received_on: datetime.date
    source: str
    category: str
    description: str
    resident_name: str
    resident_phone: str
    received_by_id: int
    handler_id: int
    deadline: datetime.date
    closed_on: datetime.date | None
    visit: str
    demand_id: int | None = None


@transaction.atomic
def import_demands(rows: list[LedgerRow], *, at: Organization, by, unchanged: int = 0,
                   skipped: int = 0, batch: int | None = None) -> tuple[int, int]:
    """The demands ledger import's write: each checked row created or updated with an IMPORTED
    step, in one transaction with one audit record naming the organization, the counts and the
    upload batch (None from the command line), never a resident. Returns (created, updated)."""
    _write_ledger_rows(rows, by=by)
    changed(DEMANDS)
    updated = sum(1 for row in rows if row.demand_id)
    created = len(rows) - updated
    audit(by, DEMANDS_IMPORTED, organization=at,
          target=f"{created} 新增 / {updated} 更新 / {unchanged} 无变化",
          created=created, updated=updated, unchanged=unchanged, skipped=skipped, batch=batch)
    return created, updated


def _write_ledger_rows(rows: list[LedgerRow], *, by) -> None:
    for row in rows:
        status = Demand.Status.VISITED if row.visit else (
            Demand.Status.CLOSED if row.closed_on else (
                Demand.Status.DISPATCHED if row.handler_id != row.received_by_id
                else Demand.Status.RECEIVED))
        values = dict(source=row.source, category=row.category, resident_name=row.resident_name,
                      resident_phone=row.resident_phone, handler_id=row.handler_id,
                      deadline=row.deadline, closed_on=row.closed_on, visit=row.visit,
                      visited_on=row.closed_on if row.visit else None, status=status)
        if row.demand_id:
            Demand.objects.filter(pk=row.demand_id).update(**values, updated_at=timezone.now())
            demand = Demand.objects.get(pk=row.demand_id)
        else:
            demand = Demand.objects.create(received_on=row.received_on,
                                           description=row.description,
                                           received_by_id=row.received_by_id, **values)
        _step(demand, DemandStep.Kind.IMPORTED, _today(), by=by, organization=demand.handler)


# ------------------------------------------------------------------------------- 双报到

def _require_home(by, member: Member) -> None:
    if not _allows(by, Right.CHANGE, member.branch):
        raise PermissionDenied("双报到由党员所在党支部登记。")


def _require_community(by, community: Organization) -> None:
    if not _allows(by, Right.CHANGE, community):
        raise PermissionDenied("您对该社区党组织只有查看权限。")


def check_community(community: Organization | None) -> None:
    if community is None:
        raise ValidationError("找不到该社区党组织，请填写社区党组织的编码或全称。")
    if community.is_group:
        raise ValidationError("双报到的应是社区党组织，不能是党小组。")
    if community.sector != Organization.Sector.COMMUNITY:
        raise ValidationError(f"{community.name}不是社区党组织（单位性质应为社区）。")


@transaction.atomic
def register(member: Member, *, community: Organization, on: datetime.date, by,
             interests: str = "") -> Registration:
    """报到: the member reports to `community` from `on` (an earlier report ends that day).
    The roster's 双报到社区 follows."""
    _require_home(by, member)
    check_community(community)
    if member.status != Member.Status.NORMAL:
        raise ValidationError("停止党籍的党员不能登记双报到。")
    _check_day(on, "报到日期")
    interests = (interests or "").strip()[:200]
    current = Registration.objects.select_for_update().filter(member=member).active().first()
    if current is not None:
        if current.community_id == community.pk:
            raise ValidationError(f"{member.name}已于 {current.registered_on} 到该社区报到。")
        if on < current.registered_on:
            raise ValidationError(f"报到日期早于上一次报到（{current.registered_on}）。")
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    registration = Registration.objects.create(member=member, community=community,
                                               registered_on=on, interests=interests,
                                               recorded_by=_actor(by))
    # The roster's own field, kept in step inside this audited action (members own no 双报到).
    Member.objects.filter(pk=member.pk).update(reporting_community=community)
    # The home branch's trail; it names the community by code only, as each side's trail shows
    # the other side no more than its pages do.
    audit(by, REGISTERED, organization=member.branch, target=f"{member.name} 到社区报到",
          member_id=member.pk, community=community.code)
    return registration


@dataclass
class RegisterRow:
    """A 双报到 from the register import, checked by the importer: a new report (`member_id`,
    `community_id`, `registered_on`), or new interests of the current one (`registration_id`)."""

    member_id: int
    community_id: int
    registered_on: datetime.date
    interests: str
    registration_id: int | None = None


@transaction.atomic
def import_registrations(rows: list[RegisterRow], *, at: Organization, by, unchanged: int = 0,
                         skipped: int = 0, batch: int | None = None) -> tuple[int, int]:
    """The register import's write, in one transaction: each new report through `register`
    (its own audit record on the member's branch: it changes the roster's 双报到社区), changed
    interests in place, and one audit record for the batch with the organization and the
    counts. Returns (created, updated)."""
    members = Member.objects.select_related("branch").in_bulk(
        [r.member_id for r in rows if not r.registration_id])
    communities = Organization.objects.in_bulk([r.community_id for r in rows])
    created = updated = 0
    for row in rows:
        if row.registration_id:
            Registration.objects.filter(pk=row.registration_id).update(interests=row.interests)
            updated += 1
            continue
        was = Registration.objects.filter(member_id=row.member_id).active().exists()
        register(members[row.member_id], community=communities[row.community_id],
                 on=row.registered_on, interests=row.interests, by=by)
        if was:
            updated += 1  # moved to another community
        else:
            created += 1
    audit(by, REGISTRATIONS_IMPORTED, organization=at,
          target=f"{created} 新增 / {updated} 更新 / {unchanged} 无变化",
          created=created, updated=updated, unchanged=unchanged, skipped=skipped, batch=batch)
    return created, updated


@transaction.atomic
def end_registration(registration: Registration, *, on: datetime.date, by) -> Registration:
    registration = Registration.objects.select_for_update().select_related(
        "member__branch", "community").get(pk=registration.pk)
    if not (_allows(by, Right.CHANGE, registration.member.branch)
            or _allows(by, Right.CHANGE, registration.community)):
        raise PermissionDenied("您对该双报到记录只有查看权限。")
    if registration.ended_on is not None:
        raise ValidationError("该报到已结束。")
    _check_day(on, "结束日期", not_before=registration.registered_on, before_label="报到日期")
    registration.ended_on = on
    registration.save(update_fields=["ended_on"])
    Member.objects.filter(pk=registration.member_id,
                          reporting_community=registration.community).update(
        reporting_community=None)
    audit(by, REGISTRATION_ENDED, organization=registration.community,
          target=f"{registration.member.name} 结束报到",
          registration_id=registration.pk)
    return registration


@transaction.atomic
def create_post(community: Organization, *, title: str, date: datetime.date, places: int, by,
                description: str = "") -> ServicePost:
    """A 服务岗位 the community posts."""
    _require_community(by, community)
    check_community(community)
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写服务岗位。")
    if date is None:
        raise ValidationError("请填写服务日期。")
    if not places or places < 1:
        raise ValidationError("需要人数至少为 1。")
    post = ServicePost.objects.create(community=community, title=title[:100], date=date,
                                      places=places, description=(description or "").strip(),
                                      recorded_by=_actor(by))
    audit(by, POST_CREATED, organization=community, target=f"{date} {post.title}",
          post_id=post.pk)
    return post


@transaction.atomic
def claim_post(post: ServicePost, registration: Registration, *, by) -> Service:
    """A member reported to the community claims a post (recorded by the community)."""
    post = ServicePost.objects.select_for_update().select_related("community").get(pk=post.pk)
    _require_community(by, post.community)
    if registration.community_id != post.community_id or registration.ended_on is not None:
        raise ValidationError("只有在本社区报到的党员可以认领该岗位。")
    if post.services.filter(registration=registration).exists():
        raise ValidationError(f"{registration.member.name}已认领该岗位。")
    if post.services.count() >= post.places:
        raise ValidationError(f"该岗位需要 {post.places} 人，已认领满。")
    service = Service.objects.create(post=post, registration=registration)
    audit(by, POST_CLAIMED, organization=post.community,
          target=f"{registration.member.name} {post.date} {post.title}", service_id=service.pk)
    return service


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"服务时长“{value}”不是数字。") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise ValidationError("服务时长应大于 0、不超过 24 小时。")
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def confirm_service(service: Service, *, hours, on: datetime.date, by) -> Service:
    """The community confirms the service was done, with its hours."""
    service = Service.objects.select_for_update().select_related(
        "post__community", "registration__member").get(pk=service.pk)
    _require_community(by, service.post.community)
    if service.confirmed_on is not None:
        raise ValidationError("该服务已确认。")
    hours = parse_hours(hours)
    _check_day(on, "确认日期", not_before=service.post.date, before_label="服务日期")
    service.hours, service.confirmed_on, service.confirmed_by = hours, on, _actor(by)
    service.save(update_fields=["hours", "confirmed_on", "confirmed_by"])
    audit(by, SERVICE_CONFIRMED, organization=service.post.community,
          target=f"{service.registration.member.name} {service.post.title} {hours} 小时",
          service_id=service.pk, hours=str(hours))
    return service
