"""An import batch whose job was lost (a whole worker killed on the filesystem broker takes the
message with it) does not stay "正在写入" for ever: beat queues it again within minutes, the
write happens once, and the batch page says what happened."""
import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from branches.models import Organization
from imports import services, tasks
from imports.models import ImportBatch
from tests.helpers import SAMPLES

pytestmark = pytest.mark.django_db


def batch_of_sample_orgs(owner, status=ImportBatch.Status.PARSING) -> ImportBatch:
    upload = SimpleUploadedFile("sample_orgs.xlsx", (SAMPLES / "sample_orgs.xlsx").read_bytes())
    batch = ImportBatch.objects.create(owner=owner, kind="orgs", file=upload,
                                       original_name="sample_orgs.xlsx")
    if status != ImportBatch.Status.PARSING:
        services.plan_batch(batch)
        assert services.claim_for_apply(batch)
    return batch


def lost_its_job(batch: ImportBatch, minutes_ago: int) -> None:
    """What a worker killed mid-job leaves: the batch running, no progress since, no message."""
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=then, progress=40)


def test_beat_requeues_a_lost_write_and_it_is_written_once(personas, client):
    batch = batch_of_sample_orgs(personas.staff, ImportBatch.Status.APPLYING)
    lost_its_job(batch, minutes_ago=11)
    fresh = batch_of_sample_orgs(personas.staff, ImportBatch.Status.APPLYING)
    lost_its_job(fresh, minutes_ago=2)
    queued = []

    requeued = services.requeue_stalled_batches(enqueue=queued.append)

    assert [b.pk for b in requeued] == [batch.pk] == [b.pk for b in queued]
    assert AuditLog.objects.filter(action=services.REQUEUED, target=str(batch)).count() == 1
    client.force_login(personas.staff)
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "上次处理中断" in page and "已重新排队" in page

    for _ in range(2):  # the requeued job, and a late duplicate of it
        services.apply_batch(ImportBatch.objects.get(pk=batch.pk))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.result["created"] == 6
    assert Organization.objects.filter(code="2000").count() == 1
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "重新排队 1 次后完成" in page


def test_beat_plans_a_lost_preview_again(personas, django_capture_on_commit_callbacks):
    batch = batch_of_sample_orgs(personas.staff)
    lost_its_job(batch, minutes_ago=11)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stalled_imports() == [batch.pk]

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW and batch.requeues == 1
    entry = settings.CELERY_BEAT_SCHEDULE["import-requeue-stalled"]
    assert entry["task"] == "imports.tasks.requeue_stalled_imports"
    assert settings.IMPORTS_STALLED_AFTER <= 15 * 60


def test_finished_and_waiting_batches_are_left_alone(personas):
    done = batch_of_sample_orgs(personas.staff, ImportBatch.Status.APPLYING)
    services.apply_batch(done)
    preview = batch_of_sample_orgs(personas.staff)
    services.plan_batch(preview)
    for batch in (done, preview):
        lost_its_job(batch, minutes_ago=60)

    assert services.requeue_stalled_batches(enqueue=lambda batch: None) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connections["default"].vendor != "postgresql",
                    reason="row locks are PostgreSQL's")
def test_a_slow_write_whose_worker_is_alive_is_not_requeued(personas):
    batch = batch_of_sample_orgs(personas.staff, ImportBatch.Status.APPLYING)
    lost_its_job(batch, minutes_ago=30)
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # a live worker holds the batch's row for its write
            cursor.execute(f"SELECT id FROM {ImportBatch._meta.db_table} WHERE id = %s FOR UPDATE",
                           [batch.pk])
        assert services.requeue_stalled_batches(enqueue=lambda batch: None) == []
    finally:
        other.rollback()
        other.close()
    assert ImportBatch.objects.get(pk=batch.pk).requeues == 0
