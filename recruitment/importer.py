"""The 发展党员工作台账 (interfaces.md §4.1) through the shared import flow.

A row is a person (the ID is the key: the same person is updated, never duplicated) and the
dates of their milestones. Planning merges the file's dates with what the portal holds (a blank
cell keeps the recorded step), checks the order of the dates and `min_age` (row errors), and
says which rows make or find a 预备党员. Applying writes the steps in bulk, creates the members
through members.actions.create_member and records the rules' violations (§4.2).
"""
from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from activities.importer import NAME_SEPARATORS
from branches.models import Organization
from core.importing import (
    ImportCannotRun,
    Importer,
    ImportResult,
    Plan,
    RowError,
    RowPlan,
    counted_result,
)
from core.quarters import add_years
from members.actions import ClashNames
from members.importer import MemberImporter, RosterScope
from members.models import Member
from members.validation import check_person
from recruitment import actions, steps
from recruitment.models import Applicant, Involvement
from recruitment.pipeline import progress_of, progress_rows
from recruitment.rules import RuleBook
from tabular.values import mask_id_number, normalize_name, normalize_text

PERSON_FIELDS = ("name", "id_number", "sex", "birth_date")
DATE_FIELDS = steps.ORDER  # 申请 → 谈话 → 积极分子 → 发展对象 → 支部大会 → 审批 → 宣誓
PEOPLE_FIELDS = {"mentors": Involvement.Role.MENTOR, "sponsors": Involvement.Role.SPONSOR}
UPPER_DATES = ("approval",)  # recorded by the level above the branch
AUDIT_IMPORT = "recruitment.import"


def split_names(value) -> list[str]:
    text = normalize_text(value)
    if not text:
        return []
    return [normalize_name(part) for part in NAME_SEPARATORS.split(text) if part]


