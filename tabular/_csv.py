"""Read CSV text of unknown encoding and delimiter, as Excel and WPS on Chinese Windows save it."""

from __future__ import annotations

import codecs
import csv
import io

from tabular import errors
from tabular.errors import FileRejected


def _encoding(data: bytes) -> str:
    """The BOM's encoding, else strict UTF-8, else GB18030 (a superset of GBK), checked by
    decoding the whole file a megabyte at a time: no copy of the text is kept."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig", "gb18030")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode 文本" is UTF-16 with a BOM (tab-delimited); cheap to accept.
        encodings = ("utf-16",)
    else:
        sample = data[:65_536]
        controls = sum(sample.count(bytes([c])) for c in range(32) if c not in (9, 10, 13, 12))
        if b"\x00" in sample or controls * 100 > len(sample):
            raise FileRejected(errors.UNKNOWN_BINARY)
        encodings = ("utf-8", "gb18030")
    view = memoryview(data)
    for encoding in encodings:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(view[start:start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRejected(errors.ENCODING)


def _lines(data: bytes, encoding: str) -> io.TextIOWrapper:
    """The text, decoded as it is read (io.StringIO would hold it at 4 bytes a character: a
    50 MB CSV took 200 MB per pass)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


_DELIMITERS = (",", "\t", ";")  # in order of preference when the evidence is equal


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent number of fields.

    Consistency beats raw counts: a comma-separated roster may hold "张三;李四" in a cell, but
    only the comma gives every line the same number of fields.
    """
    lines = [line for line in text[:65_536].splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        multi = [width for width in widths if width > 1]
        if not multi:
            continue
        modal = max(set(multi), key=multi.count)
        score = (multi.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(data: bytes, row_limit: int, max_rows: int) -> list[tuple]:
    """Rows of str cells ("" → None); refuses binary data, unknown encodings, broken quoting
    and more than `row_limit` non-blank rows (the message names `max_rows`)."""
    from tabular._workbook import MAX_SHEET_CELLS  # the same bound as a workbook's

    encoding = _encoding(data)
    delimiter = _sniff_delimiter(_lines(data, encoding).read(65_536))
    _count_cells(_lines(data, encoding), delimiter, MAX_SHEET_CELLS)
    reader = csv.reader(_lines(data, encoding), delimiter=delimiter)
    rows: list[tuple] = []
    non_blank = 0
    try:
        for row in reader:
            cells = tuple([cell if cell != "" else None for cell in row])
            if any(cell.strip() for cell in row):
                non_blank += 1
                if non_blank > row_limit:
                    raise FileRejected(errors.TOO_MANY_ROWS.format(rows=max_rows))
            rows.append(cells)
    except csv.Error:
        raise FileRejected(errors.CSV_BROKEN.format(line=reader.line_num)) from None
    return rows


def _count_cells(lines, delimiter: str, limit: int) -> None:
    """Refuse a file of more than `limit` cells (rows × widest row) before any row is kept."""
    rows = width = 0
    try:
        for row in csv.reader(lines, delimiter=delimiter):
            rows += 1
            width = max(width, len(row))
            if rows * width > limit:
                raise FileRejected(errors.TOO_MANY_CELLS.format(cells=f"{limit:,}"))
    except csv.Error:
        return  # the reading pass names the broken line
