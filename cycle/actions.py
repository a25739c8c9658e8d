"""Every change of the yearly cycle: one function each, one transaction, one audit record.

A refused change raises ValidationError (a Chinese sentence for the page or the command);
a user without the right raises PermissionDenied. `by` None is the system (commands).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from activities.actions import can_edit_meeting
from activities.models import Meeting
from branches.access import can_change
from branches.models import Organization
from core.quarters import Month
from cycle import evaluations
from cycle.models import (
    Committee,
    CommitteeSeat,
    Evaluation,
    Inflow,
    InflowAttendance,
    Outflow,
    TransferLetter,
    YearlyExemption,
    YearlyRequirement,
)
from cycle.rules import holds_committee, rule
from members import actions as member_actions
from members.models import Member

COMMITTEE_SAVED = "cycle.committee_saved"
COMMITTEES_IMPORTED = "cycle.committees_imported"
EVALUATIONS_SAVED = "cycle.evaluations_saved"
EVALUATIONS_IMPORTED = "cycle.evaluations_imported"
OUTFLOW_REGISTERED = "cycle.outflow_registered"
OUTFLOW_RETURNED = "cycle.outflow_returned"
INFLOW_REGISTERED = "cycle.inflow_registered"
INFLOW_ENDED = "cycle.inflow_ended"
LETTER_ISSUED = "cycle.letter_issued"
LETTER_RECEIVED = "cycle.letter_received"
RECEIPT_RECORDED = "cycle.receipt_recorded"
YEARLY_REQUIREMENT_SAVED = "cycle.yearly_requirement_saved"
YEARLY_EXEMPTION_ADDED = "cycle.yearly_exemption_added"
YEARLY_EXEMPTION_REMOVED = "cycle.yearly_exemption_removed"
INFLOW_ATTENDANCE_RECORDED = "cycle.inflow_attendance_recorded"

AUDIT_LABELS = {
    COMMITTEE_SAVED: "登记委员会（班子）",
    COMMITTEES_IMPORTED: "导入委员会（班子）",
    EVALUATIONS_SAVED: "登记民主评议结果",
    EVALUATIONS_IMPORTED: "导入民主评议结果",
    OUTFLOW_REGISTERED: "登记流出党员",
    OUTFLOW_RETURNED: "流出党员返回",
    INFLOW_REGISTERED: "登记流入党员",
    INFLOW_ENDED: "流入党员离开",
    LETTER_ISSUED: "开具组织关系介绍信",
    LETTER_RECEIVED: "接收区外组织关系介绍信",
    RECEIPT_RECORDED: "登记介绍信回执",
    YEARLY_REQUIREMENT_SAVED: "修改年度考核要求",
    YEARLY_EXEMPTION_ADDED: "添加年度要求豁免",
    YEARLY_EXEMPTION_REMOVED: "撤销年度要求豁免",
    INFLOW_ATTENDANCE_RECORDED: "登记流入党员列席",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _require_change(user, org: Organization) -> None:
    if user is not None and not can_change(user, org):
        raise PermissionDenied("您无权修改该党组织的记录。")


def _user(by):
    return by if getattr(by, "pk", None) else None


def _not_future(day: datetime.date | None, what: str) -> None:
    if day is None:
        raise ValidationError(f"请填写{what}。")
    if day > _today():
        raise ValidationError(f"{what}不能晚于今天。")


# ------------------------------------------------------------------------------ committees

@dataclass
class Seat:
    post: str  # CommitteeSeat.Post
    name: str


def _relink(org: Organization) -> None:
    """Keep the chain: each committee's `previous` is the one elected before it."""
    chain = list(Committee.objects.filter(organization=org).order_by("elected_on"))
    Committee.objects.filter(organization=org).update(previous=None)
    for before, after in zip(chain, chain[1:], strict=False):
        Committee.objects.filter(pk=after.pk).update(previous=before)


