"""Reminders are one mechanism: a kind any app registers reaches the keepers, and one app's broken
kind silences nobody else."""
import pytest
from django.conf import settings
from django.test import override_settings

from core.registry import ReminderItem, site
from reminders.actions import send_reminders
from reminders.models import Reminder
from tests.reminders.builders import ON, build_day, by_user

pytestmark = pytest.mark.django_db


def broken(on):
    raise RuntimeError("计算出错")


def about_a_group(on):
    from branches.models import Organization

    group = Organization.objects.get(code="1101-1")
    yield ReminderItem(kind="group_due", organization_id=group.pk, due=on, text="第一党小组：请清点",
                       identity=f"group:{group.pk}")


@pytest.fixture
def extra_kind():
    kinds = site().reminder_kinds
    saved = dict(kinds._entries)

    def add(key, collect):
        site().reminder_kind(key, key, collect)

    yield add
    kinds._entries.clear()
    kinds._entries.update(saved)


def test_a_kind_registered_by_a_new_app_reaches_the_keepers(district, personas):
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.toyapp"]):
        payload = send_reminders(ON, dry_run=True)

    toys = {u["username"]: {i["org"] for i in u["items"] if i["kind"] == "toy_due"}
            for u in payload["users"]}
    assert toys["sec1101"] == {"1101"} and toys["sec1102"] == {"1102"}
    assert toys["admin1100"] == {"1101", "1102"} and toys["admin1200"] == {"1201"}
    assert toys["staff"] == {"1101", "1102", "1201"} and "audit1100" not in toys


def test_an_item_about_a_group_goes_to_its_branchs_keepers(district, personas, extra_kind):
    extra_kind("group_due", "tests.reminders.test_plug_in.about_a_group")

    found = {u: {i for i in items if i[0] == "group_due"}
             for u, items in by_user(send_reminders(ON, dry_run=True)).items()}

    assert found["sec1101"] == {("group_due", "1101-1", "2026-11-10")}
    assert found["admin1100"] == found["sec1101"] and not found.get("sec1102")


def test_a_broken_kind_silences_nobody_and_closes_nothing(district, personas, extra_kind):
    build_day(district, personas)
    send_reminders(ON)
    extra_kind("broken", "tests.reminders.test_plug_in.broken")
    extra_kind("probation_ending", "tests.reminders.test_plug_in.broken")  # fails from now on

    again = send_reminders(ON)

    assert again["users"] == []
    assert Reminder.objects.open().filter(kind="probation_ending").count() == 1
