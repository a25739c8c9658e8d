"""Every change to the recruitment record: one named function each, in one transaction, audited.

Branch steps need the change right on the branch; upper-level steps (备案, 预审, 派人谈话, 审批)
need the review right (accounts.policy: a keeper of a strict ancestor, or 组织部 staff). The
person becomes a 预备党员 through members.actions.create_member when 上级党委审批 is recorded
(入党日期 = the 支部大会), and a 正式党员 through members.actions.confirm when the 转正 is approved.
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from activities.attachments import check_upload
from core.quarters import add_months, add_years
from members import actions as member_actions
from members.models import Member
from members.validation import check_person
from recruitment import steps
from recruitment.models import Applicant, Document, Involvement, Step, TimeRule, Violation
from recruitment.pipeline import progress_of, progress_rows, refresh_milestones, violations
from recruitment.rules import DEFAULTS, RuleBook

APPLICANT_CREATED = "recruitment.applicant_created"
STEP_RECORDED = "recruitment.step_recorded"
DOCUMENT_ADDED = "recruitment.document_added"
VIOLATION_ACCEPTED = "recruitment.violation_accepted"
RULE_SAVED = "recruitment.rule_saved"
ADMITTED = "recruitment.admitted"
CONFIRMED = "recruitment.confirmed"
ADOPTED = "recruitment.adopted"
STOPPED = "recruitment.stopped"
LEDGER_IMPORTED = "recruitment.import"
LEDGER_EXPORTED = "recruitment.export"
SEEDED = "recruitment.seeded"

AUDIT_LABELS = {
    APPLICANT_CREATED: "登记入党申请人",
    STEP_RECORDED: "记录发展党员步骤",
    DOCUMENT_ADDED: "上传发展党员材料",
    VIOLATION_ACCEPTED: "认可发展党员时限例外",
    RULE_SAVED: "修改发展党员时限规则",
    ADMITTED: "接收为预备党员",
    CONFIRMED: "预备党员转正",
    ADOPTED: "预备党员转入转正程序",
    STOPPED: "终止培养",
    LEDGER_IMPORTED: "导入发展党员台账",
    LEDGER_EXPORTED: "导出发展党员台账",
    SEEDED: "生成发展党员演示数据",
}
STAGE_RANK = {stage: i for i, stage in enumerate(
    (steps.APPLICANT, steps.ACTIVIST, steps.CANDIDATE, steps.PROBATIONARY, steps.FULL))}


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _target(applicant: Applicant) -> str:
    return f"{applicant.name}（{applicant.masked_id_number}）"


def may_record(user, applicant_or_branch, step_key: str) -> bool:
    """Branch steps: the change right on the branch; upper steps: the review right over it.
    `user` None is the system (commands, the ledger import from the command line)."""
    if user is None:
        return True
    branch = getattr(applicant_or_branch, "branch", applicant_or_branch)
    right = Right.REVIEW if steps.ALL[step_key].upper else Right.CHANGE
    return policy_for(user).allows(right, branch)


def _require(user, applicant, step_key) -> None:
    if not may_record(user, applicant, step_key):
        if steps.ALL[step_key].upper:
            raise PermissionDenied(f"“{steps.ALL[step_key].label}”由上级党委办理，支部不能自行记录。")
        raise PermissionDenied("您对该党支部只有查看权限。")


def _check_day(day, what: str) -> None:
    if day is None:
        raise ValidationError(f"请填写{what}日期。")
    if day > timezone.localdate():
        raise ValidationError(f"{what}日期不能晚于今天。")


# ------------------------------------------------------------------------------- the person

@transaction.atomic
def create_applicant(data: dict, *, branch, applied_on: datetime.date, by, note: str = "",
                     upload=None) -> Applicant:
    """申请入党: a new person of `branch` from the date of their 入党申请书 (step 1)."""
    if not may_record(by, branch, "applied"):
        raise PermissionDenied("您对该党支部只有查看权限。")
    if not branch.is_branch:
        raise ValidationError("入党申请人只能登记在党支部（或联合党支部、临时党支部）。")
    checked = check_person({k: data.get(k) for k in ("name", "id_number", "sex", "birth_date")},
                           today=timezone.localdate())
    errors = {name: [message] for name, message in checked.errors
              if name in ("name", "id_number", "sex", "birth_date")}
    if errors:
        raise ValidationError(errors)
    values = checked.values
    _check_day(applied_on, "申请入党")
    birth = datetime.date.fromisoformat(values["birth_date"])
    age = RuleBook.load().value("min_age", applied_on)
    if applied_on < add_years(birth, age):
        raise ValidationError({"applied_on": [f"申请入党时未满 {age} 周岁（{add_years(birth, age)} 年满）。"]})
    # One sentence for both, naming no branch: the answer must not tell whether someone is a
    # party member (members.actions.ClashNames).
    if (Applicant.objects.filter(id_number=values["id_number"]).exists()
            or Member.objects.filter(id_number=values["id_number"]).exists()):
        raise ValidationError({"id_number": ["该公民身份号码已有登记（入党申请人或党员），不能重复登记；请核对号码。"]})
    applicant = Applicant.objects.create(
        name=values["name"], id_number=values["id_number"], sex=values.get("sex", ""),
        birth_date=birth, branch=branch, work_unit=(data.get("work_unit") or "").strip()[:200],
    )
    step = Step.objects.create(applicant=applicant, step="applied", date=applied_on, note=note,
                               recorded_by=_actor(by))
    if upload is not None:
        _store(step, upload, by)
    audit(by, APPLICANT_CREATED, organization=branch, target=_target(applicant),
          applicant_id=applicant.pk, date=applied_on.isoformat())
    steps_written([applicant.pk])
    return applicant


@transaction.atomic
def adopt_member(member: Member, *, by) -> Applicant:
    """Take a 预备党员 of the roster (admitted before the portal kept these records) into the
    转正 steps, so 转正 goes through 转正申请, 支部大会 and 上级党委审批 like everyone's."""
    if by is not None and not policy_for(by).allows(Right.CHANGE, member.branch):
        raise PermissionDenied("您对该党支部只有查看权限。")
    if member.category != Member.Category.PROBATIONARY or member.status != Member.Status.NORMAL:
        raise ValidationError("只有党籍正常的预备党员可以办理转正。")
    existing = Applicant.objects.filter(id_number=member.id_number).first()
    if existing is not None:
        if existing.member_id is None:
            existing.member = member
            existing.save(update_fields=["member", "updated_at"])
        return existing
    applicant = Applicant.objects.create(
        name=member.name, id_number=member.id_number, sex=member.sex, birth_date=member.birth_date,
        work_unit=member.work_unit, branch=member.branch, stage=steps.PROBATIONARY, member=member,
        extension_months=_extension(member),
    )
    audit(by, ADOPTED, organization=member.branch, target=_target(applicant),
          applicant_id=applicant.pk, member_id=member.pk)
    return applicant


