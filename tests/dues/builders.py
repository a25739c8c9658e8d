"""Dues files built in the tests, the district's members with bases, and the commands run on them."""
import datetime
import io
import json

from django.core.management import call_command

from tests.factories import make_member
from tests.members.builders import csv_bytes, xlsx_bytes

BASE_HEADER = ["姓名", "公民身份号码", "人员类型", "缴费基数（元）", "月缴纳额"]
PAYMENT_HEADER = ["姓名", "公民身份号码", "缴费月份", "金额", "缴纳日期"]


def write(tmp_path, rows, header, name="file.xlsx", title_rows=()):
    path = tmp_path / name
    table = [header] + [list(r) for r in rows]
    path.write_bytes(csv_bytes(table) if name.endswith(".csv")
                     else xlsx_bytes(table, title_rows=title_rows))
    return path


def run(*args) -> tuple[int, dict]:
    """Run a command with --json: (exit status, the one JSON object printed)."""
    out = io.StringIO()
    status = 0
    try:
        call_command(*args, "--json", stdout=out)
    except SystemExit as exc:
        status = exc.code
    return status, json.loads(out.getvalue())


def import_bases(path, org="1000", month="2026-01"):
    return run("import_dues_bases", str(path), "--org", org, "--from", month)


def import_payments(path, org="1000"):
    return run("import_dues_payments", str(path), "--org", org)


def status(org="1000", month="2026-06"):
    return run("dues_status", "--org", org, "--month", month)


def row_of(result, id_number) -> dict:
    return next(m for m in result["members"] if m["id_number"] == id_number)


def members_of(branch, names, **kwargs):
    return {name: make_member(branch, name=name, **kwargs) for name in names}


def joined_midyear(branch, name="王预备", day=datetime.date(2026, 4, 15)):
    return make_member(branch, name=name, joined=day, category="probationary")
