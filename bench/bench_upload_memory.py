"""Peak memory and time of a large upload (issue 10, item 2), in two ways.

`--served` (the figures that count): the portal as it runs, gunicorn (1 worker, 2 threads, as
bin/start) and a Celery worker (solo pool: the job runs in the process measured) on the
filesystem broker, PostgreSQL. Each file is uploaded with curl as an 组织部 admin; the worker
plans it; the web process then serves errors.xlsx, the batch page and the upload page. Peak RSS is
each process's VmHWM, reset before each file (/proc/PID/clear_refs). Files:

- probe: the probe's file, 200,000 rows × 87 short cells (~50 MB CSV);
- roster-bad: 200,000 roster rows × 21 known columns, every ID's check digit wrong (every row
  fails: the largest error file);
- roster-good: the same rows with valid IDs (every row planned as new; not applied).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_upload \
        .venv/bin/python bench/bench_upload_memory.py --served [--rows 200000]

The database named in DATABASE_URL is dropped and created again: never point it at one whose
data you want to keep.

Without `--served`, the parts in-process, each case in a fresh subprocess so that its peak RSS is
its own:

- worker-read: what the worker does first with the probe's file, 200,000 rows × 87 short cells
  (~50 MB CSV, inside the byte and row limits): `tabular.read_table` (refused by the cell limit);
- worker-read-roster: a 200,000-row, 21-column roster CSV (within every limit): read in full;
- web-errors: what the web process does for `errors.xlsx` of a plan whose 200,000 rows all
  failed: `imports.errorfile.write_error_workbook` from the stored plan's JSON;
- web-preview: building one preview page (200 rows) from the same stored plan.

    .venv/bin/python bench/bench_upload_memory.py [--rows 200000]

Goal (issue 10): ≤ 600 MB peak in each process, the error file in ≤ 30 s. The plan here is built
in the subprocess itself (as loaded from the database it would be the same JSON), so the web
figures include holding the stored plan, as the real view does.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def wide_csv(path: Path, rows: int, columns: int) -> None:
    """Short cells (one or two digits), so that 200,000 × 87 is the probe's ~50 MB file."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(f"列{c}" for c in range(columns)) + "\n")
        for r in range(rows):
            out.write(",".join(str((r + c) % 97) for c in range(columns)) + "\n")


def failed_plan(rows: int, columns: int = 21) -> dict:
    """A stored plan in which every row failed (raw cells kept for ERROR_ROWS_KEPT of them)."""
    from core.importing import ERROR_ROWS_KEPT

    return {
        "header": [f"列{c}" for c in range(columns)], "header_row": 1, "warnings": [],
        "rows": [{"row": r + 2, "action": "error", "label": f"姓名{r}", "values": {}, "changes": {},
                  "errors": [{"row": r + 2, "column": "公民身份号码", "message": "校验位不对。"}],
                  "raw": [f"{r}-{c}" for c in range(columns)] if r < ERROR_ROWS_KEPT else [],
                  "key": ""} for r in range(rows)],
    }


def case(name: str, rows: int, path: str) -> dict:
    _django()
    started = time.perf_counter()
    outcome = ""
    if name.startswith("worker-read"):
        from tabular.reader import FileRejected, read_table

        try:
            table = read_table(path, Path(path).name, max_rows=rows, max_bytes=60 * 1024 * 1024)
            outcome = f"{len(table.rows)} rows"
        except FileRejected as exc:
            outcome = f"refused: {exc}"
    elif name == "web-errors":
        from imports.errorfile import write_error_workbook

        plan = json.loads(json.dumps(failed_plan(rows)))
        output = io.BytesIO()
        listed = write_error_workbook(plan, output)
        outcome = f"{listed} rows listed, {len(output.getvalue()) // 1024} KB"
    elif name == "web-preview":
        from django.core.paginator import Paginator

        from core.importing import RowPlan

        plan = json.loads(json.dumps(failed_plan(rows)))
        page = Paginator([r for r in plan["rows"] if r["action"] == "error"], 200).get_page(500)
        shown = [RowPlan.from_json(r) for r in page.object_list]
        outcome = f"{len(shown)} rows on page {page.number}"
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": name, "seconds": round(seconds, 2), "peak_mb": round(peak_mb), "outcome": outcome}


