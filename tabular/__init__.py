"""Spreadsheet input and output for the portal's importers and exports, free of Django.

- `tabular.reader`: `read_table` (any upload → rows, or `FileRejected`), `find_header`,
  `iter_records`.
- `tabular.values`: cell → clean value parsers raising `ValueError` with a Chinese message.
- `tabular.writer`: `write_sheet` and friends for exports (openpyxl).
"""

from tabular.reader import FileRejected, Header, Table, find_header, iter_records, read_table

__all__ = ["FileRejected", "Header", "Table", "find_header", "iter_records", "read_table"]
