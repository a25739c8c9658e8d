"""Member roster import (interfaces.md §1.2) on plain values, applied in bulk.

Planning reads the organizations of the target subtree and the members whose ID numbers the
file names (a few queries, however long the file), checks every row with
members.validation.check_person, and decides create / update / unchanged / error by comparing
the normalized values with what the database holds. Applying checks that none of the plan's
members changed since the preview and hands the rows to `members.actions.import_roster`, the
one audited bulk write.
"""
from __future__ import annotations

import contextlib
import gc

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

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
from members import bulk
from members.actions import ClashNames, import_roster
from members.bulk import COMPARED, KEPT_WHEN_BLANK, ChangedDuringApply, existing_members
from members.models import Member
from members.validation import CATEGORY_LABELS, LABELS, check_person
from tabular.values import mask_id_number, normalize_text

STATUS_LABELS = dict(Member.Status.choices)
# What an upper organization's name ends with; the rest is the stem its branches' names repeat.
ANCESTOR_SUFFIXES = ("党工委", "党委", "总支部委员会", "党总支", "委员会")


@contextlib.contextmanager
def _gc_paused():
    """Planning 100,000 rows keeps ~1 million small objects alive; the cyclic collector would
    walk them again and again (a third of the planning time) without finding garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class MemberImporter(Importer):
    kind = "members"
    title = "党员花名册"
    fields = {
        "name": ["姓名"],
        "id_number": ["公民身份号码", "身份证号", "身份证号码", "公民身份证号"],
        "sex": ["性别"],
        "ethnicity": ["民族"],
        "birth_date": ["出生日期", "出生年月"],
        "education": ["学历", "文化程度"],
        "category": ["人员类别", "党员类别", "类别"],
        "joined_on": ["入党日期", "入党时间", "加入党组织日期"],
        "confirmed_on": ["转正日期", "转正时间", "转为正式党员日期"],
        "work_unit": ["工作单位及职务", "工作岗位", "单位职务"],
        "phone": ["联系电话", "手机号码", "手机号", "手机"],
        "branch": ["所在党支部", "所在支部", "所在党组织", "党组织名称"],
        "branch_code": ["所在党支部编码"],
        "group": ["所在党小组", "党小组"],
        "status": ["党籍状态"],
        "is_mobile": ["是否流动党员", "是否为流动党员"],
        "mobile_destination": ["外出流向"],
        "landline": ["固定电话", "办公电话"],
        "home_address": ["家庭住址", "家庭地址", "现居住地址"],
        "is_lost_contact": ["是否为失联党员", "是否失联党员", "失联党员"],
        "lost_contact_on": ["失去联系日期", "失联日期"],
        "remarks": ["备注"],
    }
    required_headers = ("name", "id_number", "joined_on")
    # 出生年份, not 出生日期: beside the masked ID the full date would give the eight hidden digits
    # back (issue 10 item 1); the whole date is checked against the ID all the same.
    preview_columns = (
        ("sex", "性别"), ("birth_date", "出生年份"), ("ethnicity", "民族"), ("category", "人员类别"),
        ("joined_on", "入党日期"), ("confirmed_on", "转正日期"), ("branch", "所在党支部"),
        ("group", "党小组"), ("status", "党籍状态"), ("is_mobile", "流动党员"),
    )

    def check_target(self):
        org = self.organization
        if org is None:
            raise ImportCannotRun("请指定导入到哪个党组织（--org 组织编码）。")
        if org.kind == Organization.Kind.GROUP:
            raise ImportCannotRun("花名册不能导入到党小组，请选择党支部或其上级党组织。")
        if self.user is not None and not (
            Organization.objects.changeable_by(self.user).filter(pk=org.pk).exists()
        ):
            raise ImportCannotRun(f"您无权向{org.name}导入花名册。")

    # -- planning --------------------------------------------------------------------------
    def plan(self, table, progress=None):
        with _gc_paused():
            return super().plan(table, progress)

    def plan_rows(self, records, progress):
        today = timezone.localdate()
        scope = RosterScope(self.organization)
        rows: list[RowPlan] = []
        first_row_of: dict[str, int] = {}
        total = len(records)
        for index in range(1, total + 1):
            row_number, record = records[index - 1]
            records[index - 1] = None  # planned: freed now, not with the list (200,000 dicts)
            rows.append(self._plan_row(row_number, record, today, scope, first_row_of))
            if progress and index % 2000 == 0:
                progress(index, total * 2)

        existing = existing_members([r.key for r in rows if r.key and r.action != "error"])
        self._clashes = ClashNames(self.user, at=self.organization)
        for row in rows:
            if row.action != "error":
                self._decide(row, existing.get(row.key), scope)
        self._clashes.record("导入花名册")
        if progress:
            progress(total * 2, total * 2)
        return rows

    def _plan_row(self, row_number, record, today, scope, first_row_of) -> RowPlan:
        row = RowPlan(row=row_number, action="create")
        checked = check_person(record, today=today)  # it reads only the person's own fields
        for name, message in checked.errors:
            row.fail(self.column(name), message)
        values = checked.values
        id_number = values.get("id_number")
        row.label = values.get("name") or normalize_text(record.get("name")) or ""
        if id_number:
            row.label += f"（{mask_id_number(id_number)}）"
            if id_number in first_row_of:
                row.fail(
                    self.column("id_number"),
                    f"公民身份号码与第 {first_row_of[id_number]} 行重复。",
                )
            else:
                first_row_of[id_number] = row_number
                row.key = id_number
        for name, message in checked.warnings:
            values.setdefault("_warnings", []).append([self.column(name), message])
        for name in checked.month_only:
            self.note_month_only(row_number, name)

        branch = self._resolve_branch(row, record, scope)
        if branch is not None:
            values["branch"] = branch.pk
            if "group" in record:
                values["group"] = self._resolve_group(row, record.get("group"), branch, scope)
        row.values = values
        row.shown = self._shown_row(row, record, values, checked.month_only, scope)
        return row

    def _shown_row(self, row, record, values, month_only, scope) -> list:
        """Each preview column as read: the parsed value, or the cell itself when it failed."""
        failed = {e.column for e in row.errors}
        shown = []
        for name, _label in self.preview_columns:
            column = self.column("branch_code" if name == "branch" and record.get("branch_code")
                                 else name)
            value = values.get(name)
            if value is None or value == "":
                text = "" if name not in record else _as_cell(record.get(name))
            elif name == "branch":
                text = scope.by_id[value].name if value in scope.by_id else str(value)
            else:
                text = _shown(name, value, scope)
                if name in month_only:
                    text += "（仅年月，按1日）"
            shown.append([text, column in failed])
        return shown

    def _resolve_branch(self, row, record, scope) -> Organization | None:
        code_ref = normalize_text(record.get("branch_code"))
        column = self.column("branch_code" if code_ref else "branch")
        branch, message = scope.find_branch(code_ref or normalize_text(record.get("branch")))
        if message:
            row.fail(column, message)
        return branch

    def _resolve_group(self, row, raw, branch, scope) -> int | None:
        ref = normalize_text(raw)
        if not ref:
            return None
        group = scope.group(branch, ref)
        if group is None:
            row.fail(self.column("group"), f"{branch.name}下没有党小组“{ref}”。")
            return None
        return group.pk

    def _decide(self, row: RowPlan, member: dict | None, scope) -> None:
        values = row.values
        if member is None:
            values.setdefault("status", None)
            if values["status"] in (Member.Status.LEFT, Member.Status.DECEASED):
                row.fail(self.column("status"), "新登记的党员党籍状态只能是正常或停止党籍。")
                return
            row.action = "create"
            return
        if member["branch_id"] != values["branch"]:
            row.fail(self.column("id_number"), self._clashes.message(
                row.key, member["branch_id"], member["branch_name"]))
            return
        values["member_id"] = member["id"]
        values["stamp"] = member["updated_at"]
        changes = {}
        for name in COMPARED:
            if name not in values:
                continue
            new, old = values[name], member[name]
            if name in KEPT_WHEN_BLANK and new is None:
                continue  # a blank optional cell keeps what the portal has
            if new == old:
                continue
            message = self._refused_change(name, old, new, member, values)
            if message:
                row.fail(self.column(name), message)
                continue
            changes[LABELS[name]] = [_shown(name, old, scope), _shown(name, new, scope)]
        if row.action == "error":
            return
        row.changes = changes
        row.action = "update" if changes else "unchanged"

    @staticmethod
    def _refused_change(name, old, new, member, values) -> str | None:
        """Changes that are life events, recorded on the member's page, not by an upload."""
        if name == "status":
            return (
                f"党籍状态由“{STATUS_LABELS[old]}”变为“{STATUS_LABELS[new]}”须在党员页面办理"
                "（停止党籍/恢复党籍），导入不能修改。"
            )
        if name == "category":
            if new == "probationary":
                return "已登记为正式党员，导入不能改回预备党员。"
            confirmed = values.get("confirmed_on")
            if not confirmed:
                return "预备党员转为正式党员时须填写转正日期。"
            ends = member["probation_ends_on"]
            if confirmed < ends:
                return f"预备期至 {ends} 届满，转正日期不能早于该日。"
        return None

    def extra_warnings(self, rows):
        warnings = []
        for row in rows:
            for column, message in row.values.pop("_warnings", []):
                if row.action != "error":
                    warnings.append(RowError(row.row, column, message))
        return warnings

    # -- applying --------------------------------------------------------------------------
    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        try:
            with _gc_paused(), transaction.atomic():
                return self._apply(plan, skip_invalid)
        except ChangedDuringApply:
            message = "写入时发现有党员信息在预览后被修改，未写入任何数据；请重新上传文件。"
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)
        except IntegrityError:
            # Someone registered the same ID number between our check and our write.
            message = "导入时有其他人同时登记或修改了相同的党员，未写入任何数据；请重新上传文件。"
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)

    def _apply(self, plan: Plan, skip_invalid: bool) -> ImportResult:
        stale = self._stale_rows(plan)
        if stale and not skip_invalid:
            errors = plan.errors + stale
            return ImportResult(errors=errors, warnings=plan.warnings, written=False)
        stale_rows = {e.row for e in stale}
        todo = [r for r in plan.rows if r.action in ("create", "update") and r.row not in stale_rows]
        unchanged = plan.count("unchanged")
        skipped = plan.count("error") + len(stale_rows)
        created, updated = import_roster(todo, current=self._current, at=self.organization,
                                         by=self.user, unchanged=unchanged, skipped=skipped,
                                         batch=self.batch_id)
        result = counted_result(plan, created=created, updated=updated)
        result.errors = plan.errors + stale
        result.skipped = skipped
        return result

    def _stale_rows(self, plan: Plan) -> list[RowError]:
        """Rows whose member was created, moved or edited since the preview."""
        rows = [r for r in plan.rows if r.action in ("create", "update")]
        # Row locks on 100,000 members cost as much as the update itself; the bulk UPDATE on
        # PostgreSQL checks each row's stamp instead (optimistic: copy_update).
        updates = sum(1 for r in rows if r.action == "update")
        lock = not (connection.vendor == "postgresql" and updates >= bulk.COPY_THRESHOLD)
        current = existing_members([r.key for r in rows], lock=lock)
        self._current = current
        stale = []
        column = self.column("id_number")
        names = ClashNames(self.user, at=self.organization)
        for row in rows:
            member = current.get(row.key)
            if row.action == "create" and member is not None:
                stale.append(RowError(row.row, column, "预览后该公民身份号码已被登记："
                                      + names.message(row.key, member["branch_id"],
                                                      member["branch_name"])))
            elif row.action == "update":
                if member is None:
                    stale.append(RowError(row.row, column, "预览后该党员记录已不存在，请重新上传文件。"))
                elif member["branch_id"] != row.values["branch"]:
                    stale.append(RowError(row.row, column, "预览后该党员的组织关系已转出，请重新上传文件。"))
                elif member["updated_at"] != row.values["stamp"]:
                    stale.append(RowError(row.row, column, "预览后该党员信息已被修改，请重新上传文件。"))
        names.record("导入花名册")
        return stale


