"""Delivering reminders, and what a user does with their inbox: one named function each.

`send_reminders(on)` is the daily job (the beat task and `send_reminders` call it). It is safe
to run twice and to kill at any moment:

1. the plan (reminders.routing) leaves out every item already in a user's inbox;
2. the new items and the day's messages of a chunk of users (REMINDERS_CHUNK, 200) are written
   in one transaction, the users' rows locked first (a concurrent second run waits, then finds
   them written; the unique constraints on (user, identity) and (user, day, channel) hold anyway);
3. each e-mail (and SMS, for users who chose it) is marked sent, sent and committed in one
   transaction, and a rerun sends whatever a killed run wrote but did not send. A crash between
   the mail server's acceptance and the commit would resend that one letter: e-mail cannot be
   exactly-once, the inbox is.

A run leaves one audit record with its totals (a row per delivery would bury the audit log
under thousands of rows a day); marking read and saving one's settings are audited as usual.
"""
from __future__ import annotations

import contextlib
import datetime
import logging
import os
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import audit
from core.cache import changed
from reminders import sms
from reminders.letters import letter, short_message
from reminders.models import Mail, Preference, Reminder
from reminders.routing import Plan, Recipient, plan

log = logging.getLogger(__name__)

SENT = "reminders.sent"
READ = "reminders.read"
PREFERENCE_SAVED = "reminders.preference_saved"
SLICE = 5000  # ids or identities per query
AUDIT_LABELS = {SENT: "发送每日提醒", READ: "提醒标为已读", PREFERENCE_SAVED: "修改提醒设置"}


def _test_pause() -> None:
    """Tests of killed workers need a run slow enough to kill (REMINDERS_TEST_DELAY seconds)."""
    delay = float(os.environ.get("REMINDERS_TEST_DELAY")
                  or getattr(settings, "REMINDERS_TEST_DELAY", 0))
    if delay:
        time.sleep(delay)


