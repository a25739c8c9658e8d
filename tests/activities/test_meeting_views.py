"""Meeting pages: the owner works, another branch's secretary gets 404, auditors 403 on writes."""
import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from activities import actions
from activities.models import Attendance, Meeting
from core import formtoken
from core.registry import site
from tests.activities.conftest import record_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
NOW = "2026-11-22 10:00:00+08:00"


def form_data(district, roster, **overrides):
    data = {
        "organization": district.b1.pk, "kinds": ["committee", "theme_day"], "date": "2026-11-20",
        "topic": "支委会", "minutes": "讨论<img src=x onerror=alert(1)>",
        "save": "1",
    }
    for m in roster.b1:
        data[f"status_{m.pk}"] = "present"
    data[f"status_{roster.b1[1].pk}"] = "leave"
    data[f"reason_{roster.b1[1].pk}"] = "外出务工"
    data.update(overrides)
    return data


@freeze_time(NOW)
def test_secretary_records_a_meeting_with_attendance(client, district, personas, roster):
    client.force_login(personas.secretary)
    response = client.get(reverse("activities:meeting-create"))
    assert response.status_code == 200
    assert "全部出席" in response.content.decode()
    response = client.post(reverse("activities:meeting-create"), form_data(district, roster))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.attendances.get(member=roster.b1[1]).reason == "外出务工"
    assert meeting.attendances.filter(status=Attendance.Status.PRESENT).count() == 7
    page = client.get(reverse("activities:meeting-detail", args=[meeting.pk])).content.decode()
    assert "onerror" not in page and "<img" not in page.split('id="minutes"')[1][:200]
    assert "应到 8 人，实到 7 人，请假 1 人，缺席 0 人" in page


@freeze_time(NOW)
def test_leave_without_a_reason_is_refused_and_nothing_is_lost(client, district, personas, roster):
    client.force_login(personas.secretary)
    data = form_data(district, roster)
    data[f"reason_{roster.b1[1].pk}"] = ""
    response = client.post(reverse("activities:meeting-create"), data)
    assert response.status_code == 200
    assert "请填写请假事由" in response.content.decode()
    assert "支委会" in response.content.decode()
    assert not Meeting.objects.exists()


@freeze_time(NOW)
def test_save_and_submit_in_one_step(client, district, personas, roster):
    client.force_login(personas.secretary)
    data = form_data(district, roster, submit="1")
    del data["save"]
    client.post(reverse("activities:meeting-create"), data)
    assert Meeting.objects.get().status == Meeting.Status.SUBMITTED


