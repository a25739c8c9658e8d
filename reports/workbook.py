"""The report workbook: the same figures as the page and the JSON, laid out for the level above.

Sheets: 汇总 (summary, with the definitions under it), 支部明细 (one row per branch, gaps
highlighted), 未完成清单 (one row per unmet slot), 参与情况 (members never present, IDs masked),
图表 (completion per requirement, with a chart). Written in openpyxl's write-only mode so a city's
report stays fast and small in memory; every text cell goes through tabular.writer's guard.
"""
from __future__ import annotations

import io

import pandas as pd
from django.utils import timezone
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill

from core.quarters import Quarter
from core.registry import site
from reports.figures import REQUIREMENT_LABELS, Figures
from reports.rules import RULE_KEYS
from tabular.values import mask_id_number
from tabular.writer import Column, new_workbook, write_sheet

SHEETS = ["汇总", "支部明细", "未完成清单", "参与情况", "图表"]
GAP_FILL = PatternFill("solid", fgColor="FFFFEBEE")
GAP_FONT = Font(color="FFC62828")
NOT_APPLICABLE = "—"

DEFINITIONS = [
    "指标说明：",
    "统计范围：季度末（最后一天）仍存在的党支部、联合党支部、临时党支部。",
    "党员数：季度末组织关系在本支部、党籍正常的正式党员和预备党员；正式党员数为其中当日已转正者。",
    "计入的会议：已提交（非草稿、非退回）、会议日期在本季度内、由本支部或其党小组召开；一次会议兼具多种类型的，每种类型各计一次。",
    "应开次数：支部党员大会每季度1次；支部委员会每月1次（正式党员7人及以上的支部）；党小组会每个党小组每月1次；党课每季度1次；主题党日每月1次。经批准豁免的要求不计入。",
    "完成率 = 已开次数 ÷ 应开次数；全部达标 = 所有应开次数均已开。",
    "参加过会议的党员：季度末的本支部党员中，本季度至少出席过一次计入的会议者；覆盖率 = 参加过会议的党员 ÷ 党员数。",
    "汇总的完成率、覆盖率为合计数相除，不是各支部比率的平均；达标率 = 全部达标支部数 ÷ 支部数。",
    "本表统计组织生活的开展与覆盖情况，不对党员个人排名，不统计签到或在线时长。",
]


def _count_or_dash(value):
    return NOT_APPLICABLE if value is None else value


def build_workbook(figures: Figures, absent: pd.DataFrame, *, organization, generated_at=None,
                   measures: dict | None = None) -> bytes:
    """The .xlsx bytes for `figures`; `absent` is reports.figures.absent_members(); `measures`
    (key → core.registry.MeasureResult) adds one sheet per registered measure."""
    generated_at = timezone.localtime(generated_at or timezone.now())
    quarter = Quarter.parse(figures.quarter)
    heading = f"{organization.name} {quarter.label}"
    wb = new_workbook(write_only=True)
    _summary(wb.create_sheet("汇总"), figures, heading, generated_at)
    _branches(wb.create_sheet("支部明细"), figures, heading)
    _gaps(wb.create_sheet("未完成清单"), figures, heading)
    _absent(wb.create_sheet("参与情况"), figures, absent, heading)
    _chart(wb.create_sheet("图表"), figures, heading)
    registered = site().measures
    for key, result in (measures or {}).items():
        if key in registered:
            _measure(wb, registered.get(key), result, heading)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


WRITER_KINDS = {"int": "int", "rate": "percent", "money": "money", "text": "text"}


def _measure(wb, measure, result, heading: str) -> None:
    """A registered measure's sheet: a row per organization, then the total from its summary."""
    title = (measure.sheet_title or measure.label)[:31]
    ws = wb.create_sheet(title)
    columns = [Column("组织编码", 12), Column("组织名称", 30)] + [
        Column(c.label, 14, WRITER_KINDS[c.kind]) for c in measure.columns
    ]

    def rows():
        for row in result.rows:
            yield [row.get("code"), row.get("name"), *(row.get(c.key) for c in measure.columns)]
        yield ["合计", "", *(result.summary.get(c.key) for c in measure.columns)]

    write_sheet(ws, columns, rows(), title=f"{heading} {measure.label}")


def _summary(ws, figures: Figures, heading: str, generated_at) -> None:
    s = figures.summary
    rows = [
        ("党支部", s["branches"], None),
        ("全部达标的党支部（达标率）", s["compliant_branches"], s["compliance_rate"]),
        ("党员", s["members"], None),
        ("参加过会议的党员（覆盖率）", s["members_attended"], s["coverage"]),
        ("应开次数", s["slots_applicable"], None),
        ("已开次数（完成率）", s["slots_met"], s["completion_rate"]),
    ]
    for total in figures.requirement_totals().values():
        rows.append((f"{total['label']}：应开", total["slots"], None))
        rows.append((f"{total['label']}：已开（完成率）", total["met"], total["completion_rate"]))
    notes = [
        f"统计季度：{figures.quarter}（{Quarter.parse(figures.quarter).start} 至 {Quarter.parse(figures.quarter).end}）",
        f"生成时间：{generated_at:%Y-%m-%d %H:%M}",
        "",
        *DEFINITIONS,
    ]
    write_sheet(
        ws,
        [Column("指标", 34), Column("数量", 12, "int"), Column("比率", 12, "percent")],
        rows,
        title=f"{heading} 组织生活开展情况汇总",
        notes=notes,
    )


