"""Other activities with participants and hours; 学时 from meetings and study activities."""
import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from freezegun import freeze_time

from activities import actions
from activities.models import Activity, Attendance
from activities.studyhours import study_hours_for, study_hours_of, summarize
from tests.activities.conftest import record_meeting

pytestmark = [pytest.mark.django_db]
NOW = "2026-11-22 10:00:00+08:00"


def study_activity(org, by, participants, *, counts=True, day=datetime.date(2026, 5, 1)):
    return actions.save_activity(
        None, organization=org,
        fields={"kind": "study", "date": day, "title": "读书班", "counts_as_study": counts},
        participants=participants, by=by,
    )


@freeze_time(NOW)
def test_study_hours_sum_meetings_attended_and_study_activities(district, personas, roster):
    member, absentee = roster.b1[4], roster.b1[5]
    record_meeting(district.b1, personas.secretary, kinds=["party_lecture"], lecturer="书记",
                   study_hours=Decimal("2.5"), absent=[absentee], submit=True,
                   day=datetime.date(2026, 3, 1))
    record_meeting(district.b1, personas.secretary, kinds=["party_lecture"], lecturer="书记",
                   study_hours=Decimal("3"), submit=False, day=datetime.date(2026, 4, 1))  # draft
    record_meeting(district.b1, personas.secretary, kinds=["party_lecture"], lecturer="书记",
                   study_hours=Decimal("4"), submit=True, day=datetime.date(2025, 12, 1))  # last year
    study_activity(district.b1, personas.secretary, [(member.pk, Decimal("8")), (absentee.pk, Decimal("1"))])
    study_activity(district.b1, personas.secretary, [(member.pk, Decimal("5"))], counts=False)
    hours = study_hours_for(member, 2026)
    assert (hours.meetings, hours.activities, hours.total) == (Decimal("2.5"), Decimal("8"), Decimal("10.5"))
    assert hours.target == 32 and not hours.met and hours.remaining == Decimal("21.5")
    assert study_hours_for(absentee, 2026).total == Decimal("1")


def test_secretaries_and_committee_members_have_the_higher_target(roster):
    assert study_hours_for(roster.b1[0], 2026).target == 56  # 书记
    roster.b1[1].party_post = "组织委员"
    assert study_hours_for(roster.b1[1], 2026).target == 56
    assert study_hours_for(roster.b1[2], 2026).target == 32


@freeze_time(NOW)
def test_observers_at_a_lecture_get_its_hours(district, personas, roster):
    meeting = actions.save_meeting(
        None, organization=district.g1,
        fields={"date": datetime.date(2026, 6, 1), "topic": "x", "study_hours": Decimal(2),
                "lecturer": "甲"},
        kinds=["party_lecture"],
        attendance=[actions.AttendanceEntry(roster.b1[6].pk, Attendance.Status.OBSERVER)],
        by=personas.secretary,
    )
    actions.submit_meeting(meeting, by=personas.secretary)
    assert study_hours_for(roster.b1[6], 2026).meetings == Decimal(2)


@freeze_time(NOW)
def test_branch_summary_in_two_queries(district, personas, roster, django_assert_num_queries):
    study_activity(district.b1, personas.secretary, [(m.pk, Decimal("40")) for m in roster.b1[1:3]])
    with django_assert_num_queries(2):
        rows = study_hours_of(roster.b1, 2026)
    summary = summarize(rows)
    assert summary["members"] == 8 and summary["met"] == 2 and summary["total"] == Decimal(80)


@freeze_time(NOW)
def test_the_member_page_include_renders(district, personas, roster):
    html = Template("{% load activities_tags %}{% study_hours_card member %}").render(
        Context({"member": roster.b1[0]}))
    assert "2026年学时" in html and "/ 56 学时" in html


@freeze_time(NOW)
def test_study_hours_page_is_scoped(client, personas, roster):
    client.force_login(personas.secretary)
    page = client.get(reverse("activities:study-hours")).content.decode()
    assert "甲0" in page and "乙0" not in page
    assert client.get(reverse("activities:study-hours"), {"org": "1102"}).status_code == 404


