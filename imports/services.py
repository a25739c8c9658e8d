"""Running an ImportBatch: plan (preview) and apply, inline or in a Celery task, and queueing
again a batch whose job was lost with a killed worker."""
import datetime
import json
import logging
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import audit
from core.importing import ImportCannotRun, Plan, apply_plan
from imports.models import ImportBatch
from imports.registry import importer_class
from tabular.reader import FileRejected, read_table

log = logging.getLogger(__name__)
REQUEUED = "import.requeued"


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
            ImportBatch.objects.filter(pk=batch.pk).update(
                progress=value, progress_text=text, heartbeat_at=timezone.now())

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
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
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
    del table  # the file's cells (the plan keeps what it needs): freed before the JSON is built
    store_plan(batch.pk, plan)
    batch.status = ImportBatch.Status.PREVIEW
    batch.progress = 100
    batch.plan = None  # stored; pages read it in parts (imports.planstore)
    batch.save(update_fields=["status", "progress"])
    return batch


def store_plan(batch_id: int, plan: Plan) -> None:
    """Store the plan as JSON, each row serialized and dropped in turn, so the rows are never
    held both as objects and as a second, JSON-ready copy (plan.as_json() and the parameter
    copies of one 160 MB JSON value took a 200,000-row plan's worker from 1 to 2.4 GB). On
    PostgreSQL the text is streamed with COPY and never whole in this process."""
    rows = plan.rows
    head = plan.as_json(rows=False)
    opening = json.dumps(head)[:-1] + ', "rows": ['

    def chunks():
        yield opening
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row.as_json())  # ASCII: a byte a character
        yield "]}"

    table = ImportBatch._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"UPDATE {table} SET plan = %s WHERE id = %s",
                           ["".join(chunks()), batch_id])
            return
        cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS import_plan_in (plan text) "
                       "ON COMMIT DELETE ROWS")
        with transaction.atomic():
            cursor.execute("DELETE FROM import_plan_in")
            with cursor.cursor.copy("COPY import_plan_in (plan) FROM STDIN") as copy:
                for chunk in chunks():  # COPY's text format: only backslashes need escaping
                    copy.write(chunk.replace("\\", "\\\\"))
                copy.write("\n")
            cursor.execute(f"UPDATE {table} SET plan = (SELECT plan::jsonb FROM import_plan_in) "
                           "WHERE id = %s", [batch_id])


def claim_for_apply(batch: ImportBatch) -> bool:
    """Move PREVIEW → APPLYING exactly once, so a double click or a redelivery applies once."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            status=ImportBatch.Status.APPLYING, progress=0, progress_text="正在写入",
            heartbeat_at=timezone.now(),
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


def requeue_stalled_batches(*, enqueue: Callable[[ImportBatch], None]) -> list[ImportBatch]:
    """Beat, every few minutes: queue again every batch still reading or writing without progress
    for IMPORTS_STALLED_AFTER seconds (a whole worker killed on the filesystem broker takes the
    message with it). A live write holds its batch's row lock until it commits (PostgreSQL), so it
    is left alone however long it takes; planning and applying are safe to run twice."""
    running = [ImportBatch.Status.PARSING, ImportBatch.Status.APPLYING]
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.IMPORTS_STALLED_AFTER)
    stalled = ImportBatch.objects.filter(status__in=running).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    requeued = []
    for pk in stalled.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            batch = (stalled.filter(pk=pk).select_for_update(skip_locked=True, of=("self",))
                     .select_related("organization").defer("plan", "result").first())
            if batch is None:  # a live worker is writing it, or it finished meanwhile
                continue
            now = timezone.now()
            batch.heartbeat_at, batch.progress, batch.requeues = now, 0, batch.requeues + 1
            batch.progress_text = (f"上次处理中断（{timezone.localtime(now):%H:%M} 发现无进展，"
                                   "可能是工作进程停止），已重新排队")
            batch.save(update_fields=["heartbeat_at", "progress", "requeues", "progress_text"])
            audit(None, REQUEUED, organization=batch.organization, target=str(batch),
                  batch=batch.pk, status=batch.status, requeues=batch.requeues)
            enqueue(batch)
            requeued.append(batch)
    return requeued


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