def _extension(member: Member) -> int:
    if not member.probation_extended_until:
        return 0
    for months in (6, 12):
        if add_months(member.joined_on, 12 + months) == member.probation_extended_until:
            return months
    return 12


# ------------------------------------------------------------------------------- the steps

def recorded_dates(applicant: Applicant) -> dict[str, datetime.date]:
    """The date of each step recorded (the latest, for a repeatable one)."""
    dates: dict[str, datetime.date] = {}
    for key, day in applicant.steps.values_list("step", "date"):
        if key not in dates or day > dates[key]:
            dates[key] = day
    return dates


@transaction.atomic
def record_step(applicant: Applicant, step_key: str, *, on: datetime.date, by, note: str = "",
                hours=None, number: str = "", people: list[str] | tuple = (), upload=None,
                months: int | None = None) -> Step:
    """Record one of the 25 steps (or the extension of the probation) with its date."""
    applicant = Applicant.objects.select_for_update(of=("self",)).select_related(
        "branch", "member").get(pk=applicant.pk)
    if step_key not in steps.ALL:
        raise ValidationError("没有这个步骤。")
    definition = steps.ALL[step_key]
    _require(by, applicant, step_key)
    if applicant.stage in (steps.FULL, steps.STOPPED):
        raise ValidationError(f"该人员已{applicant.get_stage_display()}，不能再记录步骤。")
    _check_day(on, definition.label)
    dates = recorded_dates(applicant)
    if step_key in dates and not definition.repeatable:
        raise ValidationError(f"“{definition.label}”已于 {dates[step_key]} 记录。")
    _check_order(applicant, step_key, on, dates)
    detail = {}
    if definition.people:
        people = [name.strip() for name in people if name and name.strip()]
        if not people:
            raise ValidationError("请填写姓名（一般为两名正式党员）。")
        detail["people"] = people
    if step_key == "probation_extended":
        if months not in (6, 12):
            raise ValidationError("预备期可延长 6 个月或 12 个月，且只能延长一次。")
        if applicant.extension_months:
            raise ValidationError("预备期已延长过一次。")
        detail["months"] = months
    if definition.hours and (hours is None or hours < 0):
        raise ValidationError("请填写集中培训学时。")
    step = Step.objects.create(
        applicant=applicant, step=step_key, date=on, note=note, detail=detail,
        hours=hours if definition.hours else None,
        number=(number or "").strip()[:30] if definition.number_field else "",
        recorded_by=_actor(by),
    )
    if definition.people:
        role = Involvement.Role.MENTOR if definition.people == "mentor" else Involvement.Role.SPONSOR
        _set_people(applicant, role, detail["people"])
    if upload is not None:
        _store(step, upload, by)
    audit(by, STEP_RECORDED, organization=applicant.branch, target=_target(applicant),
          applicant_id=applicant.pk, step=step_key, date=on.isoformat())
    _after(applicant, step, dates | {step_key: on}, by)
    steps_written([applicant.pk])
    return step


