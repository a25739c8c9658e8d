"""The roster import's writes and lookups in bulk, with PostgreSQL fast paths.

COPY and `= ANY(array)` on PostgreSQL, the ORM's bulk methods elsewhere; bench/bench_import.py
measures both. Values arrive in the importer's normalized plan form (members.importer).
"""
from __future__ import annotations

import datetime
import json

from django.db import connection
from django.utils import timezone

from branches.models import Organization
from core.importing import RowPlan, chunks
from core.quarters import add_years
from members.models import Member, MemberEvent, Membership

CHUNK = 2000
COPY_THRESHOLD = 500  # below this, bulk_create is as fast and works on every database

# Fields the import compares with the database, in the order changes are shown.
COMPARED = (
    "name", "sex", "ethnicity", "birth_date", "education", "category", "joined_on",
    "confirmed_on", "work_unit", "phone", "group", "status", "is_mobile", "mobile_destination",
    "landline", "home_address", "is_lost_contact", "lost_contact_on", "remarks",
)
# Yes/no columns whose blank cell keeps what the portal has (a new member: 否).
KEPT_WHEN_BLANK = ("status", "is_mobile", "is_lost_contact")
DATES = ("birth_date", "joined_on", "confirmed_on", "lost_contact_on")


class ChangedDuringApply(Exception):
    """A member changed between the staleness check and the bulk UPDATE: roll everything back."""


def copy_value(value) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return (value.replace("\\", "\\\\").replace("\t", "\\t")
                    .replace("\n", "\\n").replace("\r", "\\r"))
        return value
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is int:
        return str(value)
    if kind is datetime.date or kind is datetime.datetime:
        return value.isoformat()
    return copy_value(str(value))


def copy_rows(table: str, columns: list[str], rows) -> None:
    """COPY rows in the text format, built here: psycopg's per-value adaptation costs more."""
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = []
            for row in rows:
                buffer.append("\t".join(map(copy_value, row)))
                if len(buffer) >= 5000:
                    copy.write(("\n".join(buffer) + "\n").encode())
                    buffer = []
            if buffer:
                copy.write(("\n".join(buffer) + "\n").encode())


def copy_create(rows: list[RowPlan], user) -> int:
    """PostgreSQL: COPY the new members, then their Membership and CREATED event by INSERT … SELECT.

    Same rows as the bulk_create path, without building a model instance per row: on 100,000
    rows this is the difference between ~30 s and a few seconds (bench/bench_import.py).
    """
    by_id = user.pk if getattr(user, "pk", None) else None
    now = timezone.now()
    today = timezone.localdate()
    defaults = {f.attname: f.get_default() for f in Member._meta.concrete_fields if not f.primary_key}
    defaults.update(created_at=now, updated_at=now)
    columns = list(defaults)
    records = []
    for row in rows:
        values = dict(defaults)
        values.update(model_values(row.values, new=True))
        values["id_number"] = row.key
        records.append(values)
    copy_rows(Member._meta.db_table, columns, ([r[c] for c in columns] for r in records))
    # Memberships and CREATED events straight from the rows just copied: no round trip of ids.
    numbers = [r["id_number"] for r in records]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Membership._meta.db_table} (member_id, branch_id, started_on) "
            f"SELECT id, branch_id, joined_on FROM {Member._meta.db_table} "
            "WHERE id_number = ANY(%s) AND status = %s",
            [numbers, Member.Status.NORMAL],
        )
        cursor.execute(
            f"INSERT INTO {MemberEvent._meta.db_table} "
            "(member_id, kind, date, to_branch_id, note, detail, recorded_by_id, recorded_at) "
            f"SELECT id, %s, %s, branch_id, '', %s::jsonb, %s, %s FROM {Member._meta.db_table} "
            "WHERE id_number = ANY(%s)",
            [MemberEvent.Kind.CREATED, today, json.dumps({"import": True}), by_id, now, numbers],
        )
    return len(records)


