"""The rules a member record must satisfy, on plain values: shared by the import and the forms.

`check_person` takes raw values (cells from a spreadsheet or fields from a form), normalizes
them with tabular.values and returns JSON-safe values (dates as ISO text) plus the errors and
warnings per field. Only the fields present in the input are checked and returned, so an
import whose file lacks a column leaves that field alone.
"""
from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from core.quarters import add_years
from tabular.values import (
    id_birth_date,
    id_sex,
    normalize_ethnicity,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_text,
    parse_choice,
    parse_date_or_month,
)

FULL, PROBATIONARY = "full", "probationary"
NORMAL, SUSPENDED = "normal", "suspended"

CATEGORY_CHOICES = {"正式党员": FULL, "正式": FULL, "预备党员": PROBATIONARY, "预备": PROBATIONARY}
CATEGORY_LABELS = {FULL: "正式党员", PROBATIONARY: "预备党员"}
STATUS_CHOICES = {"正常": NORMAL, "停止党籍": SUSPENDED, "已出党": "left", "出党": "left",
                  "已去世": "deceased", "去世": "deceased"}
SEX_CHOICES = {"男": "男", "女": "女", "男性": "男", "女性": "女"}
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "√": True, "流动党员": True, "流动": True}

MAX_LENGTHS = {"name": 50, "ethnicity": 20, "education": 30, "work_unit": 200, "phone": 30,
               "mobile_destination": 200, "landline": 30, "home_address": 200, "remarks": 500}

LABELS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "education": "学历",
    "category": "人员类别",
    "joined_on": "入党日期",
    "confirmed_on": "转正日期",
    "work_unit": "工作单位及职务",
    "phone": "联系电话",
    "branch": "所在党支部",
    "group": "所在党小组",
    "status": "党籍状态",
    "is_mobile": "是否流动党员",
    "mobile_destination": "外出流向",
    "is_lost_contact": "失联党员",
    "lost_contact_on": "失去联系日期",
    "landline": "固定电话",
    "home_address": "家庭住址",
    "remarks": "备注",
    "party_post": "党内职务",
    "reporting_community": "双报到社区",
}


@dataclass
class Checked:
    values: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    month_only: list[str] = field(default_factory=list)  # fields given as a month alone

    def fail(self, name: str, message: str) -> None:
        self.errors.append((name, message))

    def failed(self, name: str) -> bool:
        return any(n == name for n, _ in self.errors)


CHOICES = {"category": CATEGORY_CHOICES, "status": STATUS_CHOICES, "sex": SEX_CHOICES}


@functools.lru_cache(maxsize=1024)
def _choice(text: str, kind: str) -> str:
    """parse_choice, remembered: a roster repeats the same few values on every row."""
    return parse_choice(text, CHOICES[kind])


@functools.lru_cache(maxsize=1024)
def _ethnicity(value: str) -> str:
    return normalize_ethnicity(value) or ""


def _date(checked: Checked, record: dict, name: str) -> datetime.date | None:
    """A date cell; a month alone is its 1st day, remembered for the import's warning."""
    day, month_only = parse_date_or_month(record.get(name))
    if month_only:
        checked.month_only.append(name)
    return day


def _text(checked: Checked, record: dict, name: str) -> None:
    if name not in record:
        return
    text = normalize_text(record[name]) or ""
    if len(text) > MAX_LENGTHS[name]:
        checked.fail(name, f"{LABELS[name]}超过 {MAX_LENGTHS[name]} 个字。")
    else:
        checked.values[name] = text


