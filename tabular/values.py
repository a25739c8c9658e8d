"""Cell values → clean Python values, with a Chinese message for every refusal.

Every parser here takes a raw cell as `tabular.reader` returns it (str, int, float, bool,
date/datetime, or None) and either returns the clean value or raises `ValueError` whose text is
one Chinese sentence shown to the user next to the row and column. Nothing here knows about
Django or about a particular spreadsheet.
"""

from __future__ import annotations

import datetime
import re

__all__ = [
    "id_birth_date",
    "id_check_char",
    "id_sex",
    "mask_birth_date",
    "mask_id_number",
    "needs_formula_guard",
    "normalize_ethnicity",
    "normalize_header",
    "normalize_id_number",
    "normalize_name",
    "normalize_phone",
    "normalize_text",
    "parse_choice",
    "parse_date",
    "parse_date_or_month",
    "to_halfwidth",
    "undo_formula_guard",
]

# --------------------------------------------------------------------------- text helpers

# Full-width ASCII (U+FF01–U+FF5E) sits exactly 0xFEE0 above its ASCII twin; U+3000 is the
# ideographic space. Chinese input methods produce these whenever the user forgets to switch.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
# Brackets Chinese templates use around notes such as 【必填】; half-width after cleanup.
_HALFWIDTH.update({ord("【"): ord("["), ord("】"): ord("]")})


def to_halfwidth(s: str) -> str:
    """Return `s` with full-width ASCII letters, digits, punctuation and U+3000 made half-width.

    "１２（），：" becomes "12(),:"; Chinese characters and the CJK punctuation outside the
    full-width block (、。「」) are left alone.
    """
    return s.translate(_HALFWIDTH)


_ANY_SPACE = re.compile(r"\s+")  # \s covers U+3000, NBSP and line breaks in Python's re
_HEADER_DECORATION = ("*", "(必填)", "(选填)")


def normalize_header(text: object) -> str:
    """Return the header text as it is compared with known column names.

    Removes every space (ASCII, full-width, NBSP) and line break, makes full-width characters
    half-width (so （） become ()), and strips the markers templates put on a header: a leading
    or trailing "*" and a trailing "（必填）"/"（选填）". "所在\\n党支部 *" → "所在党支部".
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = _number_or_value_text(text)
    text = _ANY_SPACE.sub("", to_halfwidth(text))
    changed = True
    while changed and text:
        changed = False
        for marker in _HEADER_DECORATION:
            if text.endswith(marker):
                text = text[: -len(marker)]
                changed = True
        if text.startswith("*"):
            text = text[1:]
            changed = True
    return text


def _number_or_value_text(value: object) -> str:
    """Text for a non-string cell, as Excel shows it by default (20190701.0 → "20190701")."""
    if isinstance(value, bool):
        # Excel displays boolean cells as TRUE/FALSE; keep what the user saw.
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


# The characters writer.safe_text guards against; kept here so that the values layer does not
# import the writer (and openpyxl) just to read a file.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def needs_formula_guard(s: str) -> bool:
    """True when `s` starts with a formula trigger, possibly behind apostrophes.

    Counting text that already starts with "'" + trigger makes guarding reversible for every
    string: "'=x" is written as "''=x" and read back as "'=x".
    """
    return s.lstrip("'").startswith(FORMULA_TRIGGERS)


def undo_formula_guard(s: str) -> str:
    """Reverse `tabular.writer.safe_text`: drop one leading "'" that guards a formula trigger.

    "'=SUM(A1)" → "=SUM(A1)", "'-5" → "-5", "''=x" → "'=x"; "'abc" is unchanged. Non-strings
    are returned unchanged, so the function can be applied to any cell.
    """
    if isinstance(s, str) and s.startswith("'") and needs_formula_guard(s[1:]):
        return s[1:]
    return s


def normalize_text(value: object) -> str | None:
    """Return free text stripped at both ends, or None when there is nothing.

    Numbers become text the way Excel shows them (3.0 → "3", 2.5 → "2.5"), dates become
    ISO text, booleans "TRUE"/"FALSE". The apostrophe `writer.safe_text` adds is removed, so an
    exported file re-imports unchanged. Inner text is kept as given.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        value = _number_or_value_text(value)
    value = undo_formula_guard(value.strip())
    # str.strip() already removes U+3000 and NBSP; a guarded value may have had a leading tab.
    value = value.strip()
    return value or None


