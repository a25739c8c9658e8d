"""Workbooks for users: the rows that failed (to fix and re-upload), and blank templates."""
import io

from core.importing import Plan
from tabular.writer import Column, new_workbook, write_sheet


def error_workbook(plan: Plan) -> bytes:
    """The offending rows as they were in the file, with a message column, ready to fix."""
    header = list(plan.header) or ["（原始数据）"]
    columns = [Column("原行号", width=8, kind="int")]
    columns += [Column(h or "", width=16) for h in header]
    columns.append(Column("错误说明", width=60))
    rows = []
    for row in plan.rows:
        if row.action != "error":
            continue
        cells = list(row.raw) + [""] * (len(header) - len(row.raw))
        message = "；".join(f"【{e.column}】{e.message}" for e in row.errors)
        rows.append([row.row, *cells[: len(header)], message])
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "错误行"
    write_sheet(sheet, columns, rows, notes=["注：改正后删除“原行号”和“错误说明”两列，即可重新上传。"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook(importer) -> bytes:
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = importer.title[:30]
    columns = [Column(synonyms[0], width=16) for synonyms in importer.fields.values()]
    write_sheet(sheet, columns, [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
