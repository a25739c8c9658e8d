"""Hostile and mangled spreadsheets: the only outcomes are an import or a clear refusal.

The command-line pass runs `import_members` in a child process under a 2 GiB address-space
limit, as an operator would run it, and reads its exit status and output.
"""
import io
import json
import os
import random
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.importing import ImportCannotRun, plan_file
from members.importer import MemberImporter
from tabular.reader import FileRejected
from tests.helpers import SAMPLES, run_json

ROOT = Path(__file__).resolve().parents[2]
SHARED = SAMPLES
MEMORY_LIMIT = 2 * 1024**3


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"0" * (1024 * 1024)
            for _ in range(400):
                member.write(chunk)
    return path


def billion_laughs(path: Path) -> Path:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><worksheet>&lol9;</worksheet>'
    source = io.BytesIO()
    openpyxl.Workbook().save(source)
    with zipfile.ZipFile(io.BytesIO(source.getvalue())) as original, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = xml.encode()
            archive.writestr(item, data)
    return path


def wide_csv(path: Path) -> Path:
    header = ["姓名", "公民身份号码", "入党日期"] + [f"列{i}" for i in range(10_000)]
    path.write_text(",".join(header) + "\n" + ",".join(["张三"] * len(header)) + "\n", "utf-8")
    return path


def giant_cell(path: Path) -> Path:
    path.write_text("姓名,公民身份号码,入党日期\n" + "长" * 5_000_000 + ",x,2019-07-01\n", "utf-8")
    return path


def truncated(path: Path) -> Path:
    data = (SHARED / "sample_roster.xlsx").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def utf16_csv(path: Path) -> Path:
    path.write_bytes("姓名,公民身份号码,入党日期\n张三,1,2019-07-01\n".encode("utf-16"))
    return path


def formulas(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "公民身份号码", "入党日期", "所在党支部"])
    sheet.append(["=HYPERLINK(\"http://x\",\"点我\")", "=1+1", "=TODAY()", "2101"])
    workbook.save(path)
    return path


def merged(path: Path) -> Path:
    workbook = openpyxl.load_workbook(SHARED / "sample_roster.xlsx")
    sheet = workbook.active
    sheet.merge_cells("B5:D7")
    workbook.save(path)
    return path


def random_bytes(path: Path) -> Path:
    path.write_bytes(random.Random(7).randbytes(50_000))
    return path


HOSTILE = [zip_bomb, billion_laughs, wide_csv, giant_cell, truncated, utf16_csv, formulas,
           merged, random_bytes]


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.django_db(transaction=True)
def test_hostile_files_get_an_import_or_a_refusal_within_bounded_memory(tmp_path):
    assert run_json("import_orgs", str(SHARED / "sample_orgs.xlsx"))[0] == 0
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url)
    suffix = {wide_csv: ".csv", giant_cell: ".csv", utf16_csv: ".csv", random_bytes: ".xls"}
    for build in HOSTILE:
        path = build(tmp_path / f"{build.__name__}{suffix.get(build, '.xlsx')}")
        result = subprocess.run(
            [sys.executable, "manage.py", "import_members", str(path), "--org", "2000", "--json"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
            preexec_fn=_limit_memory,
        )
        assert "Traceback" not in result.stderr, (build.__name__, result.stderr[-2000:])
        assert result.returncode in (0, 1, 2), (build.__name__, result.returncode, result.stderr)
        payload = json.loads(result.stdout.strip().splitlines()[-1])
        if result.returncode == 2:
            assert payload["error"], build.__name__
        elif result.returncode == 1:
            assert payload["errors"] and all(e["message"] for e in payload["errors"])


@pytest.fixture(scope="module")
def sample_bytes():
    return (SHARED / "sample_roster.xlsx").read_bytes()


@pytest.mark.django_db
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_rosters_never_raise_anything_but_a_refusal(sample_bytes, data, district):
    blob = bytearray(sample_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(blob) - 1))
        blob[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        blob = blob[: data.draw(st.integers(1, len(blob)))]
    importer = MemberImporter(organization=district.top, user=None)
    try:
        plan_file(importer, io.BytesIO(bytes(blob)), "roster.xlsx")
    except (FileRejected, ImportCannotRun) as exc:
        assert str(exc)
