"""Compiling and storing quarterly reports (the Celery tasks and `compile_report` call these), and
changing the requirements they measure against (rule versions, exemptions).

A compilation is safe to run twice, concurrently, or again after a worker died in the middle:
- `request_report` creates a new version, unless one for the same (organization, quarter) is
  already queued or running, which is returned instead (two clicks, one job);
- `run_report` holds a lock on the report while it runs (a PostgreSQL session advisory lock,
  released by the server if the worker dies), so a redelivered message finds the report either
  done (nothing to do), locked (another worker has it: nothing to do) or free (run it again);
- storing is an upsert in one transaction that also makes the version current, under a lock on
  the (organization, quarter) series, so exactly one version is ever current.
"""
from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import audit
from accounts.policy import Right, policy_for
from branches.models import Organization
from core.cache import changed
from core.errors import ActionRefused  # noqa: F401 - callers catch actions.ActionRefused
from core.quarters import Quarter
from core.registry import site
from reports.figures import Figures, absent_members, as_quarter, chunk_roots, compute_figures
from reports.models import RULE_KEYS, Exemption, Report, ReportBranch, ReportChunk, RequirementRule
from reports.rules import rules_in_force

LOCK_NAMESPACE = 0x5250  # "RP": keeps the report locks apart from other advisory locks
STALE_AFTER = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
# A queued or running version with no progress for this long has lost its job (a whole worker
# killed on the filesystem broker loses the message with it): it is queued again.
STALLED_AFTER = datetime.timedelta(seconds=getattr(settings, "REPORTS_STALLED_AFTER", 10 * 60))
REQUEUED = "report.requeued"


# --- locks -----------------------------------------------------------------------------------


def _series_key(org_id: int, quarter: Quarter) -> int:
    return (LOCK_NAMESPACE << 48) + org_id * 65536 + quarter.year * 4 + quarter.number - 1


def _lock_series(org_id: int, quarter: Quarter) -> None:
    """Serialize writers of one (organization, quarter) until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_series_key(org_id, quarter)])


@contextmanager
def report_lock(report_id: int):
    """Yield True if this process now runs the report, False if another one is running it.

    SQLite (the one-process embedded setup) has no advisory locks; it yields True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, report_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, report_id])


# --- requesting ------------------------------------------------------------------------------


def request_report(org: Organization, quarter: Quarter | str, *, by,
                   enqueue: Callable[[Report], None] | None = None,
                   reuse_unfinished: bool = True) -> Report:
    """Ask for a report on `org`'s subtree for `quarter`; returns the version that will hold it.

    The caller has checked scope (the view through the policy's COMPILE right; beat and the
    command act for the organization department). `enqueue` is called with a newly created
    version (reports.tasks.start_report passes one that starts the Celery job after commit).
    """
    quarter = as_quarter(quarter)
    with transaction.atomic():
        _lock_series(org.pk, quarter)
        series = Report.objects.filter(organization=org, quarter=str(quarter))
        if reuse_unfinished:
            cutoff = timezone.now() - STALE_AFTER
            series.unfinished().filter(requested_at__lt=cutoff).update(
                status=Report.Status.FAILED, error="超时未完成，已重新发起。"
            )
            running = series.unfinished().order_by("-version").first()
            if running:
                if is_stalled(running):
                    _requeue(running, by=by, enqueue=enqueue)
                return running
        last = series.order_by("-version").values_list("version", flat=True).first() or 0
        report = Report.objects.create(
            organization=org, quarter=str(quarter), version=last + 1, requested_by=by,
            stage="排队等待", heartbeat_at=timezone.now(),
        )
        audit(by, "report.requested", organization=org, target=str(report),
              quarter=str(quarter), version=report.version)
        if enqueue:
            enqueue(report)
    return report


# --- stalled jobs ----------------------------------------------------------------------------


def _lock_is_free(report_id: int) -> bool:
    """No live process runs the report (the advisory lock dies with its worker's connection)."""
    if connection.vendor != "postgresql":
        return True
    with report_lock(report_id) as acquired:
        return acquired


def is_stalled(report: Report) -> bool:
    """Unfinished, without progress for STALLED_AFTER, and (PostgreSQL) run by no live process."""
    if report.status not in (Report.Status.QUEUED, Report.Status.RUNNING):
        return False
    last = report.heartbeat_at or report.started_at or report.requested_at
    return last < timezone.now() - STALLED_AFTER and _lock_is_free(report.pk)