def _shown(name, value, scope) -> str:
    if value is None or value == "":
        return ""
    if name == "category":
        return CATEGORY_LABELS.get(value, value)
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name in ("is_mobile", "is_lost_contact"):
        return "是" if value else "否"
    if name == "group":
        return scope.group_name(value)
    if name == "birth_date":
        return f"{str(value)[:4]}年"  # a date, or its ISO text once read back from a stored plan
    return str(value)


def _as_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


class RosterScope:
    """The branches and 党小组 of an import's target subtree, for lookups by code and name
    (the roster's, and every ledger that names a person's branch the same way)."""

    def __init__(self, target: Organization):
        self.target = target
        self._outside: dict[str, Organization | None] = {}
        orgs = list(
            Organization.objects.subtree(target).only("id", "code", "name", "kind", "parent_id", "path")
        )
        self.by_id = {o.pk: o for o in orgs}
        branches = [o for o in orgs if o.is_branch]
        self.branch_by_code = {o.code: o for o in branches}
        self.branch_by_name: dict[str, Organization] = {}
        self.ambiguous_names: set[str] = set()
        for o in branches:
            if o.name in self.branch_by_name:
                self.ambiguous_names.add(o.name)
            self.branch_by_name[o.name] = o
        self.branch_by_tail, self.ambiguous_tails = self._tails(branches)
        self.others = {o.code: o for o in orgs if not o.is_branch}
        self.others.update({o.name: o for o in orgs if not o.is_branch})
        self.groups: dict[int, dict[str, Organization]] = {}
        for o in orgs:
            if o.is_group:
                branch = self.by_id.get(o.parent_id)
                lookup = self.groups.setdefault(o.parent_id, {})
                lookup[o.code] = o
                lookup[o.name] = o
                if branch is not None and o.name.startswith(branch.name) and len(o.name) > len(branch.name):
                    lookup.setdefault(o.name[len(branch.name):], o)

    def _tails(self, branches) -> tuple[dict[str, Organization], set[str]]:
        """Branches by the part of their name after an ancestor's (东湖街道幸福里社区第二网格党支部
        ← 第二网格党支部 under 东湖街道幸福里社区党委), counting only tails unique in the subtree.

        Rosters often drop the parent's prefix. An ancestor's name is matched with or without
        its kind (党委, 党工委, 党总支 …), so the tail is what the branch adds to its parents.
        """
        found: dict[str, set[int]] = {}
        for branch in branches:
            for stem in self._ancestor_stems(branch):
                if branch.name.startswith(stem) and len(branch.name) > len(stem):
                    found.setdefault(branch.name[len(stem):], set()).add(branch.pk)
        tails, ambiguous = {}, set()
        for tail, ids in found.items():
            if tail in self.branch_by_name:
                continue  # a full name always means that branch
            if len(ids) == 1:
                tails[tail] = self.by_id[next(iter(ids))]
            else:
                ambiguous.add(tail)
        return tails, ambiguous

    def _ancestor_stems(self, org: Organization):
        parent = self.by_id.get(org.parent_id)
        while parent is not None:
            yield parent.name
            for suffix in ANCESTOR_SUFFIXES:
                if parent.name.endswith(suffix) and len(parent.name) > len(suffix):
                    yield parent.name[: -len(suffix)]
                    break
            parent = self.by_id.get(parent.parent_id)

    def find_branch(self, ref: str | None) -> tuple[Organization | None, str | None]:
        """The branch a cell names (code, exact name, or the tail after its parent's name when
        unique in the subtree), or None and the message saying why."""
        target = self.target
        if not ref:
            if target.is_branch:
                return target, None
            return None, f"请填写所在党支部（编码或全称）：{target.name}下有多个党支部。"
        branch = self.branch(ref)
        if branch is not None:
            return branch, None
        if ref in self.ambiguous_names:
            return None, f"有多个党支部名为“{ref}”，请改填党支部编码。"
        if ref in self.ambiguous_tails:
            return None, f"{target.name}下有多个党支部名称以“{ref}”结尾，请填写党支部全称或编码。"
        outside = self.outside(ref)
        if outside is not None:
            return None, f"“{ref}”（{outside.name}）不在本次导入的范围（{target.name}）内。"
        if self.non_branch(ref) is not None:
            return None, f"“{ref}”不是党支部；请填写党员所在的党支部。"
        return None, f"在{target.name}下找不到党支部“{ref}”。"

    def branch(self, ref: str) -> Organization | None:
        if ref in self.branch_by_code:
            return self.branch_by_code[ref]
        if ref in self.ambiguous_names:
            return None
        return self.branch_by_name.get(ref) or self.branch_by_tail.get(ref)

    def non_branch(self, ref: str) -> Organization | None:
        return self.others.get(ref)

    def outside(self, ref: str) -> Organization | None:
        if ref not in self._outside:
            found = Organization.objects.filter(code=ref).first()
            if found is None:
                found = Organization.objects.filter(name=ref).first()
            inside = found is None or found.path.startswith(self.target.path)
            self._outside[ref] = None if inside else found
        return self._outside[ref]

    def group(self, branch: Organization, ref: str) -> Organization | None:
        return self.groups.get(branch.pk, {}).get(ref)

    def group_name(self, pk: int) -> str:
        group = self.by_id.get(pk)
        return group.name if group else str(pk)
