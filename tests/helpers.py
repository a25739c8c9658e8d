"""Small helpers for tests: build spreadsheets and run commands the way an operator would."""
import csv
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
from django.core.management import call_command

# The sample spreadsheets of interfaces.md §1, committed with the tests (tests/data/README.md).
SAMPLES = Path(__file__).resolve().parent / "data"


def write_xlsx(path, rows, title_rows=()):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(path, rows, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run_command(name, *args):
    """Run a management command; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command(name, *args, stdout=out, stderr=err)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush()
    return status, out.getvalue(), err.getvalue()


def seed_demo(*args) -> str:
    """seed_demo's printed output (an error propagates, as it would to the operator)."""
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def run_json(name, *args):
    status, out, err = run_command(name, *args, "--json")
    return status, json.loads(out.strip().splitlines()[-1]) if out.strip() else None