class ApplicantImporter(Importer):
    kind = "applicants"
    title = "发展党员工作台账"
    fields = {
        **{name: MemberImporter.fields[name] for name in PERSON_FIELDS},  # "as §1.2"
        "branch": ["所在党支部", "培养党支部", "所在支部"],
        "branch_code": MemberImporter.fields["branch_code"],
        "applied": ["申请入党日期", "递交申请书日期"],
        "talk": ["谈话日期", "党组织派人谈话日期"],
        "activist": ["确定积极分子日期", "确定为入党积极分子日期", "列为积极分子日期"],
        "mentors": ["培养联系人"],
        "candidate": ["确定发展对象日期", "列为发展对象日期"],
        "sponsors": ["入党介绍人"],
        "hours": ["集中培训学时", "培训学时"],
        "congress": ["支部大会讨论日期", "接收预备党员支部大会日期"],
        "approval": ["上级党委审批日期", "党委审批日期"],
        "oath": ["入党宣誓日期"],
    }
    required_headers = ("name", "id_number", "applied")

    def check_target(self):
        org = self.organization
        if org is None:
            raise ImportCannotRun("请指定导入到哪个党组织（--org 组织编码）。")
        if org.kind == Organization.Kind.GROUP:
            raise ImportCannotRun("发展党员台账不能导入到党小组，请选择党支部或其上级党组织。")
        if self.user is not None and not policy_for(self.user).allows(Right.CHANGE, org):
            raise ImportCannotRun(f"您无权向{org.name}导入发展党员台账。")

    # -- planning --------------------------------------------------------------------------
    def plan_rows(self, records, progress):
        today = timezone.localdate()
        self.book = RuleBook.load()
        scope = RosterScope(self.organization)
        rows, first_row_of = [], {}
        for row_number, record in records:
            rows.append(self._read_row(row_number, record, scope, first_row_of, today))
        keys = [r.key for r in rows if r.key and r.action != "error"]
        existing = _existing_applicants(keys)
        members = _existing_members(keys)
        self._clashes = ClashNames(self.user, at=self.organization)
        for row in rows:
            if row.action != "error":
                self._decide(row, existing.get(row.key), members.get(row.key), today)
        self._clashes.record("导入发展党员台账")
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _read_row(self, row_number, record, scope, first_row_of, today) -> RowPlan:
        row = RowPlan(row=row_number, action="create")
        person = {name: record[name] for name in PERSON_FIELDS if name in record}
        checked = check_person(person, today=today)  # only the person's own fields count here
        for name, message in checked.errors:
            if name in PERSON_FIELDS:
                row.fail(self.column(name), message)
        for name in checked.month_only:
            self.note_month_only(row_number, name)
        values = {name: checked.values[name] for name in PERSON_FIELDS if name in checked.values}
        id_number = values.get("id_number")
        row.label = values.get("name") or normalize_text(record.get("name")) or ""
        if id_number:
            row.label += f"（{mask_id_number(id_number)}）"
            if id_number in first_row_of:
                row.fail(self.column("id_number"), f"公民身份号码与第 {first_row_of[id_number]} 行重复。")
            else:
                first_row_of[id_number] = row_number
                row.key = id_number

        code_ref = normalize_text(record.get("branch_code"))
        branch, message = scope.find_branch(code_ref or normalize_text(record.get("branch")))
        if message:
            row.fail(self.column("branch_code" if code_ref else "branch"), message)
        elif branch is not None:
            values["branch"] = branch.pk
            values["branch_name"] = branch.name

        dates = {}
        for name in DATE_FIELDS:
            if name not in record:
                continue
            try:
                day = self.read_date(row_number, name, record[name])
            except ValueError as exc:
                row.fail(self.column(name), str(exc))
                continue
            dates[name] = day.isoformat() if day else None
        if not dates.get("applied") and not any(e.column == self.column("applied") for e in row.errors):
            row.fail(self.column("applied"), "申请入党日期不能为空。")
        values["dates"] = dates
        if "hours" in record and normalize_text(record["hours"]) is not None:
            try:
                hours = Decimal(normalize_text(record["hours"]).replace("学时", "").strip())
                if not hours.is_finite() or hours < 0 or hours >= 1000:
                    raise InvalidOperation
                values["hours"] = str(hours.quantize(Decimal("0.1")))
            except InvalidOperation:
                row.fail(self.column("hours"), f"集中培训学时“{normalize_text(record['hours'])}”不是数字。")
        for name in PEOPLE_FIELDS:
            if name in record:
                try:
                    names = split_names(record[name])
                except ValueError as exc:
                    row.fail(self.column(name), str(exc))
                    continue
                if names:
                    values[name] = names
        row.values = values
        return row

    def _decide(self, row: RowPlan, applicant: dict | None, member: dict | None, today) -> None:
        values = row.values
        given = {k: v for k, v in values["dates"].items() if v}
        recorded = {k: v.isoformat() for k, v in (applicant or {}).get("dates", {}).items() if v}
        merged = {**recorded, **given}
        self._check_dates(row, merged, values)
        if applicant is not None and applicant["branch_id"] != values["branch"]:
            row.fail(self.column("branch"), f"该人员在{applicant['branch_name']}培养；"
                                            "更换培养党支部请在发展党员页面办理。")
        if any(name in given and given[name] != recorded.get(name) for name in UPPER_DATES):
            if self.user is not None and not self._may_review(values["branch"]):
                row.fail(self.column("approval"), "上级党委审批须由上级党组织记录，支部不能自行导入审批日期。")
        values["member"] = self._member_plan(row, merged, applicant, member, today)
        if row.action == "error":
            return
        linked_full = (member or {}).get("category") == Member.Category.FULL
        stage = steps.stage_of(merged, confirmed=linked_full)
        if applicant is not None and applicant["stage"] in (steps.FULL, steps.STOPPED):
            stage = applicant["stage"]
        values["stage"] = stage
        if applicant is None:
            row.action = "create"
            return
        values["applicant_id"] = applicant["id"]
        changes = {}
        for name in ("name", "sex", "birth_date"):
            old = applicant[name].isoformat() if name == "birth_date" else applicant[name]
            if name in values and values[name] != old:
                changes[self.column(name)] = [old, values[name]]
        for name, day in given.items():
            if recorded.get(name) != day:
                changes[self.column(name)] = [recorded.get(name, ""), day]
        if "hours" in values and values["hours"] != applicant["hours"]:
            changes[self.column("hours")] = [applicant["hours"] or "", values["hours"]]
        for name, role in PEOPLE_FIELDS.items():
            if name in values and values[name] != applicant["people"].get(role, []):
                changes[self.column(name)] = ["、".join(applicant["people"].get(role, [])),
                                              "、".join(values[name])]
        if values["member"]["action"] == "link":
            changes["党员记录"] = ["", "关联花名册"]
        row.changes = changes
        row.action = "update" if changes else "unchanged"

    def _check_dates(self, row: RowPlan, merged: dict, values: dict) -> None:
        """§4.1: no date precedes the one before it; the applicant is 18 on 申请入党日期."""
        previous = None
        for name in DATE_FIELDS:
            if not merged.get(name):
                continue
            if previous and merged[name] < merged[previous]:
                row.fail(self.column(name), f"{self.column(name)} {merged[name]} 早于"
                                            f"{self.column(previous)} {merged[previous]}：日期应依次为"
                                            "申请入党、谈话、确定积极分子、确定发展对象、支部大会讨论、上级党委审批、入党宣誓。")
            previous = name
        applied, birth = merged.get("applied"), values.get("birth_date")
        if applied and birth:
            applied_on, born = datetime.date.fromisoformat(applied), datetime.date.fromisoformat(birth)
            age = self.book.value("min_age", applied_on)
            if applied_on < add_years(born, age):
                row.fail(self.column("applied"), f"申请入党日期 {applied} 时未满 {age} 周岁"
                                                 f"（出生于 {birth}，{add_years(born, age)} 年满 {age} 周岁）。")
        if merged.get("approval") and not merged.get("congress"):
            row.fail(self.column("congress"), "填写了上级党委审批日期，须同时填写支部大会讨论日期（即入党日期）。")

    def _member_plan(self, row, merged, applicant, member, today) -> dict:
        """Rows with 上级党委审批日期 make (or find) the 预备党员; others must not be members."""
        linked = applicant and applicant["member_id"]
        if not merged.get("approval"):
            if member is not None and not linked:
                row.fail(self.column("id_number"), self._clashes.message(
                    row.key, member["branch_id"], member["branch_name"],
                    lambda name: f"该人员已是党员（{name}），不能作为发展党员对象导入。"))
            return {"action": None}
        congress = merged.get("congress")
        if linked or member is not None:
            if member is None:
                return {"action": None}
            if not linked and member["branch_id"] != row.values.get("branch"):
                row.fail(self.column("id_number"), self._clashes.message(
                    row.key, member["branch_id"], member["branch_name"]))
            elif congress and member["joined_on"].isoformat() != congress:
                row.fail(self.column("congress"), f"花名册中该党员的入党日期为 {member['joined_on']}，"
                                                  f"与支部大会讨论日期 {congress} 不一致。")
            return {"action": None if linked else "link", "member_id": member["id"]}
        if congress and congress > today.isoformat():
            row.fail(self.column("congress"), f"支部大会讨论日期 {congress} 晚于今天，不能登记为预备党员。")
        return {"action": "create"}

    def _may_review(self, branch_id) -> bool:
        branch = Organization.objects.filter(pk=branch_id).only("path").first()
        return branch is not None and policy_for(self.user).allows(Right.REVIEW, branch)

    # -- applying --------------------------------------------------------------------------
    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        try:
            with transaction.atomic():
                return self._apply(plan)
        except IntegrityError:
            message = "导入时有其他人同时登记了相同的人员，未写入任何数据；请重新上传文件。"
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)
        except ValidationError as exc:  # a member the roster refused (members.actions)
            message = "登记预备党员时出错，未写入任何数据：" + "；".join(exc.messages)
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)

    def _apply(self, plan: Plan) -> ImportResult:
        todo = [r for r in plan.rows if r.action in ("create", "update")]
        touched = actions.write_ledger_rows([_ledger_row(r) for r in todo], by=self.user)
        result = counted_result(plan)
        audit(self.user, AUDIT_IMPORT, organization=self.organization,
              target=f"{result.created} 新增 / {result.updated} 更新 / {result.unchanged} 无变化",
              created=result.created, updated=result.updated, unchanged=result.unchanged,
              skipped=result.skipped, people=len(touched))
        return result


