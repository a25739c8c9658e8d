"""The roster import reads what offices really send: every date form, synonym, format."""
import datetime

import pytest

from members.models import Member
from tests.members.builders import HEADER, csv_bytes, person, rows_for, xls_bytes, xlsx_bytes
from tests.members.conftest import plan_bytes, run_import

DATE_FORMS = [
    datetime.date(2010, 7, 1),
    datetime.datetime(2010, 7, 1, 0, 0),
    "2010-07-01",
    "2010/7/1",
    "2010.07.01",
    "2010.7.1",
    "2010年7月1日",
    "20100701",
    20100701,
    "２０１０-０７-０１",
]


@pytest.mark.parametrize("joined", DATE_FORMS, ids=str)
def test_every_date_form_is_read_as_the_same_day(district, new_id, joined):
    data = xlsx_bytes(rows_for([person(new_id(), joined=joined, confirmed=None)]))
    plan, result = run_import(data, district.b1)
    assert result.created == 1, plan.errors
    assert Member.objects.get().joined_on == datetime.date(2010, 7, 1)


def test_a_decimal_that_could_be_two_months_is_refused_not_guessed(district, new_id):
    data = xlsx_bytes(rows_for([person(new_id(), joined=2010.1, confirmed=None)]))
    _, plan = plan_bytes(data, district.b1)
    [error] = plan.errors
    assert (error.row, error.column) == (2, "入党日期")
    assert "不能是数字" in error.message


@pytest.mark.parametrize("joined", [2010.7, "2010.7", "2010年7月", "2010-07"])
def test_a_month_alone_is_its_first_day_with_one_warning_naming_the_rows(district, new_id,
                                                                        joined):
    rows = [person(new_id(), joined=joined, confirmed=None),
            person(new_id(), joined="2010-07-01", confirmed=None),
            person(new_id(), joined=joined, confirmed=None)]
    plan, result = run_import(xlsx_bytes(rows_for(rows)), district.b1)

    assert result.created == 3, plan.errors
    assert set(Member.objects.values_list("joined_on", flat=True)) == {datetime.date(2010, 7, 1)}
    [warning] = [w for w in result.warnings if "只有年月" in w.message]
    assert warning.column == "入党日期" and "第 2、4 行" in warning.message


def test_a_month_alone_birth_date_agrees_with_the_id_when_the_month_matches(district, new_id):
    born = datetime.date(1985, 3, 4)
    rows = [person(new_id(born), **{"出生日期": "1985.03"}, confirmed=None),
            person(new_id(born), **{"出生日期": "1985年4月"}, confirmed=None)]
    _, plan = plan_bytes(xlsx_bytes(rows_for(rows)), district.b1)

    assert [(e.row, e.column) for e in plan.errors] == [(3, "出生日期")]


SYNONYMS = {
    "公民身份号码": ["身份证号", "身份证号码", "公民身份证号"],
    "出生日期": ["出生年月"],
    "学历": ["文化程度"],
    "人员类别": ["党员类别", "类别"],
    "入党日期": ["入党时间", "加入党组织日期"],
    "转正日期": ["转正时间", "转为正式党员日期"],
    "工作单位及职务": ["工作岗位", "单位职务"],
    "联系电话": ["手机号码", "手机号", "手机"],
    "所在党支部": ["所在支部", "所在党组织", "党组织名称"],
    "所在党小组": ["党小组"],
}


@pytest.mark.parametrize(
    "canonical,synonym", [(c, s) for c, synonyms in SYNONYMS.items() for s in synonyms]
)
def test_every_header_synonym_is_understood(district, new_id, canonical, synonym):
    header = [synonym if h == canonical else h for h in HEADER]
    p = person(new_id(), group="第一党小组", 工作单位及职务="社区书记")
    p = {synonym if k == canonical else k: v for k, v in p.items()}
    p.setdefault("学历", "大学本科")
    p.setdefault("文化程度", "大学本科")
    data = xlsx_bytes(rows_for([p], header))
    plan, result = run_import(data, district.b1)
    assert result.created == 1, plan.errors
    assert not [w for w in plan.warnings if "未识别" in w.message]
    member = Member.objects.get()
    assert member.group == district.g1