UPDATED_COLUMNS = {
    "name": "text", "sex": "text", "ethnicity": "text", "birth_date": "date", "education": "text",
    "category": "text", "joined_on": "date", "confirmed_on": "date", "work_unit": "text",
    "phone": "text", "group_id": "bigint", "status": "text", "is_mobile": "boolean",
    "mobile_destination": "text", "landline": "text", "home_address": "text",
    "is_lost_contact": "boolean", "lost_contact_on": "date", "remarks": "text",
}


def copy_update(rows: list[RowPlan], current: dict[str, dict], user) -> int:
    """PostgreSQL: COPY the new values into a temporary table, then one UPDATE … FROM.

    Each row carries every column: the file's value where the plan has one, else the value
    the database holds (read, locked, by _stale_rows in this transaction).
    """
    by_id = user.pk if getattr(user, "pk", None) else None
    now = timezone.now()
    today = timezone.localdate()
    columns = list(UPDATED_COLUMNS)
    table_rows, events = [], []
    for row in rows:
        member = current[row.key]
        values = {name: member[name] for name in columns}
        values.update(model_values(row.values, new=False))
        table_rows.append([member["id"], row.values["stamp"]] + [values[name] for name in columns])
        events.append([member["id"], MemberEvent.Kind.EDITED, today,
                       json.dumps({"import": True, "changes": row.changes}, ensure_ascii=False)])
        if member["category"] == Member.Category.PROBATIONARY and values["category"] == Member.Category.FULL:
            events.append([member["id"], MemberEvent.Kind.CONFIRMED, values["confirmed_on"],
                           json.dumps({"import": True})])
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE members_import_update (id bigint PRIMARY KEY, stamp timestamptz, "
            + ", ".join(f"{name} {kind}" for name, kind in UPDATED_COLUMNS.items())
            + ") ON COMMIT DROP"
        )
    copy_rows("members_import_update", ["id", "stamp"] + columns, table_rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Member._meta.db_table} m SET "
            + ", ".join(f"{name} = t.{name}" for name in columns)
            + ", updated_at = %s FROM members_import_update t"
            " WHERE m.id = t.id AND m.updated_at = t.stamp",
            [now],
        )
        changed_meanwhile = cursor.rowcount != len(table_rows)
        cursor.execute("DROP TABLE members_import_update")
    if changed_meanwhile:
        raise ChangedDuringApply
    copy_rows(
        MemberEvent._meta.db_table,
        ["member_id", "kind", "date", "detail", "note", "recorded_by_id", "recorded_at"],
        (event + ["", by_id, now] for event in events),
    )
    return len(rows)


def create_members(rows: list[RowPlan], user) -> int:
    """The planned new members, each with their first Membership (if counted) and a CREATED
    event: COPY on PostgreSQL from COPY_THRESHOLD rows, bulk_create otherwise."""
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        return copy_create(rows, user)
    by = user if getattr(user, "pk", None) else None
    today = timezone.localdate()
    for batch in chunks(rows, CHUNK):
        members = [Member(**model_values(r.values, new=True), id_number=r.key) for r in batch]
        Member.objects.bulk_create(members, batch_size=CHUNK)
        Membership.objects.bulk_create(
            [
                Membership(member=m, branch_id=m.branch_id, started_on=m.joined_on)
                for m in members
                if m.status == Member.Status.NORMAL
            ],
            batch_size=CHUNK,
        )
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(member=m, kind=MemberEvent.Kind.CREATED, date=today,
                            to_branch_id=m.branch_id, recorded_by=by, detail={"import": True})
                for m in members
            ],
            batch_size=CHUNK,
        )
    return len(rows)


