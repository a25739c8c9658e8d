"""Running an ImportBatch: plan (preview) and apply, inline or in a Celery task."""
import datetime
import logging
import os
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.importing import ImportCannotRun, Plan, apply_plan
from imports.models import ImportBatch
from imports.registry import importer_class
from tabular.reader import FileRejected, read_table

log = logging.getLogger(__name__)


def _importer(batch: ImportBatch):
    importer = importer_class(batch.kind)(organization=batch.organization, user=batch.owner)
    importer.batch_id = batch.pk  # named in the audit record of the write
    return importer


def _progress_callback(batch: ImportBatch, text: str):
    last = {"value": -1}

    def report(done: int, total: int) -> None:
        value = int(done * 100 / total) if total else 100
        if value >= last["value"] + 5 or done == total:
            last["value"] = value
            ImportBatch.objects.filter(pk=batch.pk).update(progress=value, progress_text=text)

    return report


def read_batch_table(batch: ImportBatch):
    with batch.file.open("rb") as handle:
        return read_table(
            handle,
            batch.original_name,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_bytes=settings.IMPORT_MAX_BYTES,
        )


def plan_batch(batch: ImportBatch, table=None) -> ImportBatch:
    """Parse and check the file; store the preview plan. Safe to run twice."""
    try:
        if table is None:
            table = read_batch_table(batch)
        plan = _importer(batch).plan(table, _progress_callback(batch, "正在校验"))
    except (FileRejected, ImportCannotRun) as exc:
        batch.status, batch.message = ImportBatch.Status.FAILED, str(exc)
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "finished_at"])
        discard_file(batch)
        return batch
    batch.plan = plan.as_json()
    batch.status = ImportBatch.Status.PREVIEW
    batch.progress = 100
    batch.save(update_fields=["plan", "status", "progress"])
    return batch


def claim_for_apply(batch: ImportBatch) -> bool:
    """Move PREVIEW → APPLYING exactly once, so a double click or a redelivery applies once."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            status=ImportBatch.Status.APPLYING, progress=0, progress_text="正在写入"
        )
    )


def _test_pause() -> None:
    """Tests of killed workers need an apply slow enough to kill (IMPORTS_TEST_DELAY seconds)."""
    delay = float(os.environ.get("IMPORTS_TEST_DELAY") or 0)
    if delay:
        time.sleep(delay)


def apply_batch(batch: ImportBatch) -> ImportBatch:
    """Write exactly the stored plan. The batch must have been claimed (status APPLYING).

    The batch row is locked for the whole write, so a redelivered task waits for a running one
    and then finds it DONE; a worker killed mid-write leaves nothing (one transaction) and the
    batch still APPLYING for the redelivery to finish.
    """
    try:
        # The data and the batch's DONE status commit together: a crash leaves neither.
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.status != ImportBatch.Status.APPLYING:
                return batch
            plan = Plan.from_json(batch.plan)
            result = apply_plan(_importer(batch), plan, skip_invalid=batch.skip_invalid)
            _test_pause()
            data = result.as_json()
            data["written"] = result.written
            batch.result = data
            batch.status = ImportBatch.Status.DONE if result.written else ImportBatch.Status.REJECTED
            batch.progress = 100
            batch.finished_at = timezone.now()
            batch.save(update_fields=["result", "status", "progress", "finished_at"])
    except (ImportCannotRun, FileRejected) as exc:
        batch.status, batch.message = ImportBatch.Status.REJECTED, str(exc)
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "finished_at"])
    return batch


def enqueue(task, batch: ImportBatch) -> None:
    transaction.on_commit(lambda: task.delay(batch.pk))


def discard_file(batch: ImportBatch) -> None:
    """Delete the uploaded file (the stored plan and result stay): a refused file at once, an
    accepted one once its batch is over and IMPORT_FILE_RETENTION_DAYS have passed."""
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def purge_files(now=None) -> int:
    """Beat, daily: the files of finished batches past the retention (refused ones go at once)."""
    now = now or timezone.now()
    done = now - datetime.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS)
    finished = (ImportBatch.objects.exclude(file="")
                .filter(status__in=[ImportBatch.Status.DONE, ImportBatch.Status.REJECTED,
                                    ImportBatch.Status.FAILED], finished_at__lt=done))
    count = 0
    for batch in finished.only("pk", "file").iterator():
        discard_file(batch)
        count += 1
    return count