def check_person(record: dict, *, today: datetime.date) -> Checked:
    """Normalize and check one member's values (interfaces.md §1.2). Never raises."""
    checked = Checked()
    values = checked.values

    try:
        name = normalize_name(record.get("name"))
        if len(name) > MAX_LENGTHS["name"]:
            raise ValueError(f"姓名超过 {MAX_LENGTHS['name']} 个字。")
        values["name"] = name
    except ValueError as exc:
        checked.fail("name", str(exc))

    id_number = None
    try:
        id_number = normalize_id_number(record.get("id_number"))
        values["id_number"] = id_number
    except ValueError as exc:
        checked.fail("id_number", str(exc))

    birth = id_birth_date(id_number) if id_number else None
    try:
        sex = normalize_text(record.get("sex"))
        sex = _choice(sex, "sex") if sex else None
        if id_number:
            derived = id_sex(id_number)
            if sex and sex != derived:
                raise ValueError(f"性别“{sex}”与公民身份号码不符（号码表明为{derived}）。")
            values["sex"] = derived
        elif sex:
            values["sex"] = sex
    except ValueError as exc:
        checked.fail("sex", str(exc))
    try:
        given_birth = _date(checked, record, "birth_date")
        if birth:
            same = given_birth is None or given_birth == birth or (
                "birth_date" in checked.month_only
                and (given_birth.year, given_birth.month) == (birth.year, birth.month)
            )
            if not same:
                raise ValueError(
                    f"出生日期 {given_birth:%Y-%m-%d} 与公民身份号码不符（号码表明为 {birth:%Y-%m-%d}）。"
                )
            values["birth_date"] = birth.isoformat()
        elif given_birth:
            values["birth_date"] = given_birth.isoformat()
    except ValueError as exc:
        checked.fail("birth_date", str(exc))

    if "ethnicity" in record:
        raw = record["ethnicity"]
        ethnicity = _ethnicity(raw) if isinstance(raw, str) else normalize_ethnicity(raw) or ""
        if len(ethnicity) > MAX_LENGTHS["ethnicity"]:
            checked.fail("ethnicity", f"民族超过 {MAX_LENGTHS['ethnicity']} 个字。")
        else:
            values["ethnicity"] = ethnicity
    for name in ("education", "work_unit", "mobile_destination", "home_address", "remarks"):
        _text(checked, record, name)
    for name in ("phone", "landline"):
        if name not in record:
            continue
        try:
            phone = normalize_phone(record[name]) or ""
            if len(phone) > MAX_LENGTHS[name]:
                raise ValueError(f"{LABELS[name]}超过 {MAX_LENGTHS[name]} 个字符。")
            values[name] = phone
        except ValueError as exc:
            checked.fail(name, str(exc).replace("联系电话", LABELS[name]))

    joined = None
    try:
        joined = _date(checked, record, "joined_on")
        if joined is None:
            raise ValueError("入党日期不能为空。")
        if joined > today:
            raise ValueError(f"入党日期 {joined:%Y-%m-%d} 晚于今天。")
        if birth and joined < add_years(birth, 18):
            raise ValueError(
                f"入党日期 {joined:%Y-%m-%d} 时未满 18 周岁（出生于 {birth:%Y-%m-%d}）。"
            )
        values["joined_on"] = joined.isoformat()
    except ValueError as exc:
        checked.fail("joined_on", str(exc))

    confirmed = None
    try:
        confirmed = _date(checked, record, "confirmed_on")
        if confirmed is not None:
            if confirmed > today:
                raise ValueError(f"转正日期 {confirmed:%Y-%m-%d} 晚于今天。")
            if joined and confirmed <= joined:
                raise ValueError(f"转正日期 {confirmed:%Y-%m-%d} 应晚于入党日期 {joined:%Y-%m-%d}。")
        if "confirmed_on" in record:
            values["confirmed_on"] = confirmed.isoformat() if confirmed else None
    except ValueError as exc:
        checked.fail("confirmed_on", str(exc))

    try:
        category = normalize_text(record.get("category"))
        if category:
            category = _choice(category, "category")
        elif confirmed is not None:
            category = FULL  # category follows 转正日期
        elif not checked.failed("confirmed_on"):
            raise ValueError("人员类别不能为空；可填：正式党员、预备党员。")
        if category:
            values["category"] = category
        if category == PROBATIONARY and confirmed is not None:
            checked.fail("confirmed_on", "预备党员不应填写转正日期；已转正的请把人员类别改为正式党员。")
        elif category == FULL and confirmed is None and "confirmed_on" in record and not checked.failed("confirmed_on"):
            checked.warnings.append(("confirmed_on", "正式党员未填写转正日期。"))
    except ValueError as exc:
        checked.fail("category", str(exc))

    if "status" in record:
        try:
            status = normalize_text(record["status"])
            values["status"] = _choice(status, "status") if status else None
        except ValueError as exc:
            checked.fail("status", str(exc))
    for name in ("is_mobile", "is_lost_contact"):
        if name in record:
            try:
                values[name] = _yes_no(record[name])
            except ValueError as exc:
                checked.fail(name, str(exc))
    if values.get("mobile_destination") and values.get("is_mobile") is None:
        values["is_mobile"] = True  # a destination means the member has gone out
    if values.get("is_mobile") is False and values.get("mobile_destination"):
        checked.fail("mobile_destination", "不是流动党员时不应填写外出流向。")

    if "lost_contact_on" in record:
        try:
            lost = _date(checked, record, "lost_contact_on")
            if lost is not None and lost > today:
                raise ValueError(f"失去联系日期 {lost:%Y-%m-%d} 晚于今天。")
            values["lost_contact_on"] = lost.isoformat() if lost else None
        except ValueError as exc:
            checked.fail("lost_contact_on", str(exc))
    if values.get("lost_contact_on") and values.get("is_lost_contact") is None:
        values["is_lost_contact"] = True  # a date of losing contact means the member is lost
    if values.get("is_lost_contact") is False and values.get("lost_contact_on"):
        checked.fail("lost_contact_on", "不是失联党员时不应填写失去联系日期。")
    return checked


def _yes_no(value) -> bool | None:
    """是/否 (and the spellings of YES_NO) or a form's boolean; None for an empty cell."""
    if isinstance(value, bool):
        return value
    text = normalize_text(value)
    if not text:
        return None
    if text.upper() not in YES_NO:
        raise ValueError(f"“{text}”不是可选的值；可填：是、否。")
    return YES_NO[text.upper()]
