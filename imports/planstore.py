"""The stored plan, read in parts by the database: the web process never loads a whole plan.

A plan of 200,000 rows is ~160 MB of JSON; loaded into Python it took the web process to 1.6 GB
for every page of its preview and for errors.xlsx (issue 10 item 2). The pages need only the
counts, the header and one page of rows; the error file needs the error rows whose cells were
kept (core.importing.ERROR_ROWS_KEPT). PostgreSQL (jsonb_array_elements) and SQLite (json_each)
pick those out, and only they reach Python.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection

from imports.models import ImportBatch

ACTIONS = ("create", "update", "unchanged", "error")
TABLE = ImportBatch._meta.db_table


@dataclass
class PlanSummary:
    """What a preview page shows beside its rows."""

    counts: dict = field(default_factory=dict)  # action → rows
    error_count: int = 0  # errors, several per row possible
    header: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    masked: list = field(default_factory=list)  # columns whose cells the plan holds masked
    shows_columns: bool = False  # rows carry the importer's preview columns

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def valid(self) -> int:
        return self.rows - self.counts["error"]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _elements(where: str = "") -> str:
    """FROM clause yielding (value, n) for each row of one batch's plan, in file order."""
    if _postgres():
        return (f"FROM {TABLE} b CROSS JOIN LATERAL jsonb_array_elements(b.plan->'rows') "
                f"WITH ORDINALITY AS e(value, n) WHERE b.id = %s {where}")
    return (f"FROM {TABLE} b, json_each(b.plan, '$.rows') AS e WHERE b.id = %s {where}")


def _field(name: str) -> str:
    return f"e.value->>'{name}'" if _postgres() else f"json_extract(e.value, '$.{name}')"


def _loads(value):
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def summary(batch_id: int) -> PlanSummary | None:
    """Counts, header and warnings of the batch's stored plan; None without a plan."""
    if _postgres():
        head = ("SELECT b.plan->'header', b.plan->'warnings', b.plan->'masked', "
                "(b.plan->'rows'->0->'shown') IS NOT NULL AND b.plan->'rows'->0->'shown' <> '[]' "
                f"FROM {TABLE} b WHERE b.id = %s AND b.plan IS NOT NULL")
        errors = "jsonb_array_length(e.value->'errors')"
    else:
        head = ("SELECT json_extract(b.plan, '$.header'), json_extract(b.plan, '$.warnings'), "
                "json_extract(b.plan, '$.masked'), json_array_length(b.plan, '$.rows[0].shown') > 0 "
                f"FROM {TABLE} b WHERE b.id = %s AND b.plan IS NOT NULL")
        errors = "json_array_length(e.value, '$.errors')"
    with connection.cursor() as cursor:
        cursor.execute(head, [batch_id])
        found = cursor.fetchone()
        if found is None:
            return None
        header, warnings, masked, shows = found
        cursor.execute(f"SELECT {_field('action')}, count(*), sum({errors}) {_elements()} "
                       "GROUP BY 1", [batch_id])
        grouped = cursor.fetchall()
    counts = dict.fromkeys(ACTIONS, 0)
    error_count = 0
    for action, rows, errors_in_rows in grouped:
        counts[action] = rows
        error_count += errors_in_rows or 0
    return PlanSummary(counts=counts, error_count=error_count, header=_loads(header) or [],
                       warnings=_loads(warnings) or [], masked=_loads(masked) or [],
                       shows_columns=bool(shows))


def rows(batch_id: int, actions: tuple[str, ...] | None, *, offset: int, limit: int) -> list[dict]:
    """The plan's rows with one of `actions` (all if None), in file order, from `offset`."""
    where, params = "", [batch_id]
    if actions:
        where = f"AND {_field('action')} IN ({', '.join(['%s'] * len(actions))})"
        params += list(actions)
    value = "e.value::text" if _postgres() else "e.value"
    order = "e.n" if _postgres() else "e.key"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {value} {_elements(where)} ORDER BY {order} LIMIT %s OFFSET %s",
                       [*params, limit, offset])
        return [json.loads(text) for (text,) in cursor.fetchall()]


def error_rows(batch_id: int, *, limit: int) -> Iterator[dict]:
    """The first `limit` error rows, for the error workbook."""
    yield from rows(batch_id, ("error",), offset=0, limit=limit)


class RowsPage:
    """What Django's Paginator needs of the rows it pages: a count and a slice, from the database."""

    def __init__(self, batch_id: int, actions: tuple[str, ...] | None, count: int):
        self.batch_id, self.actions, self._count = batch_id, actions, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("RowsPage is sliced by the paginator only")
        start, stop = index.start or 0, index.stop
        if stop is None or stop <= start:
            return []
        return rows(self.batch_id, self.actions, offset=start, limit=stop - start)