@freeze_time(NOW)
def test_activity_create_with_participants_and_hours(client, district, personas, roster):
    client.force_login(personas.secretary)
    assert client.get(reverse("activities:activity-create")).status_code == 200
    response = client.post(reverse("activities:activity-create"), {
        "organization": district.b1.pk, "kind": "volunteer", "date": "2026-11-01",
        "title": "社区清扫", "participant": [roster.b1[0].pk, roster.b1[1].pk],
        f"hours_{roster.b1[0].pk}": "2", f"hours_{roster.b1[1].pk}": "1.5",
    })
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert sorted(activity.participations.values_list("hours", flat=True)) == [Decimal("1.5"), Decimal("2")]
    page = client.get(reverse("activities:activity-list")).content.decode()
    assert "社区清扫" in page and "3.5" in page


@freeze_time(NOW)
def test_activity_bad_hours_are_refused_without_losing_the_form(client, district, personas, roster):
    client.force_login(personas.secretary)
    response = client.post(reverse("activities:activity-create"), {
        "organization": district.b1.pk, "kind": "volunteer", "date": "2026-11-01",
        "title": "社区清扫", "participant": [roster.b1[0].pk], f"hours_{roster.b1[0].pk}": "两小时",
    })
    assert response.status_code == 200 and "不是有效数字" in response.content.decode()
    assert not Activity.objects.exists()


@freeze_time(NOW)
def test_activity_scope(client, district, personas, roster):
    activity = study_activity(district.b1, personas.secretary, [(roster.b1[0].pk, Decimal(1))])
    client.force_login(personas.other_secretary)
    assert client.get(reverse("activities:activity-edit", args=[activity.pk])).status_code == 404
    assert client.post(reverse("activities:activity-delete", args=[activity.pk])).status_code == 404
    assert "读书班" not in client.get(reverse("activities:activity-list")).content.decode()
    client.force_login(personas.auditor)
    assert client.get(reverse("activities:activity-edit", args=[activity.pk])).status_code == 403
    assert client.post(reverse("activities:activity-delete", args=[activity.pk])).status_code == 403
    assert client.get(reverse("activities:activity-create")).status_code == 403
    assert client.get(reverse("activities:activity-delete", args=[activity.pk])).status_code == 405
    client.force_login(personas.secretary)
    client.post(reverse("activities:activity-delete", args=[activity.pk]))
    assert not Activity.objects.exists()


def test_participants_outside_scope_are_ignored(district, personas, roster):
    activity = study_activity(district.b1, personas.secretary,
                              [(roster.b1[0].pk, Decimal(1)), (roster.b3[0].pk, Decimal(1))])
    assert list(activity.participations.values_list("member_id", flat=True)) == [roster.b1[0].pk]


@freeze_time(NOW)
def test_a_lecture_without_hours_counts_its_duration(district, personas, roster):
    meeting = record_meeting(district.b1, personas.secretary, kinds=["party_lecture"], lecturer="书记",
                             start_time=datetime.time(14, 0), end_time=datetime.time(15, 40))
    assert meeting.study_hours == Decimal("1.5")
    given = record_meeting(district.b1, personas.secretary, kinds=["party_lecture"], lecturer="书记",
                           start_time=datetime.time(14, 0), end_time=datetime.time(15, 40),
                           study_hours=Decimal(3))
    assert given.study_hours == Decimal(3)
    plain = record_meeting(district.b1, personas.secretary, kinds=["committee"],
                           start_time=datetime.time(14, 0), end_time=datetime.time(15, 40))
    assert plain.study_hours == 0


@freeze_time(NOW)
def test_upper_levels_see_study_hours_summed_per_branch(client, district, personas, roster,
                                                        django_assert_max_num_queries):
    study_activity(district.b1, personas.secretary, [(m.pk, Decimal("40")) for m in roster.b1[:2]])
    client.force_login(personas.admin)
    with django_assert_max_num_queries(13):  # +1: the menu's unread-reminders badge
        response = client.get(reverse("activities:study-hours"), {"org": "1100"})
    table = response.content.decode().split('id="study-branch-table"')[1]
    assert "第一社区第一党支部" in table and "第一社区第二党支部" in table
    assert "第二社区党支部" not in table
    rows = dict((b.code, s) for b, s in response.context["rows"])
    assert rows["1101"]["members"] == 8 and rows["1101"]["total"] == Decimal(80)
    assert rows["1102"]["members"] == 2 and rows["1102"]["met"] == 0
    client.force_login(personas.secretary)
    assert client.get(reverse("activities:study-hours"), {"org": "1100"}).status_code == 404
