"""Read an uploaded spreadsheet (.xlsx, .xls, .csv) into plain rows, and find its header.

`read_table` is the only door from user bytes to cell values. It decides the format from the
content, never from the file name, and refuses anything it should not parse with one Chinese
sentence (`FileRejected`): zip and XML bombs are caught before anything is inflated
(`tabular._sniff`), and workbooks are parsed by python-calamine in a sandboxed child process
(`tabular._workbook`), so that no file can take the serving process down.

`find_header` and `iter_records` then turn the rows of an organization-department file (title
rows, synonyms, 合计 rows, 序号 columns) into `(excel_row, {field: value})`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from tabular import errors
from tabular._csv import read_csv
from tabular._sniff import (
    OLE2_MAGIC,
    ZIP_MAGICS,
    check_ole2,
    check_xlsx_package,
    refuse_known_non_tables,
)
from tabular._workbook import read_workbook
from tabular.errors import FileRejected
from tabular.values import normalize_header

__all__ = [
    "FileRejected",
    "Header",
    "Table",
    "find_header",
    "iter_records",
    "normalize_header",
    "read_table",
]

# Title rows and the header row may precede the data; `max_rows` counts data rows, so a sheet
# may hold this many more non-blank rows (the same window `find_header` scans by default).
HEADER_ALLOWANCE = 10


@dataclass
class Table:
    """Every row of the first worksheet (or of the CSV), as Python values.

    `rows[i]` is Excel row i + 1: title rows and blank rows inside the sheet are kept, so row
    numbers match what the user sees. Cells are str, int/float (as the file stores them), bool,
    `datetime.date`/`datetime.datetime` only for real date cells (`datetime.time` or
    `timedelta` for time and duration cells), and None for empty cells. CSV cells are str or
    None. Trailing blank rows are dropped. `format` is "xlsx", "xls" or "csv".
    """

    rows: list[tuple]
    format: str = ""


@dataclass
class Header:
    """Where the header row is and which column holds which field."""

    row_index: int  # index into Table.rows; the Excel row is row_index + 1
    columns: dict[str, int]  # field name → 0-based column index
    unknown: list[str]  # normalized header texts that matched no field (序号 and empty excluded)
    ignored: list[int] = field(default_factory=list)  # 序号 columns, never part of a record


# ------------------------------------------------------------------------------ read_table


def read_table(
    source: str | os.PathLike | IO[bytes] | bytes,
    filename: str,
    *,
    max_rows: int = 200_000,
    max_bytes: int = 50 * 1024 * 1024,
) -> Table:
    """Return every row of the first visible worksheet of an .xlsx/.xls file, or of a CSV.

    `source` is a path, a binary file object (a Django UploadedFile) or bytes; `filename` is
    only used to word messages. The format comes from the content. CSV may be UTF-8 (with or
    without BOM), GB18030/GBK or UTF-16 with BOM, delimited by comma, tab or semicolon.

    Raises FileRejected, and nothing else, for any bytes: empty, larger than `max_bytes`, more
    than `max_rows` data rows (non-blank rows beyond `HEADER_ALLOWANCE` title/header rows), a
    sheet used far beyond its data (`_workbook.MAX_SHEET_CELLS`), corrupt, encrypted,
    macro-enabled, zip or XML bombs, and files that are not spreadsheets (HTML saved as .xls,
    PDF, Word, images, …). A file object is read from its start and left rewound.
    """
    data = _read_bytes(source, max_bytes)
    if not data:
        raise FileRejected(errors.EMPTY)
    row_limit = max_rows + HEADER_ALLOWANCE

    if data.startswith(ZIP_MAGICS):
        check_xlsx_package(data, filename)
        rows = read_workbook(data, row_limit, max_rows)
        fmt = "xlsx"
    elif data.startswith(OLE2_MAGIC):
        check_ole2(data, filename)
        rows = read_workbook(data, row_limit, max_rows)
        fmt = "xls"
    else:
        refuse_known_non_tables(data, filename)
        rows = read_csv(data, row_limit, max_rows)
        fmt = "csv"

    while rows and _is_blank(rows[-1]):
        rows.pop()
    if not rows:
        raise FileRejected(errors.NO_DATA)
    return Table(rows=rows, format=fmt)


def _read_bytes(source: object, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes, refusing early when the size is known to be too big."""
    too_large = FileRejected(errors.TOO_LARGE.format(mb=_megabytes(max_bytes)))
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            if os.stat(source).st_size > max_bytes:
                raise too_large
            with open(source, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError:
            raise FileRejected(errors.UNREADABLE) from None
    else:
        size = getattr(source, "size", None)  # Django's UploadedFile knows its size
        if isinstance(size, int) and size > max_bytes:
            raise too_large
        _rewind(source)
        try:
            data = source.read(max_bytes + 1)
        except OSError:
            raise FileRejected(errors.UNREADABLE) from None
        _rewind(source)
        if isinstance(data, str):
            raise TypeError("read_table needs a file opened in binary mode")
        data = bytes(data or b"")
    if len(data) > max_bytes:
        raise too_large
    return data


def _rewind(handle: object) -> None:
    try:
        handle.seek(0)
    except (AttributeError, OSError, ValueError):
        pass  # not seekable: read from where it is


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f}" if mb.is_integer() else f"{mb:.2g}"