def _ledger_row(row: RowPlan) -> actions.LedgerRow:
    v = row.values
    return actions.LedgerRow(
        id_number=row.key, name=v["name"], sex=v.get("sex", ""), birth_date=v["birth_date"],
        branch_id=v["branch"], stage=v["stage"], applicant_id=v.get("applicant_id"),
        dates={k: d for k, d in v["dates"].items() if d}, hours=v.get("hours"),
        people={role: v[name] for name, role in PEOPLE_FIELDS.items() if name in v},
        member=v["member"],
    )


def _existing_applicants(keys: list[str]) -> dict[str, dict]:
    """The people the file names, with their milestone dates and the names involved."""
    found = {}
    if not keys:
        return found
    for start in range(0, len(keys), 5000):
        chunk = keys[start:start + 5000]
        qs = Applicant.objects.filter(id_number__in=chunk)
        extra = {a["id"]: a for a in qs.values("id", "sex", "member_id")}
        for row in progress_rows(qs):
            p = progress_of(row)
            found[row["id_number"]] = {
                "id": row["id"], "name": row["name"], "sex": extra[row["id"]]["sex"],
                "birth_date": row["birth_date"], "stage": row["stage"],
                "branch_id": row["branch_id"], "branch_name": row["branch__name"],
                "member_id": extra[row["id"]]["member_id"],
                "hours": str(p.hours) if p.hours is not None else None,
                "dates": {name: getattr(p, name) for name in DATE_FIELDS},
                "people": {},
            }
        by_id = {a["id"]: a for a in found.values()}
        for applicant_id, role, name in Involvement.objects.filter(
                applicant__id_number__in=chunk).order_by("applicant_id", "role", "position") \
                .values_list("applicant_id", "role", "name"):
            by_id[applicant_id]["people"].setdefault(role, []).append(name)
    return found


def _existing_members(keys: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(keys), 5000):
        for m in Member.objects.filter(id_number__in=keys[start:start + 5000]).values(
                "id", "id_number", "branch_id", "branch__name", "joined_on", "category"):
            found[m["id_number"]] = {**m, "branch_name": m["branch__name"]}
    return found
