"""Workbooks for users: the rows that failed (to fix and re-upload), and blank templates."""
import io

from core.importing import ERROR_ROWS_KEPT, Plan
from tabular.writer import Column, new_workbook, write_sheet


def write_error_workbook(plan: dict, output) -> int:
    """Write the offending rows as they were in the file, with a message column, ready to fix,
    from a stored plan (its JSON, or its header, error count and an iterable of error rows, as
    imports.planstore reads them); returns how many rows it lists.

    Write-only and streamed, at most ERROR_ROWS_KEPT rows: memory and time do not grow with the
    file (an upload of 200,000 bad rows once took 9 GB and six minutes here)."""
    header = list(plan.get("header") or []) or ["（原始数据）"]
    columns = [Column("原行号", width=8, kind="int")]
    columns += [Column(h or "", width=16) for h in header]
    columns.append(Column("错误说明", width=60))
    # "failed" when the caller counted them (rows is then only the first ERROR_ROWS_KEPT).
    failed = plan.get("failed")
    if failed is None:
        failed = sum(1 for row in plan["rows"] if row["action"] == "error")
    notes = ["注：改正后删除“原行号”和“错误说明”两列，即可重新上传。"]
    masked = plan.get("masked") or []
    if masked:
        columns_named = "、".join(f"“{name}”" for name in masked)
        notes.append(f"{columns_named}已隐去中间数字（保护个人信息）：请按原行号在原文件中找到完整号码填回，再上传。")
    if failed > ERROR_ROWS_KEPT:
        notes.append(f"共 {failed} 行有错误，此文件列出前 {ERROR_ROWS_KEPT} 行；请先改正这些行。")

    def rows():
        listed = 0
        for row in plan["rows"]:
            if row["action"] != "error":
                continue
            listed += 1
            if listed > ERROR_ROWS_KEPT:
                return
            raw = row.get("raw") or []
            cells = list(raw[: len(header)]) + [""] * (len(header) - len(raw))
            message = "；".join(f"【{e['column']}】{e['message']}" for e in row["errors"])
            yield [row["row"], *cells, message]

    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet("错误行")
    write_sheet(sheet, columns, rows(), notes=notes)
    workbook.save(output)
    return min(failed, ERROR_ROWS_KEPT)


def error_workbook(plan: Plan) -> bytes:
    buffer = io.BytesIO()
    write_error_workbook(plan.as_json(), buffer)
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