@freeze_time(NOW)
def test_secretary_cannot_see_other_branch_meeting(client, district, personas):
    meeting = record_meeting(district.b2, personas.other_secretary)
    client.force_login(personas.secretary)
    for name in ("meeting-detail", "meeting-edit", "meeting-print"):
        assert client.get(reverse(f"activities:{name}", args=[meeting.pk])).status_code == 404
    for name in ("meeting-submit", "attachment-add", "meeting-delete"):
        assert client.post(reverse(f"activities:{name}", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("activities:meeting-create") + "?org=1102").status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.DRAFT


@freeze_time(NOW)
def test_auditor_sees_but_cannot_write(client, district, personas, roster):
    meeting = record_meeting(district.b1, personas.secretary)
    client.force_login(personas.auditor)
    assert client.get(reverse("activities:meeting-detail", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("activities:meeting-submit", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("activities:meeting-edit", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("activities:meeting-create")).status_code == 403
    assert client.post(reverse("activities:meeting-create") + "?org=1101",
                       form_data(district, roster)).status_code == 403


@freeze_time(NOW)
def test_wrong_method_is_405(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary)
    client.force_login(personas.secretary)
    assert client.get(reverse("activities:meeting-submit", args=[meeting.pk])).status_code == 405
    assert client.post(reverse("activities:meeting-detail", args=[meeting.pk])).status_code == 405
    assert client.post(reverse("activities:meeting-list")).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("activities:meeting-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@freeze_time(NOW)
def test_upper_level_returns_and_secretary_resubmits_through_pages(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    client.force_login(personas.admin)
    client.post(reverse("activities:meeting-return", args=[meeting.pk]), {"comment": "补充记录"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RETURNED
    client.force_login(personas.secretary)
    page = client.get(reverse("activities:meeting-detail", args=[meeting.pk])).content.decode()
    assert "补充记录" in page and "重新提交" in page
    client.post(reverse("activities:meeting-submit", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SUBMITTED


@freeze_time(NOW)
def test_meeting_list_query_count_is_pinned(client, district, personas, django_assert_max_num_queries):
    for i in range(12):
        record_meeting(district.b1, personas.secretary, day=datetime.date(2026, 11, 1 + i),
                       kinds=["party_congress", "theme_day"], submit=i % 2 == 0)
    client.force_login(personas.admin)
    with django_assert_max_num_queries(13):  # +1: the menu's unread-reminders badge
        response = client.get(reverse("activities:meeting-list") + "?org=1101")
    assert response.status_code == 200
    assert response.content.decode().count("主题党日") >= 12


@freeze_time(NOW)
def test_attendance_fragment_follows_the_chosen_group(client, district, personas, roster):
    client.force_login(personas.secretary)
    response = client.get(reverse("activities:attendance-rows"),
                          {"organization": district.g1.pk, "date": "2026-11-20"})
    names = [m.name for m in roster.b1[:3]]
    body = response.content.decode()
    assert all(n in body for n in names)
    assert f'name="status_{roster.b1[5].pk}"' not in body
    client.force_login(personas.other_secretary)
    assert client.get(reverse("activities:attendance-rows"),
                      {"organization": district.g1.pk}).status_code == 404


@freeze_time(NOW)
def test_print_view_has_header_attendance_and_minutes(client, district, personas, roster):
    meeting = record_meeting(district.b1, personas.secretary, minutes="第一段\n\n第二段",
                             leave=[roster.b1[0]])
    client.force_login(personas.secretary)
    page = client.get(reverse("activities:meeting-print", args=[meeting.pk])).content.decode()
    assert "第一社区第一党支部 会议记录" in page
    assert "<p>第一段</p><p>第二段</p>" in page
    assert "出差" in page


@freeze_time(NOW)
def test_meeting_list_of_another_branch_is_404(client, personas):
    client.force_login(personas.secretary)
    assert client.get(reverse("activities:meeting-list"), {"org": "1102"}).status_code == 404
    assert client.get(reverse("activities:meeting-list"), {"org": "1101"}).status_code == 200


@freeze_time(NOW)
def test_export_is_a_scoped_xlsx_download(client, district, personas, roster):
    import io

    import openpyxl

    record_meeting(district.b1, personas.secretary, kinds=["committee", "theme_day"],
                   topic="=HYPERLINK(\"x\")", leave=[roster.b1[0]], submit=True)
    client.force_login(personas.secretary)
    response = client.get(reverse("activities:meeting-export"),
                          {"org": "1101", "from": "2026-10-01", "to": "2026-12-31"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    row = list(wb["支部委员会"].iter_rows(min_row=3, max_row=3, values_only=True))[0]
    assert row[3] == "'=HYPERLINK(\"x\")"  # never a formula
    assert row[7:11] == (8, 7, 1, 0) and row[12] == "甲0（出差）"
    client.force_login(personas.other_secretary)
    assert client.get(reverse("activities:meeting-export"), {"org": "1101"}).status_code == 404
    client.force_login(personas.auditor)
    assert client.get(reverse("activities:meeting-export"), {"org": "1101"}).status_code == 200


@freeze_time(NOW)
def test_attachment_changes_are_meeting_events(district, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from activities import actions
    from activities.models import MeetingEvent

    meeting = record_meeting(district.b1, personas.secretary)
    attachment = actions.add_attachment(meeting, SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"),
                                        by=personas.secretary)
    actions.delete_attachment(attachment, by=personas.secretary)
    comments = list(meeting.events.filter(kind=MeetingEvent.Kind.EDITED).values_list("comment", flat=True))
    assert comments == ["上传附件：a.pdf", "删除附件：a.pdf"]


@freeze_time(NOW)
def test_nobody_edits_a_submitted_record_the_upper_level_returns_it(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    for user in (personas.admin, personas.staff, personas.secretary):
        client.force_login(user)
        response = client.get(reverse("activities:meeting-edit", args=[meeting.pk]))
        assert response.status_code == 302
        page = client.get(reverse("activities:meeting-detail", args=[meeting.pk])).content.decode()
        assert reverse("activities:meeting-edit", args=[meeting.pk]) not in page
    with pytest.raises(actions.ActionRefused):
        actions.add_attachment(meeting, SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"), by=personas.admin)


@freeze_time(NOW)
def test_a_returned_record_is_corrected_and_resubmitted_by_the_branch_only(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    actions.return_meeting(meeting, comment="请补充决议", by=personas.admin)
    client.force_login(personas.admin)
    page = client.get(reverse("activities:meeting-detail", args=[meeting.pk])).content.decode()
    assert "重新提交" not in page and reverse("activities:meeting-edit", args=[meeting.pk]) not in page
    assert client.get(reverse("activities:meeting-edit", args=[meeting.pk])).status_code == 302
    client.post(reverse("activities:meeting-submit", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.RETURNED
    with pytest.raises(actions.ActionRefused):
        actions.submit_meeting(meeting, by=personas.staff)
    client.force_login(personas.secretary)
    page = client.get(reverse("activities:meeting-detail", args=[meeting.pk])).content.decode()
    assert "重新提交" in page and reverse("activities:meeting-edit", args=[meeting.pk]) in page


@freeze_time(NOW)
def test_overview_and_home_query_counts_are_pinned(client, district, personas, django_assert_max_num_queries):
    for i in range(5):
        record_meeting(district.b1, personas.secretary, day=datetime.date(2026, 11, 1 + i), submit=True)
    client.force_login(personas.admin)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reports:overview"), {"org": "1100"}).status_code == 200
    client.force_login(personas.secretary)
    panels = len(list(site().home_panels))  # one query each at most (the overdue demands)
    with django_assert_max_num_queries(20 + panels):
        assert client.get(reverse("reports:secretary-home")).status_code == 200


@freeze_time(NOW)
def test_a_double_click_saves_one_meeting(client, district, personas, roster):
    client.force_login(personas.secretary)
    page = client.get(reverse("activities:meeting-create")).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1)
    data = {**form_data(district, roster), "form_token": token}

    first = client.post(reverse("activities:meeting-create"), data)
    second = client.post(reverse("activities:meeting-create"), data)

    meeting = Meeting.objects.get()
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("activities:meeting-detail", args=[meeting.pk])
    other = {**data, "form_token": formtoken.new_token()}  # another form: another meeting
    client.post(reverse("activities:meeting-create"), other)
    assert Meeting.objects.count() == 2


@freeze_time(NOW)
def test_a_refused_post_can_be_sent_again_with_the_same_token(client, district, personas, roster):
    client.force_login(personas.secretary)
    data = {**form_data(district, roster), "form_token": formtoken.new_token()}
    data[f"reason_{roster.b1[1].pk}"] = ""
    assert client.post(reverse("activities:meeting-create"), data).status_code == 200
    data[f"reason_{roster.b1[1].pk}"] = "外出务工"
    assert client.post(reverse("activities:meeting-create"), data).status_code == 302
    assert Meeting.objects.count() == 1
