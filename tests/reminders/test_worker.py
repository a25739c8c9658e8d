"""A real Celery worker against Redis runs the daily job; killed in the middle and restarted, it
delivers every item exactly once: one inbox entry per (user, item), one mail file per user.

Needs Redis: TEST_REDIS_URL=redis://127.0.0.1:6379/15 (the database is flushed) and PostgreSQL.
"""
import time

import pytest

from accounts.models import AuditLog
from reminders.models import Mail, Reminder
from reminders.tasks import send_daily_reminders
from tests.celery_worker import DELAY, VISIBILITY, Worker, wait_for
from tests.factories import build_district, build_personas
from tests.reminders.builders import EXPECTED, ON, build_day

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_run_delivers_every_item_once_after_restart(broker, settings,
                                                                       tmp_path):
    district = build_district()
    build_day(district, build_personas(district))
    mail_dir = tmp_path / "mail"
    worker = Worker(tmp_path, settings.MEDIA_ROOT, REMINDERS_TEST_DELAY=str(DELAY),
                    REMINDERS_CHUNK="1",  # a user per transaction, a pause before their mail
                    EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                    EMAIL_FILE_PATH=str(mail_dir), CACHE_URL="locmemcache://")
    try:
        worker.start()
        send_daily_reminders.delay(ON.isoformat())
        wait_for(lambda: Reminder.objects.exists(), 60, worker, "the first user's reminders")
        worker.kill()
        assert Reminder.objects.values("user").distinct().count() < len(EXPECTED)
        assert Mail.objects.filter(sent_at__isnull=True).exists()  # written, not sent yet

        time.sleep(VISIBILITY + 0.5)  # the message is now due for redelivery
        worker.start()
        wait_for(lambda: AuditLog.objects.filter(action="reminders.sent").exists(), 60, worker,
                 "the redelivered run to finish")
    finally:
        worker.stop()

    delivered = {}
    for reminder in Reminder.objects.select_related("user", "organization"):
        delivered.setdefault(reminder.user.username, []).append(
            (reminder.kind, reminder.organization.code, reminder.due.isoformat()))
    assert {user: sorted(items) for user, items in delivered.items()} == \
        {user: sorted(items) for user, items in EXPECTED.items()}
    assert not Mail.objects.filter(sent_at__isnull=True).exists()
    to = [line for f in mail_dir.iterdir() for line in f.read_text().splitlines()
          if line.startswith("To: ")]  # Django's file backend may put two letters in one file
    assert sorted(to) == sorted(f"To: {user}@example.org" for user in EXPECTED)
