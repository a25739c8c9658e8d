"""How fast does a roster import run on PostgreSQL, next to django-import-export and the floor?

Builds a 500-branch subtree and roster xlsx files (IDs as text, dates as date cells), then
measures, each case in a fresh subprocess (so peak RSS is the case's own):

- portal: the whole `import_members` path (read + every validation rule + plan + bulk apply),
  fresh (every row created) and re-import (every row unchanged), for each --rows size;
- import-export: django-import-export's default row-by-row path (members.resources.
  MemberResource.import_data) on the 10,000-row file;
- floor: python-calamine read + COPY into PostgreSQL, no validation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/members_bench \\
        .venv/bin/python bench/bench_import.py [--rows 10000 100000] [--skip-ie]

The database named in DATABASE_URL is created if missing and its roster tables are emptied
between cases: never point it at a database whose data you want to keep.
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BRANCHES = 500
TARGET = "BENCH"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _id_number(i: int) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 15000)
    body = f"110101{birth:%Y%m%d}{(i // 15000) * 2 + 1:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def roster_file(rows: int, phone_prefix: str = "138") -> Path:
    """The roster; another phone prefix gives the same members with every row changed."""
    path = Path(f"/tmp/bench_roster_{rows}{'' if phone_prefix == '138' else '_' + phone_prefix}.xlsx")
    if path.exists():
        return path
    from tabular.writer import Column, new_workbook, write_sheet

    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    columns = [Column(h) for h in ("姓名", "公民身份号码", "民族", "学历", "人员类别")] + [
        Column("入党日期", kind="date"), Column("转正日期", kind="date")
    ] + [Column(h) for h in ("工作单位及职务", "联系电话", "所在党支部", "党籍状态", "外出流向")]

    def data():
        for i in range(rows):
            id_number = _id_number(i)
            birth = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            joined = birth.replace(year=birth.year + 20, day=1)
            yield [
                surnames[i % 20] + given[i % len(given)] + given[(i // 7) % len(given)], id_number, "汉族", "大学本科",
                "正式党员", joined, joined.replace(year=joined.year + 1), "某单位职员",
                f"{phone_prefix}{i:08d}", f"B{i % BRANCHES:04d}", "正常", None,
            ]

    workbook = new_workbook(write_only=True)
    write_sheet(workbook.create_sheet("花名册"), columns, data(), title="基准测试党委党员花名册")
    workbook.save(path)
    return path


def setup_tree() -> None:
    from branches.models import Organization, path_segment

    if Organization.objects.filter(code=TARGET).exists():
        return
    top = Organization.objects.create(code=TARGET, name="基准测试党委", kind="committee")
    top.path = path_segment(top.pk)
    top.save(update_fields=["path"])
    for n in range(BRANCHES):
        b = Organization.objects.create(code=f"B{n:04d}", name=f"基准第{n}党支部", kind="branch", parent=top, depth=1)
        b.path = top.path + path_segment(b.pk)
        b.save(update_fields=["path"])


def empty_roster() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE members_memberevent, members_membership, members_transfer, members_member CASCADE"
        )


# -- cases (each runs in its own process) --------------------------------------------------

def case_portal(path: str) -> dict:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    try:
        call_command("import_members", path, "--org", TARGET, "--json", stdout=out)
    except SystemExit as exc:
        return {"error": f"exit {exc.code}: {out.getvalue()[:300]}"}
    seconds = time.perf_counter() - started
    result = json.loads(out.getvalue())
    return {"seconds": seconds, "created": result["created"], "updated": result["updated"],
            "unchanged": result["unchanged"]}


def case_import_export(path: str) -> dict:
    import openpyxl
    import tablib

    from members.resources import MemberResource

    started = time.perf_counter()
    # tablib's xlsx loader cannot skip the merged title row, so the rows come from openpyxl
    # (read-only, as tablib itself reads) and the header is the second row.
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    header = ["所在党支部编码" if h == "所在党支部" else h for h in rows[1]]
    width = len(header)
    dataset = tablib.Dataset(*[(r + [None] * width)[:width] for r in rows[2:]], headers=header)
    result = MemberResource().import_data(dataset, dry_run=False, raise_errors=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "created": result.totals.get("new", 0),
            "errors": len(result.row_errors()) + len(result.invalid_rows)}


def case_floor(path: str) -> dict:
    """calamine read + COPY into PostgreSQL, no validation: the floor for this hardware."""
    import python_calamine
    from django.db import connection

    from branches.models import Organization

    started = time.perf_counter()
    rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    branch_ids = dict(Organization.objects.filter(code__startswith="B").values_list("code", "id"))
    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY members_member (name, id_number, sex, ethnicity, birth_date, education, category,"
            " joined_on, confirmed_on, work_unit, phone, branch_id, status, is_mobile,"
            " mobile_destination, is_lost_contact, party_post, created_at, updated_at) FROM STDIN"
        ) as copy:
            for r in rows[2:]:
                copy.write_row((r[0], r[1], "男", r[2], r[1][6:14], r[3], "full", r[5], r[6], r[7],
                                r[8], branch_ids[r[9]], "normal", False, "", False, "", now, now))
    connection.commit() if not connection.get_autocommit() else None
    return {"seconds": time.perf_counter() - started, "created": len(rows) - 2}


CASES = {"portal": case_portal, "import_export": case_import_export, "floor": case_floor}


def run_case(name: str, path: str, fresh: bool) -> dict:
    _django()
    if fresh:
        empty_roster()
    result = CASES[name](path)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def spawn(name: str, path: Path, *, fresh: bool) -> dict:
    args = [sys.executable, __file__, "--case", name, "--file", str(path)] + (["--fresh"] if fresh else [])
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=os.environ)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-ie", action="store_true", help="skip django-import-export (slow)")
    parser.add_argument("--case")
    parser.add_argument("--file")
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.file, args.fresh)))
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of its own (it is emptied).")
    _ensure_database(url)
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    setup_tree()
    lines = []

    def show(label, rows, r):
        if "error" in r:
            line = f"{label:<58} {rows:>7}  ERROR {r['error']}"
        else:
            line = (f"{label:<58} {rows:>7} {r['seconds']:>8.2f} s {rows / r['seconds']:>9,.0f} rows/s"
                    f" {r['peak_rss_mb']:>7.0f} MB")
        lines.append(line)
        print(line, flush=True)
        return r

    print(f"{'path':<58} {'rows':>7} {'time':>10} {'speed':>16} {'peak RSS':>9}")
    portal = {}
    for rows in args.rows:
        path = roster_file(rows)
        portal[rows] = show("portal import_members, fresh (all created)", rows, spawn("portal", path, fresh=True))
        show("portal import_members, re-import (all unchanged)", rows, spawn("portal", path, fresh=False))
        show("portal import_members, re-import (every row changed)", rows,
             spawn("portal", roster_file(rows, "139"), fresh=False))
        floor = show("floor: calamine + COPY, no validation", rows, spawn("floor", path, fresh=True))
        if "error" not in floor and "error" not in portal[rows]:
            print(f"  portal / floor: {portal[rows]['seconds'] / floor['seconds']:.1f}× the floor's time")
    if not args.skip_ie:
        rows = 10_000
        path = roster_file(rows)
        ie = show("django-import-export default Resource (row by row)", rows,
                  spawn("import_export", path, fresh=True))
        if rows in portal and "error" not in ie and "error" not in portal[rows]:
            ratio = ie["seconds"] / portal[rows]["seconds"]
            print(f"  import-export / portal on {rows:,} rows: {ratio:.1f}× slower per row"
                  f" ({ie['seconds'] / rows * 1000:.2f} ms vs {portal[rows]['seconds'] / rows * 1000:.3f} ms)")
    empty_roster()


if __name__ == "__main__":
    main()
