"""The yearly 党费收缴台账 of a branch: one row per member, for each month the amount due and
paid, then the year's totals; a last row sums the columns. Money is written as exact decimals,
so the sheet's sums equal the sums of its rows. Every export is audited."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from accounts.models import audit
from core.quarters import Month
from dues import book
from dues.actions import LEDGER_EXPORTED
from dues.models import Category, Due
from tabular.values import mask_id_number
from tabular.writer import Column, new_workbook, write_sheet

ZERO = Decimal("0.00")
LABELS = dict(Category.choices)


def ledger_rows(branch, year: int, *, masked: bool):
    """[name, id, category, (due, paid) × 12, due total, paid total, unpaid] per member, sorted
    by name, then the totals row."""
    months = [Month(year, n) for n in range(1, 13)]
    last = min(months[-1], Month.current())
    if last >= months[0]:
        book.sync(book.members_in(branch, months[0], last), book.months_between(months[0], last))
    cells: dict[int, dict] = defaultdict(dict)
    people = {}
    for d in Due.objects.filter(branch=branch, month__year=year).select_related("member"):
        cells[d.member_id][d.month.month] = (d.amount, d.paid)
        people[d.member_id] = (d.member.name, d.member.id_number, d.category)
    totals = [ZERO] * 27
    rows = []
    for member_id, (name, id_number, category) in sorted(people.items(),
                                                         key=lambda p: (p[1][0], p[1][1])):
        values = []
        for n in range(1, 13):
            due, paid = cells[member_id].get(n, (None, None))
            values += [due, paid]
        due_sum = sum((v for v in values[0::2] if v is not None), ZERO)
        paid_sum = sum((v for v in values[1::2] if v is not None), ZERO)
        values += [due_sum, paid_sum, max(due_sum - paid_sum, ZERO)]
        totals = [t + (v or ZERO) for t, v in zip(totals, values, strict=True)]
        rows.append([name, mask_id_number(id_number) if masked else id_number,
                     LABELS.get(category, ""), *values])
    rows.append(["合计", "", "", *totals])
    return rows


def columns() -> list[Column]:
    cols = [Column("姓名", 10), Column("公民身份号码", 22), Column("人员类型", 10)]
    for n in range(1, 13):
        cols += [Column(f"{n}月应交", 10, "money"), Column(f"{n}月实交", 10, "money")]
    return cols + [Column("全年应交", 12, "money"), Column("全年实交", 12, "money"),
                   Column("欠交", 10, "money")]


def export_ledger(branch, year: int, output, *, by, masked: bool) -> int:
    rows = ledger_rows(branch, year, masked=masked)
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = f"{year}年党费收缴台账"
    write_sheet(sheet, columns(), rows,
                title=f"{branch.name}{year}年党费收缴台账（导出于{timezone.localdate():%Y年%m月%d日}）",
                notes=["应交按各月缴费基数和党费标准计算；免交月份应交为 0。"])
    workbook.save(output)
    audit(by, LEDGER_EXPORTED, organization=branch, target=f"{branch.name} {year}年",
          year=year, members=len(rows) - 1, masked=masked)
    return len(rows) - 1