def spawn(name: str, rows: int, path: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--case", name, "--rows", str(rows), "--path", path],
        check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- served: the real processes -----------------------------------------------------------------

ROSTER_HEADER = ["姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "入党日期",
                 "转正日期", "工作单位及职务", "联系电话", "所在党支部", "所在党小组", "党籍状态",
                 "是否流动党员", "外出流向", "固定电话", "家庭住址", "是否为失联党员", "失去联系日期",
                 "备注"]
BRANCH = "1101"  # tests.factories' district: 支部 1101 under 党委 1100, whose admin uploads


def _id_number(i: int, *, valid: bool) -> str:
    import datetime

    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i % 15000)
    body = f"110101{birth:%Y%m%d}{(i // 15000) * 2 + 1:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    wrong = "10X98765432"[(sum(int(c) * w for c, w in zip(body, weights, strict=True)) + 1) % 11]
    return body + (check if valid else wrong)


def roster_csv(path: Path, rows: int, *, valid: bool) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(ROSTER_HEADER) + "\n")
        for i in range(rows):
            id_number = _id_number(i, valid=valid)
            birth = f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}"
            joined = f"{int(id_number[6:10]) + 20}-07-01"
            confirmed = f"{int(id_number[6:10]) + 21}-07-01"
            out.write(",".join([
                f"党员{i}", id_number, "", "汉族", birth, "大学本科", "正式党员", joined, confirmed,
                "某单位职员", f"138{i:08d}", BRANCH, "", "正常", "否", "", "", "某街道某号", "否",
                "", "",
            ]) + "\n")


