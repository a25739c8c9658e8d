"""The one import flow shared by organizations, rosters and meeting ledgers.

read the file (tabular) → find the header → the importer plans every row (no writes) →
the plan is shown or printed → the importer applies exactly that plan in one transaction.
The command, the web page and the Celery task all go through `plan_file` and `apply_plan`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tabular.reader import FileRejected, Header, Table, find_header, iter_records, read_table
from tabular.values import parse_date_or_month

Progress = Callable[[int, int], None]


class ImportCannotRun(Exception):
    """The import cannot start (unknown organization, wrong target kind): exit status 2."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowPlan:
    """What one data row will do. `values` are normalized, JSON-safe (dates as ISO text)."""

    row: int
    action: str  # "create" | "update" | "unchanged" | "error"
    label: str = ""
    values: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)  # field label → [old, new]
    errors: list[RowError] = field(default_factory=list)
    raw: list = field(default_factory=list)  # the row's cells as text, kept for the error file
    key: str = ""  # the natural key (ID number, org code …)
    shown: list = field(default_factory=list)  # [text, has_error] per Importer.preview_columns

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, message))
        self.action = "error"

    def as_json(self) -> dict:
        """Shallow (the values are JSON-safe already): dataclasses.asdict's deep copy took
        half of the time of storing a 200,000-row plan."""
        data = {f.name: getattr(self, f.name) for f in ROW_FIELDS}
        data["errors"] = [e.as_json() for e in self.errors]
        return data

    @classmethod
    def from_json(cls, data: dict) -> RowPlan:
        data = dict(data)
        data["errors"] = [RowError(**e) for e in data.get("errors", [])]
        return cls(**data)


ROW_FIELDS = dataclasses.fields(RowPlan)


@dataclass
class Plan:
    rows: list[RowPlan]
    warnings: list[RowError] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the file's header cells, for the error file
    header_row: int = 1
    masked: list[str] = field(default_factory=list)  # columns the error file gives back masked

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    def as_json(self, *, rows: bool = True) -> dict:
        """The plan as stored; without `rows`, only its head (imports.services.store_plan
        streams the rows after it)."""
        data = {
            "warnings": [w.as_json() for w in self.warnings],
            "header": self.header,
            "header_row": self.header_row,
            "masked": self.masked,
        }
        if rows:
            data["rows"] = [r.as_json() for r in self.rows]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Plan:
        return cls(
            rows=[RowPlan.from_json(r) for r in data["rows"]],
            warnings=[RowError(**w) for w in data.get("warnings", [])],
            header=data.get("header", []),
            header_row=data.get("header_row", 1),
            masked=data.get("masked", []),
        )

    def preview_counts(self) -> dict:
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "error": self.count("error"),
        }


@dataclass
class ImportResult:
    """The outcome in the shape of interfaces.md §2."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    written: bool = False

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": [e.as_json() for e in self.errors],
            "warnings": [w.as_json() for w in self.warnings],
        }

    @classmethod
    def from_json(cls, data: dict) -> ImportResult:
        return cls(
            created=data["created"],
            updated=data["updated"],
            unchanged=data["unchanged"],
            skipped=data["skipped"],
            errors=[RowError(**e) for e in data["errors"]],
            warnings=[RowError(**w) for w in data["warnings"]],
            written=data.get("written", False),
        )

    @property
    def exit_status(self) -> int:
        """0 done; 1 rejected for the data's reasons (errors, nothing written)."""
        return 1 if self.errors and not self.written else 0

    def summary(self) -> str:
        parts = [
            f"新增 {self.created} 条",
            f"更新 {self.updated} 条",
            f"{self.unchanged} 条无变化",
        ]
        if self.skipped:
            parts.append(f"跳过 {self.skipped} 条有错误的行")
        return "，".join(parts) + "。"


# The error file gives back at most this many offending rows as they were in the file (the
# preview still lists every error): it bounds the stored plan and the workbook written from it.
ERROR_ROWS_KEPT = 10_000


