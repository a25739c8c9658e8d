"""District-scale pages: the branches × requirements table, the dashboard's branch table and the
review queue stay usable with many branches (gaps folded with a count, sortable, each cell a link
to the branch's records) and each exports exactly what it shows as a workbook."""
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from freezegun import freeze_time

from branches.models import Organization
from tests.activities.conftest import record_meeting
from tests.factories import make_org

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
NOW = "2026-11-22 10:00:00+08:00"


def sheet_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    return [tuple(c for c in row) for row in wb.active.iter_rows(values_only=True)]


@freeze_time(NOW)
def test_overview_cells_link_to_the_branchs_records_and_gaps_fold_with_a_count(client, district, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("reports:overview"), {"org": "1100"}).content.decode()
    table = page.split('id="overview-table"')[1]
    # 支部委员会 of 1101 in 2026Q4: the cell opens that branch's 支部委员会 records of the quarter.
    assert "/meetings/?org=1101&amp;quarter=2026Q4&amp;kind=committee" in table
    assert 'data-sortable' in page.split('id="overview-table"')[0][-200:] + table[:50]
    # October's missed 支部委员会 and 主题党日 are listed, folded under their count.
    assert '<details class="gaps"><summary>' in table
    assert "10月 支部委员会" in table


@freeze_time(NOW)
def test_overview_exports_the_rows_it_shows(client, district, personas):
    district.b2.sector = "school"
    district.b2.save()
    client.force_login(personas.admin)
    response = client.get(reverse("reports:overview"),
                          {"org": "1100", "sector": "school", "format": "xlsx"})
    rows = sheet_rows(response)
    assert rows[0][0] == "第一社区党委 2026年第四季度 会议开展情况"
    assert rows[1][:3] == ("党支部编码", "党支部", "上级")
    codes = [r[0] for r in rows[2:] if r[0] and r[0].isdigit()]
    assert codes == ["1102"]  # the filter holds: 1101 is not a school


@freeze_time(NOW)
def test_overview_export_of_another_subtree_is_404(client, personas):
    client.force_login(personas.admin)
    assert client.get(reverse("reports:overview"), {"org": "1200", "format": "xlsx"}).status_code == 404


@freeze_time(NOW)
def test_dashboard_exports_its_branch_table(client, district, personas):
    record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                   day=datetime.date(2026, 10, 20))
    client.force_login(personas.admin)
    page = client.get(reverse("reports:dashboard"), {"org": "1100"}).content.decode()
    assert 'id="branch-table-export"' in page
    rows = sheet_rows(client.get(reverse("reports:dashboard"),
                                 {"org": "1100", "quarter": "2026Q4", "format": "xlsx"}))
    assert rows[1][:2] == ("编码", "党支部")
    assert sorted(r[0] for r in rows[2:] if r[0] in ("1101", "1102")) == ["1101", "1102"]
    assert not any(r[0] == "1201" for r in rows)


@freeze_time(NOW)
def test_review_queue_counts_per_branch_and_exports(client, district, personas):
    for i in range(3):
        record_meeting(district.b1, personas.secretary, topic=f"甲议题{i}", submit=True,
                       day=datetime.date(2026, 11, 2 + i))
    record_meeting(district.b2, personas.other_secretary, topic="乙议题", submit=True)
    record_meeting(district.b3, personas.outsider, topic="别处的", submit=True)
    client.force_login(personas.admin)
    page = client.get(reverse("activities:review-queue")).content.decode()
    by_branch = page.split('id="review-by-branch"')[1].split("</details>")[0]
    assert "第一社区第一党支部" in by_branch and "第二社区党支部" not in by_branch
    assert 'data-value="3">3<' in by_branch
    rows = sheet_rows(client.get(reverse("activities:review-queue"), {"format": "xlsx"}))
    topics = sorted(r[6] for r in rows[2:] if r[6])
    assert topics == ["乙议题", "甲议题0", "甲议题1", "甲议题2"]


@freeze_time(NOW)
def test_the_overview_of_160_branches_is_one_table_with_a_sticky_header(client, district, personas):
    for i in range(160):
        make_org(f"13{i:03d}", f"第三网格第{i}党支部", Organization.Kind.BRANCH, district.c1,
                 sector="community")
    client.force_login(personas.admin)
    page = client.get(reverse("reports:overview"), {"org": "1100"}).content.decode()
    assert page.count('<td class="sticky-col"') == 162
    assert 'class="table-wrap tall"' in page