def _save_committee(org, elected_on, term_years, seats: list[Seat], note="") -> tuple[Committee, str]:
    """Create or update (same organization + 选举日期) one committee; "created" / "updated" /
    "unchanged"."""
    if not holds_committee(org):
        raise ValidationError(f"{org.get_kind_display()}不设委员会，无需登记换届。")
    if term_years is not None and not 1 <= term_years <= 10:
        raise ValidationError("届期应为 1 至 10 年。")
    committee = Committee.objects.filter(organization=org, elected_on=elected_on).first()
    wanted = [(s.post, s.name) for s in seats]
    if committee is not None:
        had = list(committee.seats.order_by("position").values_list("post", "name"))
        if had == wanted and committee.term_years == term_years and committee.note == note:
            return committee, "unchanged"
        committee.term_years, committee.note = term_years, note
        committee.save(update_fields=["term_years", "note"])
        committee.seats.all().delete()
        state = "updated"
    else:
        committee = Committee.objects.create(organization=org, elected_on=elected_on,
                                             term_years=term_years, note=note)
        state = "created"
    members = {m.name: m for m in Member.objects.active().filter(
        branch=org, name__in=[s.name for s in seats])} if org.is_branch else {}
    CommitteeSeat.objects.bulk_create([
        CommitteeSeat(committee=committee, post=s.post, name=s.name, member=members.get(s.name),
                      position=i) for i, s in enumerate(seats)
    ])
    _relink(org)
    return committee, state


def _mirror_on_organization(org: Organization) -> None:
    """The organization's own committee fields follow its latest committee (the tree's pages
    and health flags read them)."""
    latest = Committee.objects.filter(organization=org).order_by("-elected_on").first()
    if latest is not None and org.is_branch:
        Organization.objects.filter(pk=org.pk).update(
            has_committee=True, committee_elected_on=latest.elected_on)


@transaction.atomic
def save_committee(org: Organization, *, elected_on: datetime.date, term_years: int | None,
                   seats: list[Seat], by, note: str = "") -> Committee:
    """Record a committee elected on `elected_on` (a later one starts the next term)."""
    _require_change(by, org)
    _not_future(elected_on, "选举日期")
    if not any(s.post == CommitteeSeat.Post.SECRETARY for s in seats):
        raise ValidationError("请填写书记。")
    committee, state = _save_committee(org, elected_on, term_years, seats, note)
    _mirror_on_organization(org)
    audit(by, COMMITTEE_SAVED, organization=org, target=f"{org.name} {elected_on:%Y-%m-%d} 选举",
          committee_id=committee.pk, state=state, elected_on=elected_on.isoformat())
    return committee


@dataclass
class CommitteeRow:
    organization_id: int
    elected_on: str
    term_years: int | None
    seats: list[tuple[str, str]]


@transaction.atomic
def import_committees(rows: list[CommitteeRow], *, by, target: Organization | None) -> dict:
    """The committees of an import (interfaces.md §10), in one transaction and one audit row."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    orgs = Organization.objects.in_bulk({r.organization_id for r in rows})
    for row in sorted(rows, key=lambda r: r.elected_on):
        org = orgs[row.organization_id]
        _, state = _save_committee(org, datetime.date.fromisoformat(row.elected_on), row.term_years,
                                   [Seat(p, n) for p, n in row.seats])
        counts[state] += 1
    for org in orgs.values():
        _mirror_on_organization(org)
    audit(by, COMMITTEES_IMPORTED, organization=target,
          target=f"{counts['created']} 新增 / {counts['updated']} 更新 / {counts['unchanged']} 无变化",
          **counts)
    return counts


@transaction.atomic
def load_committees(found: list[tuple[Organization, list[tuple[datetime.date, int | None, list[Seat]]]]],
                    *, by) -> int:
    """A bulk load of committees for organizations that have none yet (the demo at city scale):
    each organization's elections oldest first, chained; one audit row."""
    chains = []
    for org, elections in found:
        chain = [Committee(organization=org, elected_on=day, term_years=years)
                 for day, years, _ in sorted(elections, key=lambda e: e[0])]
        chains.append((org, chain, [seats for _, _, seats in sorted(elections, key=lambda e: e[0])]))
    Committee.objects.bulk_create([c for _, chain, _ in chains for c in chain], batch_size=2000)
    linked, seats = [], []
    for _, chain, seat_lists in chains:
        for before, after in zip(chain, chain[1:], strict=False):
            after.previous = before
            linked.append(after)
        for committee, seat_list in zip(chain, seat_lists, strict=True):
            seats += [CommitteeSeat(committee=committee, post=s.post, name=s.name, position=i)
                      for i, s in enumerate(seat_list)]
    Committee.objects.bulk_update(linked, ["previous"], batch_size=2000)
    CommitteeSeat.objects.bulk_create(seats, batch_size=5000)
    for org, chain, _ in chains:
        if org.is_branch and chain:
            org.has_committee, org.committee_elected_on = True, chain[-1].elected_on
    Organization.objects.bulk_update([org for org, chain, _ in chains if org.is_branch and chain],
                                     ["has_committee", "committee_elected_on"], batch_size=2000)
    count = sum(len(chain) for _, chain, _ in chains)
    audit(by, COMMITTEES_IMPORTED, target=f"批量登记 {count} 届委员会", created=count)
    return count


