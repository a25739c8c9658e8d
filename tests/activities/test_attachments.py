"""Attachments are checked by content, capped in size, and downloaded only through scope."""
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time
from PIL import Image

from activities import actions
from activities.attachments import AttachmentRejected, check_upload
from activities.models import Attachment
from tests.activities.conftest import record_meeting

NOW = "2026-11-22 10:00:00+08:00"


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, fmt)
    return buffer.getvalue()


def office_zip(part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(part, "<x/>")
    return buffer.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize("name, data, content_type", [
    ("签到表.jpg", image_bytes("JPEG"), "image/jpeg"),
    ("签到表.png", image_bytes("PNG"), "image/png"),
    ("签到表.gif", image_bytes("GIF"), "image/gif"),
    ("签到表.webp", image_bytes("WEBP"), "image/webp"),
    ("材料.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF", "application/pdf"),
    ("材料.docx", office_zip("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("表.xlsx", office_zip("xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("演示.pptx", office_zip("ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "application/msword"),
    ("旧.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "application/vnd.ms-excel"),
])
def test_accepted_files_are_identified_by_content(name, data, content_type):
    assert check_upload(upload(name, data)).content_type == content_type


def test_a_png_named_pdf_is_stored_as_what_it_is():
    assert check_upload(upload("x.pdf", image_bytes("PNG"))).content_type == "image/png"


@pytest.mark.parametrize("name, data, message", [
    ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "网页"),
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "网页或 SVG"),
    ("photo.png", b"\x89PNG\r\n\x1a\nnot really a png", "不是有效的图片"),
    ("x.exe", b"MZ\x90\x00" + b"\0" * 100, "不支持的文件类型"),
    ("a.docx", b"PK\x03\x04" + b"\0" * 30, "损坏"),
])
def test_files_that_are_not_what_they_claim_are_refused_in_chinese(name, data, message):
    with pytest.raises(AttachmentRejected, match=message):
        check_upload(upload(name, data))


def test_a_plain_zip_is_not_an_office_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(AttachmentRejected, match="普通压缩包"):
        check_upload(upload("x.docx", buffer.getvalue()))


def test_size_is_capped(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(AttachmentRejected, match="超过上限"):
        check_upload(upload("big.pdf", b"%PDF-" + b"0" * 200))


@pytest.mark.django_db
@freeze_time(NOW)
def test_upload_and_download_carry_safe_headers(client, district, personas, settings, tmp_path):
    meeting = record_meeting(district.b1, personas.secretary)
    client.force_login(personas.secretary)
    response = client.post(reverse("activities:attachment-add", args=[meeting.pk]),
                           {"file": upload("签到表.jpg", image_bytes("JPEG"))})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert not attachment.file.name.endswith("签到表.jpg")  # stored under a random name
    response = client.get(reverse("activities:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.django_db
@freeze_time(NOW)
def test_an_html_file_named_jpg_is_refused_on_the_page(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary)
    client.force_login(personas.secretary)
    response = client.post(reverse("activities:attachment-add", args=[meeting.pk]),
                           {"file": upload("photo.jpg", b"<html><script>alert(1)</script></html>")},
                           follow=True)
    assert "实际上是网页" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
@freeze_time(NOW)
def test_attachments_are_out_of_reach_of_other_branches(client, district, personas):
    meeting = record_meeting(district.b1, personas.secretary)
    attachment = actions.add_attachment(meeting, upload("a.pdf", b"%PDF-1.4 x"), by=personas.secretary)
    client.force_login(personas.other_secretary)
    assert client.get(reverse("activities:attachment-download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("activities:attachment-delete", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("activities:attachment-add", args=[meeting.pk]),
                       {"file": upload("b.pdf", b"%PDF-1.4 y")}).status_code == 404
    client.force_login(personas.auditor)
    assert client.get(reverse("activities:attachment-download", args=[attachment.pk])).status_code == 200
    assert client.post(reverse("activities:attachment-delete", args=[attachment.pk])).status_code == 403
    assert client.post(reverse("activities:attachment-add", args=[meeting.pk]),
                       {"file": upload("b.pdf", b"%PDF-1.4 y")}).status_code == 403
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
@freeze_time(NOW)
def test_no_attachment_is_needed_to_submit(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    assert meeting.status == "submitted"


@pytest.mark.django_db
@freeze_time(NOW)
def test_secretary_cannot_attach_to_a_submitted_record(district, personas):
    meeting = record_meeting(district.b1, personas.secretary, submit=True)
    with pytest.raises(actions.ActionRefused):
        actions.add_attachment(meeting, upload("a.pdf", b"%PDF-1.4 x"), by=personas.secretary)


@pytest.mark.django_db
@freeze_time(NOW)
def test_activities_keep_attachments_within_scope(client, district, personas):
    activity = actions.save_activity(
        None, organization=district.b1,
        fields={"kind": "volunteer", "date": datetime.date(2026, 11, 1), "title": "清扫"},
        participants=[], by=personas.secretary,
    )
    client.force_login(personas.secretary)
    response = client.post(reverse("activities:activity-attachment-add", args=[activity.pk]),
                           {"file": upload("合影.png", image_bytes("PNG"))})
    assert response.status_code == 302
    attachment = activity.attachments.get()
    assert attachment.content_type == "image/png" and attachment.meeting is None
    assert "合影.png" in client.get(reverse("activities:activity-edit", args=[activity.pk])).content.decode()
    download = client.get(reverse("activities:attachment-download", args=[attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    client.force_login(personas.other_secretary)
    assert client.get(reverse("activities:attachment-download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("activities:activity-attachment-add", args=[activity.pk]),
                       {"file": upload("x.png", image_bytes("PNG"))}).status_code == 404
    client.force_login(personas.auditor)
    assert client.post(reverse("activities:attachment-delete", args=[attachment.pk])).status_code == 403
    client.force_login(personas.secretary)
    client.post(reverse("activities:attachment-delete", args=[attachment.pk]))
    assert not Attachment.objects.exists()