def _check_order(applicant, step_key, on, dates) -> None:
    """A step comes after the one it needs, and the §4.1 dates keep their order."""
    need = steps.NEEDS.get(step_key)
    if need and need not in dates and not (steps.adopted(applicant.stage, dates) and need == "approval"):
        raise ValidationError(f"请先记录“{steps.ALL[need].label}”。")
    if need and need in dates and on < dates[need]:
        raise ValidationError(f"日期 {on} 早于“{steps.ALL[need].label}”的日期 {dates[need]}。")
    if step_key in steps.ORDER:
        position = steps.ORDER.index(step_key)
        for earlier in steps.ORDER[:position]:
            if earlier in dates and on < dates[earlier]:
                raise ValidationError(
                    f"日期 {on} 早于“{steps.ALL[earlier].label}”的日期 {dates[earlier]}。")
        for later in steps.ORDER[position + 1:]:
            if later in dates and on > dates[later]:
                raise ValidationError(
                    f"日期 {on} 晚于已记录的“{steps.ALL[later].label}”日期 {dates[later]}。")
    if step_key == "confirm_congress" and applicant.member_id:
        ends = applicant.member.probation_ends_on()
        if on < ends:
            raise ValidationError(f"预备期至 {ends} 届满，支部大会讨论转正的日期不能早于该日。")


def _after(applicant: Applicant, step: Step, dates: dict, by) -> None:
    """What a step changes beyond itself: the stage, and the member's record."""
    if step.step == "approval":
        _admit(applicant, dates["congress"], by)
    elif step.step == "confirm_approval":
        member = _locked_member(applicant)
        member_actions.confirm(member, on=dates["confirm_congress"], by=by,
                               note=f"发展党员纪实：上级党委于 {step.date} 审批转正")
        audit(by, CONFIRMED, organization=applicant.branch, target=_target(applicant),
              applicant_id=applicant.pk, member_id=member.pk, date=dates["confirm_congress"].isoformat())
    elif step.step == "probation_extended":
        member = _locked_member(applicant)
        months = step.detail["months"]
        member_actions.extend_probation(member, until=add_months(member.joined_on, 12 + months),
                                        on=step.date, by=by, note=step.note)
        applicant.extension_months = months
    stage = steps.stage_of(dates)
    if STAGE_RANK[stage] > STAGE_RANK[applicant.stage]:
        applicant.stage = stage
    applicant.save(update_fields=["stage", "extension_months", "member", "updated_at"])