def _requeue(report: Report, *, by, enqueue: Callable[[Report], None] | None) -> None:
    """Queue a stalled version again, saying so on its progress page; the run is idempotent, so
    a job that was only slow and finishes after all changes nothing."""
    now = timezone.now()
    stage = f"上次计算中断（{timezone.localtime(now):%H:%M} 发现无进展，可能是工作进程停止），已重新排队"
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.QUEUED, progress=0, stage=stage, heartbeat_at=now)
    report.status, report.progress, report.stage, report.heartbeat_at = (
        Report.Status.QUEUED, 0, stage, now)
    audit(by, REQUEUED, organization=report.organization, target=str(report),
          version=report.version, attempts=report.attempts)
    if enqueue:
        enqueue(report)


def requeue_stalled_reports(*, enqueue: Callable[[Report], None]) -> list[Report]:
    """Beat, every few minutes: queue again every version that lost its job."""
    cutoff = timezone.now() - STALLED_AFTER
    requeued = []
    for report in Report.objects.unfinished().select_related("organization").order_by("pk"):
        last = report.heartbeat_at or report.started_at or report.requested_at
        if last >= cutoff:
            continue
        with transaction.atomic():
            _lock_series(report.organization_id, as_quarter(report.quarter))
            report.refresh_from_db()
            if is_stalled(report):
                _requeue(report, by=None, enqueue=enqueue)
                requeued.append(report)
    return requeued


# --- running ---------------------------------------------------------------------------------


def _test_pause() -> None:
    """Tests of killed workers need a job slow enough to kill (REPORTS_TEST_DELAY seconds)."""
    delay = float(os.environ.get("REPORTS_TEST_DELAY") or getattr(settings, "REPORTS_TEST_DELAY", 0))
    if delay:
        time.sleep(delay)


def _progress(report_id: int, progress: int, stage: str, **fields) -> None:
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE).update(
        progress=progress, stage=stage, heartbeat_at=timezone.now(), **fields
    )


def should_split(org: Organization) -> list[Organization]:
    """The chunks a report is computed in: child subtrees for a large tree, else just `org`."""
    roots = chunk_roots(org)
    if len(roots) <= 1:
        return [org]
    threshold = getattr(settings, "REPORTS_CHUNK_BRANCHES", 1000)
    size = Organization.objects.subtree(org).branches().count()
    return roots if size > threshold else [org]


def run_report(report_id: int, *,
               spread: Callable[[list[int]], None] | None = None) -> Report | None:
    """Compile the report: figures, stored rows, workbook, current version.

    With `spread` (in a Celery worker) a large report hands its pending chunks' ids to it (the
    task fans them out to other workers) and returns while they run; the last chunk to finish
    stores the result. Without it (the command, eager tests) everything runs here. Returns None
    when another process is running it.
    """
    with report_lock(report_id) as acquired:
        if not acquired:
            return None
        report = Report.objects.select_related("organization").get(pk=report_id)
        if report.status == Report.Status.DONE:
            return report
        now = timezone.now()
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.RUNNING, progress=5, stage="正在统计", started_at=now,
            heartbeat_at=now, attempts=report.attempts + 1, error="",
        )
        _test_pause()
        roots = should_split(report.organization)
        if roots == [report.organization]:
            figures = compute_figures(report.organization, report.quarter)
            _progress(report_id, 60, "正在生成工作簿")
            _test_pause()
            return store_report(report_id, figures)
        chunks = [ReportChunk.objects.get_or_create(report=report, root=root)[0] for root in roots]
        pending = [chunk.pk for chunk in chunks if not chunk.done]
        if spread and pending:
            spread(pending)
            return Report.objects.get(pk=report_id)
        for pk in pending:
            run_chunk(pk)
        return finish_if_complete(report_id)


