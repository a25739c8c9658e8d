"""组织部 staff start a quarterly report, watch its progress, drill down and download the workbook."""
import openpyxl
import pytest

from reports import actions
from reports.models import Report
from tests.browser.conftest import login
from tests.factories import build_district, build_personas
from tests.reports.builders import D, K, add_meeting, add_members, hold_everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-pass-2026"


@pytest.fixture
def queued_jobs():
    """Jobs wait in an in-memory queue until the test runs them, like a busy worker would."""
    from portal.celery import app

    saved = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.task_always_eager = True
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


def test_staff_compile_a_report_drill_down_and_download_the_workbook(page, live_url, queued_jobs,
                                                                      tmp_path):
    district = build_district()
    build_personas(district)
    people = add_members(district.b1, 8) + add_members(district.b2, 3)
    hold_everything(district.b1, groups=[district.g1], present=people[:6])
    add_meeting(district.b2, D(2026, 8, 4), K.THEME_DAY, present=people[8:9])

    login(page, live_url, "staff", PASSWORD)
    assert "/reports/" in page.url  # staff land on the dashboard

    # Start the 2026Q3 report for the whole 党工委 and watch the progress bar.
    page.goto(f"{live_url}/reports/?org=1000&quarter=2026Q3")
    assert page.get_by_text("实时计算").count() >= 1
    page.select_option("#start-quarter", "2026Q3")
    page.get_by_role("button", name="编制报表").click()
    page.wait_for_load_state("networkidle")
    progress = page.locator("#report-progress progress")
    assert progress.is_visible()
    report = Report.objects.get(organization=district.top, quarter="2026Q3")
    assert report.status == Report.Status.QUEUED

    actions.run_report(report.pk)  # the worker picks the job up

    page.wait_for_url(f"**/reports/runs/{report.pk}/", timeout=15_000)
    page.get_by_role("link", name="下载工作簿").wait_for()
    assert page.locator("#report-progress").count() == 0
    report.refresh_from_db()
    assert report.is_current

    # Download the workbook and check its sheets and totals against the stored figures.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载工作簿").click()
    target = tmp_path / "report.xlsx"
    download_info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    # then one sheet per registered measure (core.registry), e.g. 群众诉求
    assert book.sheetnames[:5] == ["汇总", "支部明细", "未完成清单", "参与情况", "图表"]
    summary = {row[0]: row[1:] for row in book["汇总"].iter_rows(min_row=3, max_col=3, values_only=True)
               if row[0]}
    s = report.figures["summary"]
    assert summary["党支部"][0] == s["branches"] == 3
    assert summary["党员"][0] == s["members"] == 11
    assert summary["已开次数（完成率）"] == (s["slots_met"], s["completion_rate"])
    detail_codes = [r[0] for r in book["支部明细"].iter_rows(min_row=3, max_col=1, values_only=True)]
    assert detail_codes == ["1101", "1102", "1201"]

    # Open the dashboard and drill down: 党工委 → 党委 → 支部 → its meetings.
    page.get_by_role("link", name="打开看板").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#stat-completion").inner_text() == f"{s['completion_rate'] * 100:.2f}%"
    assert page.locator("canvas[data-requirement]").count() == 5
    page.get_by_role("link", name="第一社区党委").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("支部党员大会：本季度未开").count() >= 1  # 1102's gaps, spelled out
    page.locator("tr.branch-row").get_by_role("link", name="第一社区第二党支部").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="第一社区第二党支部 · 2026年第三季度").is_visible()
    assert page.get_by_text("主题党日：7月 未开").count() == 1
    meetings = page.get_by_role("link", name="查看本支部会议记录")
    assert meetings.get_attribute("href").endswith("/meetings/?org=1102")
    meetings.click()
    page.wait_for_load_state("networkidle")
    assert "org=1102" in page.url
