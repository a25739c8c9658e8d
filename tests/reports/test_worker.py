"""A real Celery worker compiles a report started from the page, and a whole worker killed in the
middle of a job leaves, once restarted, exactly one current result: on Redis the message is
delivered again; on the filesystem broker (the embedded run's) it is lost with the worker, and
beat's requeue of the stalled run queues it again.

Needs PostgreSQL, and for Redis TEST_REDIS_URL=redis://127.0.0.1:6379/15 (the database is flushed).
"""
import datetime
import time

import pytest
from django.urls import reverse

from accounts.models import AuditLog
from reports import actions, tasks
from reports.models import Report
from tests.celery_worker import DELAY, VISIBILITY, Worker, queued_messages, wait_for
from tests.factories import build_district, build_personas
from tests.reports.builders import add_members, hold_everything

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_compiles_a_report_and_a_killed_job_finishes_once_after_restart(
    broker, client, settings, tmp_path
):
    district = build_district()
    personas = build_personas(district)
    people = add_members(district.b1, 8)
    hold_everything(district.b1, groups=[district.g1], present=people[:5])
    worker = Worker(tmp_path, settings.MEDIA_ROOT, REPORTS_TEST_DELAY=str(DELAY))
    client.force_login(personas.admin)
    start_url = reverse("reports:report-start")
    try:
        worker.start()

        client.post(start_url, {"org": "1100", "quarter": "2026Q3"})
        first = Report.objects.get(organization=district.c1)
        wait_for(lambda: Report.objects.get(pk=first.pk).status == Report.Status.DONE, 30,
                 worker, "the first report")

        client.post(start_url, {"org": "1100", "quarter": "2026Q3"})
        second = Report.objects.get(organization=district.c1, version=2)
        wait_for(lambda: Report.objects.get(pk=second.pk).status == Report.Status.RUNNING, 15,
                 worker, "the second report to start")
        worker.kill()
        second.refresh_from_db()
        assert second.status == Report.Status.RUNNING and not second.is_current

        time.sleep(VISIBILITY + 0.5)  # the message is now due for redelivery
        worker.start()
        wait_for(lambda: Report.objects.get(pk=second.pk).status == Report.Status.DONE, 30,
                 worker, "the redelivered report")
    finally:
        worker.stop()

    second.refresh_from_db()
    assert second.attempts == 2
    current = Report.objects.filter(organization=district.c1, quarter="2026Q3", is_current=True)
    assert list(current) == [second]
    assert Report.objects.filter(organization=district.c1).count() == 2
    assert second.figures["summary"]["members"] == 8


def test_a_whole_worker_killed_on_the_filesystem_broker_is_requeued_and_finishes_once(
    filesystem_broker, client, settings, tmp_path, monkeypatch
):
    district = build_district()
    personas = build_personas(district)
    people = add_members(district.b1, 8)
    hold_everything(district.b1, groups=[district.g1], present=people[:5])
    worker = Worker(tmp_path, settings.MEDIA_ROOT, REPORTS_TEST_DELAY=str(DELAY),
                    **filesystem_broker)
    monkeypatch.setattr(actions, "STALLED_AFTER", datetime.timedelta(seconds=1))
    client.force_login(personas.admin)
    try:
        worker.start()
        client.post(reverse("reports:report-start"), {"org": "1100", "quarter": "2026Q3"})
        report = Report.objects.get(organization=district.c1)
        wait_for(lambda: Report.objects.get(pk=report.pk).status == Report.Status.RUNNING, 20,
                 worker, "the report to start")
        worker.kill()
        report.refresh_from_db()
        assert report.status == Report.Status.RUNNING and report.progress == 5
        assert queued_messages(filesystem_broker) == [], "the killed worker took its message"

        # Beat's task, once the run has made no progress for STALLED_AFTER and the dead worker's
        # advisory lock is gone with its connection.
        requeued = []
        wait_for(lambda: requeued.extend(tasks.requeue_stalled_reports()) or requeued, 15,
                 worker, "beat's requeue")
        assert requeued == [report.pk]
        assert len(queued_messages(filesystem_broker)) == 1
        page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
        assert "上次计算中断" in page and "已重新排队" in page

        worker.start()
        wait_for(lambda: Report.objects.get(pk=report.pk).status == Report.Status.DONE, 30,
                 worker, "the requeued report")
        assert tasks.requeue_stalled_reports() == []
    finally:
        worker.stop()

    report.refresh_from_db()
    assert report.attempts == 2 and report.is_current
    assert list(Report.objects.filter(organization=district.c1)) == [report]
    assert report.figures["summary"]["members"] == 8
    assert AuditLog.objects.filter(action="report.compiled", target=str(report)).count() == 1
    assert AuditLog.objects.filter(action=actions.REQUEUED, organization=district.c1).count() == 1
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "上次计算中断" in page
