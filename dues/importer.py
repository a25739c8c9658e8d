"""The two dues files of interfaces.md §5.2 through the shared import flow: bases
(`import_dues_bases`) and payments (`import_dues_payments`).

Planning reads every row against the subtree's roster and the book (amounts computed in memory,
nothing written); a bad row is an error with its Excel row number and a Chinese message, and a file
with errors writes nothing. Applying writes through dues.actions in one transaction.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from accounts.policy import Right, policy_for
from branches.models import Organization
from core.errors import ActionRefused
from core.importing import (
    ImportCannotRun,
    Importer,
    ImportResult,
    Plan,
    RowError,
    RowPlan,
    counted_result,
)
from core.quarters import Month
from dues import actions, book
from dues.models import Category, DuesBase, MonthClose, Payment
from dues.rules import DEFAULT_RULES, AmountError, fen, monthly_amount, table_for
from members.models import Member
from tabular.values import (
    mask_id_number,
    normalize_id_number,
    normalize_name,
    normalize_text,
    parse_choice,
)

CATEGORY_CHOICES = {label: value for value, label in Category.choices}
CATEGORY_CHOICES.update({"离休": "retired", "退休": "retired", "离退休人员": "retired",
                         "在职人员": "employed", "在职职工": "employed", "农民党员": "farmer",
                         "学生党员": "student", "下岗": "unemployed", "失业": "unemployed",
                         "下岗失业人员": "unemployed", "低保户": "subsistence", "低保对象": "subsistence"})
LABELS = dict(Category.choices)
RANGE_SEPARATORS = re.compile(r"\s*(?:至|到|~|～|—{1,2}|－)\s*")
PERSON = {
    "name": ["姓名"],
    "id_number": ["公民身份号码", "身份证号", "身份证号码", "公民身份证号"],
}


def read_money(value, what: str) -> Decimal | None:
    """A money cell: a number or text such as "4,321.50元"; ValueError with a Chinese message."""
    text = normalize_text(value)
    if text is None:
        return None
    cleaned = text.replace(",", "").replace("，", "").replace("元", "").replace("¥", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what}“{text}”不是金额，请填写数字，如 4321.50") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what}不能为负数。")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{what} {text} 超过两位小数（金额精确到分）。")
    if amount >= Decimal("10000000"):
        raise ValueError(f"{what} {text} 过大，请核对。")
    return fen(amount)


def read_month(value) -> Month:
    if isinstance(value, datetime.datetime | datetime.date):
        return Month(value.year, value.month)
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("缴费月份不能是数字（2026.1 可能是1月或10月）；请把该列设为文本，如 2026-01")
    text = normalize_text(value)
    if text is None:
        raise ValueError("缴费月份不能为空，如 2026-01 或 2026-01至2026-03")
    return Month.parse(text)


def read_months(value) -> tuple[Month, Month]:
    """`2026-01`, `2026年1月`, or a range `2026-01至2026-03`."""
    text = normalize_text(value) if isinstance(value, str) else None
    if text and RANGE_SEPARATORS.search(text):
        parts = [p for p in RANGE_SEPARATORS.split(text) if p]
        if len(parts) != 2:
            raise ValueError(f"缴费月份“{text}”应为一个月份或“2026-01至2026-03”这样的区间。")
        first, last = Month.parse(parts[0]), Month.parse(parts[1])
        if last < first:
            raise ValueError(f"缴费月份“{text}”的截止月份早于起始月份。")
        if last - first >= 36:
            raise ValueError(f"缴费月份“{text}”超过36个月，请分段登记。")
        return first, last
    month = read_month(value)
    return month, month


class _DuesImporter(Importer):
    """What both files share: the target, the roster of the subtree, the person columns."""

    def check_target(self):
        org = self.organization
        if org is None:
            raise ImportCannotRun("请指定导入到哪个党组织（--org 组织编码）。")
        if org.kind == Organization.Kind.GROUP:
            raise ImportCannotRun("党费数据不能导入到党小组，请选择党支部或其上级党组织。")
        if self.user is not None and not policy_for(self.user).allows(Right.CHANGE, org):
            raise ImportCannotRun(f"您无权向{org.name}导入党费数据。")

    def _roster(self, records) -> dict[str, dict]:
        ids = []
        for _, record in records:
            try:
                ids.append(normalize_id_number(record.get("id_number")))
            except ValueError:
                pass
        found = {}
        for start in range(0, len(ids), 5000):
            for m in Member.objects.filter(id_number__in=ids[start:start + 5000]).values(
                    "id", "id_number", "name", "branch_id", "branch__path", "status"):
                found[m["id_number"]] = m
        return found

    def _person(self, row: RowPlan, record: dict, roster: dict, first_row_of: dict | None):
        """The roster member the row names, or None (the row has failed)."""
        try:
            id_number = normalize_id_number(record.get("id_number"))
        except ValueError as exc:
            row.fail(self.column("id_number"), str(exc))
            return None
        name = normalize_name(record.get("name")) if normalize_text(record.get("name")) else ""
        row.label = f"{name}（{mask_id_number(id_number)}）"
        if first_row_of is not None:
            if id_number in first_row_of:
                row.fail(self.column("id_number"), f"公民身份号码与第 {first_row_of[id_number]} 行重复。")
                return None
            first_row_of[id_number] = row.row
        member = roster.get(id_number)
        on_roster = (member is not None and member["branch__path"].startswith(self.organization.path)
                     and member["status"] in (Member.Status.NORMAL, Member.Status.SUSPENDED))
        if not on_roster:
            row.fail(self.column("id_number"), f"该公民身份号码不在{self.organization.name}的党员花名册中。")
            return None
        if not name:
            row.fail(self.column("name"), "姓名不能为空。")
            return None
        if name != member["name"]:
            row.fail(self.column("name"), f"姓名“{name}”与花名册不符（花名册中为“{member['name']}”）。")
            return None
        row.key = id_number
        return member


class BaseImporter(_DuesImporter):
    kind = "dues_bases"
    title = "党费缴纳基数"
    fields = {
        **PERSON,
        "category": ["人员类型", "党员类型", "缴费人员类型"],
        "base": ["缴费基数(元)", "缴费基数", "缴费基数（元）", "月收入", "税后月收入", "基数"],
        "fixed_amount": ["月缴纳额", "月缴纳额(元)", "月缴纳金额", "每月缴纳额", "月交纳额"],
        "month": ["起始月份", "生效月份", "执行月份"],
    }
    required_headers = ("name", "id_number", "category")

    def __init__(self, *, organization=None, user=None, from_month: Month | None = None):
        super().__init__(organization=organization, user=user)
        self.from_month = from_month

    def plan_rows(self, records, progress):
        roster = self._roster(records)
        tables = book.load_tables()
        rows, first_row_of = [], {}
        for row_number, record in records:
            row = RowPlan(row=row_number, action="create")
            rows.append(row)
            member = self._person(row, record, roster, first_row_of)
            month = self._month(row, record)
            try:
                category = parse_choice(record.get("category"), CATEGORY_CHOICES)
            except ValueError as exc:
                row.fail(self.column("category"), str(exc))
                continue
            values = {"category": category, "base": None, "fixed_amount": None}
            for name, what in (("base", "缴费基数"), ("fixed_amount", "月缴纳额")):
                try:
                    amount = read_money(record.get(name), what)
                except ValueError as exc:
                    row.fail(self.column(name), str(exc))
                    continue
                values[name] = str(amount) if amount is not None else None
            if row.action == "error" or member is None or month is None:
                continue
            rule = table_for(tables, month).rules.get(category) or DEFAULT_RULES[category]
            base = Decimal(values["base"]) if values["base"] else None
            given = Decimal(values["fixed_amount"]) if values["fixed_amount"] else None
            if not rule.accepts_given_amount():
                given = values["fixed_amount"] = None  # a fixed category: the rate decides
            try:
                amount = monthly_amount(rule, base, given)
            except AmountError as exc:
                column = "fixed_amount" if given is not None or not rule.uses_base else "base"
                row.fail(self.column(column), f"{LABELS[category]}：{exc}")
                continue
            if not rule.uses_base and given is None:
                values["base"] = None
            values.update(member_id=member["id"], month=str(month), amount=str(amount))
            row.values = values
        self._decide(rows)
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _month(self, row: RowPlan, record: dict) -> Month | None:
        text = normalize_text(record.get("month"))
        if text is None or self.from_month is not None:
            return self.from_month or Month.current()
        try:
            return read_month(record.get("month"))
        except ValueError as exc:
            row.fail(self.column("month"), str(exc))
            return None

    def _decide(self, rows: list[RowPlan]) -> None:
        todo = [r for r in rows if r.action != "error"]
        existing = {(b.member_id, f"{b.effective_from:%Y-%m}"): b for b in DuesBase.objects.filter(
            member_id__in=[r.values["member_id"] for r in todo])}
        for row in todo:
            v = row.values
            old = existing.get((v["member_id"], v["month"]))
            if old is None:
                row.action = "create"
                continue
            was = {"category": old.category, "base": _text(old.base),
                   "fixed_amount": _text(old.fixed_amount)}
            labels = {"category": "人员类型", "base": "缴费基数", "fixed_amount": "月缴纳额"}
            row.changes = {labels[k]: [_shown(k, was[k]), _shown(k, v[k])] for k in was
                           if was[k] != v[k]}
            row.action = "update" if row.changes else "unchanged"

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        todo = [r for r in plan.rows if r.action in ("create", "update")]
        result = counted_result(plan)
        by_month: dict[str, list[actions.BaseRow]] = {}
        for r in todo:
            v = r.values
            by_month.setdefault(v["month"], []).append(actions.BaseRow(
                v["member_id"], v["category"], _decimal(v["base"]), _decimal(v["fixed_amount"])))
        with transaction.atomic():
            for month, rows in sorted(by_month.items()):
                actions.import_bases(rows, month=Month.parse(month), organization=self.organization,
                                     by=self.user, counts={"created": result.created,
                                                           "updated": result.updated,
                                                           "unchanged": result.unchanged})
        return result


class PaymentImporter(_DuesImporter):
    kind = "dues_payments"
    title = "党费缴纳记录"
    fields = {
        **PERSON,
        "months": ["缴费月份", "缴纳月份", "所属月份", "党费月份"],
        "amount": ["金额", "缴纳金额", "金额(元)", "缴纳金额(元)", "实缴金额"],
        "paid_on": ["缴纳日期", "缴费日期", "交纳日期"],
    }
    required_headers = ("name", "id_number", "months", "amount", "paid_on")

    def plan_rows(self, records, progress):
        roster = self._roster(records)
        today = timezone.localdate()
        rows = []
        for row_number, record in records:
            row = RowPlan(row=row_number, action="create")
            rows.append(row)
            member = self._person(row, record, roster, None)
            try:
                first, last = read_months(record.get("months"))
            except ValueError as exc:
                row.fail(self.column("months"), str(exc))
                first = last = None
            try:
                amount = read_money(record.get("amount"), "金额")
                if amount is None or amount == 0:
                    raise ValueError("金额必须大于 0。")
            except ValueError as exc:
                row.fail(self.column("amount"), str(exc))
                amount = None
            try:
                paid_on = self.read_date(row_number, "paid_on", record.get("paid_on"))
                if paid_on is None:
                    raise ValueError("缴纳日期不能为空。")
                if paid_on > today:
                    raise ValueError(f"缴纳日期 {paid_on} 晚于今天。")
            except ValueError as exc:
                row.fail(self.column("paid_on"), str(exc))
                paid_on = None
            if row.action == "error" or member is None:
                continue
            row.values = {"member_id": member["id"], "first": str(first), "last": str(last),
                          "amount": str(amount), "paid_on": paid_on.isoformat()}
        self._check_against_book(rows)
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _check_against_book(self, rows: list[RowPlan]) -> None:
        """Months due at a branch of the subtree and not handed up; a range equals its months'
        sum; the same payment (ID, months, amount, date) already recorded is unchanged."""
        todo = [r for r in rows if r.action != "error"]
        if not todo:
            return
        inputs = book.load_inputs(r.values["member_id"] for r in todo)
        tables = book.load_tables()
        paths = dict(Organization.objects.filter(path__startswith=self.organization.path)
                     .values_list("pk", "path"))
        closed = set(MonthClose.objects.filter(branch_id__in=list(paths)).values_list(
            "branch_id", "month"))
        recorded = set(Payment.objects.filter(
            member_id__in=[r.values["member_id"] for r in todo], voided=False).values_list(
            "member_id", "first_month", "last_month", "amount", "paid_on"))
        seen: dict[tuple, int] = {}
        column = self.column("months")
        for row in todo:
            v = row.values
            first, last = Month.parse(v["first"]), Month.parse(v["last"])
            amount, paid_on = Decimal(v["amount"]), datetime.date.fromisoformat(v["paid_on"])
            identity = (v["member_id"], first.start, last.start, amount, paid_on)
            if identity in seen:
                row.fail(column, f"与第 {seen[identity]} 行是同一笔缴纳（身份证号、月份、金额、日期均相同）。")
                continue
            seen[identity] = row.row
            if identity in recorded:
                row.action = "unchanged"
                continue
            amounts = []
            for month in book.months_between(first, last):
                found = book.compute(inputs[v["member_id"]], month, tables)
                if found is None or found[0] not in paths:
                    row.fail(column, f"{month.label}该党员在{self.organization.name}没有应交党费"
                                     "（尚未登记缴费基数、尚未入党或组织关系不在本组织）。")
                    break
                if (found[0], month.start) in closed:
                    row.fail(column, f"{month.label}的党费台账已报送，不能再导入；请在台账页面通过“更正”补录。")
                    break
                amounts.append(found[1].amount)
            if row.action == "error":
                continue
            total = sum(amounts, Decimal("0.00"))
            if len(amounts) > 1 and total != amount:
                row.fail(self.column("amount"), f"缴纳 {first}至{last} 共 {len(amounts)} 个月，"
                                                f"应交合计 {total:.2f} 元（{'、'.join(f'{a:.2f}' for a in amounts)}），"
                                                f"与金额 {amount:.2f} 元不符。")
                continue
            if len(amounts) == 1 and amount != total:
                self._mismatch.append((row.row, amount, total))
            row.action = "create"

    def plan(self, table, progress=None):
        self._mismatch: list[tuple[int, Decimal, Decimal]] = []
        return super().plan(table, progress)

    def extra_warnings(self, rows):
        return [RowError(r, self.column("amount"), f"金额 {a:.2f} 元与该月应交 {t:.2f} 元不符，"
                                                     "已按实际缴纳金额登记（少交的部分仍计欠缴）。")
                for r, a, t in self._mismatch]

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        todo = [r for r in plan.rows if r.action == "create"]
        result = counted_result(plan)
        items = [{"member_id": r.values["member_id"], "first": Month.parse(r.values["first"]),
                  "last": Month.parse(r.values["last"]), "amount": Decimal(r.values["amount"]),
                  "paid_on": datetime.date.fromisoformat(r.values["paid_on"])} for r in todo]
        try:
            with transaction.atomic():
                actions.import_payments(items, organization=self.organization, by=self.user,
                                        counts={"created": result.created,
                                                "unchanged": result.unchanged})
        except ActionRefused as exc:  # the book changed between preview and confirm
            return ImportResult(errors=plan.errors + [RowError(None, "", f"未写入任何数据：{exc}")],
                                warnings=plan.warnings, written=False)
        return result


def _text(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _decimal(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(text)


def _shown(key: str, value) -> str:
    if key == "category":
        return LABELS.get(value, value or "")
    return value or ""
