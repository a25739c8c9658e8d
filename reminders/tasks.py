"""The daily beat job (interfaces.md §8): a thin wrapper around reminders.actions.send_reminders,
which is idempotent, so late acknowledgement is safe: a worker killed mid-run leaves the message
unacknowledged, another worker runs it again and delivers only what is missing."""
import datetime

from celery import shared_task
from django.utils import timezone

from reminders import actions


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=25 * 60,
             time_limit=30 * 60)
def send_daily_reminders(on: str | None = None) -> dict:
    day = datetime.date.fromisoformat(on) if on else timezone.localdate()
    result = actions.send_reminders(day)
    return {"on": result["on"], "users": len(result["users"]),
            "items": sum(len(u["items"]) for u in result["users"])}
