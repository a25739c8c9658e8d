"""The shared upload → preview → confirm flow, exercised with the organization importer."""
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Organization
from imports.models import ImportBatch
from tests.helpers import SAMPLES, write_csv, write_xlsx

SAMPLE = SAMPLES / "sample_orgs.xlsx"
HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类别", "单位性质"]

pytestmark = pytest.mark.django_db


def upload(client, path, **data):
    with open(path, "rb") as handle:
        payload = {"file": SimpleUploadedFile(Path(path).name, handle.read()), **data}
    return client.post(reverse("imports:upload", args=["orgs"]), payload)


def latest_batch():
    return ImportBatch.objects.latest("created_at")


def test_staff_previews_then_confirms_and_reupload_is_unchanged(client, personas):
    client.force_login(personas.staff)
    response = upload(client, SAMPLE)
    batch = latest_batch()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.PREVIEW
    assert not Organization.objects.filter(code="2000").exists(), "preview wrote data"
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "确认导入" in page and "新增" in page and "2101-1" in page

    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert batch.result["created"] == 6
    assert Organization.objects.filter(code__startswith="2").count() == 6

    upload(client, SAMPLE)
    again = latest_batch()
    client.post(reverse("imports:batch-confirm", args=[again.pk]))
    again.refresh_from_db()
    assert (again.result["created"], again.result["unchanged"]) == (0, 6)


def test_confirming_twice_writes_once(client, personas):
    client.force_login(personas.staff)
    upload(client, SAMPLE)
    batch = latest_batch()
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    response = client.post(reverse("imports:batch-confirm", args=[batch.pk]), follow=True)
    assert "不会重复写入" in response.content.decode()
    assert Organization.objects.filter(code="2000").count() == 1


def test_errors_block_confirmation_and_download_as_a_workbook(client, personas, tmp_path):
    client.force_login(personas.staff)
    path = write_csv(tmp_path / "bad.csv", [
        ["某党工委组织设置"],
        HEADER,
        ["9001", "好党委", "", "党委", ""],
        ["9002", "坏支部", "NOPE", "党支部", ""],
        ["=cmd|' /C calc'!A0", "", "", "党委", ""],
    ], encoding="gb18030")
    upload(client, path)
    batch = latest_batch()
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "确认导入" not in page
    assert "找不到上级组织" in page
    response = client.post(reverse("imports:batch-confirm", args=[batch.pk]), follow=True)
    assert "未写入任何数据" in response.content.decode()
    assert not Organization.objects.filter(code="9001").exists()

    response = client.get(reverse("imports:batch-errors", args=[batch.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[0] == "原行号" and header[-1] == "错误说明"
    by_row = {r[0]: r for r in rows[1:] if isinstance(r[0], int)}
    assert set(by_row) == {4, 5}   # rows as the user sees them, title row counted
    assert "找不到上级组织" in by_row[4][-1]
    formula_cell = by_row[5][1]
    assert formula_cell == "'=cmd|' /C calc'!A0"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", "a formula reached the error workbook"


def test_unreadable_file_is_refused_with_a_sentence(client, personas):
    client.force_login(personas.staff)
    response = client.post(
        reverse("imports:upload", args=["orgs"]),
        {"file": SimpleUploadedFile("orgs.xls", b"<html><table><tr><td>1</td></tr></table></html>")},
        follow=True,
    )
    page = response.content.decode()
    assert "无法读取该文件" in page and "HTML" in page.upper()
    assert latest_batch().status == ImportBatch.Status.FAILED


def test_batches_belong_to_their_uploader(client, personas):
    client.force_login(personas.staff)
    upload(client, SAMPLE)
    batch = latest_batch()
    client.force_login(personas.admin)
    for name in ["batch-detail", "batch-progress", "batch-errors"]:
        assert client.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:batch-confirm", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_auditor_cannot_upload(client, personas):
    client.force_login(personas.auditor)
    assert client.get(reverse("imports:upload", args=["orgs"])).status_code == 403
    assert client.get(reverse("imports:index")).status_code == 403
    assert upload(client, SAMPLE).status_code == 403
    assert not ImportBatch.objects.exists()


def test_subtree_admin_can_only_target_their_subtree(client, personas, district, tmp_path):
    client.force_login(personas.admin)
    page = client.get(reverse("imports:upload", args=["orgs"])).content.decode()
    assert "第一社区党委" in page and "第二社区党委" not in page
    path = write_xlsx(tmp_path / "o.xlsx", [HEADER, ["1103", "第三支部", "", "党支部", "社区"]])
    response = upload(client, path, organization=district.c2.code)   # forged: 1200 is not theirs
    assert response.status_code == 404 and not ImportBatch.objects.exists()
    upload(client, path, organization=district.c1.code)
    batch = latest_batch()
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert Organization.objects.get(code="1103").parent == district.c1


def test_confirm_and_errors_need_the_right_method(client, personas):
    client.force_login(personas.staff)
    upload(client, SAMPLE)
    batch = latest_batch()
    assert client.get(reverse("imports:batch-confirm", args=[batch.pk])).status_code == 405
    assert client.post(reverse("imports:batch-detail", args=[batch.pk])).status_code == 405


def test_large_files_run_as_a_job_with_progress(client, personas, settings,
                                                django_capture_on_commit_callbacks):
    settings.IMPORT_ASYNC_THRESHOLD = 3
    client.force_login(personas.staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload(client, SAMPLE)
    assert callbacks, "the plan was not queued as a job"
    batch = latest_batch()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.progress == 100
    fragment = client.get(reverse("imports:batch-progress", args=[batch.pk]))
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Organization.objects.filter(code="2101-1").exists()
