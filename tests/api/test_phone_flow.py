"""A meeting entered by phone: an outside program with a token, plain HTTP against the live
server, creates the record with its attendance, attaches the sign-in sheet photo and submits it.
The same actions as the pages run: the audit trail names the secretary, the figures count it."""
import datetime
import json
import urllib.error
import urllib.request
import uuid

import pytest

from accounts.models import AuditLog
from activities.models import Attendance, Meeting
from core.quarters import Quarter
from tests.activities.conftest import make_member
from tests.helpers import run_json
from tests.security.conftest import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


class Phone:
    """What a phone app does: urllib, JSON, a token in the header."""

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def send(self, method: str, path: str, body: bytes | None = None,
             content_type: str = "application/json"):
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("Authorization", f"Token {self.token}")
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def get(self, path):
        return self.send("GET", path)

    def post_json(self, path, data):
        return self.send("POST", path, json.dumps(data).encode())

    def post_file(self, path, field, filename, content, content_type):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
        body += content + f"\r\n--{boundary}--\r\n".encode()
        return self.send("POST", path, body, f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def phone(live_server, district, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for i in range(4):
        make_member(f"手机{i}", district.b1)
    make_member("别支部", district.b2)
    status, out = run_json("api_token", "sec1101", "--name", "支部手机")
    assert status == 0
    return Phone(live_server.url, out["token"])


def test_a_meeting_entered_by_phone_end_to_end(phone, personas, district):
    today = datetime.date.today()
    status, roster = phone.get("/api/v1/members/?branch=1101")
    assert status == 200 and roster["count"] == 4
    ids = {m["name"]: m["id"] for m in roster["results"]}

    status, meeting = phone.post_json("/api/v1/meetings/", {
        "organization": "1101", "kinds": ["party_congress", "party_lecture"],
        "date": today.isoformat(), "start_time": "14:00", "end_time": "15:30",
        "topic": "学习党章", "place": "村部会议室", "host": "手机0", "recorder": "手机1",
        "lecturer": "手机0", "minutes": "<p>会议记录</p><script>x()</script>",
        "attendance": [{"member": ids["手机2"], "status": "leave", "reason": "外出务工"},
                       {"member": ids["手机3"], "status": "absent"}],
    })
    assert status == 201, meeting
    assert meeting["status"] == "draft" and meeting["kinds"] == ["party_congress", "party_lecture"]
    assert meeting["counts"] == {"expected": 4, "present": 2, "leave": 1, "absent": 1, "observers": 0}
    assert meeting["study_hours"] == "1.5" and "<script>" not in meeting["minutes"]
    path = f"/api/v1/meetings/{meeting['id']}/"

    status, attachment = phone.post_file(path + "attachments/", "file", "签到表.png", png_bytes(),
                                         "image/png")
    assert status == 201 and attachment["content_type"] == "image/png"

    status, submitted = phone.send("POST", path + "submit/")
    assert status == 200 and submitted["status"] == "submitted"
    assert [a["name"] for a in submitted["attachments"]] == ["签到表.png"]

    record = Meeting.objects.get(pk=meeting["id"])
    assert record.status == Meeting.Status.SUBMITTED and record.attachments.count() == 1
    assert record.attendances.get(member_id=ids["手机2"]).reason == "外出务工"
    assert Attendance.objects.filter(meeting=record).count() == 4
    trail = list(AuditLog.objects.filter(actor=personas.secretary).order_by("created_at")
                 .values_list("action", flat=True))
    assert trail == ["meeting.create", "meeting.attach", "meeting.submit"]
    status, report = phone.get(f"/api/v1/reports/1101/?quarter={Quarter.of(today)}")
    assert status == 200 and report["branches"][0]["requirements"]["party_congress"]["met"] == 1
    assert report["branches"][0]["members_attended"] == 2


def test_a_phone_cannot_record_for_another_branch_or_submit_twice(phone, district):
    status, error = phone.post_json("/api/v1/meetings/", {
        "organization": "1102", "kinds": ["theme_day"], "topic": "越权",
        "date": datetime.date.today().isoformat()})
    assert status == 404 and not Meeting.objects.exists()

    status, meeting = phone.post_json("/api/v1/meetings/", {
        "organization": "1101", "kinds": ["theme_day"], "topic": "一次",
        "date": datetime.date.today().isoformat()})
    phone.send("POST", f"/api/v1/meetings/{meeting['id']}/submit/")
    status, error = phone.send("POST", f"/api/v1/meetings/{meeting['id']}/submit/")
    assert status == 400 and "已经提交" in error["detail"]
    status, error = phone.post_file(f"/api/v1/meetings/{meeting['id']}/attachments/", "file",
                                    "x.png", b"<html>not a photo</html>", "image/png")
    assert status == 400 and "不能修改" in error["detail"]
