"""A roster import applied by a real Celery worker: a whole worker killed in the middle of the
write leaves nothing half-written, and the job is run again and writes the roster exactly once:
on Redis the message is delivered again; on the filesystem broker (the embedded run's) it is lost
with the worker, and beat's requeue of the stalled batch queues it again."""
import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import tasks
from imports.models import ImportBatch
from members.models import Member, Membership
from tests.celery_worker import VISIBILITY, Worker, queued_messages, wait_for
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


def test_a_whole_worker_killed_mid_write_on_the_filesystem_broker_is_requeued_and_writes_once(
    filesystem_broker, client, settings, tmp_path
):
    settings.IMPORT_ASYNC_THRESHOLD = 5   # this 30-row roster runs as a job
    settings.IMPORTS_STALLED_AFTER = 1    # beat's staleness, in seconds
    district = build_district()
    personas = build_personas(district)
    people = [person(valid_id_number(datetime.date(1950 + i, 1, 1)), name=f"党员{i}")
              for i in range(30)]
    upload = SimpleUploadedFile("roster.xlsx", xlsx_bytes(rows_for(people)))
    worker = Worker(tmp_path, settings.MEDIA_ROOT, IMPORTS_TEST_DELAY=str(PAUSE),
                    **filesystem_broker)
    client.force_login(personas.secretary)
    page_url = None
    try:
        worker.start()
        client.post(reverse("imports:upload", args=["members"]),
                    {"file": upload, "organization": district.b1.code})
        batch = ImportBatch.objects.get()
        page_url = reverse("imports:batch-detail", args=[batch.pk])
        wait_for(lambda: batch_status(batch.pk) == ImportBatch.Status.PREVIEW, 30, worker,
                 "the preview job")

        client.post(reverse("imports:batch-confirm", args=[batch.pk]))
        time.sleep(PAUSE / 2)   # the worker is inside the write, before its commit
        worker.kill()
        assert batch_status(batch.pk) == ImportBatch.Status.APPLYING
        assert not Member.objects.exists(), "a killed job left half-written rows"
        assert queued_messages(filesystem_broker) == [], "the killed worker took its message"

        # Beat's task, once the dead worker's transaction (and its row lock) is gone.
        requeued = []
        wait_for(lambda: requeued.extend(tasks.requeue_stalled_imports()) or requeued, 15,
                 worker, "beat's requeue")
        assert requeued == [batch.pk] and len(queued_messages(filesystem_broker)) == 1
        page = client.get(page_url).content.decode()
        assert "上次处理中断" in page and "已重新排队" in page

        worker.start()
        wait_for(lambda: batch_status(batch.pk) == ImportBatch.Status.DONE, 30, worker,
                 "the requeued import")
        assert tasks.requeue_stalled_imports() == []
    finally:
        worker.stop()

    batch.refresh_from_db()
    assert batch.result["created"] == 30 and batch.requeues == 1
    assert Member.objects.filter(branch=district.b1).count() == 30
    assert Membership.objects.count() == 30
    assert "重新排队 1 次后完成" in client.get(page_url).content.decode()