# --------------------------------------------------------------------------------- dates

_BARE_NUMBER_DATE = (
    "日期不能是数字（2019.1 可能是 2019年1月 或 2019年10月）；"
    "请把该列设为文本或日期格式，如 2019-07-01"
)
_DATE_SEPARATED = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[ T]+\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?"  # a time part, ignored
)
_DATE_CHINESE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?")
_DATE_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_YEAR_MONTH_ONLY = re.compile(r"(?P<y>\d{4})(?:[-/.年])(?P<m>\d{1,2})月?")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _make_date(year: int, month: int, day: int, shown: str) -> datetime.date:
    """Build a date or raise ValueError naming what is wrong with `shown`."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError(
            f"“{shown}”的年份 {year} 不合理；请填写 {_MIN_YEAR}–{_MAX_YEAR} 年间的日期"
        )
    if not 1 <= month <= 12:
        raise ValueError(f"“{shown}”不是有效日期：月份应为 1–12，这里是 {month}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{shown}”不是有效日期：{year}年{month}月没有{day}日") from None


def parse_date(value: object) -> datetime.date | None:
    """Return the date a cell holds, None for an empty cell, or raise ValueError.

    Accepts date/datetime cells and the text forms 2019-07-01, 2019/7/1, 2019.07.01, 2019.7.1,
    2019年7月1日 and 20190701 (surrounding spaces, full-width digits and a time part such as
    " 00:00:00" are tolerated), and months alone as `parse_date_or_month` reads them (the 1st of
    the month). Importers that must warn about months use `parse_date_or_month`.
    """
    return parse_date_or_month(value)[0]


def parse_date_or_month(value: object) -> tuple[datetime.date | None, bool]:
    """(the date, whether the cell gave only a month) — or ValueError; (None, False) when empty.

    Real rosters give months alone (入党时间 1998.12): as text (1998.12, 1998.1, 1998-12, 1998/12,
    1998年12月) or as a number that can only be one month (1998.12, 1998.11, 1998.05, 1998.2 …
    1998.9); a month means its 1st day. A number that could be two months (2019.1: January, or
    October shown without its zero?) is refused, as is any other bare number except an 8-digit
    YYYYMMDD: we never guess.
    """
    if value is None:
        return None, False
    if isinstance(value, datetime.datetime):
        return value.date(), False
    if isinstance(value, datetime.date):
        return value, False
    if isinstance(value, bool):
        raise ValueError("这里应填写日期，如 2019-07-01")
    if isinstance(value, (int, float)):
        return _date_from_number(value)
    if not isinstance(value, str):
        raise ValueError("这里应填写日期，如 2019-07-01")

    shown = value.strip()
    text = to_halfwidth(shown).strip()
    if not text:
        return None, False
    match = (
        _DATE_SEPARATED.fullmatch(text)
        # "2019 年 7 月 1 日": spaces carry no meaning in the Chinese form
        or _DATE_CHINESE.fullmatch(_ANY_SPACE.sub("", text))
        or _DATE_COMPACT.fullmatch(text)
    )
    if match:
        return _make_date(int(match["y"]), int(match["m"]), int(match["d"]), shown), False
    month = _YEAR_MONTH_ONLY.fullmatch(_ANY_SPACE.sub("", text))
    if month:
        return _make_date(int(month["y"]), int(month["m"]), 1, shown), True
    raise ValueError(f"“{shown}”不是可识别的日期；请写成 2019-07-01 或 2019年7月1日 这样的形式")


def _date_from_number(value: int | float) -> tuple[datetime.date, bool]:
    if float(value).is_integer():
        if 10_000_000 <= value <= 99_999_999:
            digits = str(int(value))
            try:
                return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), digits), False
            except ValueError:
                pass  # a number that is not a YYYYMMDD date is just a number: say so below
        raise ValueError(_BARE_NUMBER_DATE)
    year = int(value)
    hundredths = round((value - year) * 100)
    if not _MIN_YEAR <= year <= _MAX_YEAR or not 0 < hundredths < 100:
        raise ValueError(_BARE_NUMBER_DATE)
    if hundredths % 10:  # 1998.05, 1998.11, 1998.12: two digits shown, one month
        month = hundredths
    else:  # 1998.2 … 1998.9 (20 … 90 hundredths): only one month fits; 1998.1 could be 1 or 10
        month = hundredths // 10
        if month == 1:
            raise ValueError(_BARE_NUMBER_DATE)
    if not 1 <= month <= 12:
        raise ValueError(_BARE_NUMBER_DATE)
    return datetime.date(year, month, 1), True


# ---------------------------------------------------------------------------- ID numbers

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_ID_NUMERIC_CELL = (
    "公民身份号码被 Excel 存成了数字，已丢失末尾数字；请把该列设置为文本格式后重新填写"
)


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character ("0"–"9" or "X") for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("计算校验位需要公民身份号码的前17位数字")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: object) -> str:
    """Return an 18-character ID number that passes GB 11643, or raise ValueError.

    Text is stripped, made half-width, inner spaces removed and "x" upper-cased. A numeric cell
    is refused with its own message: Excel keeps 15 significant digits, so the last digits of
    an ID typed into a number cell are already lost and cannot be recovered here.
    """
    if value is None:
        raise ValueError("缺少公民身份号码")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("公民身份号码应是18位文本，如 11010519491231002X")
    if isinstance(value, (int, float)):
        raise ValueError(_ID_NUMERIC_CELL)
    # Exports from other systems often put a tab or an apostrophe in front of the ID to stop
    # Excel from turning it into a number; neither is part of the number.
    text = _ANY_SPACE.sub("", to_halfwidth(value)).lstrip("'").upper()
    if not text:
        raise ValueError("缺少公民身份号码")
    if len(text) == 15 and text.isdigit():
        raise ValueError("这是15位的旧身份证号码；请填写18位公民身份号码")
    if len(text) != 18:
        raise ValueError(f"公民身份号码应为18位，这里是{len(text)}位")
    if not (text.isascii() and _ID_SHAPE.fullmatch(text)):
        raise ValueError("公民身份号码只能由数字组成，最后一位可以是 X")
    try:
        id_birth_date(text)
    except ValueError:
        raise ValueError(f"公民身份号码中的出生日期 {text[6:14]} 不是有效日期") from None
    # Deliberately not naming the expected check character: the mistake is usually another
    # digit, and telling users what to put last invites them to "fix" the wrong digit.
    if id_check_char(text[:17]) != text[17]:
        raise ValueError("公民身份号码校验位不符，号码中可能有数字填错；请核对")
    return text


def id_birth_date(id_number: str) -> datetime.date:
    """Return the birth date encoded in digits 7–14 of an 18-character ID number."""
    digits = id_number[6:14]
    if len(id_number) != 18 or not digits.isascii() or not digits.isdigit():
        raise ValueError("公民身份号码中没有有效的出生日期")
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError("公民身份号码中没有有效的出生日期")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError("公民身份号码中没有有效的出生日期") from None


def id_sex(id_number: str) -> str:
    """Return "男" when the 17th digit of the ID number is odd, else "女"."""
    digit = id_number[16:17]
    if not (digit.isascii() and digit.isdigit()):
        raise ValueError("公民身份号码第17位应为数字")
    return "男" if int(digit) % 2 else "女"


def mask_id_number(id_number: str) -> str:
    """Return the ID with its middle hidden: first 6, eight "*", last 4 ("110101********123X")."""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * 8 + id_number[-4:]


def mask_phone(phone: str) -> str:
    """Return a phone number with its middle hidden: 138****5678 (mobile), 010****4567 (landline);
    a short number keeps only its last two digits."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not digits:
        return ""
    if len(digits) < 7:
        return "*" * (len(digits) - 2) + digits[-2:] if len(digits) > 2 else "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_birth_date(value: datetime.date | None) -> str | None:
    """The birth date shown beside a masked ID number: the year only ("1985年").

    The mask hides exactly the eight birth-date digits, so a full date beside it gives the whole
    number back; even the month would leave only two or three days that fit the check digit.
    """
    return f"{value.year}年" if value else None


