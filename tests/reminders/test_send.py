"""send_reminders (interfaces.md §8) on a built day: exactly the expected items per keeper, each
delivered once to the inbox and by e-mail, closed when done."""
import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from accounts.models import AuditLog
from activities import actions as meeting_actions
from reminders import routing
from reminders.actions import send_reminders
from reminders.models import Mail, Preference, Reminder
from tests.reminders.builders import (
    BRANCH_1101,
    BRANCH_1102,
    EXPECTED,
    ON,
    UPPER_1100,
    build_day,
    by_user,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def day(district, personas):
    return build_day(district, personas)


def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_dry_run_lists_exactly_each_keepers_items_and_writes_nothing(day):
    payload = run("--on", ON.isoformat(), "--dry-run")

    assert payload["on"] == "2026-11-10"
    assert by_user(payload) == EXPECTED
    assert [u["username"] for u in payload["users"]] == sorted(EXPECTED)
    assert set(payload["users"][0]["items"][0]) == {"kind", "org", "due", "text"}
    assert not Reminder.objects.exists() and not Mail.objects.exists() and not mail.outbox


def test_items_naming_a_person_reach_the_branch_only_and_auditors_and_members_get_nothing(day):
    payload = run("--on", ON.isoformat(), "--dry-run")
    texts = {u["username"]: " ".join(i["text"] for i in u["items"]) for u in payload["users"]}

    assert "预备甲" in texts["sec1101"] and "申请乙" in texts["sec1101"]
    assert "预备甲" not in texts["admin1100"] and "申请乙" not in texts["staff"]
    assert not {"audit1100", "admin1200", "nobody"} & set(texts)


def test_the_real_run_delivers_each_item_once_to_the_inbox_and_one_mail_per_user(day, personas):
    delivered = run("--on", ON.isoformat())

    assert by_user(delivered) == EXPECTED
    inbox = {(r.kind, r.organization.code, r.due.isoformat())
             for r in Reminder.objects.filter(user=personas.secretary)}
    assert inbox == BRANCH_1101
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{u}@example.org" for u in EXPECTED)
    letter = next(m for m in mail.outbox if m.to == ["admin1100@example.org"])
    assert "待办提醒" in letter.subject and "二支部议题" in letter.body
    assert "预备期" in letter.body and "预备甲" not in letter.body  # counted, never named
    assert AuditLog.objects.filter(action="reminders.sent").count() == 1


def test_the_same_day_run_twice_delivers_nothing_the_second_time(day):
    run("--on", ON.isoformat())
    sent = len(mail.outbox)

    again = run("--on", ON.isoformat())

    assert again == {"on": "2026-11-10", "users": []}
    assert run("--on", ON.isoformat(), "--dry-run")["users"] == []
    assert len(mail.outbox) == sent
    assert Reminder.objects.count() == sum(len(v) for v in EXPECTED.values())


def test_the_next_day_brings_only_what_is_new_and_what_was_done_closes(day, personas):
    run("--on", ON.isoformat())
    with freeze_time("2026-11-11 09:00:00+08:00"):
        meeting_actions.submit_meeting(day["returned"], by=personas.other_secretary)

    next_day = run("--on", "2026-11-11")

    assert by_user(next_day) == {}
    returned = Reminder.objects.filter(kind="record_returned")
    assert returned.count() == 3 and all(r.closed_on == D(2026, 11, 11) for r in returned)
    assert Reminder.objects.open().filter(kind="meeting_overdue").count() == 6


def test_a_month_ending_brings_new_items_the_next_run(day):
    run("--on", ON.isoformat())

    later = by_user(run("--on", "2026-11-24"))

    assert ("meeting_due", "1102", "2026-11-30") in later["sec1102"]
    assert not BRANCH_1102 & later["sec1102"]  # what was delivered is not delivered again


def test_email_off_still_fills_the_inbox(day, personas):
    Preference.objects.create(user=personas.secretary, email=False)

    run("--on", ON.isoformat())

    assert Reminder.objects.filter(user=personas.secretary).count() == len(BRANCH_1101)
    assert "sec1101@example.org" not in [m.to[0] for m in mail.outbox]


def test_a_weekly_digest_comes_on_mondays_and_the_branch_items_every_day(day, personas):
    Preference.objects.create(user=personas.admin, digest_frequency="weekly")
    tuesday = by_user(run("--on", ON.isoformat(), "--dry-run"))  # 2026-11-10 is a Tuesday
    assert "admin1100" not in tuesday and tuesday["sec1101"] == BRANCH_1101

    monday = by_user(run("--on", "2026-11-16", "--dry-run"))
    assert {k for k in UPPER_1100 if k[0] == "meeting_overdue"} <= monday["admin1100"]


def test_a_digest_shows_the_oldest_items_of_each_kind(day, monkeypatch):
    monkeypatch.setattr(routing, "DIGEST_OLDEST", 1)

    staff = by_user(run("--on", ON.isoformat(), "--dry-run"))["staff"]

    assert staff == {("meeting_overdue", "1101", "2026-10-31"),
                     ("record_returned", "1102", "2026-11-05")}


def test_mails_go_to_files_in_the_embedded_run(day, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")

    send_reminders(ON)
    send_reminders(ON)

    # Django's file backend names a file by the second and the connection: letters may share one.
    to = [line for f in (tmp_path / "mail").iterdir() for line in f.read_text().splitlines()
          if line.startswith("To: ")]
    assert sorted(to) == sorted(f"To: {user}@example.org" for user in EXPECTED)


def test_an_unsent_letter_of_a_killed_run_is_sent_by_the_next(day, personas):
    Mail.objects.create(user=personas.secretary, on=ON, to="sec1101@example.org",
                        subject="【基层党建台账】2026-11-10 待办提醒", body="……")

    send_reminders(ON)

    assert [m.to[0] for m in mail.outbox].count("sec1101@example.org") == 1
    assert not Mail.objects.filter(sent_at__isnull=True).exists()


def test_a_bad_date_is_refused_with_exit_status_2(day):
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("send_reminders", "--on", "2026-13-01", "--json", stdout=out)

    assert exit_status.value.code == 2
    assert "YYYY-MM-DD" in json.loads(out.getvalue())["error"]


def test_the_prose_output_names_users_and_items(day):
    out = StringIO()
    call_command("send_reminders", "--on", ON.isoformat(), "--dry-run", stdout=out)

    assert "试运行" in out.getvalue() and "sec1101" in out.getvalue()


def test_a_user_who_chose_sms_gets_one_short_message_a_day_without_names(day, personas, settings,
                                                                         tmp_path):
    settings.REMINDERS_SMS_FILE_PATH = str(tmp_path / "sms")
    Preference.objects.create(user=personas.secretary, sms=True, phone="13812345678")

    send_reminders(ON)
    send_reminders(ON)

    [message] = list((tmp_path / "sms").iterdir())
    text = message.read_text()
    assert "To: 13812345678" in text and f"{len(BRANCH_1101)} 项" in text
    assert "预备甲" not in text


def test_with_the_mail_server_away_the_inbox_fills_and_the_letters_wait(day, settings):
    settings.EMAIL_BACKEND = "tests.reminders.unreachable.Backend"

    send_reminders(ON)

    assert Reminder.objects.count() == sum(len(v) for v in EXPECTED.values())
    assert Mail.objects.filter(sent_at__isnull=True).count() == len(EXPECTED)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_reminders(ON)  # the same day, the server back: the letters leave, once

    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{u}@example.org" for u in EXPECTED)