class Importer:
    """Base of the three importers. Subclasses define `fields` and implement plan_rows/apply."""

    kind: str = ""
    title: str = ""
    fields: dict[str, list[str]] = {}
    required_headers: tuple[str, ...] = ()
    # The parsed fields the preview shows for every row, as (field, label); the importer fills
    # RowPlan.shown in this order.
    preview_columns: tuple[tuple[str, str], ...] = ()
    # Fields whose cells the error file gives back masked, as field → mask (a resident's phone:
    # tabular.values.mask_phone), so the whole number is never stored in the plan's cells nor
    # downloaded again; the uploader finds the row by its number and the other cells.
    masked_fields: dict[str, Callable[[str], str]] = {}

    # The upload batch being applied (imports.ImportBatch's id), named in the audit record of
    # the write; None from the command line. The upload flow sets it.
    batch_id: int | None = None

    def __init__(self, *, organization=None, user=None):
        self.organization = organization
        self.user = user
        self.header: Header | None = None
        self.header_cells: list[str] = []
        self._month_only: dict[str, list[int]] = {}  # field → rows that gave only a month

    # -- subclasses -----------------------------------------------------------------------
    def check_target(self) -> None:
        """Raise ImportCannotRun if the target organization does not fit this import."""

    def plan_rows(self, records: list[tuple[int, dict]], progress: Progress | None) -> list[RowPlan]:
        raise NotImplementedError

    def apply(self, plan: Plan, *, skip_invalid: bool) -> ImportResult:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------
    def column(self, name: str) -> str:
        """The header text the user sees for a field (falls back to the first synonym)."""
        if self.header and name in self.header.columns:
            # A header cell may wrap ("入党\n时间"); messages name it on one line.
            text = "".join(self.header_cells[self.header.columns[name]].splitlines()).strip()
            if text:
                return text
        return self.fields[name][0] if name in self.fields else name

    def read_date(self, row: int, name: str, value):
        """A date cell (tabular.values.parse_date_or_month; ValueError for a bad one). A month
        alone is read as its 1st day and the row remembered for one warning per column."""
        day, month_only = parse_date_or_month(value)
        if month_only:
            self.note_month_only(row, name)
        return day

    def note_month_only(self, row: int, name: str) -> None:
        self._month_only.setdefault(name, []).append(row)

    def month_only_warnings(self) -> list[RowError]:
        return [
            RowError(None, self.column(name),
                     f"{self.column(name)}只有年月的行已按当月1日记录：第 {_row_list(rows)} 行")
            for name, rows in self._month_only.items()
        ]

    def plan(self, table: Table, progress: Progress | None = None) -> Plan:
        self.check_target()
        self.header = find_header(table, self.fields)
        header_row = table.rows[self.header.row_index]
        self.header_cells = [str(c).strip() if c is not None else "" for c in header_row]
        missing = [
            self.fields[name][0] for name in self.required_headers if name not in self.header.columns
        ]
        if missing:
            raise FileRejected(
                f"表头缺少必需的列：{'、'.join(missing)}。请对照模板检查第 {self.header.row_index + 1} 行的列名。"
            )
        warnings = []
        if self.header.unknown:
            warnings.append(
                RowError(
                    None,
                    "",
                    f"以下列未识别，已忽略：{'、'.join(self.header.unknown)}",
                )
            )
        records = list(iter_records(table, self.header))
        width = len(header_row)
        rows = self.plan_rows(records, progress)
        del records
        masks = [(self.header.columns[name], mask) for name, mask in self.masked_fields.items()
                 if name in self.header.columns]
        kept = 0
        for row_plan in rows:
            if row_plan.action != "error":
                continue
            kept += 1
            if kept > ERROR_ROWS_KEPT:  # the error file lists these; the rest only by number
                row_plan.raw = []
                continue
            if not row_plan.raw:
                cells = table.rows[row_plan.row - 1] if 0 < row_plan.row <= len(table.rows) else ()
                row_plan.raw = [_as_text(c) for c in list(cells)[:width]]
            for index, mask in masks:
                if index < len(row_plan.raw) and row_plan.raw[index]:
                    row_plan.raw[index] = mask(row_plan.raw[index])
        return Plan(
            rows=rows,
            warnings=warnings + self.month_only_warnings() + self.extra_warnings(rows),
            header=self.header_cells,
            header_row=self.header.row_index + 1,
            masked=[self.column(name) for name in self.masked_fields if name in self.header.columns],
        )

    def extra_warnings(self, rows: list[RowPlan]) -> list[RowError]:
        return []


def _row_list(rows: list[int]) -> str:
    shown = "、".join(str(r) for r in rows[:50])
    return shown + (f" 等 {len(rows)} 行" if len(rows) > 50 else "")


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def plan_file(importer: Importer, source, filename: str, progress: Progress | None = None) -> Plan:
    """Read and check a file; raises FileRejected or ImportCannotRun when it cannot be read."""
    from django.conf import settings

    table = read_table(
        source, filename, max_rows=settings.IMPORT_MAX_ROWS, max_bytes=settings.IMPORT_MAX_BYTES
    )
    return importer.plan(table, progress)


def rejected_result(plan: Plan) -> ImportResult:
    """All or nothing: a plan with errors writes nothing and lists every error."""
    return ImportResult(errors=plan.errors, warnings=plan.warnings, written=False)


def dry_run_result(plan: Plan) -> ImportResult:
    return ImportResult(
        created=plan.count("create"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        skipped=plan.count("error"),
        errors=plan.errors,
        warnings=plan.warnings,
        written=False,
    )


def apply_plan(importer: Importer, plan: Plan, *, skip_invalid: bool = False) -> ImportResult:
    """Write the plan (or nothing, if it has errors and skip_invalid is off)."""
    if plan.errors and not skip_invalid:
        return rejected_result(plan)
    return importer.apply(plan, skip_invalid=skip_invalid)


def counted_result(plan: Plan, **counts) -> ImportResult:
    """A result for an applied plan: the counts given, the plan's errors as skipped rows."""
    error_rows = plan.count("error")
    return ImportResult(
        created=counts.get("created", plan.count("create")),
        updated=counts.get("updated", plan.count("update")),
        unchanged=counts.get("unchanged", plan.count("unchanged")),
        skipped=error_rows,
        errors=plan.errors,
        warnings=plan.warnings,
        written=True,
    )


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
