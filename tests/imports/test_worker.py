"""A roster import applied by a real Celery worker on Redis: killed in the middle of the write,
it leaves nothing half-written, and the redelivered job writes the roster exactly once."""
import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportBatch
from members.models import Member, Membership
from tests.celery_worker import VISIBILITY, Worker, wait_for
from tests.factories import build_district, build_personas, valid_id_number
from tests.members.builders import person, rows_for, xlsx_bytes

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAUSE = 3  # seconds the worker holds the write open before committing (IMPORTS_TEST_DELAY)


def batch_status(pk):
    return ImportBatch.objects.get(pk=pk).status


def test_killed_import_job_writes_nothing_and_the_redelivery_writes_once(
    broker, client, settings, tmp_path
):
    settings.IMPORT_ASYNC_THRESHOLD = 5   # this 30-row roster runs as a job
    district = build_district()
    personas = build_personas(district)
    people = [person(valid_id_number(datetime.date(1950 + i, 1, 1)), name=f"党员{i}")
              for i in range(30)]
    upload = SimpleUploadedFile("roster.xlsx", xlsx_bytes(rows_for(people)))
    worker = Worker(tmp_path, settings.MEDIA_ROOT, IMPORTS_TEST_DELAY=str(PAUSE))
    client.force_login(personas.secretary)
    try:
        worker.start()
        client.post(reverse("imports:upload", args=["members"]),
                    {"file": upload, "organization": district.b1.code})
        batch = ImportBatch.objects.get()
        wait_for(lambda: batch_status(batch.pk) == ImportBatch.Status.PREVIEW, 30, worker,
                 "the preview job")

        batch.refresh_from_db()
        assert not [r for r in batch.plan["rows"] if r["errors"]]
        client.post(reverse("imports:batch-confirm", args=[batch.pk]))
        time.sleep(PAUSE / 2)   # the worker is inside the write, before its commit
        worker.kill()
        assert batch_status(batch.pk) == ImportBatch.Status.APPLYING
        assert not Member.objects.exists(), "a killed job left half-written rows"

        time.sleep(VISIBILITY + 0.5)   # the message is now due for redelivery
        worker.start()
        wait_for(lambda: batch_status(batch.pk) == ImportBatch.Status.DONE, 40, worker,
                 "the redelivered import")
    finally:
        worker.stop()

    batch.refresh_from_db()
    assert batch.result["created"] == 30
    assert Member.objects.filter(branch=district.b1).count() == 30
    assert Membership.objects.count() == 30
