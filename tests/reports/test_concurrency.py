"""Two processes running the same report at once: it is computed and stored once."""
import threading

import pytest
from django.conf import settings
from django.db import connection

from reports import actions
from reports.models import Report, ReportBranch
from tests.factories import build_district
from tests.reports.builders import add_members, hold_everything

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="concurrent sessions need PostgreSQL"),
]


def test_two_workers_running_the_same_report_at_once_store_it_once(settings):
    settings.REPORTS_TEST_DELAY = 0.5
    district = build_district()
    add_members(district.b1, 8)
    hold_everything(district.b1, groups=[district.g1])
    report = actions.request_report(district.top, "2026Q3", by=None, enqueue=False)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            results.append(actions.run_report(report.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(r is None for r in results) == [False, True]  # one ran, one found it busy
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 1 and report.is_current
    assert ReportBranch.objects.filter(report=report).count() == 3


def test_two_requests_at_once_make_one_job(settings):
    district = build_district()
    reports, barrier = [], threading.Barrier(2)

    def ask():
        try:
            barrier.wait()
            reports.append(actions.request_report(district.c1, "2026Q3", by=None, enqueue=False))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len({r.pk for r in reports}) == 1
    assert Report.objects.filter(organization=district.c1).count() == 1
