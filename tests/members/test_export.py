"""The roster export: §1.2 headers plus 所在党支部编码, typed cells, no formulas, re-imports unchanged."""
import datetime
import io

import openpyxl

from members.export import COLUMNS, write_roster
from members.models import Member
from tests.members.builders import person, rows_for, xlsx_bytes
from tests.members.conftest import make_member, run_import

HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rcmd"]


def export_bytes(members, masked=False):
    buffer = io.BytesIO()
    write_roster(members, buffer, title="花名册", masked=masked)
    return buffer.getvalue()


def test_headers_are_the_import_headers_plus_branch_code(district):
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(Member.objects.all()))).active
    headers = [c.value for c in sheet[2]]
    assert headers == [column.header for column, _ in COLUMNS]
    assert "所在党支部编码" in headers


def test_dates_are_date_cells_and_ids_and_phones_text(district):
    member = make_member(district.b1, phone="13800001111", joined=datetime.date(2005, 7, 1))
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(Member.objects.all()))).active
    row = {h.value: c for h, c in zip(sheet[2], sheet[3], strict=True)}
    assert row["入党日期"].is_date and row["入党日期"].value.date() == datetime.date(2005, 7, 1)
    assert row["公民身份号码"].data_type == "s" and row["公民身份号码"].value == member.id_number
    assert row["联系电话"].data_type == "s" and row["联系电话"].value == "13800001111"


def test_formula_triggers_are_neutralized_and_reimport_unchanged(district):
    for i, text in enumerate(HOSTILE):
        make_member(district.b1, name=f"人{i}", work_unit=text, education=text)
    data = export_bytes(Member.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for row in sheet.iter_rows(min_row=3, values_only=False):
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    # A leading tab or CR is whitespace the import strips, so only the others are stored values
    Member.objects.filter(work_unit__in=HOSTILE[4:]).delete()
    plan, result = run_import(export_bytes(Member.objects.all()), district.c1)
    assert result.unchanged == 4, plan.errors
    assert set(Member.objects.values_list("work_unit", flat=True)) == set(HOSTILE[:4])


def test_a_full_roster_round_trips_unchanged(district, new_id):
    from members import actions

    people = [person(new_id(), group="第一党小组", 民族="回"), person(new_id(), category="预备", confirmed=None, joined="2026-02-01"),
              person(new_id(), branch="1102")]
    run_import(xlsx_bytes(rows_for(people, list(people[0]))), district.c1)
    member = Member.objects.filter(branch=district.b1).first()
    actions.flow_out(member, destination="上海", on=datetime.date(2026, 1, 1), by=None)
    actions.suspend(Member.objects.get(branch=district.b2), on=datetime.date(2026, 1, 1), by=None)
    plan, result = run_import(export_bytes(Member.objects.on_roster()), district.c1)
    assert (result.unchanged, result.created, result.updated) == (3, 0, 0), plan.errors


def test_a_masked_export_says_it_cannot_be_reimported(district):
    member = make_member(district.b1)
    data = export_bytes(Member.objects.all(), masked=True)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.cell(3, 2).value == member.masked_id_number
    assert any("不能用于重新导入" in str(c.value) for row in sheet.iter_rows() for c in row if c.value)
