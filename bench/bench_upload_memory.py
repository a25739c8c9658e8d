"""Peak memory and time of the two halves of a large upload (issue 10, item 2), each case in a
fresh subprocess so that its peak RSS is its own:

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
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join(f"列{c}" for c in range(columns)) + "\n")
        for r in range(rows):
            out.write(",".join(f"{r % 97}x{c}" for c in range(columns)) + "\n")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--case")
    parser.add_argument("--path", default="")
    args = parser.parse_args()
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
