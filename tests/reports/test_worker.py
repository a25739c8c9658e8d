"""A real Celery worker against Redis compiles a report started from the page, and a worker killed
in the middle of a job leaves, once restarted, exactly one current result.

Needs Redis: TEST_REDIS_URL=redis://127.0.0.1:6379/15 (the database is flushed) and PostgreSQL.
"""
import time

import pytest
from django.urls import reverse

from reports.models import Report
from tests.celery_worker import DELAY, VISIBILITY, Worker, wait_for
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
