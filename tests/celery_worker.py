"""A real Celery worker process, for the tests that exercise jobs for real: on Redis (the
`broker` fixture) or on kombu's filesystem broker, the embedded run's (`filesystem_broker`).

Needs PostgreSQL, and for Redis TEST_REDIS_URL=redis://127.0.0.1:6379/15 (the database is flushed).
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection


def _redis_url_of_this_process(url: str) -> str:
    """Under pytest-xdist each test process takes its own Redis database (15, 14, …) so that one
    process's worker never takes another's jobs: the base URL's number minus the worker's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … or unset
    if not url or not worker.startswith("gw"):
        return url
    head, _, number = url.rpartition("/")
    if not number.isdigit():
        head, number = url.rstrip("/"), "15"
    base = int(number)
    return f"{head}/{(base - int(worker[2:])) % 16}"


REDIS_URL = _redis_url_of_this_process(os.environ.get("TEST_REDIS_URL", ""))
ROOT = Path(__file__).resolve().parents[1]
VISIBILITY = 4  # seconds before Redis hands an unacknowledged job to another worker
DELAY = 1.5  # seconds a job under test pauses (REPORTS_TEST_DELAY, IMPORTS_TEST_DELAY) to be killed


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


@pytest.fixture
def filesystem_broker(settings, tmp_path):
    """The embedded run's broker in a folder of the test's own; yields the environment a Worker
    needs to use it. A message taken from this broker is gone: a worker killed with it loses it."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker test needs PostgreSQL (a worker process shares the database)")
    from portal.celery import app

    folder = tmp_path / "broker"
    options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
               "processed_folder": str(folder / "processed"),
               "control_folder": str(folder / "control"), "store_processed": False}
    for key in ("data_folder_in", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.task_always_eager = False
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = options
    _reset_connections(app)
    yield {"CELERY_BROKER_URL": "filesystem://", "CELERY_BROKER_FOLDER": str(folder)}
    app.conf.task_always_eager = True
    app.conf.broker_url, app.conf.broker_transport_options = saved
    _reset_connections(app)


def queued_messages(broker_env: dict) -> list[Path]:
    """The messages waiting in a filesystem broker's queue folder."""
    return sorted((Path(broker_env["CELERY_BROKER_FOLDER"]) / "queue").glob("*.msg"))


def _reset_connections(app):
    """Publish through a fresh connection to the broker now configured."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps producer pools per connection in a global registry: a later test with the
    # same broker URL would otherwise get the pool closed above.
    from kombu import pools

    pools.reset()


class Worker:
    def __init__(self, tmp_path, media_root, **extra_env):
        self.log = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "MEDIA_ROOT": str(media_root),
            "CONN_MAX_AGE": "0",
            **extra_env,
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
