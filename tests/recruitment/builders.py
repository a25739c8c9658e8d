"""Ledger files (发展党员工作台账, interfaces.md §4.1) built in the tests, and commands run on them."""
import datetime
import io
import json

from django.core.management import call_command

from tests.factories import valid_id_number
from tests.members.builders import csv_bytes, xlsx_bytes

HEADER = ["姓名", "公民身份号码", "性别", "出生日期", "所在党支部", "申请入党日期", "谈话日期",
          "确定积极分子日期", "培养联系人", "确定发展对象日期", "入党介绍人", "集中培训学时",
          "支部大会讨论日期", "上级党委审批日期", "入党宣誓日期"]
KEYS = {"name": "姓名", "id": "公民身份号码", "branch": "所在党支部", "applied": "申请入党日期",
        "talk": "谈话日期", "activist": "确定积极分子日期", "mentors": "培养联系人",
        "candidate": "确定发展对象日期", "sponsors": "入党介绍人", "hours": "集中培训学时",
        "congress": "支部大会讨论日期", "approval": "上级党委审批日期", "oath": "入党宣誓日期",
        "sex": "性别", "birth": "出生日期"}


def new_id(birth=datetime.date(1995, 5, 20), male=True) -> str:
    return valid_id_number(birth, male)


def row(id_number, name="王小明", branch="1101", applied="2025-01-10", **dates):
    """One ledger row as a dict of header → value (only the given columns)."""
    values = {"姓名": name, "公民身份号码": id_number, "所在党支部": branch, "申请入党日期": applied}
    for key, value in dates.items():
        values[KEYS[key]] = value
    return values


def table(rows, header=HEADER):
    return [header] + [[r.get(h) for h in header] for r in rows]


def ledger_file(tmp_path, rows, header=HEADER, name="ledger.xlsx", title_rows=()):
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_bytes(csv_bytes(table(rows, header)))
    else:
        path.write_bytes(xlsx_bytes(table(rows, header), title_rows=title_rows))
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


def import_ledger(path, org="1000", *extra):
    return run("import_applicants", str(path), "--org", org, *extra)


def check(org="1000", on=None):
    args = ["recruitment_check", "--org", org] + (["--on", on] if on else [])
    return run(*args)


def person_of(result, id_number) -> dict:
    return next(p for p in result["people"] if p["id_number"] == id_number)
