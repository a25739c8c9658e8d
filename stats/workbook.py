"""The yearly statistics as a workbook: the change in membership and one sheet per structure table."""
from __future__ import annotations

import io

from stats.figures import INFLOWS, LABELS, OUTFLOWS, YearStats
from tabular.writer import Column, new_workbook, write_sheet


def _check(ok: bool) -> str:
    return "核对相符" if ok else "核对不符，请检查党员记录"


def build_workbook(stats: YearStats, year: int) -> bytes:
    change, org = stats.change, stats.organization
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet("党员增减")
    rows = [[LABELS["start"], change.start]]
    rows += [[f"增加：{LABELS[key]}", getattr(change, key)] for key in INFLOWS]
    rows += [[f"减少：{LABELS[key]}", getattr(change, key)] for key in OUTFLOWS]
    rows += [[LABELS["end"], change.end]]
    write_sheet(
        sheet, [Column("项目", 24), Column("人数", 10, "int")], rows,
        title=f"{org.name}{year}年党员队伍变化",
        notes=[f"注：年初 + 增加 − 减少 = 年末：{change.start} + {change.inflow} − {change.outflow} = "
               f"{change.end}，{_check(change.balanced)}。本组织内部转接 {change.moved_inside} 人次不计入增减。"],
    )
    for table in stats.tables:
        sheet = workbook.create_sheet(table.label)
        write_sheet(
            sheet, [Column(table.label, 22), Column("年初", 10, "int"), Column("年末", 10, "int")],
            [[name, start, end] for name, start, end in table.rows]
            + [["合计", table.start, table.end]],
            title=f"{org.name}{year}年党员队伍结构（按{table.label}）",
            notes=[f"注：合计与年初（{change.start}）、年末（{change.end}）党员数"
                   f"{_check(table.checks(change))}。"],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