# ------------------------------------------------------------------------------ 民主评议

def _refuse(problems: list[evaluations.Problem], ratings) -> None:
    raise ValidationError([f"{ratings[p.index].member.name}：{p.message}" for p in problems])


def _write_ratings(year: int, ratings: list[evaluations.Rating], by) -> dict:
    """Upsert the results (new ones in bulk: a city's year is 100,000 rows)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {}
    member_ids = [r.member.pk for r in ratings]
    for start in range(0, len(member_ids), 5000):
        existing.update({e.member_id: e for e in Evaluation.objects.filter(
            year=year, member_id__in=member_ids[start:start + 5000])})
    new = []
    for r in ratings:
        unqualified = r.result == Evaluation.Result.UNQUALIFIED
        values = {"branch_id": r.branch_id, "result": r.result,
                  "follow_up": r.follow_up if unqualified else "",
                  "reason": (r.reason or "").strip() if unqualified else ""}
        found = existing.get(r.member.pk)
        if found is None:
            new.append(Evaluation(member=r.member, year=year, recorded_by=_user(by), **values))
        elif any(getattr(found, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(found, k, v)
            found.recorded_by = _user(by)
            found.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    Evaluation.objects.bulk_create(new, batch_size=2000)
    counts["created"] = len(new)
    return counts


@transaction.atomic
def save_evaluations(branch: Organization, year: int, ratings: list[evaluations.Rating], *,
                     clear: list[Member] = (), by) -> dict:
    """A branch's results of `year` as the page records them (every rule checked first;
    nothing is written when one fails). `clear` removes results of members left unrated."""
    _require_change(by, branch)
    if not branch.is_branch:
        raise ValidationError("民主评议结果按党支部登记。")
    if year > _today().year:
        raise ValidationError("不能登记将来年度的民主评议结果。")
    if clear:
        Evaluation.objects.filter(year=year, member__in=list(clear), branch=branch).delete()
    problems = evaluations.check(year, ratings, branch_names={branch.pk: branch.name})
    if problems:
        _refuse(problems, ratings)
    counts = _write_ratings(year, ratings, by)
    audit(by, EVALUATIONS_SAVED, organization=branch, target=f"{branch.name} {year}年度",
          year=year, cleared=len(clear), **counts)
    return counts


@transaction.atomic
def import_evaluations(year: int, ratings: list[evaluations.Rating], *, by,
                       target: Organization) -> dict:
    """The rows of an evaluation import, checked by the importer (interfaces.md §10)."""
    counts = _write_ratings(year, ratings, by)
    audit(by, EVALUATIONS_IMPORTED, organization=target, target=f"{target.name} {year}年度",
          year=year, **counts)
    return counts


# ------------------------------------------------------------------------------ 流动党员

@transaction.atomic
def load_registers(outflows: list[Outflow], inflows: list[Inflow], *, by) -> None:
    """A bulk load of the 流动党员 registers (the demo at city scale), audited once. The
    outflows are of members already marked 流动党员 on the roster."""
    Outflow.objects.bulk_create(outflows, batch_size=2000)
    Inflow.objects.bulk_create(inflows, batch_size=2000)
    audit(by, OUTFLOW_REGISTERED, target=f"批量登记流出 {len(outflows)} 人、流入 {len(inflows)} 人",
          outflows=len(outflows), inflows=len(inflows))


@transaction.atomic
def register_outflow(member: Member, *, destination: str, since: datetime.date, by,
                     fixed_place: bool = True, certificate_no: str = "", receiving_org: str = "",
                     contact: str = "") -> Outflow:
    """流出登记: the member keeps the relationship here and is marked 流动党员."""
    if Outflow.objects.filter(member=member, returned_on__isnull=True).exists():
        raise ValidationError("该党员已有未返回的流出登记。")
    member = member_actions.flow_out(member, destination=destination, on=since, by=by)
    outflow = Outflow.objects.create(
        member=member, branch=member.branch, destination=destination.strip()[:200],
        fixed_place=fixed_place, since=since, certificate_no=certificate_no.strip(),
        receiving_org=receiving_org.strip(), contact=contact.strip())
    audit(by, OUTFLOW_REGISTERED, organization=member.branch, target=f"{member.name} → {destination}",
          outflow_id=outflow.pk, member_id=member.pk)
    return outflow


@transaction.atomic
def close_outflow(outflow: Outflow, *, on: datetime.date, by) -> Outflow:
    """The member is back (返回)."""
    outflow = Outflow.objects.select_for_update().select_related("member").get(pk=outflow.pk)
    if outflow.returned_on is not None:
        raise ValidationError("该流出登记已返回。")
    if on < outflow.since:
        raise ValidationError("返回日期不能早于外出日期。")
    if outflow.member.is_mobile:
        member_actions.flow_in(outflow.member, on=on, by=by)
    else:
        _require_change(by, outflow.branch)
        _not_future(on, "返回日期")
    outflow.returned_on = on
    outflow.save(update_fields=["returned_on"])
    audit(by, OUTFLOW_RETURNED, organization=outflow.branch, target=str(outflow.member),
          outflow_id=outflow.pk, date=on.isoformat())
    return outflow


@transaction.atomic
def register_inflow(branch: Organization, *, name: str, home_org: str, since: datetime.date, by,
                    id_number: str = "", certificate_no: str = "", contact: str = "") -> Inflow:
    """流入登记: a member of another place takes part here (列席, no vote, not on the roster)."""
    _require_change(by, branch)
    if not branch.is_branch:
        raise ValidationError("流入党员登记在党支部。")
    _not_future(since, "流入日期")
    if not (name or "").strip() or not (home_org or "").strip():
        raise ValidationError("请填写姓名和组织关系所在党组织。")
    if id_number and Member.objects.filter(id_number=id_number).exclude(
            status=Member.Status.TRANSFERRED_OUT).exists():
        raise ValidationError("该党员的组织关系在本区，不能登记为流入党员。")
    inflow = Inflow.objects.create(branch=branch, name=name.strip(), home_org=home_org.strip(),
                                   since=since, id_number=id_number, certificate_no=certificate_no,
                                   contact=contact)
    audit(by, INFLOW_REGISTERED, organization=branch, target=f"{inflow.name}（{inflow.home_org}）",
          inflow_id=inflow.pk)
    return inflow


@transaction.atomic
def end_inflow(inflow: Inflow, *, on: datetime.date, by) -> Inflow:
    _require_change(by, inflow.branch)
    _not_future(on, "离开日期")
    if inflow.left_on is not None:
        raise ValidationError("该流入党员已登记离开。")
    if on < inflow.since:
        raise ValidationError("离开日期不能早于流入日期。")
    inflow.left_on = on
    inflow.save(update_fields=["left_on"])
    audit(by, INFLOW_ENDED, organization=inflow.branch, target=inflow.name, inflow_id=inflow.pk)
    return inflow


# ------------------------------------------------------------------------- introduction letters

def _valid_days(days: int | None) -> int:
    days = days or rule("letter_valid_days")
    longest = rule("letter_valid_days_max")
    if not 1 <= days <= longest:
        raise ValidationError(f"介绍信有效期应为 1 至 {longest} 天。")
    return days


def _dues_month(text: str) -> str:
    try:
        return str(Month.parse((text or "").strip()))
    except (ValueError, AttributeError):
        raise ValidationError("党费交至月份应写成 2026-11 的格式。") from None


def next_number(on: datetime.date) -> str:
    """The district's letters are numbered per year: 2026-0001, 2026-0002 …"""
    prefix = f"{on.year}-"
    taken = TransferLetter.objects.filter(number__startswith=prefix).exclude(
        direction=TransferLetter.Direction.IN).values_list("number", flat=True)
    last = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


