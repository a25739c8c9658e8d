"""Cell parsers: what they accept, and the message for everything they refuse."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabular.values import (
    id_birth_date,
    id_check_char,
    id_sex,
    mask_id_number,
    normalize_ethnicity,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    parse_choice,
    parse_date,
    parse_date_or_month,
    to_halfwidth,
    undo_formula_guard,
)
from tabular.writer import safe_text

pytestmark = []

D = datetime.date
JULY_FIRST = D(2019, 7, 1)
BARE_NUMBER = "日期不能是数字（2019.1 可能是 2019年1月 或 2019年10月）；请把该列设为文本或日期格式，如 2019-07-01"
NUMERIC_ID = "公民身份号码被 Excel 存成了数字，已丢失末尾数字；请把该列设置为文本格式后重新填写"
VALID_ID = "11010519491231002X"  # the example printed in GB 11643


# ---------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    [
        "2019-07-01",
        "2019/7/1",
        "2019.07.01",
        "2019.7.1",
        "2019年7月1日",
        "2019年07月01日",
        "2019 年 7 月 1 日",
        "20190701",
        "  2019-07-01\u3000",
        "２０１９－０７－０１",
        "2019-07-01 00:00:00",
        "2019/7/1 0:00",
        "2019-07-01T00:00:00",
    ],
)
def test_date_texts(text):
    assert parse_date(text) == JULY_FIRST


def test_date_cells_and_empty_cells():
    assert parse_date(JULY_FIRST) == JULY_FIRST
    assert parse_date(datetime.datetime(2019, 7, 1, 15, 30)) == JULY_FIRST
    assert parse_date(None) is None
    assert parse_date("") is None
    assert parse_date("  ") is None


def test_an_eight_digit_number_is_yyyymmdd():
    assert parse_date(20190701) == JULY_FIRST
    assert parse_date(20190701.0) == JULY_FIRST


@pytest.mark.parametrize("number", [2019.1, 43000.0, 2019, 43647, 20191301, 20190230.0, 0, -1.5,
                                    2019.13, 2019.0, 1850.12])
def test_other_numbers_are_refused_never_guessed(number):
    with pytest.raises(ValueError) as caught:
        parse_date(number)
    assert str(caught.value) == BARE_NUMBER


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2019-02-30", "2019年2月没有30日"),
        ("2019年2月29日", "2019年2月没有29日"),
        ("2019-13-01", "月份应为 1–12"),
        ("0219-07-01", "年份 219 不合理"),
        ("2019.13", "月份应为 1–12"),
        ("2019年0月", "月份应为 1–12"),
        ("2019-7/1", "不是可识别的日期"),
        ("七月一日", "不是可识别的日期"),
        ("2019-07-01x", "不是可识别的日期"),
    ],
)
def test_bad_date_texts_name_the_problem(text, fragment):
    with pytest.raises(ValueError) as caught:
        parse_date(text)
    assert fragment in str(caught.value)
    assert text.strip() in str(caught.value)


@pytest.mark.parametrize(("cell", "day"), [
    ("1998.12", D(1998, 12, 1)),
    ("1998.1", D(1998, 1, 1)),  # text keeps what was typed: January
    ("1998.10", D(1998, 10, 1)),
    ("1998-12", D(1998, 12, 1)),
    ("1998/12", D(1998, 12, 1)),
    ("1998年12月", D(1998, 12, 1)),
    ("1998 年 2 月", D(1998, 2, 1)),
    (1998.12, D(1998, 12, 1)),
    (1998.11, D(1998, 11, 1)),
    (1998.05, D(1998, 5, 1)),
    (1998.2, D(1998, 2, 1)),
    (1998.9, D(1998, 9, 1)),
])
def test_a_month_alone_means_its_first_day_and_says_so(cell, day):
    assert parse_date_or_month(cell) == (day, True)
    assert parse_date(cell) == day


def test_a_full_date_is_not_a_month():
    assert parse_date_or_month("2019-07-01") == (JULY_FIRST, False)
    assert parse_date_or_month(None) == (None, False)


def test_a_boolean_is_not_a_date():
    with pytest.raises(ValueError, match="日期"):
        parse_date(True)


# ------------------------------------------------------------------------ ID numbers


def test_to_halfwidth():
    assert to_halfwidth("１１０１０５ｘ（）　，：、。") == "110105x() ,:、。"


@pytest.mark.parametrize(
    "raw",
    [
        VALID_ID,
        "11010519491231002x",
        " 11010519491231002X ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",
        "\t11010519491231002X",
        "'11010519491231002X",
    ],
)
def test_id_numbers_are_normalized(raw):
    assert normalize_id_number(raw) == VALID_ID


@pytest.mark.parametrize("number", [110105194912310020, 1.10105194912310e17, 110101199003078890.0])
def test_numeric_id_cells_are_refused_with_the_reason(number):
    with pytest.raises(ValueError) as caught:
        normalize_id_number(number)
    assert str(caught.value) == NUMERIC_ID


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (None, "缺少公民身份号码"),
        ("", "缺少公民身份号码"),
        ("110105491231002", "15位的旧身份证号码"),
        ("1101051949123100", "应为18位，这里是16位"),
        ("11010519491231002Y", "只能由数字组成"),
        ("X10105194912310020", "只能由数字组成"),
        ("110105194913310029", "出生日期 19491331 不是有效日期"),
        ("110105180012310027", "出生日期 18001231 不是有效日期"),
        ("110105194912310021", "校验位不符"),
    ],
)
def test_bad_id_numbers_each_have_their_own_message(raw, fragment):
    with pytest.raises(ValueError) as caught:
        normalize_id_number(raw)
    assert fragment in str(caught.value)


def test_id_helpers():
    assert id_check_char("11010519491231002") == "X"
    assert id_birth_date(VALID_ID) == D(1949, 12, 31)
    assert id_sex(VALID_ID) == "女"  # 17th digit 2
    assert id_sex("110101199003078890") == "男"  # 17th digit 9
    assert mask_id_number(VALID_ID) == "110105********002X"
    with pytest.raises(ValueError):
        id_check_char("1101051949123100")


_first17 = st.builds(
    lambda area, born, serial: f"{area}{born:%Y%m%d}{serial:03d}",
    st.integers(110000, 659999),
    st.dates(D(1900, 1, 1), D(2099, 12, 31)),
    st.integers(0, 999),
)


@given(first17=_first17)
def test_any_id_with_its_check_char_is_valid(first17):
    id_number = first17 + id_check_char(first17)
    assert normalize_id_number(id_number.lower()) == id_number


@given(first17=_first17, position=st.integers(0, 16), delta=st.integers(1, 9))
def test_every_single_digit_typo_is_caught(first17, position, delta):
    id_number = first17 + id_check_char(first17)
    wrong_digit = str((int(id_number[position]) + delta) % 10)
    typo = id_number[:position] + wrong_digit + id_number[position + 1 :]
    with pytest.raises(ValueError):
        normalize_id_number(typo)


# -------------------------------------------------------------------------- names etc.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        ("  张三\u3000", "张三"),
        ("张　三", "张三"),
        ("张 三", "张三"),
        ("欧阳\u00a0娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("  John   Smith ", "John Smith"),
        ("Ｊｏｈｎ　Ｓｍｉｔｈ", "John Smith"),
        ("李 Lily", "李 Lily"),
        ("𠮷野", "𠮷野"),
    ],
)
def test_names(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"), [(None, "缺少姓名"), ("\u3000", "缺少姓名"), (3.0, "文字")]
)
def test_bad_names(raw, fragment):
    with pytest.raises(ValueError, match=fragment):
        normalize_name(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (13812345678.0, "13812345678"),
        (13812345678, "13812345678"),
        (" 138 1234 5678 ", "138 1234 5678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("'+86 13812345678", "+86 13812345678"),
        ("010-12345678", "010-12345678"),
        (None, None),
        ("  ", None),
    ],
)
def test_phones(raw, expected):
    assert normalize_phone(raw) == expected


def test_a_fractional_phone_is_refused():
    with pytest.raises(ValueError, match="小数"):
        normalize_phone(1381234.5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("\u3000 ", None),
        ("  街道办 科员\u3000", "街道办 科员"),
        (3.0, "3"),
        (2.5, "2.5"),
        (12, "12"),
        (True, "TRUE"),
        (D(2019, 7, 1), "2019-07-01"),
        (datetime.datetime(2019, 7, 1), "2019-07-01"),
        (datetime.datetime(2019, 7, 1, 8, 30), "2019-07-01 08:30:00"),
        ("'=1+1", "=1+1"),
        ("'abc", "'abc"),
    ],
)
def test_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("汉", "汉族"),
        ("汉族", "汉族"),
        (" 回 ", "回族"),
        ("蒙古", "蒙古族"),
        ("蒙", "蒙古族"),
        ("维族", "维吾尔族"),
        ("穿青人", "穿青人"),
        ("其他", "其他"),
        (None, None),
        ("", None),
    ],
)
def test_ethnicity(raw, expected):
    assert normalize_ethnicity(raw) == expected


CATEGORIES = {"正式": "正式党员", "预备": "预备党员"}


@pytest.mark.parametrize("raw", ["正式", "正式党员", " 正式 党员 ", "正式党员*", "正式（必填）"])
def test_choices_accept_synonyms_and_canonical_values(raw):
    assert parse_choice(raw, CATEGORIES) == "正式党员"


def test_choices_refuse_with_the_allowed_values():
    with pytest.raises(ValueError) as caught:
        parse_choice("发展对象", CATEGORIES)
    assert str(caught.value) == "“发展对象”不是可选的值；可填：正式党员、预备党员"
    with pytest.raises(ValueError, match="不能为空；可填：正式党员、预备党员"):
        parse_choice(None, CATEGORIES)


# ---------------------------------------------------------------------- formula guard


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=SUM(A1:A3)", "'=SUM(A1:A3)"),
        ("+86 138", "'+86 138"),
        ("-", "'-"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("abc", "abc"),
        ("'abc", "'abc"),
        ("", ""),
    ],
)
def test_guard_and_unguard(text, guarded):
    assert safe_text(text) == guarded
    assert undo_formula_guard(guarded) == text


@given(st.text())
def test_guarding_is_exactly_reversible(text):
    assert undo_formula_guard(safe_text(text)) == text
    assert not safe_text(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_unguard_leaves_non_text_alone():
    assert undo_formula_guard(3.0) == 3.0
    assert undo_formula_guard(None) is None