def test_headers_with_spaces_line_breaks_stars_and_required_markers_match(district, new_id):
    header = ["姓 名", "公民身份\n号码*", "人员类别（必填）", "入党日期 *", "所在　党支部", "档案编号"]
    data = xlsx_bytes([header, ["王五", new_id(), "预备党员", "2026-01-05", "1101", "x"]])
    plan, result = run_import(data, district.b1)
    assert result.created == 1, plan.errors
    assert any("档案编号" in w.message for w in plan.warnings)


def test_title_rows_above_the_header_are_skipped_and_rows_keep_excel_numbers(district, new_id):
    rows = rows_for([person(new_id()), person("110101198001011234", name="坏号")])
    data = xlsx_bytes(rows, title_rows=["第一社区党委党员花名册（截至2026年9月30日）", "填报单位：第一支部"])
    _, plan = plan_bytes(data, district.b1)
    assert plan.header_row == 3
    [error] = plan.errors
    assert error.row == 5 and error.column == "公民身份号码"


def test_footer_rows_and_blank_rows_are_not_data(district, new_id):
    rows = rows_for([person(new_id())]) + [[None] * 13, ["合计", "1 人"], ["填表人：张三"]]
    plan, result = run_import(xlsx_bytes(rows), district.b1)
    assert (result.created, plan.errors) == (1, [])


def test_xls_files_from_old_excel_are_read(district, new_id):
    rows = rows_for([person(new_id(), joined=datetime.date(2010, 7, 1), confirmed=datetime.date(2011, 7, 1))])
    plan, result = run_import(xls_bytes(rows), district.b1, "roster.xls")
    assert result.created == 1, plan.errors
    assert Member.objects.get().confirmed_on == datetime.date(2011, 7, 1)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_csv_in_gb18030_and_utf8_is_detected(district, new_id, encoding):
    rows = rows_for([person(new_id(), name="阿依古丽·买买提", ethnicity="维吾尔族")],
                    HEADER + ["民族"])
    plan, result = run_import(csv_bytes(rows, encoding), district.b1, "roster.csv")
    assert result.created == 1, plan.errors
    assert Member.objects.get().name == "阿依古丽·买买提"


def test_values_are_normalized_like_the_spec_says(district, new_id):
    id_number = new_id(datetime.date(1985, 3, 4), male=False)
    fullwidth = id_number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    p = person(fullwidth.replace("X", "x"), name=" 张　三 ", category="预备", confirmed=None,
               phone=13812345678.0, joined="2026-01-05", 民族="汉")
    plan, result = run_import(xlsx_bytes(rows_for([p], HEADER)), district.b1)
    assert result.created == 1, plan.errors
    m = Member.objects.get()
    assert (m.name, m.id_number, m.phone, m.ethnicity) == ("张三", id_number, "13812345678", "汉族")
    assert (m.sex, m.birth_date) == ("女", datetime.date(1985, 3, 4))
    assert m.category == Member.Category.PROBATIONARY


def test_a_numeric_id_cell_is_an_error_telling_to_format_as_text(district):
    data = xlsx_bytes(rows_for([person(110101198503041234)]))
    _, plan = plan_bytes(data, district.b1)
    [error] = plan.errors
    assert error.column == "公民身份号码" and "文本" in error.message


def test_formula_guarded_text_is_read_back_without_the_apostrophe(district, new_id):
    p = person(new_id(), 工作单位及职务="'=HYPERLINK(\"http://x\")")
    plan, result = run_import(xlsx_bytes(rows_for([p], HEADER)), district.b1)
    assert result.created == 1, plan.errors
    assert Member.objects.get().work_unit == '=HYPERLINK("http://x")'