def setup_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_portal() -> dict:
    """Migrate, build the test district, and log its 党委 admin in: the session cookie to use."""
    _django()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from tests.factories import build_district, build_personas

    call_command("migrate", verbosity=0)
    admin = build_personas(build_district()).admin
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    return {"session": session.session_key}


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_hwm(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


class Session:
    """curl as the logged-in admin: each request's status, seconds and headers."""

    def __init__(self, base: str, session_key: str):
        self.base, self.token = base, "b" * 32
        self.cookies = f"sessionid={session_key}; csrftoken={self.token}"

    def request(self, path: str, *form: str) -> tuple[int, float, str]:
        command = ["curl", "-s", "-o", "/dev/null", "-D", "-", "-w", "%{http_code} %{time_total}",
                   "-b", self.cookies, "-H", f"X-CSRFToken: {self.token}",
                   "-H", f"Referer: {self.base}/"]
        for field in form:
            command += ["-F", field]
        out = subprocess.run(command + [self.base + path], capture_output=True, text=True,
                             check=True).stdout
        headers, _, tail = out.rpartition("\n")
        code, seconds = tail.split()
        return int(code), float(seconds), headers


def _batch_state(url: str, pk: int) -> tuple[str, int, str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT status, progress, message FROM imports_importbatch WHERE id = %s",
                            [pk]).fetchone()


def served(rows: int) -> None:
    import shutil
    import socket

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_upload")
    setup_database(url)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(folder / "media"),
               "CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(folder / "broker"),
               "CELERY_TASK_ALWAYS_EAGER": "false", "CACHE_URL": f"filecache://{folder / 'cache'}",
               "DJANGO_SETTINGS_MODULE": "portal.settings"}
        out = subprocess.run([sys.executable, __file__, "--setup"], env=env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        session_key = json.loads(out.strip().splitlines()[-1])["session"]
        files = {"probe": folder / "probe.csv", "roster-bad": folder / "roster-bad.csv",
                 "roster-good": folder / "roster-good.csv"}
        wide_csv(files["probe"], rows, 87)
        roster_csv(files["roster-bad"], rows, valid=False)
        roster_csv(files["roster-good"], rows, valid=True)
        with socket.socket() as probe_port:
            probe_port.bind(("127.0.0.1", 0))
            port = probe_port.getsockname()[1]
        bin_dir = Path(sys.executable).parent
        logs = open(folder / "processes.log", "w")
        web = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "2", "--timeout", "600"],
            env=env, cwd=ROOT, stdout=logs, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(
            [str(bin_dir / "celery"), "-A", "portal", "worker", "--pool", "solo",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, cwd=ROOT, stdout=logs, stderr=subprocess.STDOUT)
        try:
            client = Session(f"http://127.0.0.1:{port}", session_key)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if client.request("/imports/")[0] == 200:
                        break
                except subprocess.CalledProcessError:
                    pass
                time.sleep(0.5)
            else:
                raise SystemExit("the web server did not answer; see " + str(folder))
            web_pid = _children(web.pid)[0]
            print(f"load before: {os.getloadavg()}", flush=True)
            for name, path in files.items():
                print(json.dumps(served_case(name, path, client, url, web_pid, worker.pid),
                                 ensure_ascii=False), flush=True)
            print(f"load after: {os.getloadavg()}", flush=True)
        finally:
            for process in (web, worker):
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            logs.close()
            if os.environ.get("BENCH_KEEP_LOGS"):
                shutil.copy(folder / "processes.log", "/tmp/bench_upload_processes.log")


def served_case(name: str, path: Path, client: Session, url: str, web_pid: int,
                worker_pid: int) -> dict:
    _reset_hwm(web_pid)
    _reset_hwm(worker_pid)
    row = {"file": name, "mb": round(path.stat().st_size / 1e6, 1)}
    code, seconds, headers = client.request(
        "/imports/members/new/", f"file=@{path};type=text/csv", f"organization={BRANCH}")
    location = next((h.split(":", 1)[1].strip() for h in headers.splitlines()
                     if h.lower().startswith("location:")), "")
    if code != 302 or "/batch/" not in location:
        return {**row, "error": f"upload answered {code} {location}"}
    pk = int(location.rstrip("/").rsplit("/", 1)[1])
    row["upload_s"] = seconds
    started = time.monotonic()
    while True:
        status, progress, message = _batch_state(url, pk)
        if status != "parsing":
            break
        time.sleep(0.5)
    row["worker_s"] = round(time.monotonic() - started, 1)
    row["outcome"] = status + (f": {message[:60]}" if message else "")
    row["worker_peak_mb"] = round(_hwm_mb(worker_pid))
    if status == "preview":
        code, row["errors_xlsx_s"], _ = client.request(f"/imports/batch/{pk}/errors.xlsx")
        row["errors_xlsx_status"] = code
    row["batch_page_s"] = client.request(f"/imports/batch/{pk}/")[1]
    row["errors_page_s"] = client.request(f"/imports/batch/{pk}/?show=errors&page=500")[1]
    row["index_s"] = client.request("/imports/")[1]
    row["upload_page_s"] = client.request("/imports/members/new/")[1]
    row["web_peak_mb"] = round(_hwm_mb(web_pid))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--case")
    parser.add_argument("--path", default="")
    parser.add_argument("--served", action="store_true")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup_portal()))
        return
    if args.served:
        served(args.rows)
        return
    if args.case:
        print(json.dumps(case(args.case, args.rows, args.path), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as folder:
        probe, roster = Path(folder) / "probe.csv", Path(folder) / "roster.csv"
        wide_csv(probe, args.rows, 87)
        wide_csv(roster, args.rows, 21)
        print(f"probe file: {probe.stat().st_size / 1e6:.1f} MB, roster file: "
              f"{roster.stat().st_size / 1e6:.1f} MB")
        for name, path in (("worker-read", probe), ("worker-read-roster", roster),
                           ("web-errors", ""), ("web-preview", "")):
            print(json.dumps(spawn(name, args.rows, str(path)), ensure_ascii=False))


if __name__ == "__main__":
    main()