# --------------------------------------------------------------------------- names etc.

# Separators people type for the "·" (U+00B7) in transliterated names (阿依古丽·买买提): bullet,
# katakana and half-width middle dots, hyphenation point, bullet and dot operators, Greek ano
# teleia, and U+FF0E (full-width full stop), which Chinese IMEs produce for "." in a name.
_NAME_DOTS = str.maketrans(dict.fromkeys("\u2022\u30fb\uff65\u2027\u2219\u22c5\u0387\uff0e", "·"))
_NAME_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A
        or 0x20000 <= code <= 0x323AF  # Extensions B–H (rare characters in names)
        or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
        or code == 0x3007  # 〇
    )


def normalize_name(value: object) -> str:
    """Return a person's name ready to store and compare, or raise ValueError if there is none.

    Ends are stripped. A name made only of Chinese characters (and "·") loses every inner
    space, so "张　三" and "张 三" become "张三"; dot variants (•, ・, ．) become "·" with no
    spaces around it. A name with Latin letters is made half-width and keeps single spaces.
    """
    if value is None:
        raise ValueError("缺少姓名")
    if not isinstance(value, str):
        raise ValueError("姓名应是文字，这里是一个数字或日期")
    name = value.strip().translate(_NAME_DOTS)
    compact = _NAME_SPACES.sub("", name)
    if not compact:
        raise ValueError("缺少姓名")
    if all(_is_cjk(char) or char == "·" for char in compact):
        return compact
    return _NAME_SPACES.sub(" ", to_halfwidth(name)).strip()


