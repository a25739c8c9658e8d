"""read_table on the files people actually upload: xlsx (openpyxl- and Excel-style), xls, CSV."""

import datetime
import io
import zipfile

import pandas as pd
import pytest

from tabular.reader import FileRejected, Table, read_table
from tests.helpers import SAMPLES
from tests.tabular.builders import (
    Formula,
    csv_bytes,
    excel_xlsx,
    openpyxl_xlsx,
    xls_file,
)

pytestmark = []

D = datetime.date

ROWS = [
    ["姓名", "公民身份号码", "入党日期", "联系电话", "人数"],
    ["张三", "11010519491231002X", D(2019, 7, 1), "13812345678", 3],
    ["李四", "110101199003078890", D(2020, 1, 2), None, 2.5],
]


def test_reads_the_shared_sample_roster():
    table = read_table(SAMPLES / "sample_roster.xlsx", "sample_roster.xlsx")
    assert table.format == "xlsx"
    assert table.rows[0][0] == "示例街道党工委党员花名册"
    assert table.rows[0][1] is None  # the rest of a merged title row is empty, not ""
    assert table.rows[1][:3] == ("序号", "姓名", "性别")
    assert isinstance(table.rows[2][4], datetime.date)


def test_openpyxl_xlsx_cells_come_back_as_python_values(tmp_path):
    path = openpyxl_xlsx(tmp_path / "a.xlsx", ROWS)
    table = read_table(path, "a.xlsx")
    assert table.format == "xlsx"
    assert table.rows == [
        ("姓名", "公民身份号码", "入党日期", "联系电话", "人数"),
        ("张三", "11010519491231002X", D(2019, 7, 1), "13812345678", 3.0),
        ("李四", "110101199003078890", D(2020, 1, 2), None, 2.5),
    ]
    assert type(table.rows[1][2]) is datetime.date


