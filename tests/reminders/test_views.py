"""The inbox: one's own reminders only, the unread count in the menu, marking read, settings."""
import datetime

import pytest
from django.urls import reverse

from accounts.models import AuditLog
from reminders.models import Preference, Reminder

pytestmark = pytest.mark.django_db
D = datetime.date


def remind(user, org, text, *, identity, digest=False, closed_on=None, read=False):
    from django.utils import timezone

    return Reminder.objects.create(
        user=user, kind="meeting_overdue", organization=org, due=D(2026, 10, 31), text=text,
        identity=identity, digest=digest, delivered_on=D(2026, 11, 10), closed_on=closed_on,
        read_at=timezone.now() if read else None)


@pytest.fixture
def inboxes(district, personas):
    return {
        "own": remind(personas.secretary, district.b1, "一支部：十月主题党日未开", identity="a"),
        "read": remind(personas.secretary, district.b1, "一支部：十月党小组会未开", identity="b",
                       read=True),
        "closed": remind(personas.secretary, district.b1, "一支部：九月已办结", identity="c",
                         closed_on=D(2026, 11, 9)),
        "other": remind(personas.other_secretary, district.b2, "二支部：十月主题党日未开",
                        identity="a"),
        "digest": remind(personas.admin, district.b2, "二支部：十月主题党日未开", identity="a",
                         digest=True),
    }


def test_the_inbox_shows_ones_own_reminders_and_the_menu_counts_the_unread(client, personas,
                                                                          inboxes):
    client.force_login(personas.secretary)

    page = client.get(reverse("reminders:inbox")).content.decode()

    assert "十月主题党日未开" in page and "十月党小组会未开" in page
    assert "二支部" not in page
    assert "九月已办结" in page.split('id="closed"')[1]  # under 已办结, not the open items
    assert '>提醒 <span class="nav-badge" aria-label="1 条未读">1</span>' in page


def test_an_upper_level_sees_its_digest_apart(client, personas, inboxes):
    client.force_login(personas.admin)

    page = client.get(reverse("reminders:inbox")).content.decode()

    assert "二支部：十月主题党日未开" in page.split('id="digest"')[1]


def test_marking_read_clears_the_badge_and_is_audited(client, personas, inboxes):
    client.force_login(personas.secretary)
    assert "1 条未读" in client.get(reverse("reminders:inbox")).content.decode()  # now cached

    response = client.post(reverse("reminders:reminder-read", args=[inboxes["own"].pk]))

    assert response.status_code == 302
    inboxes["own"].refresh_from_db()
    assert inboxes["own"].read_at is not None
    assert "条未读" not in client.get(reverse("reminders:inbox")).content.decode()
    assert AuditLog.objects.filter(action="reminders.read", actor=personas.secretary).exists()


def test_another_users_reminder_is_404(client, personas, inboxes):
    client.force_login(personas.secretary)

    response = client.post(reverse("reminders:reminder-read", args=[inboxes["other"].pk]))

    assert response.status_code == 404
    inboxes["other"].refresh_from_db()
    assert inboxes["other"].read_at is None


def test_a_reminder_outside_the_users_scope_leaves_the_page(client, personas, inboxes,
                                                           district):
    """A role taken away takes its reminders with it."""
    personas.secretary.roles.all().delete()
    client.force_login(personas.secretary)

    page = client.get(reverse("reminders:inbox")).content.decode()

    assert "一支部" not in page
    response = client.post(reverse("reminders:reminder-read", args=[inboxes["own"].pk]))
    assert response.status_code == 404


def test_mark_all_read(client, personas, inboxes):
    client.force_login(personas.secretary)

    client.post(reverse("reminders:read-all"))

    assert not Reminder.objects.filter(user=personas.secretary).unread().exists()
    assert Reminder.objects.get(pk=inboxes["other"].pk).read_at is None


def test_a_user_turns_mail_off_and_the_digest_weekly(client, personas):
    client.force_login(personas.admin)

    response = client.post(reverse("reminders:preferences"), {"digest_frequency": "weekly"})

    assert response.status_code == 302
    preference = Preference.objects.get(user=personas.admin)
    assert (preference.email, preference.digest_frequency) == (False, "weekly")


def test_bad_settings_are_refused_with_the_form_back(client, personas):
    client.force_login(personas.admin)

    response = client.post(reverse("reminders:preferences"), {"digest_frequency": "hourly"})

    assert response.status_code == 200
    assert "hourly" in response.content.decode() or "选择" in response.content.decode()
    assert not Preference.objects.exists()


def test_the_inbox_costs_the_same_queries_for_two_reminders_or_forty(client, personas, district):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("reminders:inbox"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    client.force_login(personas.secretary)
    for i in range(2):
        remind(personas.secretary, district.b1, f"事项{i}", identity=f"n{i}")
    queries()  # warm: the session, the registry
    few, _ = queries()
    for i in range(2, 40):
        remind(personas.secretary, district.b1, f"事项{i}", identity=f"n{i}")

    many, page = queries()

    assert many == few <= 10  # 9 of the page and menu, +1 community's overdue-demands badge
    assert "事项39" in page
