"""A real Celery worker against Redis compiles a report started from the page, and a worker killed
in the middle of a job leaves, once restarted, exactly one current result.

Needs Redis: TEST_REDIS_URL=redis://127.0.0.1:6379/15 (the database is flushed) and PostgreSQL.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from reports.models import Report
from tests.factories import build_district, build_personas
from tests.reports.builders import add_members, hold_everything

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 4  # seconds before Redis hands an unacknowledged job to another worker
DELAY = 1.5  # seconds the job pauses at each step (REPORTS_TEST_DELAY), so it can be killed


def database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.fixture
def broker(settings):
    if not REDIS_URL:
        pytest.skip("set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run the worker test")
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL (a worker process shares the database)")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from portal.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    app.conf.broker_transport_options = {"visibility_timeout": VISIBILITY}
    _reset_connections(app)
    yield app
    app.conf.task_always_eager = True
    app.conf.broker_url, app.conf.broker_transport_options = saved
    _reset_connections(app)


def _reset_connections(app):
    """Publish through a fresh connection to the broker now configured."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


class Worker:
    def __init__(self, tmp_path, media_root):
        self.log = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REPORTS_TEST_DELAY": str(DELAY),
            "MEDIA_ROOT": str(media_root),
            "CONN_MAX_AGE": "0",
        }
        self.process = None

    def start(self):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "prefork",
                 "--concurrency", "1", "--loglevel", "INFO", "--without-gossip",
                 "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self):
        """SIGKILL the worker and its pool child, as a crash or an OOM kill would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(predicate, timeout, worker, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{worker.log.read_text()[-4000:]}")


def test_a_worker_compiles_a_report_and_a_killed_job_finishes_once_after_restart(
    broker, client, settings, tmp_path
):
    district = build_district()
    personas = build_personas(district)
    people = add_members(district.b1, 8)
    hold_everything(district.b1, groups=[district.g1], present=people[:5])
    worker = Worker(tmp_path, settings.MEDIA_ROOT)
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