def send_reminders(on: datetime.date, *, dry_run: bool = False) -> dict:
    """Deliver every open item to the inbox of its keepers once, and one message per user, channel
    and day. Returns the §8 JSON: what was delivered (with `dry_run`, what would be)."""
    started = time.perf_counter()
    day = plan(on)
    if dry_run:
        return day.as_json()
    timings = {"plan": time.perf_counter() - started}
    delivered = []
    waiting = [r for r in day.recipients if r.items]
    chunk = max(1, int(getattr(settings, "REMINDERS_CHUNK", 200)))
    with _quick_commits():
        for start in range(0, len(waiting), chunk):
            written, mails = deliver(waiting[start:start + chunk], on, day.labels)
            delivered += [{"username": recipient.user.get_username(),
                           "items": [e.as_json() for e in new]} for recipient, new in written if new]
            _test_pause()
            send_mails(mails)
        send_mails(Mail.objects.filter(on=on, sent_at__isnull=True))  # a killed run's letters
    timings["deliver"] = time.perf_counter() - started - timings["plan"]
    closed, reopened = close_done(day)
    timings["total"] = time.perf_counter() - started
    with transaction.atomic():
        audit(None, SENT, target=f"{on:%Y-%m-%d}", on=on.isoformat(), users=len(delivered),
              items=sum(len(u["items"]) for u in delivered), closed=closed, reopened=reopened,
              failed_kinds=day.kinds_failed,
              seconds={k: round(v, 1) for k, v in timings.items()})
    log.info("reminders on %s: %s users, %s items, %s closed, %s reopened; %s", on,
             len(delivered), sum(len(u["items"]) for u in delivered), closed, reopened,
             ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return {"on": on.isoformat(), "users": delivered}


# The core.cache scope of the menu's unread counts: every write that opens, closes or reads a
# reminder bumps it.
UNREAD = "reminders"


def deliver(recipients: list[Recipient], on: datetime.date,
            labels: dict) -> tuple[list[tuple[Recipient, list]], list[Mail]]:
    """Write these users' new items and the day's messages in one transaction: ((recipient,
    items written) for each, the messages to send). Items another run wrote meanwhile are
    skipped."""
    user_ids = sorted(r.user.pk for r in recipients)
    with transaction.atomic():
        # One run at a time per user: a concurrent run waits here, then finds the items written.
        list(get_user_model().objects.select_for_update().filter(pk__in=user_ids)
             .order_by("pk").values_list("pk", flat=True))
        have = set(Reminder.objects.filter(
            user_id__in=user_ids,
            identity__in={e.item.identity for r in recipients for e in r.items},
        ).values_list("user_id", "identity"))
        sent_today = set(Mail.objects.filter(user_id__in=user_ids, on=on)
                         .values_list("user_id", "channel"))
        written, rows, mails = [], [], []
        for recipient in recipients:
            user = recipient.user
            new = [e for e in recipient.items if (user.pk, e.item.identity) not in have]
            written.append((recipient, new))
            rows += [Reminder(user=user, kind=e.item.kind, organization_id=e.item.organization_id,
                              due=e.item.due, text=e.item.text, identity=e.item.identity,
                              digest=e.digest, delivered_on=on) for e in new]
            if new:
                mails += _messages(Recipient(user, recipient.preference, new, recipient.counts),
                                   on, labels, sent_today)
        Reminder.objects.bulk_create(rows, batch_size=2000)
        mails = Mail.objects.bulk_create(mails)
        if rows:
            changed(UNREAD)
    return written, mails


def _messages(recipient: Recipient, on, labels, sent_today) -> list[Mail]:
    """The day's e-mail and SMS for the user, on the channels they chose and not used today."""
    user, found = recipient.user, []
    if recipient.wants_email and (user.pk, Mail.Channel.EMAIL) not in sent_today:
        subject, body = letter(recipient, on, labels)
        found.append(Mail(user=user, on=on, channel=Mail.Channel.EMAIL, to=user.email,
                          subject=subject, body=body))
    if recipient.wants_sms and (user.pk, Mail.Channel.SMS) not in sent_today:
        found.append(Mail(user=user, on=on, channel=Mail.Channel.SMS,
                          to=recipient.preference.phone, subject="",
                          body=short_message(recipient, on)))
    return found


def send_mails(mails) -> int:
    """Send stored messages, each in its own transaction: it is marked sent (which locks its row:
    a concurrent run waits, then finds it sent), sent, and committed; if the sending fails or the
    worker dies, the mark is rolled back and the next run sends it. One connection to the mail
    server serves them all."""
    sent = 0
    with contextlib.ExitStack() as stack:
        connection_to_server = server_away = None
        for mail in mails:
            if mail.channel == Mail.Channel.EMAIL:
                if server_away:
                    continue
                if connection_to_server is None:
                    try:
                        connection_to_server = stack.enter_context(get_connection())
                    except OSError:  # the letters wait in the database for the next run
                        log.exception("mail server unreachable; reminder letters not sent")
                        server_away = True
                        continue
            with transaction.atomic():
                if not Mail.objects.filter(pk=mail.pk, sent_at__isnull=True).update(
                        sent_at=timezone.now()):
                    continue  # sent by another run
                try:
                    if mail.channel == Mail.Channel.SMS:
                        sms.backend().send(mail.to, mail.body)
                    else:
                        EmailMessage(mail.subject, mail.body, to=[mail.to],
                                     connection=connection_to_server).send()
                except OSError:  # the server is away: the inbox has the items, the message waits
                    log.exception("reminder message %s to %s not sent", mail.pk, mail.to)
                    transaction.set_rollback(True)
                    continue
            sent += 1
    return sent


@contextlib.contextmanager
def _quick_commits():
    """The job's commits need not wait for the disk: if the database crashed before writing
    one, the next run delivers those items again (and may resend that letter). Thousands of
    commits a day then cost no fsync each (PostgreSQL only; the connection is reset after)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def close_done(day: Plan) -> tuple[int, int]:
    """Close the reminders the apps no longer report (the meeting recorded, the 转正 recorded), and
    reopen any reported again; kinds that failed today are left as they were. The sets are
    compared here, not in SQL: a NOT IN of the city's twenty thousand identities is quadratic."""
    kinds = day.kinds_collected
    open_rows = Reminder.objects.open().filter(kind__in=kinds).values_list("pk", "identity")
    done = [pk for pk, identity in open_rows if identity not in day.open_identities]
    identities = sorted(day.open_identities)
    again = []
    for start in range(0, len(identities), SLICE):
        again += Reminder.objects.filter(
            kind__in=kinds, closed_on__isnull=False, identity__in=identities[start:start + SLICE],
        ).values_list("pk", flat=True)
    closed = reopened = 0
    with transaction.atomic():
        for start in range(0, len(done), SLICE):
            closed += Reminder.objects.filter(pk__in=done[start:start + SLICE]).update(
                closed_on=day.on)
        for start in range(0, len(again), SLICE):
            reopened += Reminder.objects.filter(pk__in=again[start:start + SLICE]).update(
                closed_on=None)
        if closed or reopened:
            changed(UNREAD)
    return closed, reopened


def mark_read(reminder: Reminder, *, by) -> Reminder:
    with transaction.atomic():
        if reminder.read_at is None:
            reminder.read_at = timezone.now()
            reminder.save(update_fields=["read_at"])
            changed(UNREAD)
            audit(by, READ, organization=reminder.organization, target=reminder.text[:200],
                  kind=reminder.kind)
    return reminder


def mark_all_read(user, *, by) -> int:
    with transaction.atomic():
        count = Reminder.objects.filter(user=user).unread().update(read_at=timezone.now())
        if count:
            changed(UNREAD)
            audit(by, READ, target="全部标为已读", count=count)
    return count


def save_preference(user, *, email: bool, digest_frequency: str, sms: bool = False,
                    phone: str = "", by) -> Preference:
    with transaction.atomic():
        preference, _ = Preference.objects.get_or_create(user=user)
        preference.email = email
        preference.sms = sms
        preference.phone = phone
        preference.digest_frequency = digest_frequency
        preference.full_clean()
        preference.save()
        audit(by, PREFERENCE_SAVED, target=user.get_username(), email=email, sms=sms,
              digest_frequency=digest_frequency)
    return preference
