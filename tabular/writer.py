"""Write report and export worksheets with openpyxl: typed columns, safe text, one look.

`write_sheet` lays out an optional merged title row, a bold header, the data rows and notes,
with frozen panes, widths and number formats. Text cells can never become formulas (see
`safe_text`). It works on a normal worksheet and on a write-only one (`new_workbook(True)`),
which keeps memory flat for large exports.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange

from tabular.values import needs_formula_guard

__all__ = ["Column", "new_workbook", "safe_text", "write_sheet"]


def safe_text(value: str) -> str:
    """Return text that Excel, WPS and LibreOffice will never run as a formula.

    Text starting with = + - @ tab or carriage return gets a leading "'" (OWASP's advice for
    formula/CSV injection), and so does text that starts with apostrophes before one of those,
    so that `tabular.values.undo_formula_guard` gives back exactly the original on import.
    """
    if value and needs_formula_guard(value):
        return "'" + value
    return value


_NUMBER_FORMATS = {
    "text": "@",
    "date": "yyyy-mm-dd",
    "int": "0",
    "float": "0.00",
    "percent": "0.00%",
    "money": "#,##0.00",
}


@dataclass
class Column:
    """One column of a sheet: its header, width (Excel character units) and kind of value.

    kind is "text" (stored as text, format "@"), "date" (a real date cell, "yyyy-mm-dd"),
    "int" ("0"), "float" ("0.00"), "percent" ("0.00%", value 0.8254 shows 82.54%) or "money"
    (yuan: a Decimal, or its text "12.34", written exactly as a number, "#,##0.00").
    """

    header: str
    width: float = 14
    kind: str = "text"

    def __post_init__(self):
        if self.kind not in _NUMBER_FORMATS:
            raise ValueError(
                f"unknown column kind {self.kind!r}; use one of {list(_NUMBER_FORMATS)}"
            )


_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FFE7E6E6")
_THIN = Side(style="thin", color="FF999999")
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def new_workbook(write_only: bool = False) -> openpyxl.Workbook:
    """Return an empty workbook.

    A normal workbook comes with one sheet (`wb.active`); a write-only workbook has none, so
    call `wb.create_sheet(title)`, and each of its sheets accepts exactly one `write_sheet`.
    """
    return openpyxl.Workbook(write_only=write_only)


def write_sheet(
    ws,
    columns: list[Column],
    rows: Iterable[Sequence],
    *,
    title: str | None = None,
    notes: list[str] | None = None,
) -> None:
    """Write a titled, typed table into an empty worksheet (normal or write-only).

    Layout: the title merged across all columns (if given), the bold header row, one row per
    item of `rows` (values in column order; None or a missing trailing value is an empty
    cell), then a blank row and one row per note. Panes are frozen below the header. Each value
    is written as its column's kind says; text is passed through `safe_text` and always stored
    as a string, never as a formula.
    """
    if not columns:
        raise ValueError("write_sheet needs at least one column")
    header_row = 2 if title else 1
    # Write-only sheets need dimensions and panes before the first row is streamed.
    for index, column in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"A{header_row + 1}"
    merge = f"A1:{get_column_letter(len(columns))}1"
    # Titles and headers may carry user data (an organization's name), so they are guarded too.
    title = safe_text(_clean(title)) if title else None
    header = [safe_text(_clean(column.header)) for column in columns]
    kinds = [(_CONVERTERS[column.kind], _NUMBER_FORMATS[column.kind]) for column in columns]
    notes = [safe_text(_clean(note)) for note in notes or ()]
    if isinstance(ws, WriteOnlyWorksheet):
        _stream(ws, header, kinds, rows, title, merge, notes)
    else:
        _fill(ws, header, kinds, rows, title, merge, notes)


def _fill(ws, header, kinds, rows, title, merge, notes) -> None:
    """write_sheet for a normal worksheet: cell by cell."""
    row_number = 1
    if title:
        _style(ws.cell(row=1, column=1, value=title), _TITLE_STYLE)
        ws.merge_cells(merge)
        row_number = 2
    for column, text in enumerate(header, 1):
        _style(_set(ws.cell(row=row_number, column=column), text), _HEADER_STYLE)
    for values in rows:
        row_number += 1
        for column, ((convert, number_format), value) in enumerate(
            zip(kinds, values, strict=False), 1
        ):
            value = convert(value)
            if value is not None:
                _set(ws.cell(row=row_number, column=column), value).number_format = number_format
    row_number += 1  # one blank row between the table and the notes
    for note in notes:
        row_number += 1
        _set(ws.cell(row=row_number, column=1), note)


def _stream(ws, header, kinds, rows, title, merge, notes) -> None:
    """write_sheet for a write-only worksheet: rows are serialized as they are appended."""
    if title:
        ws.append([_style(_set(WriteOnlyCell(ws), title), _TITLE_STYLE)])
        # Worksheet.merge_cells touches the cells in the range, which a write-only sheet does
        # not keep; the writer only needs the range itself.
        ws.merged_cells.add(CellRange(merge))
    ws.append([_style(_set(WriteOnlyCell(ws), text), _HEADER_STYLE) for text in header])
    # append() serializes a row before it returns, so one styled cell per column can carry
    # every row's value: styling each of a million cells would dominate the export time.
    templates = []
    for _convert, number_format in kinds:
        template = WriteOnlyCell(ws)
        template.number_format = number_format
        templates.append(template)
    for values in rows:
        ws.append(
            [
                None if value is None else _set(template, value)
                for template, value in zip(
                    templates,
                    (convert(v) for (convert, _), v in zip(kinds, values, strict=False)),
                    strict=False,
                )
            ]
        )
    if notes:
        ws.append([])  # one blank row between the table and the notes
    for note in notes:
        ws.append([_set(WriteOnlyCell(ws), note)])


def _clean(text: str) -> str:
    # openpyxl refuses control characters that XML cannot carry; a pasted value may hold one.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = str(value)
    return safe_text(_clean(text)) if text else None


def _date(value: object) -> object:
    if value is None or isinstance(value, datetime.date):
        return value
    return _text(value)  # a placeholder such as "—" stays visible, and safe


def _number(value: object) -> object:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return _text(value)


def _money(value: object) -> object:
    """Money stays exact: a Decimal (or its text) is written as that decimal number, never a float."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return _text(value)
    return _text(value)


_CONVERTERS = {"text": _text, "date": _date, "int": _number, "float": _number, "percent": _number,
               "money": _money}

_TITLE_STYLE = {"font": _TITLE_FONT, "alignment": _CENTER}
_HEADER_STYLE = {
    "font": _HEADER_FONT,
    "fill": _HEADER_FILL,
    "border": _HEADER_BORDER,
    "alignment": _CENTER,
}


def _set(cell, value):
    cell.value = value
    if isinstance(value, str):
        # safe_text already guarded every leading "=", but a string cell must never be a
        # formula whatever its content, so say so explicitly.
        cell.data_type = "s"
    return cell


def _style(cell, style: dict):
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