def update_members(rows: list[RowPlan], current: dict[str, dict], user) -> int:
    """The planned changes, each with an EDITED event (and CONFIRMED when the file confirms a
    预备党员): one UPDATE … FROM on PostgreSQL from COPY_THRESHOLD rows, bulk_update otherwise.
    `current` holds the members as read (and locked) in this transaction."""
    if connection.vendor == "postgresql" and len(rows) >= COPY_THRESHOLD:
        return copy_update(rows, current, user)
    by = user if getattr(user, "pk", None) else None
    today = timezone.localdate()
    now = timezone.now()
    for batch in chunks(rows, CHUNK):
        by_id = Member.objects.in_bulk([r.values["member_id"] for r in batch])
        fields: set[str] = {"updated_at"}
        events = []
        for row in batch:
            member = by_id[row.values["member_id"]]
            values = model_values(row.values, new=False)
            was_probationary = member.category == Member.Category.PROBATIONARY
            for name, value in values.items():
                if getattr(member, name) != value:
                    setattr(member, name, value)
                    fields.add(name)
            member.updated_at = now
            events.append(MemberEvent(member=member, kind=MemberEvent.Kind.EDITED, date=today,
                                      recorded_by=by, detail={"import": True, "changes": row.changes}))
            if was_probationary and member.category == Member.Category.FULL:
                events.append(MemberEvent(member=member, kind=MemberEvent.Kind.CONFIRMED,
                                          date=member.confirmed_on, recorded_by=by,
                                          detail={"import": True}))
        Member.objects.bulk_update(list(by_id.values()), sorted(fields), batch_size=CHUNK)
        MemberEvent.objects.bulk_create(events, batch_size=CHUNK)
    return len(rows)


def model_values(values: dict, *, new: bool) -> dict:
    """Plan values → model fields. Blank status/流动 keep the database's value on updates."""
    out = {}
    for name in COMPARED:
        if name not in values:
            continue
        value = values[name]
        if name in KEPT_WHEN_BLANK and value is None:
            if not new:
                continue
            value = Member.Status.NORMAL if name == "status" else False
        if name in DATES and value:
            value = datetime.date.fromisoformat(value)
        if name == "group":
            out["group_id"] = value
            continue
        out[name] = value
    if new:
        out["branch_id"] = values["branch"]
    return out


_EXISTING_COLUMNS = (
    "id", "id_number", "name", "sex", "ethnicity", "birth_date", "education", "category",
    "joined_on", "confirmed_on", "probation_extended_until", "work_unit", "phone", "group_id",
    "status", "is_mobile", "mobile_destination", "landline", "home_address", "is_lost_contact",
    "lost_contact_on", "remarks", "branch_id", "branch__name", "updated_at",
)


def existing_rows(id_numbers: list[str], lock: bool):
    """The members' columns as dicts: one `= ANY(array)` query on PostgreSQL (Django's
    `__in` with 100,000 parameters spends seconds building SQL), `__in` chunks elsewhere."""
    if connection.vendor == "postgresql":
        columns = [f"m.{c}" for c in _EXISTING_COLUMNS if c != "branch__name"] + ["b.name"]
        sql = (
            f"SELECT {', '.join(columns)} FROM {Member._meta.db_table} m "
            f"JOIN {Organization._meta.db_table} b ON b.id = m.branch_id "
            "WHERE m.id_number = ANY(%s)" + (" FOR UPDATE OF m" if lock else "")
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(id_numbers)])
            names = [c for c in _EXISTING_COLUMNS if c != "branch__name"] + ["branch__name"]
            for values in cursor.fetchall():
                yield dict(zip(names, values, strict=True))
        return
    for batch in chunks(id_numbers, 500):
        qs = Member.objects.filter(id_number__in=batch)
        if lock:
            qs = qs.select_for_update(of=("self",))
        yield from qs.values(*_EXISTING_COLUMNS)


def existing_members(id_numbers: list[str], *, lock: bool = False) -> dict[str, dict]:
    """The members with these ID numbers as plain values in the plan's normalized form."""
    found: dict[str, dict] = {}
    if not id_numbers:
        return found
    for m in existing_rows(id_numbers, lock):
        ends = m["probation_extended_until"]
        if ends is None:
            ends = add_years(m["joined_on"], 1)
        found[m["id_number"]] = {
            **m,
            "group": m["group_id"],
            "birth_date": m["birth_date"].isoformat(),
            "joined_on": m["joined_on"].isoformat(),
            "confirmed_on": m["confirmed_on"].isoformat() if m["confirmed_on"] else None,
            "lost_contact_on": m["lost_contact_on"].isoformat() if m["lost_contact_on"] else None,
            "probation_ends_on": ends.isoformat(),
            "branch_name": m["branch__name"],
            "updated_at": m["updated_at"].isoformat(),
        }
    return found
