"""Finding the header row and walking the records of organization-department files."""

import datetime

import pytest

from tabular.reader import (
    FileRejected,
    Header,
    Table,
    find_header,
    iter_records,
    normalize_header,
    read_table,
)
from tests.tabular.builders import Formula, csv_bytes, excel_xlsx, openpyxl_xlsx, xls_file

pytestmark = []

D = datetime.date

ROSTER_FIELDS = {
    "name": ["姓名"],
    "id_number": ["公民身份号码", "身份证号", "身份证号码", "公民身份证号"],
    "joined": ["入党日期", "入党时间", "加入党组织日期"],
    "category": ["人员类别", "党员类别", "类别"],
    "branch": ["所在党支部", "所在支部", "所在党组织", "党组织名称"],
    "phone": ["联系电话", "手机号码", "手机号", "手机"],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("所在\n党支部 *", "所在党支部"),
        ("所在\r\n党支部＊", "所在党支部"),
        ("公民身份号码（必填）", "公民身份号码"),
        ("公民身份号码(必填)*", "公民身份号码"),
        ("*姓名", "姓名"),
        ("姓　名", "姓名"),
        ("\u00a0入党日期 ", "入党日期"),
        ("工作单位（职务）", "工作单位(职务)"),
        ("【备注】", "[备注]"),
        (None, ""),
        (2026.0, "2026"),
        ("", ""),
    ],
)
def test_normalize_header(text, expected):
    assert normalize_header(text) == expected


MESSY_ROWS = [
    ["某某街道党工委党员花名册（截至2026年9月30日）", None, None, None, None, None, None],
    ["填报单位：某某街道党工委", None, None, None, None, None, None],
    ["序号", "所在\n党支部 *", "备注", "姓 名", "公民身份号码（必填）", "入党时间", "身份证号"],
    [
        Formula("ROW()-3", 1),
        "机关第一党支部",
        "",
        "张　三",
        "11010519491231002X",
        D(2019, 7, 1),
        "x",
    ],
    [Formula("ROW()-3", 2), None, None, None, None, None, None],
    [None, None, None, None, None, None, None],
    [Formula("ROW()-3", 4), "机关第一党支部", "调入", "李四", "110101199003078890", "2020-01-02"],
    ["合计", None, None, "2人", None, None, None],
    [None, "总计：2", None, None, None, None, None],
    [None, "填 表 人：王五", None, None, "审核人：赵六", None, None],
    ["注：带*号的列为必填", None, None, None, None, None, None],
    ["注:日期写成 2019-07-01", None, None, None, None, None, None],
    ["填表说明：……", None, None, None, None, None, None],
    [None, "审核人：赵六", None, None, None, None, None],
]


def excel_rows(rows):
    return [[cell.cached if isinstance(cell, Formula) else cell for cell in row] for row in rows]


@pytest.fixture(params=["excel", "openpyxl", "xls", "csv-gb18030"])
def messy_table(request, tmp_path) -> Table:
    """The same messy roster as Excel, openpyxl, xlwt and a GBK-era CSV would store it."""
    merges = ["A1:G1", "A2:G2"]
    if request.param == "excel":
        path = excel_xlsx(tmp_path / "messy.xlsx", MESSY_ROWS, merges=merges)
    elif request.param == "openpyxl":
        rows = [[f"={c.text}" if isinstance(c, Formula) else c for c in row] for row in MESSY_ROWS]
        path = openpyxl_xlsx(tmp_path / "messy.xlsx", rows, merges=merges)
    elif request.param == "xls":
        path = xls_file(tmp_path / "messy.xls", excel_rows(MESSY_ROWS))
    else:
        rows = [[c.isoformat() if isinstance(c, D) else c for c in row] for row in MESSY_ROWS]
        path = tmp_path / "messy.csv"
        path.write_bytes(csv_bytes(excel_rows(rows), "gb18030"))
    return read_table(path, path.name)


def test_header_is_found_below_two_title_rows(messy_table):
    header = find_header(messy_table, ROSTER_FIELDS)
    assert header.row_index == 2  # Excel row 3
    assert header.columns == {"branch": 1, "name": 3, "id_number": 4, "joined": 5}
    assert header.unknown == ["备注", "身份证号"]  # a second ID column is not a second ID
    assert header.ignored == [0]


