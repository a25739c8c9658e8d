"""Delivering reminders, and what a user does with their inbox: one named function each.

`send_reminders(on)` is the daily job (the beat task and `send_reminders` call it). It is safe
to run twice and to kill at any moment:

1. the plan (reminders.routing) leaves out every item already in a user's inbox;
2. each user's new items and the day's e-mail are written in one transaction (the unique
   constraints on (user, identity) and (user, day) make a concurrent second run write nothing);
3. the e-mail (and the SMS, for users who chose it) is sent under a row lock and marked sent in the same transaction, and a rerun
   sends whatever a killed run wrote but did not send. A crash between the mail server's
   acceptance and the commit would resend that one letter: e-mail cannot be exactly-once,
   the inbox is.

A run leaves one audit record with its totals (a row per delivery would bury the audit log
under thousands of rows a day); marking read and saving one's settings are audited as usual.
"""
from __future__ import annotations

import datetime
import logging
import os
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from accounts.models import audit
from reminders import sms
from reminders.letters import letter, short_message
from reminders.models import Mail, Preference, Reminder
from reminders.routing import Plan, Recipient, plan

log = logging.getLogger(__name__)

SENT = "reminders.sent"
READ = "reminders.read"
PREFERENCE_SAVED = "reminders.preference_saved"
AUDIT_LABELS = {SENT: "发送每日提醒", READ: "提醒标为已读", PREFERENCE_SAVED: "修改提醒设置"}


def _test_pause() -> None:
    """Tests of killed workers need a run slow enough to kill (REMINDERS_TEST_DELAY seconds)."""
    delay = float(os.environ.get("REMINDERS_TEST_DELAY")
                  or getattr(settings, "REMINDERS_TEST_DELAY", 0))
    if delay:
        time.sleep(delay)


def send_reminders(on: datetime.date, *, dry_run: bool = False) -> dict:
    """Deliver every open item to the inbox of its keepers once, and one e-mail per user and day.
    Returns the §8 JSON: what was delivered (with `dry_run`, what would be)."""
    day = plan(on)
    if dry_run:
        return day.as_json()
    delivered = []
    for recipient in day.recipients:
        if not recipient.items:
            continue
        new, mail_ids = deliver(recipient, on, day.labels)
        if new:
            delivered.append({"username": recipient.user.get_username(),
                              "items": [e.as_json() for e in new]})
        for mail_id in mail_ids:
            send_mail(mail_id)
        _test_pause()
    for mail_id in Mail.objects.filter(on=on, sent_at__isnull=True).values_list("pk", flat=True):
        send_mail(mail_id)  # written by a run that was killed before sending
    closed, reopened = close_done(day)
    with transaction.atomic():
        audit(None, SENT, target=f"{on:%Y-%m-%d}", on=on.isoformat(), users=len(delivered),
              items=sum(len(u["items"]) for u in delivered), closed=closed, reopened=reopened,
              failed_kinds=day.kinds_failed)
    return {"on": on.isoformat(), "users": delivered}


def deliver(recipient: Recipient, on: datetime.date, labels: dict) -> tuple[list, list[int]]:
    """Write the user's new items and the day's messages in one transaction: (items written, the
    ids of the messages to send). Items another run wrote meanwhile are skipped."""
    user = recipient.user
    with transaction.atomic():
        # One run at a time per user: a concurrent run waits here, then finds the items written.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        have = set(Reminder.objects.filter(
            user=user, identity__in=[e.item.identity for e in recipient.items],
        ).values_list("identity", flat=True))
        new = [e for e in recipient.items if e.item.identity not in have]
        Reminder.objects.bulk_create([
            Reminder(user=user, kind=e.item.kind, organization_id=e.item.organization_id,
                     due=e.item.due, text=e.item.text, identity=e.item.identity, digest=e.digest,
                     delivered_on=on)
            for e in new
        ])
        mail_ids = []
        if not new:
            return new, mail_ids
        written = Recipient(user, recipient.preference, new, recipient.counts)
        sent_today = set(Mail.objects.filter(user=user, on=on).values_list("channel", flat=True))
        if recipient.wants_email and Mail.Channel.EMAIL not in sent_today:
            subject, body = letter(written, on, labels)
            mail_ids.append(Mail.objects.create(user=user, on=on, channel=Mail.Channel.EMAIL,
                                                to=user.email, subject=subject, body=body).pk)
        if recipient.wants_sms and Mail.Channel.SMS not in sent_today:
            mail_ids.append(Mail.objects.create(
                user=user, on=on, channel=Mail.Channel.SMS, to=recipient.preference.phone,
                subject="", body=short_message(written, on)).pk)
    return new, mail_ids


def send_mail(mail_id: int) -> bool:
    """Send one stored message unless it has left or another worker is sending it."""
    with transaction.atomic():
        mail = (Mail.objects.select_for_update(skip_locked=True)
                .filter(pk=mail_id, sent_at__isnull=True).first())
        if mail is None:
            return False
        try:
            if mail.channel == Mail.Channel.SMS:
                sms.backend().send(mail.to, mail.body)
            else:
                EmailMessage(mail.subject, mail.body, to=[mail.to]).send()
        except OSError:  # the server is away: the inbox has the items, the message waits
            log.exception("reminder mail %s to %s not sent", mail.pk, mail.to)
            return False
        mail.sent_at = timezone.now()
        mail.save(update_fields=["sent_at"])
    return True


def close_done(day: Plan) -> tuple[int, int]:
    """Close the reminders the apps no longer report (the meeting recorded, the 转正 recorded), and
    reopen any reported again; kinds that failed today are left as they were."""
    with transaction.atomic():
        still_open = Reminder.objects.filter(kind__in=day.kinds_collected)
        closed = (still_open.filter(closed_on__isnull=True)
                  .exclude(identity__in=day.open_identities).update(closed_on=day.on))
        reopened = (still_open.filter(closed_on__isnull=False, identity__in=day.open_identities)
                    .update(closed_on=None))
    return closed, reopened


def mark_read(reminder: Reminder, *, by) -> Reminder:
    with transaction.atomic():
        if reminder.read_at is None:
            reminder.read_at = timezone.now()
            reminder.save(update_fields=["read_at"])
            audit(by, READ, organization=reminder.organization, target=reminder.text[:200],
                  kind=reminder.kind)
    return reminder


def mark_all_read(user, *, by) -> int:
    with transaction.atomic():
        count = Reminder.objects.filter(user=user).unread().update(read_at=timezone.now())
        if count:
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
