"""A report whose job was lost (a whole worker killed on the filesystem broker takes the message
with it) does not stay "计算中 5%": asking again after the staleness timeout, or beat within
minutes, queues it again, and its page says what happened."""
import datetime

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from reports import actions
from reports.models import Report
from tests.reports.builders import add_members, hold_everything

Q3 = "2026Q3"
pytestmark = pytest.mark.django_db


@pytest.fixture
def data(district):
    people = add_members(district.b1, 4)
    hold_everything(district.b1, groups=[district.g1], present=people[:3])
    return district


def killed_mid_run(report: Report, minutes_ago: int) -> None:
    """What a worker killed after starting leaves: RUNNING at 5%, and no message anywhere."""
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, progress=5, stage="正在统计", started_at=then,
        heartbeat_at=then, attempts=1)


def test_asking_again_after_the_timeout_restarts_the_stuck_run(data, personas):
    queued = []
    report = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=queued.append)
    killed_mid_run(report, minutes_ago=11)

    again = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=queued.append)

    assert again.pk == report.pk and [r.pk for r in queued] == [report.pk, report.pk]
    again.refresh_from_db()
    assert again.status == Report.Status.QUEUED and "中断" in again.stage
    assert AuditLog.objects.filter(action=actions.REQUEUED, organization=data.c1).exists()
    done = actions.run_report(report.pk)
    assert done.status == Report.Status.DONE and done.attempts == 2 and done.is_current


def test_a_run_still_making_progress_is_reused_not_restarted(data, personas):
    queued = []
    report = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=queued.append)
    killed_mid_run(report, minutes_ago=2)

    again = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=queued.append)

    assert again.pk == report.pk and len(queued) == 1
    assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING


def test_beat_requeues_a_stalled_run_within_minutes(data, personas):
    report = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=False)
    killed_mid_run(report, minutes_ago=11)
    fresh = actions.request_report(data.b3, Q3, by=personas.staff, enqueue=False)
    queued = []

    requeued = actions.requeue_stalled_reports(enqueue=queued.append)

    assert [r.pk for r in requeued] == [report.pk] == [r.pk for r in queued]
    assert Report.objects.get(pk=fresh.pk).status == Report.Status.QUEUED
    entry = settings.CELERY_BEAT_SCHEDULE["report-requeue-stalled"]
    assert entry["task"] == "reports.tasks.requeue_stalled_reports"
    assert actions.STALLED_AFTER <= datetime.timedelta(minutes=15)


def test_the_progress_page_says_the_run_was_interrupted(data, personas, client):
    report = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=False)
    killed_mid_run(report, minutes_ago=11)
    actions.requeue_stalled_reports(enqueue=lambda r: None)
    client.force_login(personas.admin)

    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()

    assert "上次计算中断" in page


@pytest.mark.skipif(connections["default"].vendor != "postgresql",
                    reason="advisory locks are PostgreSQL's")
def test_a_slow_run_whose_worker_is_alive_is_not_requeued(data, personas):
    report = actions.request_report(data.c1, Q3, by=personas.admin, enqueue=False)
    killed_mid_run(report, minutes_ago=30)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:  # a live worker holds the report's lock
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [actions.LOCK_NAMESPACE, report.pk])
        assert actions.requeue_stalled_reports(enqueue=lambda r: None) == []
    finally:
        other.close()
    assert Report.objects.get(pk=report.pk).status == Report.Status.RUNNING
