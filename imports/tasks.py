from celery import shared_task

from imports.models import ImportBatch
from imports.services import apply_batch, plan_batch


@shared_task(acks_late=True)
def plan_import(batch_id: int) -> None:
    batch = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PARSING).first()
    if batch is not None:
        plan_batch(batch)


@shared_task(acks_late=True)
def apply_import(batch_id: int) -> None:
    """Redelivered after a crash, it finds the batch DONE (the write was one transaction)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is not None:
        apply_batch(batch)