@transaction.atomic
def issue_letter_out(member: Member, *, outside_org: str, on: datetime.date, dues_paid_to: str, by,
                     valid_days: int | None = None, note: str = "") -> TransferLetter:
    """组织关系转出本区: the letter is numbered, and the member leaves the roster on its date
    (members.actions.transfer_out_of_district)."""
    days, month = _valid_days(valid_days), _dues_month(dues_paid_to)
    branch = member.branch
    member = member_actions.transfer_out_of_district(member, on=on, destination=outside_org, by=by,
                                                     note=note)
    letter = TransferLetter.objects.create(
        number=next_number(on), direction=TransferLetter.Direction.OUT, member=member,
        from_branch=branch, outside_org=outside_org.strip()[:200], issued_on=on, valid_days=days,
        dues_paid_to=month, note=note, issued_by=_user(by))
    audit(by, LETTER_ISSUED, organization=branch, target=f"第 {letter.number} 号 {member.name} → {outside_org}",
          letter_id=letter.pk, member_id=member.pk, direction=letter.direction, date=on.isoformat())
    return letter


@transaction.atomic
def issue_letter_inside(member: Member, to_branch: Organization, *, on: datetime.date,
                        dues_paid_to: str, by, valid_days: int | None = None,
                        note: str = "") -> TransferLetter:
    """组织关系区内转接 with its letter: the member moves when the receiving side accepts
    (members.actions.transfer_out)."""
    days, month = _valid_days(valid_days), _dues_month(dues_paid_to)
    branch = member.branch
    transfer = member_actions.transfer_out(member, to_branch, on=on, by=by, note=note)
    letter = TransferLetter.objects.create(
        number=next_number(on), direction=TransferLetter.Direction.INSIDE, member=member,
        from_branch=branch, to_branch=to_branch, issued_on=on, valid_days=days,
        dues_paid_to=month, note=note, issued_by=_user(by), transfer=transfer)
    audit(by, LETTER_ISSUED, organization=branch, target=f"第 {letter.number} 号 {member.name} → {to_branch.name}",
          letter_id=letter.pk, member_id=member.pk, direction=letter.direction, date=on.isoformat())
    return letter


