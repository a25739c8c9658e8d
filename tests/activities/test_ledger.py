"""A branch's 三会一课 台账 of a quarter or a year, printable as one document."""
import datetime

import pytest
from django.urls import reverse

from tests.activities.conftest import record_meeting

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def meetings(district, personas, roster):
    return [
        record_meeting(district.b1, personas.secretary, kinds=["committee"], topic="七月支委会",
                       day=datetime.date(2026, 7, 6), submit=True, absent=roster.b1[:1],
                       minutes="<p>讨论七月工作</p>"),
        record_meeting(district.b1, personas.secretary, kinds=["party_congress", "party_lecture"],
                       topic="十月党员大会", day=datetime.date(2026, 10, 9), submit=True),
        record_meeting(district.b1, personas.secretary, kinds=["theme_day"], topic="十月草稿",
                       day=datetime.date(2026, 10, 12)),
        record_meeting(district.b2, personas.other_secretary, kinds=["committee"], topic="二支部议题",
                       day=datetime.date(2026, 10, 9), submit=True),
    ]


def ledger(client, user, **params):
    client.force_login(user)
    return client.get(reverse("activities:meeting-ledger"), params)


def test_a_quarters_ledger_holds_every_recorded_meeting_with_minutes_and_attendance(client, personas, meetings):
    response = ledger(client, personas.secretary, org="1101", quarter="2026Q4")
    assert response.status_code == 200
    page = response.content.decode()
    assert "十月党员大会" in page and "支部党员大会、党课" in page
    assert "七月支委会" not in page  # another quarter
    assert "十月草稿" not in page and "二支部议题" not in page
    assert page.count('class="ledger-meeting"') == 1
    assert "主持人签字" in page


def test_a_years_ledger_is_one_document_in_date_order(client, personas, meetings):
    page = ledger(client, personas.auditor, org="1101", year="2026").content.decode()
    assert page.count('class="ledger-meeting"') == 2
    assert page.index("七月支委会") < page.index("十月党员大会")
    assert "讨论七月工作" in page and "缺席 1 人" in page
    assert "2026年1月1日至2026年12月31日" in page


def test_another_branchs_ledger_is_not_found(client, personas, meetings):
    assert ledger(client, personas.secretary, org="1102").status_code == 404


def test_the_ledger_reads_in_a_fixed_number_of_queries(client, personas, meetings, django_assert_max_num_queries):
    client.force_login(personas.secretary)
    with django_assert_max_num_queries(12):
        client.get(reverse("activities:meeting-ledger"), {"org": "1101", "year": "2026"})
