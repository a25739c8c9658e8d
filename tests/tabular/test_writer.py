"""Export sheets: layout, types, formula safety, and the round trip back through the reader."""

import datetime
import zipfile

import openpyxl
import pytest

from tabular.reader import find_header, iter_records, read_table
from tabular.values import normalize_text, parse_date, undo_formula_guard
from tabular.writer import Column, new_workbook, safe_text, write_sheet

pytestmark = []

D = datetime.date
COLUMNS = [
    Column("姓名", 10),
    Column("公民身份号码", 22),
    Column("入党日期", 12, "date"),
    Column("党员数", 8, "int"),
    Column("比率", 10, "percent"),
    Column("得分", 8, "float"),
    Column("备注", 30),
]
HOSTILE_TEXT = ["=1+1", '=HYPERLINK("http://x","点我")', "+86 138", "-", "@SUM(A1)", "\tx", "'=x"]
ROWS = [
    ["张三", "11010519491231002X", D(2019, 7, 1), 12, 0.8254, 3.5, text] for text in HOSTILE_TEXT
] + [["李四", "110101199003078890", None, None, None, None, None], ["王五", "1", "不详", 3.0]]


def build(tmp_path, write_only):
    workbook = new_workbook(write_only=write_only)
    sheet = workbook.create_sheet("花名册") if write_only else workbook.active
    write_sheet(
        sheet,
        COLUMNS,
        iter(ROWS),
        title="某党委党员花名册（截至2026年9月30日）",
        notes=["注：本表由系统导出", "=不是公式"],
    )
    path = tmp_path / f"export-{write_only}.xlsx"
    workbook.save(path)
    return path


@pytest.fixture(params=[False, True], ids=["normal", "write_only"])
def exported(request, tmp_path):
    return build(tmp_path, request.param)


def test_layout(exported):
    sheet = openpyxl.load_workbook(exported).worksheets[0]
    assert sheet["A1"].value == "某党委党员花名册（截至2026年9月30日）"
    assert sheet["A1"].font.bold
    assert [str(ref) for ref in sheet.merged_cells.ranges] == ["A1:G1"]
    assert [cell.value for cell in sheet[2]] == [column.header for column in COLUMNS]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["B"].width == 22
    notes_start = 3 + len(ROWS) + 1  # one blank row between the table and the notes
    assert all(cell.value is None for cell in sheet[notes_start - 1])
    assert sheet.cell(notes_start, 1).value == "注：本表由系统导出"
    assert sheet.cell(notes_start + 1, 1).value == "'=不是公式"


def test_types_and_number_formats(exported):
    sheet = openpyxl.load_workbook(exported).worksheets[0]
    name, id_number, joined, count, rate, score, _ = sheet[3]
    assert (id_number.value, id_number.data_type, id_number.number_format) == (
        "11010519491231002X",
        "s",
        "@",
    )
    assert joined.is_date and joined.number_format == "yyyy-mm-dd"
    assert joined.value.date() == D(2019, 7, 1)
    assert (count.value, count.number_format) == (12, "0")
    assert (rate.value, rate.number_format) == (0.8254, "0.00%")
    assert (score.value, score.number_format) == (3.5, "0.00")
    last = sheet[3 + len(ROWS) - 1]
    assert last[2].value == "不详" and last[2].data_type == "s"  # a placeholder in a date column
    assert last[3].value == 3  # a missing trailing value is an empty cell
    assert last[4].value is None


def test_no_text_ever_becomes_a_formula(exported):
    with zipfile.ZipFile(exported) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml
    sheet = openpyxl.load_workbook(exported).worksheets[0]
    written = [sheet.cell(3 + i, 7).value for i in range(len(HOSTILE_TEXT))]
    assert written == [safe_text(text) for text in HOSTILE_TEXT]
    assert all(not value.startswith(("=", "+", "-", "@", "\t")) for value in written)


def test_export_reimports_unchanged(exported):
    table = read_table(exported, exported.name)
    fields = {column.header: [column.header] for column in COLUMNS}
    header = find_header(table, fields)
    assert header.row_index == 1
    records = list(iter_records(table, header))
    # The "注：" note is skipped; the note that is not one reads back as a row of its own.
    assert [row for row, _ in records] == [*range(3, 3 + len(ROWS)), 3 + len(ROWS) + 2]
    records = records[: len(ROWS)]
    for (_, record), original in zip(records, ROWS, strict=True):
        remark = original[6] if len(original) > 6 else None
        assert undo_formula_guard(record["备注"]) == remark  # exactly what was exported
        assert normalize_text(record["备注"]) == (remark.strip() if remark else None)
        if isinstance(original[2], D):
            assert parse_date(record["入党日期"]) == original[2]
        assert record["公民身份号码"] == original[1]


def test_control_characters_are_dropped_rather_than_crashing(tmp_path):
    workbook = new_workbook()
    write_sheet(workbook.active, [Column("备注")], [["a\x00b\x0bc"]])
    workbook.save(tmp_path / "x.xlsx")
    assert openpyxl.load_workbook(tmp_path / "x.xlsx").active["A2"].value == "abc"


def test_without_title_the_header_is_row_one(tmp_path):
    workbook = new_workbook(write_only=True)
    write_sheet(
        workbook.create_sheet("x"), [Column("姓名"), Column("人数", kind="int")], [["张三", 1]]
    )
    workbook.save(tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert sheet.freeze_panes == "A2" and not sheet.merged_cells.ranges
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["姓名", "人数"], ["张三", 1]]


def test_normal_and_write_only_exports_hold_the_same_cells(tmp_path):
    def cells(path):
        sheet = openpyxl.load_workbook(path).worksheets[0]
        return [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]

    assert cells(build(tmp_path, False)) == cells(build(tmp_path, True))


def test_write_sheet_needs_columns():
    with pytest.raises(ValueError):
        write_sheet(new_workbook().active, [], [])


def test_unknown_column_kinds_are_refused_at_once():
    with pytest.raises(ValueError, match="unknown column kind"):
        Column("人数", kind="number")


def test_titles_and_headers_are_guarded_too(tmp_path):
    workbook = new_workbook()
    write_sheet(workbook.active, [Column("=组名"), Column("姓名")], [], title="=HYPERLINK(1)")
    workbook.save(tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert sheet["A1"].value == "'=HYPERLINK(1)" and sheet["A2"].value == "'=组名"