def _locked_member(applicant: Applicant) -> Member:
    if applicant.member_id is None:
        raise ValidationError("该人员还没有党员记录（上级党委审批后才登记为预备党员）。")
    return applicant.member


def _admit(applicant: Applicant, congress: datetime.date, by) -> None:
    """上级党委审批: the person becomes a 预备党员 of the branch since the 支部大会."""
    member = Member.objects.filter(id_number=applicant.id_number).select_related("branch").first()
    if member is None:
        member = member_actions.create_member(
            {"name": applicant.name, "id_number": applicant.id_number, "sex": applicant.sex,
             "birth_date": applicant.birth_date, "category": "预备党员", "joined_on": congress,
             "work_unit": applicant.work_unit},
            branch=applicant.branch, by=by,
        )
    elif member.branch_id != applicant.branch_id or member.joined_on != congress:
        raise ValidationError(f"花名册中已有该党员（{member.branch.name}，入党日期 {member.joined_on}），"
                              "与本次接收不一致，请先核对。")
    applicant.member = member
    audit(by, ADMITTED, organization=applicant.branch, target=_target(applicant),
          applicant_id=applicant.pk, member_id=member.pk, joined_on=congress.isoformat())


def _set_people(applicant, role, names) -> None:
    Involvement.objects.filter(applicant=applicant, role=role).delete()
    members = dict(Member.objects.filter(branch_id=applicant.branch_id, name__in=names)
                   .values_list("name", "id"))
    Involvement.objects.bulk_create([
        Involvement(applicant=applicant, role=role, name=name[:50], member_id=members.get(name),
                    position=i)
        for i, name in enumerate(names)
    ])


def _store(step: Step, upload, by) -> Document:
    kind = check_upload(upload)  # AttachmentRejected says what the file really is
    upload.seek(0)
    document = Document(step=step, original_name=(upload.name or "材料")[:200],
                        content_type=kind.content_type, size=upload.size, uploaded_by=_actor(by))
    document.file.save(f"{uuid.uuid4().hex}{kind.extension}", ContentFile(upload.read()), save=False)
    document.save()
    return document


@transaction.atomic
def add_document(step: Step, upload, *, by) -> Document:
    """Keep a paper with a recorded step (its content checked, never its name)."""
    applicant = step.applicant
    if not may_record(by, applicant, "applied") and not may_record(by, applicant, step.step):
        raise PermissionDenied("您对该党支部只有查看权限。")
    document = _store(step, upload, by)
    audit(by, DOCUMENT_ADDED, organization=applicant.branch, target=_target(applicant),
          applicant_id=applicant.pk, step=step.step, document=document.pk,
          name=document.original_name)
    return document


@transaction.atomic
def stop(applicant: Applicant, *, on: datetime.date, reason: str, by) -> Applicant:
    """终止培养 (the person withdrew, moved away, or was found unsuitable), with the reason."""
    applicant = Applicant.objects.select_for_update().select_related("branch").get(pk=applicant.pk)
    if not may_record(by, applicant, "applied"):
        raise PermissionDenied("您对该党支部只有查看权限。")
    if applicant.stage not in (steps.APPLICANT, steps.ACTIVIST, steps.CANDIDATE):
        raise ValidationError("已接收为预备党员的，不能终止培养（预备党员的处理在党员页面办理）。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写终止培养的原因。")
    _check_day(on, "终止培养")
    applicant.stage = steps.STOPPED
    applicant.save(update_fields=["stage", "updated_at"])
    audit(by, STOPPED, organization=applicant.branch, target=_target(applicant),
          applicant_id=applicant.pk, date=on.isoformat(), reason=reason)
    return applicant


# ------------------------------------------------------------------------------- violations

def steps_written(applicant_ids) -> None:
    """After steps change: the milestones the rules read, then the violations they show."""
    refresh_milestones(applicant_ids)
    sync_violations(applicant_ids)


