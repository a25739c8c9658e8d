"""The workbook shows the same figures as the JSON, safely: masked IDs, text never a formula."""
import io

import openpyxl
import pytest

from reports.figures import absent_members, compute_figures
from reports.workbook import build_workbook
from tests.reports.builders import D, K, add_meeting, add_member, add_members, hold_everything


@pytest.fixture
def book(district):
    people = add_members(district.b1, 7)
    hostile = add_member(district.b1, name="=HYPERLINK(\"http://x\")")
    hold_everything(district.b1, groups=[district.g1], present=people)
    add_members(district.b2, 2)
    add_meeting(district.b2, D(2026, 8, 2), K.THEME_DAY)
    figures = compute_figures(district.c1, "2026Q3")
    content = build_workbook(figures, absent_members(district.c1, "2026Q3"),
                             organization=district.c1)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    wb.raw = content
    return wb, figures, hostile


def rows(sheet, first=3):
    return [r for r in sheet.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


@pytest.mark.django_db
def test_the_summary_sheet_has_the_totals_and_the_definitions(book):
    wb, figures, _ = book
    sheet = wb["汇总"]
    values = {r[0]: r[1:3] for r in sheet.iter_rows(min_row=3, max_col=3, values_only=True) if r[0]}
    s = figures.summary

    assert values["党支部"][0] == s["branches"] == 2
    assert values["全部达标的党支部（达标率）"] == (s["compliant_branches"], s["compliance_rate"])
    assert values["参加过会议的党员（覆盖率）"] == (s["members_attended"], s["coverage"])
    assert values["已开次数（完成率）"] == (s["slots_met"], s["completion_rate"])
    notes = [r[0] for r in sheet.iter_rows(values_only=True) if r[0]]
    assert any(str(n).startswith("完成率 = 已开次数") for n in notes)
    assert any("不对党员个人排名" in str(n) for n in notes)
    assert sheet.freeze_panes == "A3"
    assert sheet["C4"].number_format == "0.00%"  # 达标率


@pytest.mark.django_db
def test_the_branch_sheet_has_every_figure_and_highlights_gaps(book):
    wb, figures, _ = book
    sheet = wb["支部明细"]
    header = [c.value for c in sheet[2]]
    by_code = {r[0]: dict(zip(header, r, strict=False)) for r in rows(sheet)}

    b2 = by_code["1102"]
    assert (b2["党员数"], b2["支部委员会应开"], b2["主题党日已开"]) == (2, "—", 1)
    assert (b2["应开合计"], b2["已开合计"], b2["完成率"], b2["全部达标"]) == (5, 1, 0.2, "否")
    assert "主题党日：7月未开" in b2["未完成事项"]
    assert by_code["1101"]["覆盖率"] == figures.branches[0].coverage
    assert len(sheet.conditional_formatting) >= 7


@pytest.mark.django_db
def test_each_gap_is_a_row_and_absent_members_are_listed_masked_and_formula_safe(book):
    wb, _, hostile = book
    gaps = rows(wb["未完成清单"])
    assert ("1102", "第一社区第二党支部", "支部党员大会", "本季度") in gaps
    assert ("1102", "第一社区第二党支部", "主题党日", "9月") in gaps
    assert len(gaps) == 4  # 1102: 大会, 党课, 7月 and 9月 主题党日

    absent = rows(wb["参与情况"])
    names = [r[2] for r in absent if r[2]]
    assert names[0] == "'=HYPERLINK(\"http://x\")"  # written as text, never a formula
    assert wb["参与情况"]["C3"].data_type == "s"
    ids = [r[3] for r in absent if r[3]]
    assert len(ids) == 3 and all("********" in i for i in ids)
    assert hostile.id_number not in ids


@pytest.mark.django_db
def test_the_chart_sheet_carries_a_chart(book):
    wb, _, _ = book
    assert rows(wb["图表"])[0][0] == "支部党员大会"
    assert "<barChart>" in _chart_xml(wb)


def _chart_xml(wb) -> str:
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(wb.raw))
    return "".join(archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n)