def run_chunk(chunk_id: int) -> None:
    """Compute one child subtree's figures (an upsert: running it twice changes nothing)."""
    chunk = ReportChunk.objects.select_related("report", "root").get(pk=chunk_id)
    if not chunk.done:
        figures = compute_figures(chunk.root, chunk.report.quarter)
        ReportChunk.objects.filter(pk=chunk_id).update(
            figures=figures.to_dict(), done=True, finished_at=timezone.now()
        )
    total = ReportChunk.objects.filter(report_id=chunk.report_id).count()
    done = ReportChunk.objects.filter(report_id=chunk.report_id, done=True).count()
    _progress(chunk.report_id, 10 + 50 * done // max(total, 1), f"正在统计（{done}/{total}）")


def finish_if_complete(report_id: int) -> Report | None:
    """Merge the chunks and store the result once every chunk is done (else do nothing)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.DONE:
            return report
        chunks = list(report.chunks.select_related("root"))
        if not chunks or not all(chunk.done for chunk in chunks):
            return None
        parts = [Figures.from_dict(chunk.figures) for chunk in chunks]
        figures = Figures.merge(report.organization.code, report.quarter, parts)
        _progress(report_id, 60, "正在生成工作簿")
        return store_report(report_id, figures)


def report_inputs(org: Organization, quarter: Quarter, chunks: int) -> dict:
    """What the figures were computed from, kept with the result."""
    rules = rules_in_force(quarter)
    exemptions = Exemption.objects.filter(
        quarter=str(quarter), branch__path__startswith=org.path
    ).order_by("branch__code", "key")
    return {
        "org": org.code,
        "quarter": str(quarter),
        "period": [quarter.start.isoformat(), quarter.end.isoformat()],
        "rules": {
            key: {
                "enabled": rules[key].enabled,
                "period": rules[key].period,
                "min_full_members": rules[key].min_full_members,
            }
            for key in RULE_KEYS
        },
        "exemptions": [
            {"branch": e.branch.code, "key": e.key or "*", "reason": e.reason}
            for e in exemptions.select_related("branch")
        ],
        "chunks": chunks,
    }


def branch_rows(report: Report, figures: Figures) -> list[ReportBranch]:
    rows = []
    for b in figures.branches:
        row = ReportBranch(
            report=report, branch_id=b.id, code=b.code, name=b.name, path=b.path, kind=b.kind,
            members=b.members, full_members=b.full_members, members_attended=b.members_attended,
            slots_applicable=b.slots_applicable, slots_met=b.slots_met,
            completion_rate=b.completion_rate, coverage=b.coverage, compliant=b.compliant,
            slots=[_slot_dict(s) for s in b.slots], gaps=[s.gap_text for s in b.gaps],
        )
        for key, cell in b.requirements.items():
            setattr(row, f"{key}_slots", cell["slots"] if cell else None)
            setattr(row, f"{key}_met", cell["met"] if cell else None)
        rows.append(row)
    return rows


def insert_rows(rows: list[ReportBranch]) -> None:
    """Insert a report's branch rows: COPY on PostgreSQL (a city's 4,000+ rows in a few
    milliseconds instead of a second of parameter handling), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        ReportBranch.objects.bulk_create(rows, batch_size=500)
        return
    fields = [f for f in ReportBranch._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(ReportBranch._meta.db_table)
    attnames = [f.attname for f in fields]
    json_names = {f.attname for f in fields if isinstance(f, models.JSONField)}
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {table} ({columns}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row([
                json.dumps(getattr(row, name), ensure_ascii=False) if name in json_names
                else getattr(row, name)
                for name in attnames
            ])


def _slot_dict(slot) -> dict:
    return {"key": slot.key, "month": slot.month, "group_code": slot.group_code,
            "group_name": slot.group_name, "met": slot.met, "exempt": slot.exempt,
            "pending": slot.pending}


def store_report(report_id: int, figures: Figures) -> Report:
    """Store figures, branch rows and workbook and make this version the current one."""
    from reports.workbook import build_workbook

    report = Report.objects.select_related("organization", "requested_by").get(pk=report_id)
    org, quarter = report.organization, report.quarter_obj
    partly_covered = [b.id for b in figures.branches if b.members_attended < b.members]
    absent = absent_members(org, quarter, branch_ids=partly_covered)
    _progress(report_id, 70, "正在统计其他指标")
    measures = compute_measures(org, quarter)
    content = build_workbook(figures, absent, organization=org, measures=measures)
    _progress(report_id, 90, "正在保存")
    with transaction.atomic():
        _lock_series(org.pk, quarter)
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status == Report.Status.DONE:
            return report
        ReportBranch.objects.filter(report=report).delete()
        insert_rows(branch_rows(report, figures))
        name = f"{org.code}-{quarter}-v{report.version}.xlsx"
        if report.workbook:
            report.workbook.delete(save=False)
        report.workbook.save(name, ContentFile(content), save=False)
        Report.objects.filter(
            organization=org, quarter=str(quarter), is_current=True
        ).exclude(pk=report.pk).update(is_current=False)
        report.figures = figures.as_json()
        report.measures = {key: result.as_json() for key, result in measures.items()}
        report.inputs = report_inputs(org, quarter, report.chunks.count() or 1)
        report.status = Report.Status.DONE
        report.progress = 100
        report.stage = "已完成"
        report.is_current = True
        report.finished_at = timezone.now()
        report.save()
        audit(report.requested_by, "report.compiled", organization=org, target=str(report),
              quarter=str(quarter), version=report.version, summary=figures.summary)
    return report


def compute_measures(org: Organization, quarter: Quarter) -> dict:
    """Every measure the installed apps registered (core.registry), for `org`'s subtree."""
    return {measure.key: measure.run(org, quarter) for measure in site().measures}


def fail_report(report_id: int, error: str) -> None:
    """Mark a report failed (it stays listed with the reason; the current version is unchanged)."""
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE).update(
        status=Report.Status.FAILED, stage="失败", error=error[:2000], finished_at=timezone.now()
    )


def scheduled_quarter(which: str) -> Quarter:
    """"previous": the quarter that just ended; "current": the running one (a draft)."""
    if which not in ("previous", "current"):
        raise ValueError(f"which must be 'previous' or 'current', not {which!r}")
    current = Quarter.current()
    return current.previous() if which == "previous" else current


def request_scheduled_reports(which: str, *, enqueue: Callable[[Report], None]) -> list[Report]:
    """The whole district: one report per top-level organization, asked for by nobody (beat)."""
    quarter = scheduled_quarter(which)
    tops = Organization.objects.filter(parent__isnull=True).order_by("path")
    return [request_report(org, quarter, by=None, enqueue=enqueue) for org in tops]


# --- requirement rules and exemptions ---------------------------------------------------------
@transaction.atomic
def save_rule_version(
    *, key: str, effective_from: Quarter, enabled: bool, period: str, min_full_members: int, by
) -> RequirementRule:
    """A new version of one requirement from `effective_from` on; quarters before keep theirs."""
    if not policy_for(by).is_staff:
        raise PermissionDenied("只有组织部管理员可以修改考核要求。")
    if key not in RequirementRule.Key.values:
        raise ValidationError(f"未知的考核要求：{key}")
    if effective_from < Quarter.current():
        raise ActionRefused(
            f"不能修改已经过去的季度（{effective_from}）：新要求最早从本季度（{Quarter.current()}）起生效。"
        )
    rule, created = RequirementRule.objects.update_or_create(
        key=key,
        effective_from=str(effective_from),
        defaults={"enabled": enabled, "period": period, "min_full_members": min_full_members,
                  "changed_by": _actor(by)},
    )
    audit(by, "rule.save", target=str(rule), key=key, effective_from=str(effective_from),
          enabled=enabled, period=period, min_full_members=min_full_members, created=created)
    changed("rules")
    return rule


@transaction.atomic
def add_exemption(branch: Organization, *, quarter: Quarter, key: str, reason: str, by) -> Exemption:
    if not branch.is_branch:
        raise ValidationError("只能为党支部设置豁免。")
    if not policy_for(by).allows(Right.REVIEW, branch):
        raise PermissionDenied("只有上级党组织或组织部可以设置豁免。")
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("请填写豁免原因。")
    if key and key not in RequirementRule.Key.values:
        raise ValidationError(f"未知的考核要求：{key}")
    exemption, created = Exemption.objects.update_or_create(
        branch=branch, quarter=str(quarter), key=key or "",
        defaults={"reason": reason[:200], "created_by": _actor(by)},
    )
    audit(by, "exemption.add", organization=branch, target=str(exemption), quarter=str(quarter),
          key=key, reason=reason, created=created)
    changed("rules")
    return exemption


@transaction.atomic
def remove_exemption(exemption: Exemption, *, by) -> None:
    if not policy_for(by).allows(Right.REVIEW, exemption.branch):
        raise PermissionDenied("只有上级党组织或组织部可以取消豁免。")
    audit(by, "exemption.remove", organization=exemption.branch, target=str(exemption),
          quarter=exemption.quarter, key=exemption.key)
    changed("rules")
    exemption.delete()


def _actor(by):
    return by if getattr(by, "pk", None) else None
