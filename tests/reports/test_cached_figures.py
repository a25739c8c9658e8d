"""The secretary's home and the tree read cached figures; the actions that change them make the
cache stale, so a page never shows yesterday's numbers after a recorded change."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from activities import actions as meeting_actions
from core.quarters import Quarter
from members import actions as member_actions
from reports import actions as report_actions
from tests.activities.conftest import record_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
NOW = "2026-11-22 10:00:00+08:00"


def home(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("reports:secretary-home")).content.decode()
    return page, len(queries)


def done_list(page):
    return page.split('id="done-list"')[1].split("</ul>")[0]


@freeze_time(NOW)
def test_the_home_page_computes_the_figures_once(client, personas, django_capture_on_commit_callbacks):
    _, first = home(client, personas.secretary)
    _, second = home(client, personas.secretary)
    assert second < first


@freeze_time(NOW)
def test_a_submitted_meeting_shows_at_once(client, district, personas,
                                           django_capture_on_commit_callbacks):
    page, _ = home(client, personas.secretary)
    assert "支部委员会" not in done_list(page)

    with django_capture_on_commit_callbacks(execute=True):
        record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                       day=datetime.date(2026, 11, 20))

    page, _ = home(client, personas.secretary)
    assert "支部委员会" in done_list(page)


@freeze_time(NOW)
def test_a_returned_meeting_leaves_the_done_list(client, district, personas,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = record_meeting(district.b1, personas.secretary, kinds=["committee"],
                                 submit=True, day=datetime.date(2026, 11, 20))
    assert "支部委员会" in done_list(home(client, personas.secretary)[0])

    with django_capture_on_commit_callbacks(execute=True):
        meeting_actions.return_meeting(meeting, comment="请补充", by=personas.admin)

    assert "支部委员会" not in done_list(home(client, personas.secretary)[0])


@freeze_time(NOW)
def test_an_exemption_shows_at_once(client, district, personas, django_capture_on_commit_callbacks):
    assert "本季度豁免" not in home(client, personas.secretary)[0]
    with django_capture_on_commit_callbacks(execute=True):
        report_actions.add_exemption(district.b1, quarter=Quarter(2026, 4), key="theme_day",
                                     reason="新成立", by=personas.admin)
    page, _ = home(client, personas.secretary)
    assert "本季度豁免：主题党日" in page


def tree_count(client, user, code):
    client.force_login(user)
    page = client.get(reverse("branches:org-detail", args=[code])).content.decode()
    return page.split('<div class="stat">')[1].split("</div>")[0]


def test_the_tree_counts_follow_a_members_departure(client, district, personas,
                                                   django_capture_on_commit_callbacks):
    before = int(tree_count(client, personas.staff, "1100"))
    member = district.b1.members.filter(status="normal").first()

    with django_capture_on_commit_callbacks(execute=True):
        member_actions.leave(member, on=datetime.date.today(), by=personas.staff, note="出党")

    assert int(tree_count(client, personas.staff, "1100")) == before - 1


@freeze_time(NOW)
def test_the_upper_levels_table_follows_a_submitted_meeting(client, district, personas,
                                                            django_capture_on_commit_callbacks):
    client.force_login(personas.admin)

    def committee_cell():
        page = client.get(reverse("reports:overview"), {"org": "1100"}).content.decode()
        row = page.split("第一社区第一党支部</a>")[1].split("</tr>")[0]
        return row

    before = committee_cell()
    with django_capture_on_commit_callbacks(execute=True):
        record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                       day=datetime.date(2026, 11, 20))
    assert committee_cell() != before


@freeze_time(NOW)
def test_the_dashboard_follows_a_submitted_meeting(client, district, personas,
                                                   django_capture_on_commit_callbacks):
    client.force_login(personas.admin)

    def branch_row():
        page = client.get(reverse("reports:dashboard"), {"org": "1100"}).content.decode()
        return page.split("第一社区第一党支部</a>")[1].split("</tr>")[0]

    before = branch_row()
    with django_capture_on_commit_callbacks(execute=True):
        record_meeting(district.b1, personas.secretary, kinds=["committee"], submit=True,
                       day=datetime.date(2026, 11, 20))
    assert branch_row() != before