def branch_columns() -> list[Column]:
    columns = [
        Column("组织编码", 12),
        Column("支部名称", 30),
        Column("党员数", 8, "int"),
        Column("正式党员数", 10, "int"),
    ]
    for key in RULE_KEYS:
        label = REQUIREMENT_LABELS[key]
        columns += [Column(f"{label}应开", 10, "int"), Column(f"{label}已开", 10, "int")]
    columns += [
        Column("应开合计", 10, "int"),
        Column("已开合计", 10, "int"),
        Column("完成率", 10, "percent"),
        Column("全部达标", 10),
        Column("参加过会议党员数", 12, "int"),
        Column("覆盖率", 10, "percent"),
        Column("未完成事项", 60),
    ]
    return columns


def _branches(ws, figures: Figures, heading: str) -> None:
    columns = branch_columns()

    def rows():
        for b in figures.branches:
            row = [b.code, b.name, b.members, b.full_members]
            for key in RULE_KEYS:
                cell = b.requirements[key]
                row += [_count_or_dash(cell and cell["slots"]), _count_or_dash(cell and cell["met"])]
            row += [
                b.slots_applicable, b.slots_met, b.completion_rate, "是" if b.compliant else "否",
                b.members_attended, b.coverage, "；".join(s.gap_text for s in b.gaps),
            ]
            yield row

    write_sheet(ws, columns, rows(), title=f"{heading} 各支部明细")
    first, last = 3, 2 + max(len(figures.branches), 1)
    # A requirement's "已开" cell is highlighted when fewer than its "应开".
    for index in range(len(RULE_KEYS)):
        slots_col = _letter(5 + 2 * index)
        met_col = _letter(6 + 2 * index)
        ws.conditional_formatting.add(
            f"{met_col}{first}:{met_col}{last}",
            FormulaRule(
                formula=[f"AND(ISNUMBER({met_col}{first}),{met_col}{first}<{slots_col}{first})"],
                fill=GAP_FILL, font=GAP_FONT,
            ),
        )
    base = 5 + 2 * len(RULE_KEYS)
    rate_col, compliant_col = _letter(base + 2), _letter(base + 3)
    ws.conditional_formatting.add(
        f"{rate_col}{first}:{rate_col}{last}",
        CellIsRule(operator="lessThan", formula=["1"], fill=GAP_FILL, font=GAP_FONT),
    )
    ws.conditional_formatting.add(
        f"{compliant_col}{first}:{compliant_col}{last}",
        CellIsRule(operator="equal", formula=['"否"'], fill=GAP_FILL, font=GAP_FONT),
    )


def _gaps(ws, figures: Figures, heading: str) -> None:
    def rows():
        for b in figures.branches:
            for slot in b.gaps:
                label = f"{slot.label}（{slot.group_name}）" if slot.group_name else slot.label
                yield [b.code, b.name, label, slot.when]

    write_sheet(
        ws,
        [Column("组织编码", 12), Column("支部名称", 30), Column("要求", 40), Column("月份", 8)],
        rows(),
        title=f"{heading} 未完成清单",
    )


def _absent(ws, figures: Figures, absent: pd.DataFrame, heading: str) -> None:
    names = {b.id: (b.code, b.name) for b in figures.branches}

    def rows():
        for branch_id, _member_id, name, id_number in absent.itertuples(index=False):
            code, branch_name = names.get(branch_id, ("", ""))
            yield [code, branch_name, name, mask_id_number(id_number or "")]

    write_sheet(
        ws,
        [Column("组织编码", 12), Column("支部名称", 30), Column("姓名", 12),
         Column("公民身份号码", 22)],
        rows(),
        title=f"{heading} 本季度未参加计入会议的党员",
        notes=["用于支部了解党员参与情况、做好联系服务，不作为对个人的排名或考核。"],
    )


def _chart(ws, figures: Figures, heading: str) -> None:
    totals = figures.requirement_totals()
    rows = [
        (t["label"], t["slots"], t["met"], t["completion_rate"]) for t in totals.values()
    ]
    write_sheet(
        ws,
        [Column("要求", 16), Column("应开", 10, "int"), Column("已开", 10, "int"),
         Column("完成率", 10, "percent")],
        rows,
        title=f"{heading} 各项要求完成率",
    )
    chart = BarChart()
    chart.type = "col"
    chart.title = "各项要求完成率"
    chart.y_axis.title = "完成率"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    last = 2 + len(rows)
    chart.add_data(Reference(ws, min_col=4, min_row=2, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last))
    chart.legend = None
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, "F2")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
