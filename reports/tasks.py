"""Celery entry points for reports: thin wrappers around reports/actions.py, which knows nothing
of Celery (the tasks hand it the functions that enqueue).

Every task is idempotent (see actions.py), so late acknowledgement is safe: a worker killed in the
middle leaves the message unacknowledged and another worker runs it again. Time limits stay below
the Redis visibility timeout (settings: 2 h), or Redis would hand a running job to a second worker.
Transient database errors (a restart, a failover, a dropped connection) are retried with backoff.
"""
from celery import group, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, close_old_connections

from reports import actions

LIMITS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 25 * 60,
    "time_limit": 30 * 60,
    "max_retries": 5,
}


def _retry_or_fail(task, report_id: int, exc: Exception):
    if isinstance(exc, OperationalError) and task.request.retries < task.max_retries:
        close_old_connections()
        raise task.retry(exc=exc, countdown=min(300, 5 * 2 ** task.request.retries))
    if isinstance(exc, SoftTimeLimitExceeded):
        actions.fail_report(report_id, "统计超时，请缩小范围后重试或联系管理员。")
    else:
        actions.fail_report(report_id, f"统计失败：{exc.__class__.__name__}: {exc}")
    raise exc


def enqueue_after_commit(report) -> None:
    compile_report.delay_on_commit(report.pk)


def start_report(org, quarter, *, by):
    """Ask for a report and compile it in a worker once the request commits (the page's button)."""
    return actions.request_report(org, quarter, by=by, enqueue=enqueue_after_commit)


def fan_out(chunk_ids: list[int]) -> None:
    group(compile_report_chunk.si(pk) for pk in chunk_ids).apply_async()


@shared_task(bind=True, **LIMITS)
def compile_report(self, report_id: int) -> None:
    """Compile a requested report (large subtrees fan out to compile_report_chunk)."""
    try:
        actions.run_report(report_id, spread=fan_out)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the report
        _retry_or_fail(self, report_id, exc)


@shared_task(bind=True, **LIMITS)
def compile_report_chunk(self, chunk_id: int) -> None:
    """Compute one child subtree; the last chunk to finish stores the report."""
    from reports.models import ReportChunk

    report_id = ReportChunk.objects.filter(pk=chunk_id).values_list("report_id", flat=True).first()
    if report_id is None:
        return
    try:
        actions.run_chunk(chunk_id)
        actions.finish_if_complete(report_id)
    except Exception as exc:  # noqa: BLE001
        _retry_or_fail(self, report_id, exc)


@shared_task(acks_late=True)
def compile_scheduled_reports(which: str = "previous") -> list[int]:
    """Beat: the whole district for the quarter that ended ("previous") or the running one."""
    return [report.pk for report in
            actions.request_scheduled_reports(which, enqueue=enqueue_after_commit)]


@shared_task(acks_late=True)
def requeue_stalled_reports() -> list[int]:
    """Beat, every few minutes: a version that lost its job (a killed worker) is queued again."""
    return [report.pk for report in actions.requeue_stalled_reports(enqueue=enqueue_after_commit)]
