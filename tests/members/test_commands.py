"""import_members / export_members: exit 0 done, 1 rejected for the data, 2 could not run."""
import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from members.models import Member
from tests.members.builders import person, rows_for, xlsx_bytes


def run(*args):
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


@pytest.fixture
def roster_file(tmp_path, new_id):
    def build(people):
        path = tmp_path / "roster.xlsx"
        path.write_bytes(xlsx_bytes(rows_for(people)))
        return str(path)
    return build


def test_a_good_file_exits_0_with_the_json_shape(district, roster_file, new_id):
    code, out = run("import_members", roster_file([person(new_id())]), "--org", "1101", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"created", "updated", "unchanged", "skipped", "errors", "warnings"}
    assert data["created"] == 1


def test_a_file_with_errors_exits_1_and_lists_them(district, roster_file, new_id):
    code, out = run("import_members", roster_file([person(new_id(), 入党日期="x")]), "--org", "1101", "--json")
    assert code == 1
    assert json.loads(out)["errors"][0] == {"row": 2, "column": "入党日期", "message": json.loads(out)["errors"][0]["message"]}
    assert Member.objects.count() == 0


def test_skip_invalid_exits_0_and_dry_run_writes_nothing(district, roster_file, new_id):
    path = roster_file([person(new_id()), person(new_id(), 入党日期="x")])
    code, out = run("import_members", path, "--org", "1101", "--dry-run", "--json")
    assert code == 1 and json.loads(out)["created"] == 1 and Member.objects.count() == 0
    code, out = run("import_members", path, "--org", "1101", "--skip-invalid", "--json")
    assert code == 0 and json.loads(out)["skipped"] == 1 and Member.objects.count() == 1


@pytest.mark.parametrize("args", [("--org", "9999"), ("--org", "1101-1")])
def test_unknown_or_unsuitable_organization_exits_2(district, roster_file, new_id, args):
    code, out = run("import_members", roster_file([person(new_id())]), *args, "--json")
    assert code == 2 and json.loads(out)["error"]


def test_an_unreadable_file_exits_2_without_traceback(district, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet")
    code, out = run("import_members", str(path), "--org", "1101", "--json")
    assert code == 2 and "PDF" in json.loads(out)["error"]
    code, _ = run("import_members", str(tmp_path / "missing.xlsx"), "--org", "1101")
    assert code == 2


def test_export_members_writes_a_file_that_reimports_unchanged(district, roster_file, new_id, tmp_path):
    run("import_members", roster_file([person(new_id()), person(new_id(), group="1101-1")]), "--org", "1100")
    target = tmp_path / "out.xlsx"
    code, _ = run("export_members", "--org", "1100", "--xlsx", str(target))
    assert code == 0
    code, out = run("import_members", str(target), "--org", "1100", "--json")
    assert (code, json.loads(out)["unchanged"]) == (0, 2)
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value.startswith("第一社区党委党员花名册")


def test_export_members_with_unknown_org_exits_2(district, tmp_path):
    code, _ = run("export_members", "--org", "nope", "--xlsx", str(tmp_path / "x.xlsx"))
    assert code == 2
