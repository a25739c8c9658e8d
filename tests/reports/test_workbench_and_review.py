"""The secretary's due list, the upper levels' table and the review queue, on the §3 figures."""
import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from activities import actions
from activities.models import Meeting
from core.quarters import Quarter
from reports import actions as report_actions
from reports import due
from reports.figures import Slot
from tests.activities.conftest import record_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
NOW = "2026-11-22 10:00:00+08:00"
Q4 = Quarter(2026, 4)


@pytest.mark.parametrize("slot, today, state", [
    (Slot("committee", 10, met=True), datetime.date(2026, 11, 22), due.DONE),
    (Slot("committee", 10), datetime.date(2026, 11, 22), due.OVERDUE),
    (Slot("committee", 11), datetime.date(2026, 11, 22), due.DUE),
    (Slot("committee", 12), datetime.date(2026, 11, 22), due.UPCOMING),
    (Slot("party_congress", None), datetime.date(2026, 11, 22), due.DUE),
    (Slot("party_congress", None), datetime.date(2027, 1, 5), due.OVERDUE),
    (Slot("committee", 11, exempt=True), datetime.date(2026, 11, 22), due.EXEMPT),
])
def test_slot_states(slot, today, state):
    assert due.slot_state(slot, Q4, today) == state


def home(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:secretary-home"), params)


@freeze_time(NOW)
def test_secretary_home_lists_what_is_due_this_month(client, personas):
    page = home(client, personas.secretary).content.decode()
    due_block = page.split('id="due-this-month"')[1].split("</ul>")[0]
    assert "支部委员会" in due_block and "11月" in due_block
    assert "第一党小组 党小组会" in due_block
    assert "支部党员大会" in due_block  # quarterly, not yet held
    overdue = page.split('id="overdue-list"')[1].split("</ul>")[0]
    assert "10月" in overdue


@freeze_time(NOW)
def test_a_submitted_meeting_moves_from_due_to_done(client, district, personas):
    record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                   day=datetime.date(2026, 11, 20))
    page = home(client, personas.secretary).content.decode()
    due_block = page.split('id="due-this-month"')[1].split("</ul>")[0]
    done_block = page.split('id="done-list"')[1].split("</ul>")[0]
    assert "支部委员会" not in due_block
    assert "支部委员会" in done_block


@freeze_time(NOW)
def test_drafts_do_not_count_and_are_listed_to_submit(client, district, personas):
    record_meeting(district.b1, personas.secretary, kinds=["committee"], topic="草稿会议",
                   day=datetime.date(2026, 11, 20))
    page = home(client, personas.secretary).content.decode()
    assert "支部委员会" in page.split('id="due-this-month"')[1].split("</ul>")[0]
    assert "草稿会议" in page.split('id="draft-list"')[1]


@freeze_time(NOW)
def test_returned_records_show_the_comment(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    actions.return_meeting(meeting, comment="缺少决议", by=personas.admin)
    page = home(client, personas.secretary).content.decode()
    assert "缺少决议" in page.split('id="returned-list"')[1]


@freeze_time(NOW)
def test_calendar_shows_the_quarters_meetings(client, district, personas):
    record_meeting(district.b1, personas.secretary, kinds=["theme_day"],
                   day=datetime.date(2026, 10, 8))
    page = home(client, personas.secretary).content.decode()
    assert "2026年10月" in page and "2026年12月" in page
    assert 'class="cal-meeting draft"' in page


def test_a_user_with_several_branches_picks_one(client, personas):
    page = home(client, personas.admin).content.decode()
    assert "选择党支部" in page and "?org=1101" in page
    assert home(client, personas.admin, org="1102").status_code == 200


def test_secretary_home_of_another_branch_is_404(client, personas):
    assert home(client, personas.secretary, org="1102").status_code == 404
    assert home(client, personas.secretary, org="1201").status_code == 404


def test_home_redirects_a_secretary_to_the_workbench(client, personas):
    client.force_login(personas.secretary)
    assert client.get("/")["Location"] == reverse("reports:secretary-home")


@freeze_time(NOW)
def test_overview_table_of_branches_and_requirements(client, district, personas):
    record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                   day=datetime.date(2026, 10, 20))
    client.force_login(personas.admin)
    response = client.get(reverse("reports:overview"), {"org": "1100"})
    page = response.content.decode()
    table = page.split('id="overview-table"')[1]
    assert "第一社区第一党支部" in table and "第一社区第二党支部" in table
    assert "第二社区党支部" not in table
    assert "?org=1101&amp;quarter=2026Q4" in table


@freeze_time(NOW)
def test_overview_filters_only_overdue_and_sector(client, district, personas):
    district.b2.sector = "school"
    district.b2.save()
    client.force_login(personas.admin)
    page = client.get(reverse("reports:overview"), {"org": "1100", "sector": "school"}).content.decode()
    table = page.split('id="overview-table"')[1]
    assert "第一社区第二党支部" in table and "第一社区第一党支部" not in table
    report_actions.add_exemption(district.b2, quarter=Q4, key="", reason="新成立", by=personas.admin)
    page = client.get(reverse("reports:overview"), {"org": "1100", "overdue": "1"}).content.decode()
    table = page.split('id="overview-table"')[1]
    assert "第一社区第一党支部" in table and "第一社区第二党支部" not in table


