"""流入党员 at a meeting: the branch's inflows registered on the meeting's date are recorded as
列席 (or not) on the meeting's page, by whoever may change the meeting, and count in no figure."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from activities.attendance import counts_of
from activities.models import Attendance
from cycle import actions
from cycle.models import Inflow, InflowAttendance
from reports.figures import compute_figures
from tests.activities.conftest import record_meeting
from tests.factories import make_member

D = datetime.date
TODAY = datetime.date.today()
DAY = TODAY - datetime.timedelta(days=10)  # the meeting's date
pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def inflow(branch, name, since, left_on=None):
    found = Inflow.objects.create(branch=branch, name=name, home_org="外地某党支部", since=since)
    if left_on:
        Inflow.objects.filter(pk=found.pk).update(left_on=left_on)
    return found


@pytest.fixture
def scene(district, personas):
    members = [make_member(district.b1, name="本支部甲"), make_member(district.b1, name="本支部乙")]
    draft = record_meeting(district.b1, personas.secretary, topic="支部会议", day=DAY)
    return {
        "draft": draft, "members": members,
        "guest": inflow(district.b1, "流入甲", DAY - datetime.timedelta(days=60)),
        "leaving_that_day": inflow(district.b1, "流入乙", D(2020, 1, 1), left_on=DAY),
        "gone": inflow(district.b1, "已离开丙", D(2020, 1, 1), left_on=DAY - datetime.timedelta(days=1)),
        "later": inflow(district.b1, "后来丁", DAY + datetime.timedelta(days=1)),
        "elsewhere": inflow(district.b2, "他支部戊", D(2020, 1, 1)),
    }


def detail(client, meeting):
    return client.get(reverse("activities:meeting-detail", args=[meeting.pk])).content.decode()


def test_the_meeting_page_lists_the_inflows_registered_on_its_date(scene, personas):
    text = detail(client_for(personas.secretary), scene["draft"])

    assert "流入党员列席" in text and "流入甲" in text and "流入乙" in text
    assert "已离开丙" not in text and "后来丁" not in text and "他支部戊" not in text
    assert 'name="present"' in text  # the keeper of a draft records it


def test_recording_列席_keeps_the_members_figures_as_they_were(scene, personas):
    meeting = scene["draft"]
    before = counts_of(meeting), sorted(Attendance.objects.values_list("member_id", "status"))
    client = client_for(personas.secretary)

    response = client.post(reverse("cycle:meeting-inflows", args=[meeting.pk]),
                           {"present": [scene["guest"].pk]}, follow=True)

    text = response.content.decode()
    assert "已保存流入党员列席情况：列席 1 人" in text
    assert dict(InflowAttendance.objects.values_list("inflow__name", "present")) == {
        "流入甲": True, "流入乙": False}
    assert (counts_of(meeting), sorted(Attendance.objects.values_list("member_id", "status"))) == before
    assert AuditLog.objects.filter(action=actions.INFLOW_ATTENDANCE_RECORDED).count() == 1


def test_the_quarter_figures_do_not_count_inflows(scene, personas, district):
    from activities import actions as meeting_actions
    from core.quarters import Quarter

    actions.record_inflow_attendance(scene["draft"], {scene["guest"].pk, scene["leaving_that_day"].pk},
                                     by=personas.secretary)
    meeting_actions.submit_meeting(scene["draft"], by=personas.secretary)

    row = compute_figures(district.b1, Quarter.of(DAY)).as_json()["branches"][0]
    assert (row["members"], row["members_attended"], row["coverage"]) == (2, 2, 1.0)
    assert counts_of(scene["draft"]).expected == 2


def test_a_submitted_meeting_shows_the_inflows_but_takes_no_change(scene, personas):
    from activities import actions as meeting_actions

    meeting = meeting_actions.submit_meeting(scene["draft"], by=personas.secretary)
    InflowAttendance.objects.create(meeting=meeting, inflow=scene["guest"], present=True)
    client = client_for(personas.secretary)

    text = detail(client, meeting)
    assert 'name="present"' not in text and "列席" in text and "未登记" in text

    response = client.post(reverse("cycle:meeting-inflows", args=[meeting.pk]), {}, follow=True)
    assert "该会议记录已提交，不能再登记列席" in response.content.decode()
    assert InflowAttendance.objects.get().present


def test_an_inflow_not_registered_that_day_is_refused(scene, personas):
    with pytest.raises(ValidationError, match="流入党员名单已有变化"):
        actions.record_inflow_attendance(scene["draft"], {scene["gone"].pk}, by=personas.secretary)
    assert not InflowAttendance.objects.exists()


def test_only_who_may_change_the_meeting_records_it(scene, personas):
    url = reverse("cycle:meeting-inflows", args=[scene["draft"].pk])
    data = {"present": [scene["guest"].pk]}

    assert client_for(personas.auditor).post(url, data).status_code == 403
    assert client_for(personas.other_secretary).post(url, data).status_code == 404
    assert 'name="present"' not in detail(client_for(personas.auditor), scene["draft"])
    assert not InflowAttendance.objects.exists()


def test_the_edit_form_and_the_print_show_the_inflows_to_read(scene, personas):
    client = client_for(personas.secretary)
    actions.record_inflow_attendance(scene["draft"], {scene["guest"].pk}, by=personas.secretary)

    form = client.get(reverse("activities:meeting-edit", args=[scene["draft"].pk])).content.decode()
    printed = client.get(reverse("activities:meeting-print", args=[scene["draft"].pk])).content.decode()

    for text in (form, printed):
        assert "流入甲" in text and "未列席" in text and 'name="present"' not in text
    assert "会议详情页" in form


def test_a_branch_without_inflows_shows_no_panel(district, personas):
    make_member(district.b2, name="二支部党员")
    meeting = record_meeting(district.b2, personas.other_secretary, topic="二支部会议", day=DAY)

    assert "流入党员列席" not in detail(client_for(personas.other_secretary), meeting)


def test_the_panel_costs_one_query_however_many_inflows(scene, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(personas.secretary)
    url = reverse("activities:meeting-detail", args=[scene["draft"].pk])
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10):
        inflow(scene["draft"].branch, f"流入{i}", D(2020, 1, 1))
    with CaptureQueriesContext(connection) as many:
        assert "流入9" in client.get(url).content.decode()

    assert len(many) == len(few)
