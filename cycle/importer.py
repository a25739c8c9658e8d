"""The committee and 民主评议 files (interfaces.md §10) through the shared import flow.

Planning checks every row without writing; applying writes exactly the plan through
cycle.actions in one transaction. Both files are all or nothing.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

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
from cycle import actions, evaluations
from cycle.models import Committee, CommitteeSeat, Evaluation
from cycle.rules import holds_committee
from members.importer import MemberImporter
from members.models import Member, Membership
from tabular.reader import FileRejected
from tabular.values import (
    mask_id_number,
    normalize_id_number,
    normalize_name,
    normalize_text,
    parse_choice,
)

POST = CommitteeSeat.Post
POST_FIELDS = {
    "secretary": POST.SECRETARY, "deputy": POST.DEPUTY, "organization": POST.ORGANIZATION,
    "publicity": POST.PUBLICITY, "discipline": POST.DISCIPLINE, "member": POST.MEMBER,
}


def _names(value) -> list[str]:
    text = normalize_text(value)
    if not text:
        return []
    return [normalize_name(part) for part in NAME_SEPARATORS.split(text) if part]


def _failed(exc: Exception) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class CommitteeImporter(Importer):
    """组织编码, 选举日期, 届期（年）, 书记, 副书记, 组织委员, 宣传委员, 纪检委员, 委员."""

    kind = "committees"
    title = "党组织委员会（班子）"
    fields = {
        "code": ["组织编码", "党组织编码", "编码"],
        "elected_on": ["选举日期", "换届日期", "当选日期"],
        "term_years": ["届期（年）", "届期", "任期（年）", "任期"],
        "secretary": ["书记"],
        "deputy": ["副书记"],
        "organization": ["组织委员"],
        "publicity": ["宣传委员"],
        "discipline": ["纪检委员"],
        "member": ["委员"],
        "name": ["组织名称", "党组织名称"],
    }
    required_headers = ("code", "elected_on")

    def check_target(self):
        org = self.organization
        if self.user is not None:
            policy = policy_for(self.user)
            if org is None or not policy.allows(Right.CHANGE, org):
                raise ImportCannotRun("您无权向该党组织导入委员会（班子）信息。")

    def plan_rows(self, records, progress):
        today = timezone.localdate()
        scope = Organization.objects.subtree(self.organization) if self.organization else Organization.objects.all()
        codes = {normalize_text(r.get("code")) for _, r in records} - {None}
        orgs = {o.code: o for o in scope.filter(code__in=codes)}
        outside = set(Organization.objects.filter(code__in=codes - set(orgs)).values_list("code", flat=True))
        policy = policy_for(self.user) if self.user is not None else None
        existing = {
            (c.organization_id, c.elected_on.isoformat()): c
            for c in Committee.objects.filter(organization__in=orgs.values()).prefetch_related("seats")
        }
        roster: dict[int, set[str]] = {}
        for branch_id, name in Member.objects.active().filter(
                branch__in=[o for o in orgs.values() if o.is_branch]).values_list("branch_id", "name"):
            roster.setdefault(branch_id, set()).add(name)
        rows, first_row_of = [], {}
        for row_number, record in records:
            row = RowPlan(row=row_number, action="create")
            code = normalize_text(record.get("code"))
            org = orgs.get(code) if code else None
            row.label = code or ""
            if not code:
                row.fail(self.column("code"), "组织编码不能为空。")
            elif org is None:
                where = f"不在{self.organization.name}范围内" if code in outside and self.organization else "不存在"
                row.fail(self.column("code"), f"组织编码 {code} {where}。")
            elif not holds_committee(org):
                row.fail(self.column("code"), f"{org.name}是{org.get_kind_display()}，不设委员会，无任期。")
            elif policy is not None and not policy.allows(Right.CHANGE, org):
                row.fail(self.column("code"), f"您无权修改{org.name}的委员会信息。")
            try:
                elected = self.read_date(row_number, "elected_on", record.get("elected_on"))
                if elected is None:
                    row.fail(self.column("elected_on"), "选举日期不能为空。")
                elif elected > today:
                    row.fail(self.column("elected_on"), f"选举日期 {elected} 晚于今天。")
            except ValueError as exc:
                row.fail(self.column("elected_on"), str(exc))
                elected = None
            term = self._term(row, record.get("term_years"))
            seats = []
            for name, post in POST_FIELDS.items():
                try:
                    people = _names(record.get(name))
                except ValueError as exc:
                    row.fail(self.column(name), str(exc))
                    continue
                for person in people:
                    if org is not None and org.is_branch and person not in roster.get(org.pk, set()):
                        row.fail(self.column(name), f"{person}不是{org.name}的党员。")
                    seats.append((post, person))
            if org is not None and elected is not None:
                row.label = f"{org.name} {elected}"
                key = (org.pk, elected.isoformat())
                if key in first_row_of:
                    row.fail(self.column("elected_on"), f"与第 {first_row_of[key]} 行是同一届委员会。")
                else:
                    first_row_of[key] = row_number
                row.key = f"{org.code}:{elected.isoformat()}"
                row.values = {"organization_id": org.pk, "elected_on": elected.isoformat(),
                              "term_years": term, "seats": seats}
                if row.action != "error":
                    self._decide(row, existing.get(key))
            rows.append(row)
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _term(self, row, value) -> int | None:
        text = normalize_text(value)
        if not text:
            return None
        text = text.replace("年", "").strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not 1 <= number <= 10:
            row.fail(self.column("term_years"), f"届期“{normalize_text(value)}”应为 1 至 10 的整数（年）。")
            return None
        return int(number)

    def _decide(self, row: RowPlan, committee: Committee | None) -> None:
        if committee is None:
            row.action = "create"
            return
        had = [(s.post, s.name) for s in sorted(committee.seats.all(), key=lambda s: s.position)]
        changes = {}
        if committee.term_years != row.values["term_years"]:
            changes[self.column("term_years")] = [committee.term_years, row.values["term_years"]]
        if had != [tuple(s) for s in row.values["seats"]]:
            changes["委员会成员"] = ["、".join(n for _, n in had), "、".join(n for _, n in row.values["seats"])]
        row.changes = changes
        row.action = "update" if changes else "unchanged"

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        todo = [r for r in plan.rows if r.action in ("create", "update")]
        try:
            actions.import_committees(
                [actions.CommitteeRow(r.values["organization_id"], r.values["elected_on"],
                                      r.values["term_years"], r.values["seats"]) for r in todo],
                by=self.user, target=self.organization)
        except (ValidationError, IntegrityError) as exc:
            message = "写入委员会信息时出错，未写入任何数据：" + _failed(exc)
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)
        return counted_result(plan)


class EvaluationImporter(Importer):
    """姓名, 公民身份号码, 评议结果, 处理意见, 理由 for the year given (`--year`), or, on the
    upload page, each row's 评议年度."""

    kind = "evaluations"
    title = "民主评议党员结果"
    fields = {
        "name": ["姓名"],
        "id_number": MemberImporter.fields["id_number"],
        "result": ["评议结果", "评议等次", "结果"],
        "follow_up": ["处理意见", "处置意见"],
        "reason": ["理由", "不合格理由", "原因"],
        "year": ["评议年度", "年度"],
    }
    required_headers = ("name", "id_number", "result")

    def __init__(self, *, organization=None, user=None, year: int | None = None):
        super().__init__(organization=organization, user=user)
        self.year = year

    def check_target(self):
        org = self.organization
        if org is None:
            raise ImportCannotRun("请指定导入到哪个党组织（--org 组织编码）。")
        if org.kind == Organization.Kind.GROUP:
            raise ImportCannotRun("民主评议结果不能导入到党小组，请选择党支部或其上级党组织。")
        if self.user is not None and not policy_for(self.user).allows(Right.CHANGE, org):
            raise ImportCannotRun(f"您无权向{org.name}导入民主评议结果。")
        if self.year is not None and not 2000 <= self.year <= timezone.localdate().year:
            raise ImportCannotRun(f"评议年度 {self.year} 不正确：应为 2000 年至今年之间的年份。")

    def plan_rows(self, records, progress):
        if self.year is None and "year" not in self.header.columns:
            raise FileRejected("请在文件中加入“评议年度”一列（如 2026），或在命令中用 --year 指定年度。")
        rows, first_row_of, parsed = [], {}, []
        for row_number, record in records:
            row = RowPlan(row=row_number, action="create")
            parsed.append(self._read(row, record, first_row_of))
            rows.append(row)
        ids = [p["id_number"] for p in parsed if p.get("id_number")]
        members = {m.id_number: m for m in Member.objects.filter(id_number__in=ids).select_related("branch")}
        years = {p["year"] for p in parsed if p.get("year")}
        belongs = {}
        for year in years:
            end = evaluations.year_end(year)
            for member_id, branch_id in Membership.objects.on(end).filter(
                    member__id_number__in=ids, branch__path__startswith=self.organization.path
            ).values_list("member_id", "branch_id"):
                belongs[(year, member_id)] = branch_id
        names = dict(Organization.objects.subtree(self.organization).branches().values_list("pk", "name"))
        by_year: dict[int, list[tuple[RowPlan, evaluations.Rating]]] = {}
        for row, p in zip(rows, parsed, strict=True):
            if row.action == "error":
                continue
            member = members.get(p["id_number"])
            branch_id = belongs.get((p["year"], member.pk)) if member else None
            if member is None or (branch_id is None
                                  and not member.branch.path.startswith(self.organization.path)):
                row.fail(self.column("id_number"), f"{self.organization.name}的党员中没有此公民身份号码。")
                continue
            if member.name != p["name"]:
                row.fail(self.column("name"), f"姓名与花名册不符：该公民身份号码登记的姓名为{member.name}。")
                continue
            if branch_id is None:
                row.fail(self.column("id_number"),
                         f"{member.name}在{p['year']}年12月31日不在{self.organization.name}的党员名册中。")
                continue
            row.values = {"member_id": member.pk, "branch_id": branch_id, "year": p["year"],
                          "result": p["result"], "follow_up": p["follow_up"], "reason": p["reason"]}
            by_year.setdefault(p["year"], []).append((row, evaluations.Rating(
                member, branch_id, p["result"], p["follow_up"], p["reason"])))
        for year, pairs in by_year.items():
            ratings = [r for _, r in pairs]
            column = {"result": "result", "follow_up": "follow_up", "reason": "reason"}
            for problem in evaluations.check(year, ratings, branch_names=names):
                pairs[problem.index][0].fail(self.column(column[problem.field]), problem.message)
            self._decide(year, [row for row, _ in pairs])
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _read(self, row: RowPlan, record: dict, first_row_of: dict) -> dict:
        p = {}
        try:
            p["name"] = normalize_name(record.get("name"))
        except ValueError as exc:
            row.fail(self.column("name"), str(exc))
        try:
            p["id_number"] = normalize_id_number(record.get("id_number"))
            row.key = p["id_number"]
        except ValueError as exc:
            row.fail(self.column("id_number"), str(exc))
        row.label = p.get("name", "") + (f"（{mask_id_number(p['id_number'])}）" if p.get("id_number") else "")
        p["year"] = self.year
        if self.year is None:
            text = (normalize_text(record.get("year")) or "").replace("年", "").replace("度", "")
            if text.endswith(".0"):
                text = text[:-2]
            if not (text.isdigit() and 2000 <= int(text) <= timezone.localdate().year):
                row.fail(self.column("year"), f"评议年度“{normalize_text(record.get('year')) or ''}”应为 2000 年至今年之间的年份，如 2026。")
            else:
                p["year"] = int(text)
        if p.get("id_number") and p.get("year"):
            key = (p["id_number"], p["year"])
            if key in first_row_of:
                row.fail(self.column("id_number"), f"公民身份号码与第 {first_row_of[key]} 行重复。")
            else:
                first_row_of[key] = row.row
        try:
            p["result"] = parse_choice(record.get("result"), evaluations.RESULT_BY_LABEL)
        except ValueError as exc:
            row.fail(self.column("result"), f"评议结果：{exc}")
        follow_up = normalize_text(record.get("follow_up"))
        p["follow_up"] = ""
        if follow_up:
            try:
                p["follow_up"] = parse_choice(follow_up, evaluations.FOLLOW_UP_BY_LABEL)
            except ValueError as exc:
                row.fail(self.column("follow_up"), f"处理意见：{exc}")
        p["reason"] = normalize_text(record.get("reason")) or ""
        return p

    def _decide(self, year: int, rows: list[RowPlan]) -> None:
        existing = {e.member_id: e for e in Evaluation.objects.filter(
            year=year, member_id__in=[r.values["member_id"] for r in rows])}
        for row in rows:
            if row.action == "error":
                continue
            v = row.values
            unqualified = v["result"] == Evaluation.Result.UNQUALIFIED
            wanted = {"branch_id": v["branch_id"], "result": v["result"],
                      "follow_up": v["follow_up"] if unqualified else "",
                      "reason": v["reason"] if unqualified else ""}
            found = existing.get(v["member_id"])
            if found is None:
                row.action = "create"
                continue
            changes = {self.column(k) if k in self.fields else k: [getattr(found, k), w]
                       for k, w in wanted.items() if getattr(found, k) != w}
            row.changes = changes
            row.action = "update" if changes else "unchanged"

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        todo = [r for r in plan.rows if r.action in ("create", "update")]
        members = Member.objects.in_bulk([r.values["member_id"] for r in todo])
        by_year: dict[int, list] = {}
        for r in todo:
            v = r.values
            by_year.setdefault(v["year"], []).append(evaluations.Rating(
                members[v["member_id"]], v["branch_id"], v["result"], v["follow_up"], v["reason"]))
        try:
            with transaction.atomic():
                for year, ratings in sorted(by_year.items()):
                    actions.import_evaluations(year, ratings, by=self.user, target=self.organization)
        except IntegrityError:
            message = "导入时有其他人同时登记了民主评议结果，未写入任何数据；请重新上传文件。"
            return ImportResult(errors=plan.errors + [RowError(None, "", message)],
                                warnings=plan.warnings, written=False)
        return counted_result(plan)