def test_overview_of_another_subtree_is_404(client, personas):
    client.force_login(personas.admin)
    assert client.get(reverse("reports:overview"), {"org": "1200"}).status_code == 404


@freeze_time(NOW)
def test_review_queue_lists_new_submissions_for_the_upper_level(client, district, personas):
    submitted = record_meeting(district.b1, personas.secretary, topic="甲议题", submit=True)
    record_meeting(district.b1, personas.secretary, topic="仍是草稿")
    record_meeting(district.b3, personas.outsider, topic="别处的", submit=True)
    client.force_login(personas.admin)
    page = client.get(reverse("activities:review-queue")).content.decode()
    assert "甲议题" in page and "仍是草稿" not in page and "别处的" not in page
    client.post(reverse("activities:meeting-review", args=[submitted.pk]), {"next": "queue"})
    submitted.refresh_from_db()
    assert submitted.reviewed_by == personas.admin
    assert "甲议题" not in queue_table(client)


def queue_table(client):
    return client.get(reverse("activities:review-queue")).content.decode().split('id="review-table"')[1]


@freeze_time(NOW)
def test_review_queue_return_with_comment(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    client.force_login(personas.admin)
    response = client.post(reverse("activities:meeting-return", args=[meeting.pk]),
                           {"comment": "请补签到表", "next": "queue"})
    assert response["Location"] == reverse("activities:review-queue")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RETURNED and meeting.review_comment == "请补签到表"


@freeze_time(NOW)
def test_secretaries_and_auditors_have_nothing_to_review(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary, topic="甲议题", submit=True)
    for user in (personas.secretary, personas.auditor):
        client.force_login(user)
        assert "甲议题" not in queue_table(client)
    client.force_login(personas.auditor)
    assert client.post(reverse("activities:meeting-review", args=[meeting.pk])).status_code == 403
    client.force_login(personas.secretary)
    client.post(reverse("activities:meeting-review", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.reviewed_at is None


def test_the_queue_sends_the_reviewer_to_the_record_and_shows_days_waiting(client, district, personas):
    with freeze_time("2026-11-10 10:00:00+08:00"):
        old = record_meeting(district.b1, personas.secretary, topic="旧议题",
                             day=datetime.date(2026, 11, 9), submit=True)
    with freeze_time("2026-11-21 10:00:00+08:00"):
        record_meeting(district.b2, personas.other_secretary, topic="新议题",
                       day=datetime.date(2026, 11, 20), submit=True)
    with freeze_time(NOW):
        client.force_login(personas.admin)
        table = queue_table(client)
        assert "12 天" in table and "1 天" in table
        assert table.index("旧议题") < table.index("新议题")  # the longest waiting first
        assert reverse("activities:meeting-review", args=[old.pk]) not in table  # no blind approval
        assert reverse("activities:meeting-detail", args=[old.pk]) + "#review" in table
        detail = client.get(reverse("activities:meeting-detail", args=[old.pk])).content.decode()
        assert reverse("activities:meeting-review", args=[old.pk]) in detail
        assert detail.index("附件") < detail.index('id="review"')  # read first, then decide


def test_the_queue_filters_by_organization_and_age(client, district, personas):
    with freeze_time("2026-11-10 10:00:00+08:00"):
        record_meeting(district.b1, personas.secretary, topic="甲旧", day=datetime.date(2026, 11, 9),
                       submit=True)
    with freeze_time("2026-11-21 10:00:00+08:00"):
        record_meeting(district.b1, personas.secretary, topic="甲新", day=datetime.date(2026, 11, 20),
                       submit=True)
        record_meeting(district.b2, personas.other_secretary, topic="乙新",
                       day=datetime.date(2026, 11, 20), submit=True)
    with freeze_time(NOW):
        client.force_login(personas.admin)
        url = reverse("activities:review-queue")
        table = client.get(url, {"org": "1102"}).content.decode().split('id="review-table"')[1]
        assert "乙新" in table and "甲旧" not in table and "甲新" not in table
        table = client.get(url, {"org": "第一社区第一党支部", "waiting": "7"}).content.decode()
        table = table.split('id="review-table"')[1]
        assert "甲旧" in table and "甲新" not in table and "乙新" not in table
        page = client.get(url, {"org": "1201"}).content.decode()  # outside the admin's scope
        assert "找不到“1201”" in page and "别处" not in page


@freeze_time(NOW)
def test_review_queue_query_count_is_pinned(client, district, personas, django_assert_max_num_queries):
    for i in range(10):
        record_meeting(district.b1, personas.secretary, day=datetime.date(2026, 11, 1 + i), submit=True)
    client.force_login(personas.admin)
    with django_assert_max_num_queries(12):  # +1 the unread-reminders badge, +1 the per-branch counts beside the filters
        assert client.get(reverse("activities:review-queue")).status_code == 200