def test_openpyxl_and_pandas_write_inline_strings_but_excel_uses_a_shared_table(tmp_path):
    openpyxl_path = openpyxl_xlsx(tmp_path / "openpyxl.xlsx", ROWS)
    pandas_path = tmp_path / "pandas.xlsx"
    pd.DataFrame(ROWS[1:], columns=ROWS[0]).to_excel(pandas_path, index=False, engine="openpyxl")
    excel_path = excel_xlsx(tmp_path / "excel.xlsx", ROWS)

    for path in (openpyxl_path, pandas_path):
        with zipfile.ZipFile(path) as archive:
            assert "xl/sharedStrings.xml" not in archive.namelist()
            assert b't="inlineStr"' in archive.read("xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(excel_path) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()

    expected = read_table(openpyxl_path, "x.xlsx").rows
    assert read_table(excel_path, "x.xlsx").rows == expected
    assert read_table(pandas_path, "x.xlsx").rows == expected


def test_excel_style_cells_keep_positions_dates_datetimes_and_cached_formulas(tmp_path):
    path = excel_xlsx(
        tmp_path / "excel.xlsx",
        [
            [],
            [None, "序号", "姓名", "登记时间"],
            [None, Formula("ROW()-2", 1), "王五", datetime.datetime(2026, 9, 30, 14, 30)],
        ],
    )
    table = read_table(path, "excel.xlsx")
    assert table.rows[0] == (None, None, None, None)  # leading blank row and column are kept
    assert table.rows[1] == (None, "序号", "姓名", "登记时间")
    assert table.rows[2] == (None, 1.0, "王五", datetime.datetime(2026, 9, 30, 14, 30))


def test_xls_from_xlwt(tmp_path):
    path = xls_file(tmp_path / "old.xls", ROWS)
    table = read_table(path, "old.xls")
    assert table.format == "xls"
    assert table.rows[0] == tuple(ROWS[0])
    assert table.rows[1][:3] == ("张三", "11010519491231002X", D(2019, 7, 1))
    assert table.rows[1][4] == 3  # numbers stay numbers; the value layer decides
    assert table.rows[2][3] is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(encoding):
    rows = [["所在党支部", "姓名", "备注"], ["机关第一党支部", "阿依古丽·买买提", "𠮷"]]
    if encoding == "gbk":
        rows[1][2] = "无"  # GBK cannot encode 𠮷; GB18030 can
    table = read_table(csv_bytes(rows, encoding), "roster.csv")
    assert table.format == "csv"
    assert table.rows == [tuple(row) for row in rows]


def test_csv_cells_are_text_and_empty_cells_none():
    table = read_table(b"a,b,c\r\n1,,2019-07-01\r\n", "x.csv")
    assert table.rows == [("a", "b", "c"), ("1", None, "2019-07-01")]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiter_is_sniffed(delimiter):
    rows = [["姓名", "参会人员", "日期"], ["张三", "李四;王五,赵六", "2019-07-01"]]
    table = read_table(csv_bytes(rows, "utf-8", delimiter), "x.csv")
    assert table.rows == [tuple(row) for row in rows]


def test_csv_title_row_and_quoted_line_breaks():
    data = '某党委党员花名册,,\r\n姓名,工作单位及职务,备注\r\n张三,"街道办\n科员",\r\n'
    table = read_table(data.encode("gb18030"), "x.csv")
    assert table.rows == [
        ("某党委党员花名册", None, None),
        ("姓名", "工作单位及职务", "备注"),
        ("张三", "街道办\n科员", None),
    ]


def test_excel_unicode_text_utf16_is_read_as_tab_separated():
    data = "姓名\t性别\r\n张三\t男\r\n".encode("utf-16")
    assert read_table(data, "x.txt").rows == [("姓名", "性别"), ("张三", "男")]


def test_single_column_csv_defaults_to_comma():
    assert read_table(b"name\nzhang\n", "x.csv").rows == [("name",), ("zhang",)]


def test_format_comes_from_content_not_from_the_name(tmp_path):
    xlsx = openpyxl_xlsx(tmp_path / "a.xlsx", ROWS).read_bytes()
    xls = xls_file(tmp_path / "b.xls", ROWS).read_bytes()
    assert read_table(xlsx, "roster.csv").format == "xlsx"
    assert read_table(xlsx, "roster.xls").format == "xlsx"
    assert read_table(xls, "roster.xlsx").format == "xls"
    assert read_table(csv_bytes(ROWS[:1], "utf-8"), "roster.xlsx").format == "csv"
    renamed = tmp_path / "roster.xls"
    renamed.write_bytes(xlsx)
    assert read_table(renamed, "roster.xls").rows == read_table(xlsx, "a.xlsx").rows


def test_sources_path_str_file_object_and_bytes_agree(tmp_path):
    path = openpyxl_xlsx(tmp_path / "a.xlsx", ROWS)
    expected = read_table(path, "a.xlsx").rows
    assert read_table(str(path), "a.xlsx").rows == expected
    with open(path, "rb") as handle:
        handle.read(10)  # a file object is read from the start, wherever it was left
        assert read_table(handle, "a.xlsx").rows == expected
        assert handle.tell() == 0
    assert read_table(io.BytesIO(path.read_bytes()), "a.xlsx").rows == expected


def test_first_visible_worksheet_is_read(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "下拉选项"
    hidden.append(["正式党员", "预备党员"])
    hidden.sheet_state = "hidden"
    workbook.create_sheet("花名册").append(["姓名"])
    workbook.save(tmp_path / "a.xlsx")
    assert read_table(tmp_path / "a.xlsx", "a.xlsx").rows == [("姓名",)]


def test_trailing_blank_rows_are_dropped_inner_ones_kept():
    table = read_table(b"a,b\n,\nc,d\n,\n , \n", "x.csv")
    assert table.rows == [("a", "b"), (None, None), ("c", "d")]


def test_a_sheet_with_nothing_in_it_is_refused(tmp_path):
    import openpyxl

    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(FileRejected, match="没有任何内容"):
        read_table(tmp_path / "empty.xlsx", "empty.xlsx")


def test_table_is_a_plain_dataclass():
    table = Table(rows=[("a",)])
    assert table.rows == [("a",)] and table.format == ""
