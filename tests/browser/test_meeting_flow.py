"""A branch secretary records a 支部委员会; the 党委 returns it; the secretary fixes and resubmits."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.activities.conftest import make_member
from tests.browser.conftest import login
from tests.factories import build_district, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-pass-2026"
PAYLOAD = "<p>讨论本月工作</p><img src=x onerror=alert(1)>"


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


def logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")


def due_block(page):
    return page.locator("#due-now")


def test_record_return_fix_and_resubmit_a_committee_meeting(page, live_url):
    district = build_district()
    build_personas(district)
    members = [make_member(f"党员{i}", district.b1) for i in range(8)]
    alerts = []

    def on_dialog(dialog):
        if dialog.type == "alert":
            alerts.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)

    # The secretary lands on the workbench and sees what is due this month.
    login(page, live_url, "sec1101", PASSWORD)
    assert "/reports/branch/" in page.url
    assert due_block(page).get_by_text("支部委员会").count() == 1

    # Record the 支部委员会 from the due list, with one 请假 and hostile minutes.
    due_block(page).locator("li", has_text="支部委员会").get_by_role("link", name="去记录").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('input[name=kinds][value=committee]').is_checked()
    # Choosing the 党小组 reloads the attendance grid with its (here: no) members, and back.
    grid = page.locator('select[data-group="attendance"]')
    page.select_option("#id_organization", str(district.g1.pk))
    expect(grid).to_have_count(0)
    page.select_option("#id_organization", str(district.b1.pk))
    expect(grid).to_have_count(8)
    page.fill("#id_topic", "研究发展党员工作")
    page.fill("#id_host", "党员0")
    leave = members[3]
    page.select_option(f'select[name="status_{leave.pk}"]', "leave")
    reason = page.locator(f'input[name="reason_{leave.pk}"]')
    assert reason.is_visible()
    reason.fill("外出务工")
    assert page.locator('[data-count="present"]').inner_text() == "7"
    page.fill("#id_minutes", PAYLOAD)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")

    minutes = page.locator("#minutes")
    assert "讨论本月工作" in minutes.inner_text()
    assert minutes.locator("img").count() == 0
    assert "onerror" not in minutes.inner_html()
    assert page.get_by_text("应到 8 人，实到 7 人，请假 1 人，缺席 0 人").count() == 1

    # Attach a photo of the sign-in sheet, then submit.
    page.set_input_files("input[name=file]", {"name": "签到表.png", "mimeType": "image/png",
                                             "buffer": png_bytes()})
    page.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="签到表.png").count() == 1
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("会议记录已提交。").count() == 1
    logout(page)

    # The 党委 admin finds it in the review queue and returns it with a comment.
    login(page, live_url, "admin1100", PASSWORD)
    page.goto(f"{live_url}/meetings/review/")
    row = page.locator("#review-table tr", has_text="研究发展党员工作")
    assert row.count() == 1
    # the record opens with its minutes and attachments before anything is decided
    row.get_by_role("link", name="查看并审核").click()
    page.wait_for_load_state("networkidle")
    review = page.locator("#review")
    review.locator("textarea[name=comment]").fill("请补充决议事项")
    review.get_by_role("button", name="退回修改").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_url}/meetings/review/")
    assert page.locator("#review-table").get_by_text("研究发展党员工作").count() == 0
    logout(page)

    # The secretary sees the comment, fixes the record and resubmits; the due list updates.
    login(page, live_url, "sec1101", PASSWORD)
    returned = page.locator("#returned-list")
    assert returned.get_by_text("请补充决议事项").count() == 1
    assert due_block(page).get_by_text("支部委员会").count() == 1  # returned records do not count
    returned.get_by_role("link", name="研究发展党员工作").click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_resolutions", "同意确定2名发展对象")
    page.get_by_role("button", name="保存并提交").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("会议记录已提交。").count() == 1
    page.goto(f"{live_url}/reports/branch/")
    assert due_block(page).get_by_text("支部委员会").count() == 0
    assert page.locator("#done-list li.done", has_text="支部委员会").count() == 1
    assert alerts == [], "the minutes' onerror handler ran"
