"""Organization import (interfaces.md §1.1): builds or updates the tree by code.

The importer checks every row against the tree; `branches.actions.import_organizations` writes
the plan, parents first, as one audited action."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from branches.actions import import_organizations, may_change_structure
from branches.models import CODE_MESSAGE, Organization, check_nesting, is_safe_code
from core.importing import (
    ImportCannotRun,
    Importer,
    ImportResult,
    Plan,
    RowError,
    RowPlan,
    counted_result,
)
from tabular.values import normalize_text, parse_choice

KIND_BY_LABEL = {label: value for value, label in Organization.Kind.choices}
SECTOR_BY_LABEL = {label: value for value, label in Organization.Sector.choices}
# Spellings seen in office files → the label (parse_choice lists the labels in its messages).
KIND_SPELLINGS = {label: label for label in KIND_BY_LABEL} | {"党工委员会": "党工委"}
SECTOR_SPELLINGS = {label: label for label in SECTOR_BY_LABEL} | {
    "事业": "事业单位",
    "国企": "国有企业",
    "非公企业": "非公有制企业",
    "非公": "非公有制企业",
    "村": "农村",
}

FIELD_LABELS = {
    "name": "组织名称",
    "short_name": "简称",
    "kind": "组织类别",
    "sector": "单位性质",
    "parent": "上级组织",
    "founded_on": "成立日期",
    "secretary_name": "书记",
    "contact_phone": "联系电话",
}


class _Node:
    """An organization as it will be after the import (from the file or the database)."""

    __slots__ = ("code", "name", "kind", "parent_code", "row", "existing")

    def __init__(self, code, name, kind, parent_code, row=None, existing=None):
        self.code, self.name, self.kind = code, name, kind
        self.parent_code, self.row, self.existing = parent_code, row, existing


class OrganizationImporter(Importer):
    kind = "orgs"
    title = "党组织"
    fields = {
        "code": ["组织编码", "党组织编码", "编码"],
        "name": ["组织名称", "党组织名称", "名称"],
        "short_name": ["简称", "组织简称", "党组织简称"],
        "parent": ["上级组织编码", "上级组织", "上级党组织"],
        "kind": ["组织类别", "类别"],
        "sector": ["单位性质", "所在单位性质", "单位类别"],
        "founded_on": ["成立日期"],
        "secretary_name": ["书记", "党组织书记"],
        "contact_phone": ["联系电话"],
    }
    required_headers = ("code", "name", "kind")

    def check_target(self):
        if self.organization is not None and self.organization.kind == Organization.Kind.GROUP:
            raise ImportCannotRun("党小组下不能再导入下级组织，请选择党委、党总支或党支部。")

    # -- planning --------------------------------------------------------------------------
    def plan_rows(self, records, progress):
        existing = {
            o.code: o
            for o in Organization.objects.select_related("parent").only(
                "id", "code", "name", "short_name", "kind", "sector", "parent__code", "path", "founded_on",
                "secretary_name", "contact_phone", "depth",
            )
        }
        by_name: dict[str, list[str]] = {}
        for org in existing.values():
            by_name.setdefault(org.name, []).append(org.code)

        rows: list[RowPlan] = []
        file_codes: dict[str, RowPlan] = {}
        parsed: dict[str, dict] = {}
        for row_number, record in records:
            plan = RowPlan(row=row_number, action="create")
            values = self._parse(plan, record)
            code = values.get("code")
            if code:
                plan.key = code
                plan.label = f"{code} {values.get('name') or ''}".strip()
                if code in file_codes:
                    plan.fail(self.column("code"), f"组织编码 {code} 与第 {file_codes[code].row} 行重复。")
                else:
                    file_codes[code] = plan
                    parsed[code] = values
            rows.append(plan)

        for plan in rows:
            if plan.action == "error" or plan.key not in parsed:
                continue
            values = parsed[plan.key]
            if values.get("name"):
                by_name.setdefault(values["name"], [])
                if plan.key not in by_name[values["name"]]:
                    by_name[values["name"]].append(plan.key)

        # Resolve parents: a code (in the file or the database), else an exact unique name.
        target_code = self.organization.code if self.organization else None
        for plan in rows:
            if plan.action == "error":
                continue
            values = parsed[plan.key]
            ref = values.pop("parent_ref", None)
            if not ref:
                values["parent"] = target_code
            elif ref in file_codes or ref in existing:
                values["parent"] = ref
            else:
                candidates = by_name.get(ref, [])
                if len(candidates) == 1:
                    values["parent"] = candidates[0]
                elif len(candidates) > 1:
                    plan.fail(self.column("parent"), f"上级组织“{ref}”有重名，请改用组织编码。")
                else:
                    plan.fail(self.column("parent"), f"找不到上级组织“{ref}”（既不是文件中的编码，也不是已有组织）。")

        nodes: dict[str, _Node] = {
            code: _Node(code, o.name, o.kind, o.parent.code if o.parent_id else None, None, o)
            for code, o in existing.items()
        }
        for plan in rows:
            if plan.action != "error":
                v = parsed[plan.key]
                nodes[plan.key] = _Node(
                    plan.key, v["name"], v["kind"], v["parent"], plan, existing.get(plan.key)
                )

        self._check_tree(rows, nodes, existing, file_codes)
        for plan in rows:
            if plan.action != "error":
                self._decide(plan, parsed[plan.key], existing.get(plan.key))
        return rows

    def _parse(self, plan: RowPlan, record: dict) -> dict:
        values: dict = {}
        code = normalize_text(record.get("code"))
        if not code:
            plan.fail(self.column("code"), "组织编码不能为空。")
        elif len(code) > 20:
            plan.fail(self.column("code"), f"组织编码“{code}”超过 20 个字符。")
        elif not is_safe_code(code):
            plan.fail(self.column("code"), f"组织编码“{code}”有不允许的字符：{CODE_MESSAGE}")
        else:
            values["code"] = code
        name = normalize_text(record.get("name"))
        if not name:
            plan.fail(self.column("name"), "组织名称不能为空。")
        elif len(name) > 100:
            plan.fail(self.column("name"), "组织名称超过 100 个字符。")
        else:
            values["name"] = name
        try:
            kind = record.get("kind")
            if normalize_text(kind) is None:
                raise ValueError("组织类别不能为空，应为：" + "、".join(KIND_BY_LABEL) + "。")
            values["kind"] = KIND_BY_LABEL[parse_choice(kind, KIND_SPELLINGS)]
        except ValueError as exc:
            plan.fail(self.column("kind"), str(exc))
        try:
            sector = record.get("sector")
            values["sector"] = (
                SECTOR_BY_LABEL[parse_choice(sector, SECTOR_SPELLINGS)] if normalize_text(sector) else ""
            )
        except ValueError as exc:
            plan.fail(self.column("sector"), str(exc))
        try:
            founded = self.read_date(plan.row, "founded_on", record.get("founded_on"))
            if founded and founded > datetime.date.today():
                raise ValueError("成立日期不能晚于今天。")
            values["founded_on"] = founded.isoformat() if founded else None
        except ValueError as exc:
            plan.fail(self.column("founded_on"), str(exc))
        short_name = normalize_text(record.get("short_name")) or ""
        if len(short_name) > 50:
            plan.fail(self.column("short_name"), "简称超过 50 个字符。")
        values["short_name"] = short_name
        values["secretary_name"] = normalize_text(record.get("secretary_name")) or ""
        values["contact_phone"] = normalize_text(record.get("contact_phone")) or ""
        values["parent_ref"] = normalize_text(record.get("parent"))
        return values

    def _check_tree(self, rows, nodes, existing, file_codes):
        target = self.organization
        for plan in rows:
            if plan.action == "error":
                continue
            node = nodes[plan.key]
            # Cycles: walk up from the node; meeting itself again means a loop.
            seen = {node.code}
            parent_code = node.parent_code
            while parent_code:
                if parent_code in seen:
                    plan.fail(self.column("parent"), f"上级关系形成循环（{node.code} 最终又成了自己的上级）。")
                    break
                seen.add(parent_code)
                parent = nodes.get(parent_code)
                parent_code = parent.parent_code if parent else None
            if plan.action == "error":
                continue
            parent_node = nodes.get(node.parent_code) if node.parent_code else None
            try:
                _check_kinds(node.kind, parent_node.kind if parent_node else None)
            except ValueError as exc:
                plan.fail(self.column("parent") if node.parent_code else self.column("kind"), str(exc))
                continue
            if node.existing and node.existing.kind != node.kind:
                child_kinds = {
                    n.kind for n in nodes.values() if n.parent_code == node.code
                }
                for child_kind in child_kinds:
                    try:
                        _check_kinds(child_kind, node.kind)
                    except ValueError:
                        plan.fail(
                            self.column("kind"),
                            f"该组织已有下级{Organization.Kind(child_kind).label}，不能改为{Organization.Kind(node.kind).label}。",
                        )
                        break
            if target is not None:
                if node.existing and not node.existing.path.startswith(target.path):
                    plan.fail(
                        self.column("code"),
                        f"组织 {node.code} 已存在且不在 {target.name} 范围内，不能在此导入中修改。",
                    )
                    continue
                if node.existing and node.existing.pk == target.pk:
                    if node.parent_code != (target.parent.code if target.parent_id else None):
                        plan.fail(self.column("parent"), "不能在本次导入中移动导入范围的顶层组织。")
                    continue
                if not self._inside_target(node, nodes, target):
                    plan.fail(
                        self.column("parent"),
                        f"上级组织不在 {target.name} 范围内：只能导入本组织的下级组织。",
                    )

    @staticmethod
    def _inside_target(node, nodes, target) -> bool:
        code = node.parent_code
        seen = set()
        while code and code not in seen:
            if code == target.code:
                return True
            seen.add(code)
            parent = nodes.get(code)
            code = parent.parent_code if parent else None
        return False

    def _decide(self, plan: RowPlan, values: dict, org: Organization | None) -> None:
        plan.values = values
        if org is None:
            plan.action = "create"
            return
        current = {
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "sector": org.sector,
            "parent": org.parent.code if org.parent_id else None,
            "founded_on": org.founded_on.isoformat() if org.founded_on else None,
            "secretary_name": org.secretary_name,
            "contact_phone": org.contact_phone,
        }
        changes = {}
        for name, old in current.items():
            new = values.get(name)
            if name in ("short_name", "secretary_name", "contact_phone") and not new:
                continue  # an optional column left blank keeps what the portal has
            if name == "founded_on" and new is None:
                continue
            if name == "sector" and not new:
                continue
            if (old or None) != (new or None):
                changes[FIELD_LABELS[name]] = [_display(name, old), _display(name, new)]
        moved = [FIELD_LABELS[n] for n in ("name", "kind", "parent") if FIELD_LABELS[n] in changes]
        if moved and self.user is not None and not may_change_structure(self.user, org):
            plan.fail(self.column("name" if FIELD_LABELS["name"] in moved else "kind"),
                      f"{org.name}的{'、'.join(moved)}由上级党组织维护，不能在本次导入中修改。")
            return
        plan.changes = changes
        plan.action = "update" if changes else "unchanged"

    # -- applying --------------------------------------------------------------------------
    def apply(self, plan: Plan, *, skip_invalid: bool):
        todo = [r for r in plan.rows if r.action in ("create", "update")]
        try:
            created, updated = import_organizations(
                todo, at=self.organization, by=self.user, unchanged=plan.count("unchanged"),
                skipped=plan.count("error"), batch=self.batch_id)
        except (ValidationError, IntegrityError) as exc:
            # The tree changed since the preview (a code taken, a parent moved or dissolved).
            said = exc.messages if isinstance(exc, ValidationError) else ["组织编码已被占用"]
            reason = "".join(m if m.endswith("。") else f"{m}。" for m in said)
            message = f"写入时发现党组织在预览后有变化，未写入任何数据。{reason}请重新上传文件。"
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)
        return counted_result(plan, created=created, updated=updated)


def _check_kinds(kind: str, parent_kind: str | None) -> None:
    """check_nesting on kinds only (the parent may not exist yet)."""
    parent = Organization(kind=parent_kind) if parent_kind else None
    try:
        check_nesting(kind, parent)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from exc


def _display(name: str, value) -> str:
    if value in (None, ""):
        return ""
    if name == "kind":
        return Organization.Kind(value).label
    if name == "sector":
        return Organization.Sector(value).label
    return str(value)