def sync_violations(applicant_ids, book: RuleBook | None = None) -> None:
    """Keep the recorded violations equal to what the rules say of the recorded dates; an
    acceptance stays with its violation while the violation stands."""
    book = book or RuleBook.load()
    ids = list(applicant_ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        want = {}
        for row in progress_rows(Applicant.objects.filter(pk__in=chunk)):
            for broken in violations(progress_of(row), book):
                want[(row["id"], broken.rule)] = broken.message[:300]
        have = {(v.applicant_id, v.rule): v for v in Violation.objects.filter(applicant_id__in=chunk)}
        gone = [v.pk for key, v in have.items() if key not in want]
        if gone:
            Violation.objects.filter(pk__in=gone).delete()
        changed = []
        for key, message in want.items():
            if key in have and have[key].message != message:
                have[key].message = message
                changed.append(have[key])
        Violation.objects.bulk_update(changed, ["message"], batch_size=2000)
        Violation.objects.bulk_create(
            [Violation(applicant_id=a, rule=r, message=m) for (a, r), m in want.items()
             if (a, r) not in have], batch_size=2000)


@transaction.atomic
def accept_violation(violation: Violation, *, reason: str, by) -> Violation:
    """The level above accepts a broken rule with a reason (it shows in the record)."""
    violation = Violation.objects.select_for_update().select_related("applicant__branch").get(
        pk=violation.pk)
    applicant = violation.applicant
    if by is not None and not policy_for(by).allows(Right.REVIEW, applicant.branch):
        raise PermissionDenied("时限例外由上级党组织认可。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写认可的理由。")
    if violation.accepted_at:
        raise ValidationError("该例外已认可。")
    if violation.rule == "approval_within":
        dates = recorded_dates(applicant)
        book = RuleBook.load()
        limit = book.limit("approval_within", dates.get("congress"))
        if limit and dates.get("approval") and dates.get("congress") and \
                dates["approval"] > add_months(dates["congress"], limit):
            raise ValidationError(f"审批超过支部大会后 {limit} 个月，不能作为例外认可。")
    violation.accepted_by = _actor(by)
    violation.accepted_at = timezone.now()
    violation.reason = reason[:1000]
    violation.save(update_fields=["accepted_by", "accepted_at", "reason"])
    audit(by, VIOLATION_ACCEPTED, organization=applicant.branch, target=_target(applicant),
          applicant_id=applicant.pk, rule=violation.rule, reason=violation.reason)
    return violation


# ------------------------------------------------------------------------------- the rules

@transaction.atomic
def save_rule_version(*, key: str, effective_from: datetime.date, value: int, by,
                      limit: int | None = None, note: str = "") -> TimeRule:
    """A new version of a §4.2 rule (组织部 staff). Clocks started before it keep theirs."""
    if by is not None and not policy_for(by).is_staff:
        raise PermissionDenied("只有组织部管理员可以修改发展党员时限规则。")
    if key not in DEFAULTS:
        raise ValidationError("没有这条规则。")
    if value is None or value < 1 or value > 600:
        raise ValidationError("数值应为 1–600 之间的整数。")
    if limit is not None and limit < value:
        raise ValidationError("上限不能小于数值。")
    rule, _ = TimeRule.objects.update_or_create(
        key=key, effective_from=effective_from,
        defaults={"value": value, "limit": limit, "note": note[:200], "changed_by": _actor(by)},
    )
    audit(by, RULE_SAVED, target=f"{rule.get_key_display()} = {value}", key=key,
          effective_from=effective_from.isoformat(), value=value, limit=limit)
    return rule


# ------------------------------------------------------------------------------- the ledger

@dataclass
class LedgerRow:
    """One planned row of the ledger import (recruitment.importer), plain values."""

    id_number: str
    name: str
    sex: str
    birth_date: str
    branch_id: int
    stage: str
    applicant_id: int | None
    dates: dict = field(default_factory=dict)  # step key → ISO date, only the dates given
    hours: str | None = None
    people: dict = field(default_factory=dict)  # Involvement.Role → names
    member: dict = field(default_factory=dict)  # {"action": None | "create" | "link", "member_id"}


# Steps the ledger's other columns hang on, dated by the milestone they follow.
_DATED_BY = {"training": ("candidate", "activist", "applied"),
             "mentors": ("activist", "applied"), "sponsors": ("candidate", "activist", "applied")}


def write_ledger_rows(rows: list[LedgerRow], *, by) -> list[int]:
    """Write planned ledger rows in bulk (the caller holds the transaction and audits the whole);
    rows that reach 上级党委审批 make or link their 预备党员. Returns the people written."""
    by_user = _actor(by)
    old = Applicant.objects.in_bulk([r.applicant_id for r in rows if r.applicant_id is not None])
    new = [r for r in rows if r.applicant_id is None]
    created = Applicant.objects.bulk_create([
        Applicant(name=r.name, id_number=r.id_number, sex=r.sex,
                  birth_date=datetime.date.fromisoformat(r.birth_date), branch_id=r.branch_id,
                  stage=r.stage)
        for r in new
    ], batch_size=2000)
    for row, applicant in zip(new, created, strict=True):
        row.applicant_id = applicant.pk
    for row in rows:
        if row.applicant_id in old:
            a = old[row.applicant_id]
            a.name, a.sex, a.stage = row.name, row.sex or a.sex, row.stage
            a.birth_date = datetime.date.fromisoformat(row.birth_date)
    Applicant.objects.bulk_update(list(old.values()), ["name", "sex", "birth_date", "stage"],
                                  batch_size=2000)
    ids = [r.applicant_id for r in rows]
    existing: dict[int, dict[str, Step]] = {}
    for step in Step.objects.filter(applicant_id__in=list(old), step__in=(*steps.ORDER, *_DATED_BY)):
        existing.setdefault(step.applicant_id, {})[step.step] = step
    to_create, to_update = [], []

    def put(recorded: dict, applicant_id, key, day, **values):
        step = recorded.get(key)
        if step is None:
            recorded[key] = Step(applicant_id=applicant_id, step=key, date=day,
                                 recorded_by=by_user, detail={"import": True}, **values)
            to_create.append(recorded[key])
        elif step.date != day or any(str(getattr(step, k)) != str(v) for k, v in values.items()):
            step.date = day
            for k, v in values.items():
                setattr(step, k, v)
            to_update.append(step)

    for row in rows:
        recorded = existing.setdefault(row.applicant_id, {})
        given = {k: datetime.date.fromisoformat(v) for k, v in row.dates.items()}
        for key, day in given.items():
            put(recorded, row.applicant_id, key, day)
        dates = {k: s.date for k, s in recorded.items()}
        if row.hours is not None:
            put(recorded, row.applicant_id, "training", _dated(dates, "training", recorded),
                hours=row.hours)
        for role in row.people:
            key = "mentors" if role == Involvement.Role.MENTOR else "sponsors"
            if key not in recorded:
                put(recorded, row.applicant_id, key, _dated(dates, key, recorded))
    Step.objects.bulk_create(to_create, batch_size=5000)
    Step.objects.bulk_update(to_update, ["date", "hours"], batch_size=2000)
    people_rows = [r for r in rows if r.people]
    if people_rows:
        for role in Involvement.Role.values:
            Involvement.objects.filter(
                role=role, applicant_id__in=[r.applicant_id for r in people_rows if role in r.people],
            ).delete()
        Involvement.objects.bulk_create([
            Involvement(applicant_id=r.applicant_id, role=role, name=name[:50], position=i)
            for r in people_rows for role, names in r.people.items() for i, name in enumerate(names)
        ], batch_size=5000)
    _members_of(rows, by)
    steps_written(ids)
    return ids


def _dated(dates: dict, key: str, recorded: dict) -> datetime.date:
    """A step the ledger gives no date of is dated by the milestone it follows."""
    if key in recorded:
        return recorded[key].date
    return next(dates[k] for k in _DATED_BY[key] if dates.get(k))


def _members_of(rows: list[LedgerRow], by) -> None:
    Applicant.objects.bulk_update(
        [Applicant(pk=r.applicant_id, member_id=r.member["member_id"]) for r in rows
         if r.member.get("action") == "link"], ["member"], batch_size=2000)
    for row in rows:
        if row.member.get("action") == "create":
            applicant = Applicant.objects.select_related("branch").get(pk=row.applicant_id)
            congress = Step.objects.get(applicant=applicant, step="congress").date
            _admit(applicant, congress, by)
            applicant.save(update_fields=["member", "updated_at"])