def normalize_phone(value: object) -> str | None:
    """Return a phone number as text, or None for an empty cell.

    A numeric cell 13812345678.0 is "13812345678" (Excel stores typed phone numbers as
    numbers); text is stripped and made half-width, otherwise kept as given.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("联系电话应是号码，如 13812345678")
    if isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise ValueError("联系电话不能是小数或负数；请把该列设为文本格式后填写号码")
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    text = undo_formula_guard(to_halfwidth(value).strip()).strip()
    return text or None


# Values of 民族 that are not "<name>族". GB/T 3304 lists 穿青人 and 其他 and the codes for
# naturalized citizens of foreign origin; these are stored exactly as written.
_ETHNICITY_AS_IS = frozenset(
    {"穿青人", "其他", "未识别民族", "外国血统", "外国血统中国籍人士", "入籍"}
)
# Abbreviations whose full name is not abbreviation + 族.
_ETHNICITY_ABBREVIATIONS = {"蒙": "蒙古族", "蒙族": "蒙古族", "维": "维吾尔族", "维族": "维吾尔族"}


def normalize_ethnicity(value: object) -> str | None:
    """Return the full name of an ethnic group ("汉" → "汉族"), or None for an empty cell.

    Rule: spaces are removed; a value already ending in 族, or one of the few non-族 values of
    GB/T 3304 (穿青人, 其他, 外国血统中国籍人士, …), is kept; 蒙/维 become 蒙古族/维吾尔族;
    anything else gets 族 appended. Values are not checked against the list of 56 groups.
    """
    text = normalize_text(value)
    if text is None:
        return None
    text = _ANY_SPACE.sub("", to_halfwidth(text))
    if text in _ETHNICITY_ABBREVIATIONS:
        return _ETHNICITY_ABBREVIATIONS[text]
    if text.endswith("族") or text in _ETHNICITY_AS_IS:
        return text
    return text + "族"


def parse_choice(value: object, choices: dict[str, str]) -> str:
    """Return the canonical value a cell names, or raise ValueError listing the allowed ones.

    `choices` maps each accepted spelling to its canonical value ({"正式": "正式党员",
    "正式党员": "正式党员", …}); canonical values are accepted even when not listed as keys.
    Comparison ignores spaces, full-width/half-width forms and the header markers that
    `normalize_header` removes.
    """
    allowed = list(dict.fromkeys(choices.values()))
    lookup = {normalize_header(canonical): canonical for canonical in allowed}
    lookup.update({normalize_header(key): canonical for key, canonical in choices.items()})
    text = normalize_text(value)
    if text is None:
        raise ValueError(f"此项不能为空；可填：{'、'.join(allowed)}")
    canonical = lookup.get(normalize_header(text))
    if canonical is None:
        raise ValueError(f"“{text}”不是可选的值；可填：{'、'.join(allowed)}")
    return canonical
