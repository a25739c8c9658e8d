"""The ledger through the shared upload page: preview, confirm, the error file; a branch cannot
import the upper level's 审批 dates."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportBatch
from members.models import Member
from recruitment.models import Applicant
from tests.members.builders import xlsx_bytes
from tests.recruitment.builders import new_id, row, table

pytestmark = pytest.mark.django_db


def upload(client, user, org, rows):
    client.force_login(user)
    client.post(reverse("imports:upload", args=["applicants"]), {
        "organization": org.code, "file": SimpleUploadedFile("台账.xlsx", xlsx_bytes(table(rows)))})
    return ImportBatch.objects.latest("created_at")


ADMITTED = dict(applied="2023-01-10", talk="2023-01-20", activist="2023-03-01",
                candidate="2024-03-01", hours=24, congress="2024-06-01", approval="2024-07-15")


def test_the_level_above_previews_and_confirms_an_admission(client, district, personas):
    pid = new_id()
    batch = upload(client, personas.admin, district.c1, [row(pid, **ADMITTED)])
    assert batch.status == ImportBatch.Status.PREVIEW and not Applicant.objects.exists()
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "确认导入" in page and pid not in page

    client.post(reverse("imports:batch-confirm", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.result["created"] == 1
    assert Member.objects.get(id_number=pid).category == "probationary"


def test_a_branch_cannot_import_the_upper_levels_approval(client, district, personas):
    batch = upload(client, personas.secretary, district.b1,
                   [row(new_id(), **ADMITTED), row(new_id(), name="李四")])
    errors = [e for r in batch.plan["rows"] for e in r["errors"]]
    assert [e["column"] for e in errors] == ["上级党委审批日期"]
    response = client.get(reverse("imports:batch-errors", args=[batch.pk]))
    assert response.status_code == 200
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert not Applicant.objects.exists()  # all or nothing


def test_an_auditor_cannot_upload_a_ledger(client, district, personas):
    client.force_login(personas.auditor)
    response = client.post(reverse("imports:upload", args=["applicants"]), {
        "organization": district.b1.code,
        "file": SimpleUploadedFile("台账.xlsx", xlsx_bytes(table([row(new_id())])))})
    assert response.status_code == 403
