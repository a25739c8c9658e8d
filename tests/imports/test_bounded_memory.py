"""Memory and time bounded by design for every upload: a cell limit checked before rows are kept,
the web process never parsing a large file, an error workbook written in write-only mode with a
row cap, and preview pages that show a page of rows at a time."""
import io
import os
import tracemalloc

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import importing
from imports import errorfile
from imports.models import ImportBatch
from tabular import _workbook, errors
from tabular.reader import FileRejected, read_table

pytestmark = pytest.mark.django_db


def wide_csv(rows: int, columns: int) -> bytes:
    lines = [",".join(f"h{c}" for c in range(columns))]
    lines += [",".join(f"v{r}x{c}" for c in range(columns)) for r in range(rows)]
    return "\n".join(lines).encode()


def test_a_csv_with_too_many_cells_is_refused_before_its_rows_are_kept(monkeypatch):
    monkeypatch.setattr(_workbook, "MAX_SHEET_CELLS", 10_000)
    data = wide_csv(200, 87)  # 17,487 cells: the probe's 87 columns, scaled down

    with pytest.raises(FileRejected) as refused:
        read_table(data, "wide.csv")

    assert str(refused.value) == errors.TOO_MANY_CELLS.format(cells="10,000")
    assert len(read_table(wide_csv(100, 87), "ok.csv").rows) == 101


def test_reading_a_csv_keeps_no_copy_of_its_text(monkeypatch):
    data = wide_csv(20_000, 87)  # 14 MB; refused on its last row, after a whole counting pass
    monkeypatch.setattr(_workbook, "MAX_SHEET_CELLS", 20_000 * 87)

    tracemalloc.start()
    with pytest.raises(FileRejected):
        read_table(data, "wide.csv")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # io.StringIO held the decoded text at 4 bytes a character: 56 MB for these 14 MB.
    assert peak < len(data) // 4


def error_plan(rows: int, columns: int = 30) -> dict:
    return {
        "header": [f"列{c}" for c in range(columns)], "header_row": 1, "warnings": [],
        "rows": [{"row": r + 2, "action": "error", "label": f"行{r}", "values": {}, "changes": {},
                  "errors": [{"row": r + 2, "column": "姓名", "message": "缺少姓名。"}],
                  "raw": [f"单元格{r}-{c}" for c in range(columns)], "key": ""}
                 for r in range(rows)],
    }


def test_the_error_workbook_is_capped_and_streamed(monkeypatch):
    monkeypatch.setattr(errorfile, "ERROR_ROWS_KEPT", 500)
    plan = error_plan(20_000)
    output = io.BytesIO()

    tracemalloc.start()
    listed = errorfile.write_error_workbook(plan, output)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sheet = openpyxl.load_workbook(io.BytesIO(output.getvalue()), read_only=True)["错误行"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert listed == 500
    assert sum(1 for row in values if row and isinstance(row[0], int)) == 500
    assert any("共 20000 行有错误" in str(cell) for row in values for cell in row if cell)
    assert peak < 30 * 1024 * 1024


def test_the_stored_plan_keeps_the_raw_cells_of_a_bounded_number_of_error_rows(monkeypatch, district):
    from members.importer import MemberImporter

    monkeypatch.setattr(importing, "ERROR_ROWS_KEPT", 3)
    data = "姓名,公民身份号码,入党日期\n" + "\n".join(f"张{i},bad{i},2000-01-01" for i in range(10))
    plan = importing.plan_file(MemberImporter(organization=district.b1), io.BytesIO(data.encode()),
                               "r.csv")

    kept = [r for r in plan.rows if r.raw]
    assert plan.count("error") == 10 and len(kept) == 3


def test_a_large_upload_is_not_parsed_by_the_web_process(client, personas, settings, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    from imports import views

    settings.IMPORT_ASYNC_BYTES = 10
    monkeypatch.setattr(views, "read_batch_table",
                        lambda batch: pytest.fail("the web process parsed a large upload"))
    client.force_login(personas.staff)
    data = "组织编码,组织名称,组织类别,上级组织编码\n3000,三号党委,党委,\n".encode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:upload", args=["orgs"]),
                               {"file": SimpleUploadedFile("orgs.csv", data)})

    batch = ImportBatch.objects.latest("created_at")
    assert response.status_code == 302
    assert batch.status == ImportBatch.Status.PREVIEW  # planned by the (eager) worker


def test_the_preview_is_paginated(client, personas):
    plan = error_plan(450, columns=3)
    batch = ImportBatch.objects.create(owner=personas.staff, kind="orgs", plan=plan,
                                       status=ImportBatch.Status.PREVIEW, original_name="x.csv")
    client.force_login(personas.staff)
    url = reverse("imports:batch-detail", args=[batch.pk])

    first = client.get(url).content.decode()
    third = client.get(url, {"page": 3, "show": "errors"}).content.decode()
    odd = client.get(url, {"page": "abc", "show": "nonsense"})

    assert "行0<" in first and "行199<" in first and "行200<" not in first
    assert "第 3 / 3 页" in third and "行449<" in third
    assert odd.status_code == 200


def test_pages_and_the_error_file_never_load_the_whole_plan(client, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = error_plan(450, columns=3)
    plan["rows"][1]["action"], plan["rows"][1]["errors"] = "create", []
    batch = ImportBatch.objects.create(owner=personas.staff, kind="orgs", plan=plan,
                                       status=ImportBatch.Status.PREVIEW, original_name="x.csv")
    client.force_login(personas.staff)
    detail = reverse("imports:batch-detail", args=[batch.pk])

    with CaptureQueriesContext(connection) as queries:
        page = client.get(detail, {"show": "errors", "page": 3}).content.decode()
        workbook = client.get(reverse("imports:batch-errors", args=[batch.pk])).content
        client.post(reverse("imports:batch-confirm", args=[batch.pk]))

    column = f'"{ImportBatch._meta.db_table}"."plan"'
    assert not [q["sql"] for q in queries.captured_queries if column in q["sql"]]
    assert "共 449 处错误（449 行）" in page and "行449<" in page and "第 3 / 3 页" in page
    sheet = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)["错误行"]
    assert sum(1 for row in sheet.iter_rows(values_only=True) if row and isinstance(row[0], int)) == 449
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEW  # errors: refused


def test_a_refused_upload_is_deleted_at_once(client, personas, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(personas.staff)

    client.post(reverse("imports:upload", args=["orgs"]),
                {"file": SimpleUploadedFile("orgs.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 2000)})

    batch = ImportBatch.objects.latest("created_at")
    assert batch.status == ImportBatch.Status.FAILED and not batch.file
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_accepted_files_are_deleted_after_the_retention(personas, settings, tmp_path):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from imports.services import purge_files

    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_FILE_RETENTION_DAYS = 7
    now = timezone.now()
    old, recent = (ImportBatch.objects.create(
        owner=personas.staff, kind="orgs", status=ImportBatch.Status.DONE, original_name="x.csv",
        file=ContentFile(b"a,b\n", name=f"{name}.csv"), finished_at=now - datetime.timedelta(days=days))
        for name, days in (("old", 8), ("recent", 1)))
    old_path = old.file.path

    assert purge_files(now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and recent.file
    assert not os.path.exists(old_path)
    assert settings.CELERY_BEAT_SCHEDULE["import-purge-files"]["task"] == "imports.tasks.purge_import_files"