@transaction.atomic
def receive_letter_in(data: dict, *, branch: Organization, outside_org: str, number: str,
                      on: datetime.date, dues_paid_to: str, by, issued_on: datetime.date | None = None,
                      valid_days: int | None = None, note: str = "") -> TransferLetter:
    """组织关系转入本区 on a letter from outside: the member joins `branch`'s roster on `on`
    (members.actions.transfer_into_district)."""
    number = (number or "").strip()
    if not number:
        raise ValidationError("请填写介绍信编号。")
    if TransferLetter.objects.filter(direction=TransferLetter.Direction.IN, number=number).exists():
        raise ValidationError(f"编号为 {number} 的介绍信已登记。")
    days, month = _valid_days(valid_days), _dues_month(dues_paid_to)
    member = member_actions.transfer_into_district(data, branch=branch, on=on, origin=outside_org,
                                                   by=by, note=note)
    letter = TransferLetter.objects.create(
        number=number[:30], direction=TransferLetter.Direction.IN, member=member, to_branch=branch,
        outside_org=outside_org.strip()[:200], issued_on=issued_on or on, valid_days=days,
        dues_paid_to=month, note=note, issued_by=_user(by))
    audit(by, LETTER_RECEIVED, organization=branch, target=f"{number} {member.name} ← {outside_org}",
          letter_id=letter.pk, member_id=member.pk, date=on.isoformat())
    return letter


@transaction.atomic
def record_receipt(letter: TransferLetter, *, on: datetime.date, by, note: str = "") -> TransferLetter:
    """回执: the receiving side confirmed (for a letter out) or was answered (for a letter in)."""
    letter = TransferLetter.objects.select_for_update().get(pk=letter.pk)
    _require_change(by, letter.branch)
    _not_future(on, "回执日期")
    if letter.receipt_on is not None:
        raise ValidationError("该介绍信的回执已登记。")
    if on < letter.issued_on:
        raise ValidationError("回执日期不能早于介绍信开具日期。")
    letter.receipt_on, letter.receipt_note = on, (note or "").strip()[:200]
    letter.save(update_fields=["receipt_on", "receipt_note"])
    audit(by, RECEIPT_RECORDED, organization=letter.branch, target=f"第 {letter.number} 号",
          letter_id=letter.pk, date=on.isoformat())
    return letter


# ------------------------------------------------------------------ yearly requirements

FIRST_YEAR = 2000  # the earliest year the pages offer (cycle.views._year)


@transaction.atomic
def save_yearly_requirement(*, key: str, effective_from: int, enabled: bool, times: int,
                            by) -> YearlyRequirement:
    """A new version of one yearly requirement from `effective_from` on; earlier years keep
    theirs. 组织部 staff only; a year already past cannot change."""
    if by is not None and not policy_for(by).is_staff:
        raise PermissionDenied("只有组织部管理员可以修改年度考核要求。")
    if key not in YearlyRequirement.Key.values:
        raise ValidationError(f"未知的年度考核要求：{key}")
    this_year = _today().year
    if effective_from < this_year:
        raise ValidationError(
            f"不能修改已经过去的年度（{effective_from}年）：新要求最早从本年度（{this_year}年）起生效。")
    if effective_from > this_year + 5:
        raise ValidationError("生效年度最多设到五年以后。")
    if not 1 <= times <= 12:
        raise ValidationError("每年次数应为 1 至 12 次。")
    version, created = YearlyRequirement.objects.update_or_create(
        key=key, effective_from=effective_from,
        defaults={"enabled": enabled, "times": times, "changed_by": _user(by)})
    audit(by, YEARLY_REQUIREMENT_SAVED, target=str(version), key=key,
          effective_from=effective_from, enabled=enabled, times=times, created=created)
    return version