def _is_blank(row: tuple) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


# ------------------------------------------------------------------------------- headers

_SERIAL_HEADER = "序号"
_FOOTER_PREFIXES = ("合计", "总计", "填表人", "审核人", "填表说明", "注:")
_FOOTER_INITIALS = frozenset(prefix[0] for prefix in _FOOTER_PREFIXES)


def find_header(
    table: Table, fields: dict[str, list[str]], *, scan: int = 10, min_matches: int = 3
) -> Header:
    """Return the first of the first `scan` rows naming at least `min_matches` known fields.

    `fields` maps a field name to its accepted header texts ({"name": ["姓名"], …}); texts are
    compared after `normalize_header`, so spaces, line breaks, bracket widths and a trailing
    "*" or "（必填）" do not matter. Columns may be in any order; 序号 columns are ignored; when
    two columns name the same field the first wins and the second is reported as unknown.
    Raises FileRejected naming some expected headers when no row qualifies.
    """
    lookup: dict[str, str] = {}
    for name, synonyms in fields.items():
        for synonym in synonyms:
            lookup.setdefault(normalize_header(synonym), name)

    best_row, best_fields = -1, []
    for row_index, row in enumerate(table.rows[:scan]):
        columns: dict[str, int] = {}
        unknown: list[str] = []
        ignored: list[int] = []
        for column, cell in enumerate(row):
            text = normalize_header(cell)
            if not text:
                continue
            if text == _SERIAL_HEADER:
                ignored.append(column)
                continue
            name = lookup.get(text)
            if name is None or name in columns:
                unknown.append(text)
            else:
                columns[name] = column
        if len(columns) >= min_matches:
            return Header(row_index=row_index, columns=columns, unknown=unknown, ignored=ignored)
        if len(columns) > len(best_fields):
            best_row, best_fields = row_index, [normalize_header(row[c]) for c in columns.values()]

    examples = "、".join(synonyms[0] for synonyms in list(fields.values())[:5] if synonyms)
    found = f"（第{best_row + 1}行只识别出 {'、'.join(best_fields)}）" if best_fields else ""
    raise FileRejected(
        f"没有找到表头行：前{scan}行中没有一行包含至少{min_matches}个可识别的列名"
        f"（如 {examples}）{found}；请确认表头在前{scan}行内，并使用模板中的列名。"
    )


def iter_records(table: Table, header: Header) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield (Excel row number, {field: raw cell}) for each data row below the header.

    Skipped: blank rows (a row whose only content is in 序号 columns is blank, since templates
    pre-fill 序号), and rows whose first non-empty cell starts with 合计, 总计, 填表人, 审核人,
    填表说明 or 注：/注: (spaces ignored). A field whose column is past the end of a short row
    is None.
    """
    columns = list(header.columns.items())
    ignored = set(header.ignored)
    for index in range(header.row_index + 1, len(table.rows)):
        row = table.rows[index]
        first_text = None
        for column, cell in enumerate(row):
            if column in ignored or cell is None:
                continue
            if isinstance(cell, str):
                stripped = cell.lstrip()
                if not stripped:
                    continue
                # Most rows start with a name or a code; normalize only possible footers.
                footer_like = stripped[0] in _FOOTER_INITIALS
                first_text = normalize_header(stripped) if footer_like else ""
            else:
                first_text = ""
            break
        if first_text is None:
            continue  # blank apart from 序号
        if first_text.startswith(_FOOTER_PREFIXES) or _serial_is_footer(row, ignored):
            continue
        width = len(row)
        yield (
            index + 1,
            {name: (row[column] if column < width else None) for name, column in columns},
        )


def _serial_is_footer(row: tuple, ignored: set[int]) -> bool:
    """True when 合计 & co. were typed into the 序号 column, the first column of the table."""
    for column in ignored:
        if column < len(row) and isinstance(row[column], str):
            if normalize_header(row[column]).startswith(_FOOTER_PREFIXES):
                return True
    return False
