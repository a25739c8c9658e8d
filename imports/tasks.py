from celery import shared_task

from imports.models import ImportBatch
from imports.services import apply_batch, enqueue, plan_batch, purge_files, requeue_stalled_batches


@shared_task(acks_late=True)
def plan_import(batch_id: int) -> None:
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PARSING).first()
    if batch is not None:
        plan_batch(batch)


@shared_task(acks_late=True)
def apply_import(batch_id: int) -> None:
    """Redelivered after a crash mid-write it finds nothing written and the batch still APPLYING,
    and applies it; redelivered after a finished write it finds the batch DONE."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        apply_batch(batch)


@shared_task
def purge_import_files() -> int:
    """Beat, daily: uploaded files of finished batches past IMPORT_FILE_RETENTION_DAYS."""
    return purge_files()


def _enqueue_again(batch: ImportBatch) -> None:
    enqueue(plan_import if batch.status == ImportBatch.Status.PARSING else apply_import, batch)


@shared_task(acks_late=True)
def requeue_stalled_imports() -> list[int]:
    """Beat, every few minutes: a batch that lost its job (a killed worker) is queued again."""
    return [batch.pk for batch in requeue_stalled_batches(enqueue=_enqueue_again)]
