"""The demands ledger (interfaces.md §9) and the 双报到 register through the shared import flow.

Demands: same 受理日期 + 受理党组织 + 诉求内容 = the same demand (re-import changes nothing).
受理党组织 and 承办党组织 are codes or exact names of organizations (not 党小组) in the import's
subtree; a blank 承办 is the receiving one, a blank 办理时限 the category's default after
受理日期. Messages, previews and the error file show the resident's phone masked.

双报到: 姓名 + 公民身份号码 name a member on the target subtree's roster; 报到社区 is a
community 党组织 anywhere in the tree (code or exact name); the same member + community is the
same registration.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from accounts.policy import Right, policy_for
from branches.models import Organization
from community import actions
from community.models import DEFAULT_DAYS, DeadlineRule, Demand, Registration
from core.importing import (
    ImportCannotRun,
    Importer,
    ImportResult,
    Plan,
    RowError,
    RowPlan,
    counted_result,
)
from members.models import Member
from tabular.values import (
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    parse_choice,
)

SOURCES = {label: value for value, label in Demand.Source.choices}
SOURCES.update({"上门走访": Demand.Source.VISIT, "入户走访": Demand.Source.VISIT,
                "热线": Demand.Source.PHONE, "来电": Demand.Source.PHONE,
                "网格员": Demand.Source.GRID, "12345热线": Demand.Source.HOTLINE})
VISITS = {label: value for value, label in Demand.Visit.choices}
DEFAULT_CATEGORY = "其他"


class OrgLookup:
    """Organizations (not 党小组) of a subtree by code or exact name."""

    def __init__(self, target: Organization):
        self.target = target
        orgs = [o for o in Organization.objects.subtree(target).only("id", "code", "name", "kind")
                if not o.is_group]
        self.by_code = {o.code: o for o in orgs}
        self.by_name: dict[str, Organization | None] = {}
        for o in orgs:
            self.by_name[o.name] = None if o.name in self.by_name else o  # None: ambiguous

    def find(self, ref: str, what: str) -> tuple[Organization | None, str | None]:
        if ref in self.by_code:
            return self.by_code[ref], None
        if ref in self.by_name:
            found = self.by_name[ref]
            return (found, None) if found else (None, f"有多个党组织名为“{ref}”，请改填组织编码。")
        return None, f"在{self.target.name}下找不到{what}“{ref}”（党小组不能受理或承办诉求）。"


def _check_target(importer, what: str) -> None:
    org = importer.organization
    if org is None:
        raise ImportCannotRun("请指定导入到哪个党组织（--org 组织编码）。")
    if org.is_group:
        raise ImportCannotRun(f"{what}不能导入到党小组，请选择党支部或其上级党组织。")
    if importer.user is not None and not policy_for(importer.user).allows(Right.CHANGE, org):
        raise ImportCannotRun(f"您无权向{org.name}导入{what}。")


class DemandImporter(Importer):
    kind = "demands"
    title = "群众诉求台账"
    fields = {
        "received_on": ["受理日期", "受理时间", "登记日期"],
        "source": ["来源", "诉求来源", "受理渠道"],
        "category": ["类别", "诉求类别", "问题类别"],
        "description": ["诉求内容", "诉求事项", "问题描述"],
        "resident_name": ["群众姓名", "诉求人", "反映人"],
        "resident_phone": ["联系电话", "手机号码", "联系方式"],
        "received_by": ["受理党组织", "受理单位", "受理支部"],
        "handler": ["承办党组织", "承办单位", "承办支部"],
        "deadline": ["办理时限", "办结时限"],
        "closed_on": ["办结日期", "办结时间"],
        "visit": ["回访结果", "满意度", "群众评价"],
    }
    required_headers = ("received_on", "description", "received_by")
    masked_fields = {"resident_phone": mask_phone}  # the error file, as on the pages

    def check_target(self):
        _check_target(self, "群众诉求台账")

    def plan_rows(self, records, progress):
        today = timezone.localdate()
        orgs = OrgLookup(self.organization)
        days = dict(DeadlineRule.objects.values_list("category", "days"))
        rows, first_row_of = [], {}
        for row_number, record in records:
            rows.append(self._read_row(row_number, record, orgs, days, first_row_of, today))
        keyed = [r for r in rows if r.action != "error"]
        existing = _existing_demands(keyed)
        for row in keyed:
            self._decide(row, existing.get(row.key))
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _date(self, row, record, name, *, today, required=False):
        try:
            day = self.read_date(row.row, name, record.get(name))
        except ValueError as exc:
            row.fail(self.column(name), str(exc))
            return None
        if day is None and required:
            row.fail(self.column(name), f"{self.column(name)}不能为空。")
        return day

    def _read_row(self, row_number, record, orgs, days, first_row_of, today) -> RowPlan:
        row = RowPlan(row=row_number, action="create")
        received_on = self._date(row, record, "received_on", today=today, required=True)
        deadline = self._date(row, record, "deadline", today=today)
        closed_on = self._date(row, record, "closed_on", today=today)
        description = normalize_text(record.get("description")) or ""
        if not description:
            row.fail(self.column("description"), "诉求内容不能为空。")
        category = normalize_text(record.get("category")) or DEFAULT_CATEGORY
        if len(category) > 30:
            row.fail(self.column("category"), "类别不超过 30 个字。")
        source = Demand.Source.OTHER
        if normalize_text(record.get("source")):
            try:
                source = parse_choice(record.get("source"), SOURCES)
            except ValueError as exc:
                row.fail(self.column("source"), str(exc))
        visit = ""
        if normalize_text(record.get("visit")):
            try:
                visit = parse_choice(record.get("visit"), VISITS)
            except ValueError as exc:
                row.fail(self.column("visit"), str(exc))
        try:
            name = normalize_name(record.get("resident_name")) or ""
        except ValueError as exc:
            row.fail(self.column("resident_name"), str(exc))
            name = ""
        try:
            phone = normalize_phone(record.get("resident_phone")) or ""
        except ValueError as exc:
            row.fail(self.column("resident_phone"), str(exc))
            phone = ""
        if "*" in phone:
            pass  # an exported (masked) number: kept when it is the demand's own (see _decide)
        elif phone and (len(phone) > 30 or sum(c.isdigit() for c in phone) < 5):
            row.fail(self.column("resident_phone"), f"联系电话“{mask_phone(phone)}”格式不正确。")
        received_by = handler = None
        ref = normalize_text(record.get("received_by"))
        if not ref:
            row.fail(self.column("received_by"), "受理党组织不能为空。")
        else:
            received_by, message = orgs.find(ref, "受理党组织")
            if message:
                row.fail(self.column("received_by"), message)
        ref = normalize_text(record.get("handler"))
        if ref:
            handler, message = orgs.find(ref, "承办党组织")
            if message:
                row.fail(self.column("handler"), message)
        handler = handler or received_by
        if received_on:
            if received_on > today:
                row.fail(self.column("received_on"), f"受理日期 {received_on} 晚于今天。")
            if deadline is None:
                deadline = received_on + datetime.timedelta(
                    days=days.get(category, DEFAULT_DAYS))
            elif deadline < received_on:
                row.fail(self.column("deadline"), f"办理时限 {deadline} 早于受理日期 {received_on}。")
            if closed_on and closed_on < received_on:
                row.fail(self.column("closed_on"), f"办结日期 {closed_on} 早于受理日期 {received_on}。")
        if closed_on and closed_on > today:
            row.fail(self.column("closed_on"), f"办结日期 {closed_on} 晚于今天。")
        if visit and not closed_on:
            row.fail(self.column("visit"), "填写了回访结果，须同时填写办结日期。")
        row.label = f"{received_on or ''} {category} {description[:20]}".strip()
        row.values = {
            "received_on": received_on.isoformat() if received_on else None,
            "source": source, "category": category, "description": description,
            "resident_name": name, "resident_phone": phone,
            "received_by": received_by.pk if received_by else None,
            "handler": handler.pk if handler else None,
            "handler_name": handler.name if handler else "",
            "deadline": deadline.isoformat() if deadline else None,
            "closed_on": closed_on.isoformat() if closed_on else None, "visit": visit,
        }
        if row.action != "error":
            row.key = f"{received_on.isoformat()}|{received_by.pk}|{description}"
            if row.key in first_row_of:
                row.fail(self.column("description"),
                         f"与第 {first_row_of[row.key]} 行是同一诉求（受理日期、受理党组织、诉求内容相同）。")
            else:
                first_row_of[row.key] = row_number
        return row

    def _decide(self, row: RowPlan, demand: dict | None) -> None:
        if row.action == "error":
            return
        v = row.values
        if "*" in v["resident_phone"]:
            # An exported ledger re-imported: the masked number stands for the one on record.
            if demand is None or mask_phone(demand["resident_phone"]) != v["resident_phone"]:
                row.fail(self.column("resident_phone"), "联系电话中间数字已隐去，请填写完整号码或留空。")
                return
            v["resident_phone"] = demand["resident_phone"]
        if demand is None:
            row.action = "create"
            return
        v["demand_id"] = demand["id"]
        shown = {
            "source": (Demand.Source(demand["source"]).label, Demand.Source(v["source"]).label),
            "category": (demand["category"], v["category"]),
            "resident_name": (demand["resident_name"], v["resident_name"]),
            "resident_phone": (mask_phone(demand["resident_phone"]), mask_phone(v["resident_phone"])),
            "handler": (demand["handler__name"], v["handler_name"]),
            "deadline": (demand["deadline"].isoformat(), v["deadline"]),
            "closed_on": (_iso(demand["closed_on"]), v["closed_on"] or ""),
            "visit": (_visit_label(demand["visit"]), _visit_label(v["visit"])),
        }
        same = {
            "source": demand["source"] == v["source"],
            "category": demand["category"] == v["category"],
            "resident_name": demand["resident_name"] == v["resident_name"],
            "resident_phone": demand["resident_phone"] == v["resident_phone"],
            "handler": demand["handler"] == v["handler"],
            "deadline": demand["deadline"].isoformat() == v["deadline"],
            "closed_on": _iso(demand["closed_on"]) == (v["closed_on"] or ""),
            "visit": demand["visit"] == v["visit"],
        }
        row.changes = {self.column(k): list(shown[k]) for k, equal in same.items() if not equal}
        row.action = "update" if row.changes else "unchanged"

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        todo = [r for r in plan.rows if r.action in ("create", "update")]
        try:
            created, updated = actions.import_demands(
                [_ledger_row(r) for r in todo], at=self.organization, by=self.user,
                unchanged=plan.count("unchanged"), skipped=plan.count("error"),
                batch=self.batch_id)
            return counted_result(plan, created=created, updated=updated)
        except IntegrityError:
            message = "导入时数据被其他人同时修改，未写入任何数据；请重新上传文件。"
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _visit_label(value: str) -> str:
    return Demand.Visit(value).label if value else ""


def _ledger_row(row: RowPlan) -> actions.LedgerRow:
    v = row.values
    day = datetime.date.fromisoformat
    return actions.LedgerRow(
        received_on=day(v["received_on"]), source=v["source"], category=v["category"],
        description=v["description"], resident_name=v["resident_name"],
        resident_phone=v["resident_phone"], received_by_id=v["received_by"],
        handler_id=v["handler"], deadline=day(v["deadline"]),
        closed_on=day(v["closed_on"]) if v["closed_on"] else None, visit=v["visit"],
        demand_id=v.get("demand_id"),
    )


def _existing_demands(rows: list[RowPlan]) -> dict[str, dict]:
    found = {}
    days = {r.values["received_on"] for r in rows}
    orgs = {r.values["received_by"] for r in rows}
    if not rows:
        return found
    for d in Demand.objects.filter(received_on__in=days, received_by__in=orgs).values(
            "id", "received_on", "received_by", "description", "source", "category",
            "resident_name", "resident_phone", "handler", "handler__name", "deadline",
            "closed_on", "visit"):
        found[f"{d['received_on'].isoformat()}|{d['received_by']}|{d['description']}"] = d
    return found


# ------------------------------------------------------------------------------- 双报到

class RegistrationImporter(Importer):
    kind = "community_registrations"
    title = "双报到名册"
    fields = {
        "name": ["姓名", "党员姓名"],
        "id_number": ["公民身份号码", "身份证号", "身份证号码", "公民身份证号"],
        "community": ["报到社区", "报到社区党组织", "居住地社区"],
        "registered_on": ["报到日期", "报到时间"],
        "interests": ["服务意向", "志愿服务意向", "服务特长"],
    }
    required_headers = ("name", "id_number", "community")

    def check_target(self):
        _check_target(self, "双报到名册")

    def plan_rows(self, records, progress):
        today = timezone.localdate()
        communities = {}
        for o in Organization.objects.filter(sector=Organization.Sector.COMMUNITY).exclude(
                kind=Organization.Kind.GROUP).only("id", "code", "name", "kind", "sector"):
            communities[o.code] = o
            communities.setdefault(o.name, o)
        rows, seen = [], {}
        parsed = []
        for row_number, record in records:
            row = RowPlan(row=row_number, action="create")
            name = normalize_text(record.get("name")) or ""
            try:
                id_number = normalize_id_number(record.get("id_number"))
            except ValueError as exc:
                row.fail(self.column("id_number"), str(exc))
                id_number = ""
            row.label = name + (f"（{mask_id_number(id_number)}）" if id_number else "")
            ref = normalize_text(record.get("community"))
            community = communities.get(ref) if ref else None
            if not ref:
                row.fail(self.column("community"), "报到社区不能为空。")
            elif community is None:
                row.fail(self.column("community"), f"找不到社区党组织“{ref}”（单位性质应为社区）。")
            try:
                day = self.read_date(row_number, "registered_on", record.get("registered_on"))
            except ValueError as exc:
                row.fail(self.column("registered_on"), str(exc))
                day = None
            if day is None and row.action != "error":
                row.fail(self.column("registered_on"), "报到日期不能为空。")
            elif day and day > today:
                row.fail(self.column("registered_on"), f"报到日期 {day} 晚于今天。")
            if id_number in seen:
                row.fail(self.column("id_number"), f"公民身份号码与第 {seen[id_number]} 行重复。")
            elif id_number:
                seen[id_number] = row_number
            row.key = id_number
            row.values = {"name": name, "community": community.pk if community else None,
                          "community_name": community.name if community else "",
                          "registered_on": day.isoformat() if day else None,
                          "interests": (normalize_text(record.get("interests")) or "")[:200]}
            parsed.append(row)
            rows.append(row)
        members = {m.id_number: m for m in Member.objects.in_subtree(self.organization).filter(
            id_number__in=[r.key for r in parsed if r.key])}
        active = {r.member_id: r for r in Registration.objects.active().filter(
            member__in=members.values()).select_related("community")}
        for row in parsed:
            if row.action == "error":
                continue
            member = members.get(row.key)
            if member is None:
                row.fail(self.column("id_number"), f"{self.organization.name}的花名册中没有该党员。")
                continue
            if normalize_name(row.values["name"]) != member.name:
                row.fail(self.column("name"), f"姓名与花名册不一致（花名册为{member.name}）。")
                continue
            row.values["member"] = member.pk
            current = active.get(member.pk)
            if current is None:
                row.action = "create"
            elif current.community_id == row.values["community"]:
                if current.interests != row.values["interests"] and row.values["interests"]:
                    row.action = "update"
                    row.changes = {self.column("interests"): [current.interests,
                                                              row.values["interests"]]}
                    row.values["registration"] = current.pk
                else:
                    row.action = "unchanged"
            elif row.values["registered_on"] <= current.registered_on.isoformat():
                row.fail(self.column("registered_on"),
                         f"该党员已于 {current.registered_on} 到{current.community.name}报到；"
                         "更换报到社区的日期应晚于上一次报到。")
            else:
                row.action = "update"
                row.changes = {self.column("community"): [current.community.name,
                                                          row.values["community_name"]]}
        if progress:
            progress(len(rows), len(rows))
        return rows

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        todo = [actions.RegisterRow(
            member_id=r.values["member"], community_id=r.values["community"],
            registered_on=datetime.date.fromisoformat(r.values["registered_on"]),
            interests=r.values["interests"], registration_id=r.values.get("registration"),
        ) for r in plan.rows if r.action in ("create", "update")]
        try:
            created, updated = actions.import_registrations(
                todo, at=self.organization, by=self.user, unchanged=plan.count("unchanged"),
                skipped=plan.count("error"), batch=self.batch_id)
        except ValidationError as exc:
            message = "登记双报到时出错，未写入任何数据：" + "；".join(exc.messages)
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)
        return counted_result(plan, created=created, updated=updated)