def _require_review(by, branch: Organization, what: str) -> None:
    if by is not None and not policy_for(by).allows(Right.REVIEW, branch):
        raise PermissionDenied(f"只有上级党组织或组织部可以{what}。")


@transaction.atomic
def add_yearly_exemption(branch: Organization, *, year: int, key: str, reason: str,
                         by) -> YearlyExemption:
    """Excuse a branch from one yearly requirement (`key`) or all (`""`) for one year."""
    if not branch.is_branch:
        raise ValidationError("只能为党支部设置豁免。")
    _require_review(by, branch, "设置豁免")
    if key and key not in YearlyRequirement.Key.values:
        raise ValidationError(f"未知的年度考核要求：{key}")
    if not FIRST_YEAR <= year <= _today().year + 1:
        raise ValidationError(f"豁免年度应在 {FIRST_YEAR} 年至 {_today().year + 1} 年之间。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写豁免原因。")
    exemption, created = YearlyExemption.objects.update_or_create(
        branch=branch, year=year, key=key or "",
        defaults={"reason": reason[:200], "created_by": _user(by)})
    audit(by, YEARLY_EXEMPTION_ADDED, organization=branch, target=str(exemption), year=year,
          key=key or "", reason=reason[:200], created=created)
    return exemption


@transaction.atomic
def remove_yearly_exemption(exemption: YearlyExemption, *, by) -> None:
    _require_review(by, exemption.branch, "取消豁免")
    audit(by, YEARLY_EXEMPTION_REMOVED, organization=exemption.branch, target=str(exemption),
          year=exemption.year, key=exemption.key)
    exemption.delete()


# ------------------------------------------------------------ 流入党员 at a meeting

@transaction.atomic
def record_inflow_attendance(meeting: Meeting, present: set[int], *, by) -> dict:
    """The branch's 流入党员 registered on the meeting's date: those in `present` 列席, the others
    not. Whoever may change the meeting records it; nothing here counts in the meeting's figures."""
    meeting = Meeting.objects.select_for_update().select_related("branch").get(pk=meeting.pk)
    _require_change(by, meeting.branch)
    if by is not None and not can_edit_meeting(by, meeting):
        if meeting.status == Meeting.Status.SUBMITTED:
            raise ValidationError("该会议记录已提交，不能再登记列席；如需更正，请由上级党组织退回修改。")
        raise ValidationError("退回的会议记录由支部修改后重新提交；上级党组织不能代为登记。")
    expected = set(Inflow.objects.filter(branch=meeting.branch).open_on(meeting.date)
                   .values_list("pk", flat=True))
    if set(present) - expected:
        raise ValidationError("流入党员名单已有变化，请刷新页面后重新登记。")
    InflowAttendance.objects.filter(meeting=meeting).exclude(inflow_id__in=expected).delete()
    for inflow_id in expected:
        InflowAttendance.objects.update_or_create(
            meeting=meeting, inflow_id=inflow_id, defaults={"present": inflow_id in present})
    counts = {"present": len(present), "absent": len(expected) - len(present)}
    audit(by, INFLOW_ATTENDANCE_RECORDED, organization=meeting.branch,
          target=f"{meeting.date:%Y-%m-%d} {meeting.topic}", meeting_id=meeting.pk, **counts)
    return counts


@transaction.atomic
def load_inflow_attendance(rows: list[InflowAttendance], *, by) -> int:
    """A bulk load of 流入党员 列席 records (the demo at city scale), audited once; the rows are
    of meetings their inflow was registered on (InflowQuerySet.open_on)."""
    InflowAttendance.objects.bulk_create(rows, batch_size=2000)
    present = sum(1 for row in rows if row.present)
    audit(by, INFLOW_ATTENDANCE_RECORDED, target=f"批量登记流入党员列席 {len(rows)} 人次",
          present=present, absent=len(rows) - present)
    return len(rows)
