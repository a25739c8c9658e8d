"""How fast, and in how much memory, can we read (and write) a district-sized roster xlsx?

Generates a roster (default 100,000 rows × 12 columns, IDs as text, dates as date cells,
written once with openpyxl in write-only mode through `tabular.writer`), then reads it with:

- tabular.read_table: the zip/XML safety scan, then python-calamine in a forked, memory-capped
  child that sends the rows back (marshal),
- python-calamine directly (the same parse, in-process and unguarded),
- openpyxl in read-only mode,
- tablib's xlsx format, which django-import-export uses (skipped if tablib is missing).

Each reader runs in a fresh subprocess so that its peak RSS (ru_maxrss, interpreter and
imports included) is its own; tabular's parser child is reported separately, since both are
alive at the end of a read. Times are the median of --repeat runs; "CPU s" is user + system
time per run, parser child included, which stays meaningful on a busy machine. Then the same rows are
written by `tabular.writer.write_sheet` into a write-only and a normal openpyxl workbook.

    .venv/bin/python bench/bench_read.py            # 100,000 rows
    .venv/bin/python bench/bench_read.py --rows 5000
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

READERS = ("tabular", "calamine", "openpyxl_read_only", "tablib")
LABELS = {
    "tabular": "tabular.read_table (calamine + safety scan)",
    "calamine": "python-calamine directly",
    "openpyxl_read_only": "openpyxl read_only",
    "tablib": "tablib xlsx (django-import-export)",
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌辉"
AREAS = ("110101", "110105", "310104", "440106", "510107", "230108", "210213", "370102")


def _id_number(rng: random.Random, born: datetime.date) -> str:
    from tabular.values import id_check_char

    first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


COLUMNS_SPEC = [
    ("序号", 6, "int"),
    ("姓名", 10, "text"),
    ("性别", 6, "text"),
    ("民族", 8, "text"),
    ("出生日期", 12, "date"),
    ("公民身份号码", 22, "text"),
    ("学历", 10, "text"),
    ("人员类别", 10, "text"),
    ("入党日期", 12, "date"),
    ("转正日期", 12, "date"),
    ("联系电话", 14, "text"),
    ("所在党支部", 24, "text"),
]


def roster_rows(rows: int):
    """The same `rows` believable roster rows on every call (seeded)."""
    rng = random.Random(20261130)
    for number in range(1, rows + 1):
        born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(25_000))
        joined = born + datetime.timedelta(days=18 * 366 + rng.randrange(12_000))
        joined = min(joined, datetime.date(2025, 6, 30))
        id_number = _id_number(rng, born)
        yield (
            number,
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
            "男" if int(id_number[16]) % 2 else "女",
            rng.choice(("汉族", "汉族", "汉族", "满族", "回族", "蒙古族")),
            born,
            id_number,
            rng.choice(("大学本科", "大专", "高中", "研究生", "初中")),
            rng.choice(("正式党员",) * 9 + ("预备党员",)),
            joined,
            joined + datetime.timedelta(days=365),
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            f"示例街道第{rng.randrange(1, 400)}党支部",
        )


def generate(path: Path, rows: int, write_only: bool = True) -> float:
    """Write the roster to `path` with tabular.writer; return the seconds it took."""
    from tabular.writer import Column, new_workbook, write_sheet

    started = time.perf_counter()
    workbook = new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("花名册") if write_only else workbook.active
    write_sheet(
        sheet,
        [Column(*spec) for spec in COLUMNS_SPEC],
        roster_rows(rows),
        title="示例街道党工委党员花名册（截至2026年9月30日）",
    )
    workbook.save(path)
    return time.perf_counter() - started


def _read_once(reader: str, path: str) -> int:
    """Read the whole first sheet with `reader`; return the number of rows seen."""
    if reader == "tabular":
        from tabular.reader import read_table

        return len(read_table(path, os.path.basename(path), max_rows=10_000_000).rows)
    if reader == "calamine":
        from python_calamine import CalamineWorkbook

        with CalamineWorkbook.from_path(path) as workbook:
            return len(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False))
    if reader == "openpyxl_read_only":
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    if reader == "tablib":
        import tablib

        with open(path, "rb") as handle:
            # tablib cannot load a sheet whose title row is narrower than the table
            # (InvalidDimensions), so skip it; it then takes the next row as headers. Add both
            # back to compare row counts.
            return len(tablib.Dataset().load(handle, format="xlsx", skip_lines=1)) + 2
    raise ValueError(reader)


def worker(task: str, path: str, repeat: int, rows: int) -> None:
    """Run in a fresh process: time `repeat` runs of `task`, print one JSON line."""
    if task == "tablib":
        try:
            import tablib  # noqa: F401
        except ImportError:
            print(json.dumps({"skipped": "tablib is not installed"}))
            return
    times, seen = [], rows
    startup = resource.getrusage(resource.RUSAGE_SELF)
    startup_cpu = startup.ru_utime + startup.ru_stime
    for _ in range(repeat):
        started = time.perf_counter()
        if task.startswith("write_"):
            generate(Path(path), rows, write_only=task == "write_only")
        else:
            seen = _read_once(task, path)
        times.append(time.perf_counter() - started)
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds (this process and its parser children) per run: unlike wall time, they
    # barely move when other work shares the machine.
    cpu = sum(u.ru_utime + u.ru_stime for u in (mine, children)) - startup_cpu
    result = {
        "rows": seen,
        "times": times,
        "cpu": cpu / repeat,
        "rss_mb": mine.ru_maxrss / 1024,  # kilobytes on Linux
        "child_mb": children.ru_maxrss / 1024,
    }
    print(json.dumps(result))


def run(task: str, path: Path, repeat: int, rows: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", task, str(path)]
        + ["--repeat", str(repeat), "--rows", str(rows)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        return {"failed": completed.stderr.strip()[-300:]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def table_row(label: str, result: dict, child: bool = False) -> str:
    if "failed" in result or "skipped" in result:
        return f"| {label:<44} | {result.get('failed') or result.get('skipped')}"
    median = statistics.median(result["times"])
    child_rss = f"{result['child_mb']:>9.0f} MB" if child else f"{'':>12}"
    return (
        f"| {label:<44} | {result['rows']:>8,} | {median:>8.2f} | {result['cpu']:>6.2f} | "
        f"{result['rows'] / median:>9,.0f} | {result['rss_mb']:>6.0f} MB | {child_rss} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per reader (median)")
    parser.add_argument("--readers", default=",".join(READERS), help="comma-separated subset")
    parser.add_argument("--write-repeat", type=int, default=1, help="runs per writer (0: skip)")
    parser.add_argument("--worker", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        worker(args.worker[0], args.worker[1], args.repeat, args.rows)
        return

    with tempfile.TemporaryDirectory(prefix="bench_read_") as tmp:
        path = Path(tmp) / "roster.xlsx"
        seconds = generate(path, args.rows)
        size_mb = path.stat().st_size / (1024 * 1024)
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        )
        print(
            f"generated {args.rows:,} rows × 12 columns (+ title and header rows) with "
            f"tabular.writer, openpyxl write-only, in {seconds:.1f} s: {size_mb:.1f} MB, "
            "inline strings"
        )
        print(f"\nreading the whole first sheet, median of {args.repeat}, fresh process each:")
        heading = "| {:<44} | {:>8} | {:>8} | {:>6} | {:>9} | {:>9} |".format
        titles = ("rows", "median s", "CPU s", "rows/s", "peak RSS")
        print(heading("reader", *titles) + " parser child |")
        print(f"|{'-' * 46}|{'-' * 9}:|{'-' * 9}:|{'-' * 7}:|{'-' * 10}:|{'-' * 10}:|{'-' * 14}:|")
        for reader in args.readers.split(","):
            result = run(reader, path, args.repeat, args.rows)
            print(table_row(LABELS[reader], result, child=reader == "tabular"))

        if args.write_repeat:
            print(
                f"\nwriting the same rows with tabular.writer.write_sheet, median of "
                f"{args.write_repeat}, fresh process each (rows/s counts data rows):"
            )
            print(heading("writer", *titles))
            print(f"|{'-' * 46}|{'-' * 9}:|{'-' * 9}:|{'-' * 7}:|{'-' * 10}:|{'-' * 10}:|")
            for task, label in (
                ("write_only", "write_sheet, write-only workbook"),
                ("write_normal", "write_sheet, normal workbook"),
            ):
                result = run(task, Path(tmp) / f"{task}.xlsx", args.write_repeat, args.rows)
                print(table_row(label, result).rsplit(" |", 2)[0] + " |")


if __name__ == "__main__":
    main()