def test_records_skip_blank_and_footer_rows_and_keep_excel_row_numbers(messy_table):
    header = find_header(messy_table, ROSTER_FIELDS)
    records = list(iter_records(messy_table, header))
    assert [row for row, _ in records] == [4, 7]
    first, second = (record for _, record in records)
    assert first["name"] == "张　三" and first["branch"] == "机关第一党支部"
    assert first["id_number"] == "11010519491231002X"
    assert second["name"] == "李四"
    assert "序号" not in first and set(first) == set(header.columns)


def test_records_of_the_shared_sample_roster():
    from tests.helpers import SAMPLES

    sample = SAMPLES / "sample_roster.xlsx"
    table = read_table(sample, sample.name)
    header = find_header(table, ROSTER_FIELDS)
    records = list(iter_records(table, header))
    assert header.row_index == 1
    assert records[0][0] == 3 and records[0][1]["name"] == "杜兰"
    assert len(records) == len(table.rows) - 2


def test_columns_in_any_order_and_synonyms():
    table = Table(
        rows=[("手机", "入党日期", "身份证号码", "姓名"), ("138", "2019-07-01", "X", "张三")]
    )
    header = find_header(table, ROSTER_FIELDS)
    assert header.columns == {"phone": 0, "joined": 1, "id_number": 2, "name": 3}
    assert list(iter_records(table, header)) == [
        (2, {"phone": "138", "joined": "2019-07-01", "id_number": "X", "name": "张三"})
    ]


def test_a_row_with_fewer_than_min_matches_is_not_the_header():
    table = Table(
        rows=[
            ("姓名", "备注"),  # one known name only: a note row above the table
            ("姓名", "公民身份号码", "入党日期"),
        ]
    )
    assert find_header(table, ROSTER_FIELDS).row_index == 1
    assert find_header(table, ROSTER_FIELDS, min_matches=1).row_index == 0


def test_header_beyond_the_scanned_rows_is_not_found_and_the_message_helps():
    rows = [("说明",)] * 10 + [("姓名", "公民身份号码", "入党日期")]
    with pytest.raises(FileRejected) as caught:
        find_header(Table(rows=rows), ROSTER_FIELDS)
    message = caught.value.message
    assert message.startswith("没有找到表头行：前10行中没有一行包含至少3个可识别的列名")
    assert "姓名" in message and "公民身份号码" in message and "入党日期" in message
    assert find_header(Table(rows=rows), ROSTER_FIELDS, scan=11).row_index == 10


def test_the_refusal_says_what_was_recognized():
    rows = [("党员名单",), ("姓名", "性别", "身份证")]
    with pytest.raises(FileRejected, match="第2行只识别出 姓名"):
        find_header(Table(rows=rows), ROSTER_FIELDS)


def test_rows_shorter_than_the_header_give_none():
    table = Table(rows=[("姓名", "公民身份号码", "入党日期", "联系电话"), ("张三", "X")])
    header = find_header(table, ROSTER_FIELDS)
    assert list(iter_records(table, header)) == [
        (2, {"name": "张三", "id_number": "X", "joined": None, "phone": None})
    ]


def test_footer_words_in_the_serial_column_and_numbers_first_are_handled():
    table = Table(
        rows=[
            ("序号", "姓名", "公民身份号码", "入党日期"),
            (1.0, "合计", "X", None),  # a person's cell that merely starts oddly is data
            ("合计", None, None, 2),
            ("  ", " ", None, None),
        ]
    )
    header = find_header(table, ROSTER_FIELDS)
    records = list(iter_records(table, header))
    assert [row for row, _ in records] == []  # "合计" first non-empty after 序号: a footer
    table.rows[1] = (1.0, "张三", "X", None)
    assert [row for row, _ in iter_records(table, header)] == [2]


def test_header_dataclass_defaults():
    header = Header(row_index=0, columns={"name": 0}, unknown=[])
    assert header.ignored == []
