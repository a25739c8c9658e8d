"""The yearly cycle's reminders, health flags, registrations and demo seeder."""
import datetime
import random
from types import SimpleNamespace

import pytest

from core.registry import site
from cycle import actions, demo, reminders
from cycle.health import committee_term_flags
from cycle.models import Committee, Evaluation, Outflow, TransferLetter
from members.models import Transfer
from tests.factories import make_member

D = datetime.date
pytestmark = pytest.mark.django_db


def test_the_app_registers_its_importers_reminders_menu_and_seeder():
    s = site()
    assert {"committees", "evaluations"} <= set(s.importers.keys())
    assert {"term_ending", "transfer_pending", "outflow_review", "inflow_review",
            "letter_expired"} <= set(s.reminder_kinds.keys())
    assert {"cycle-year", "cycle-terms", "cycle-outflows", "cycle-letters"} <= set(s.menu.keys())
    assert "cycle" in s.demo_seeders.keys()
    assert s.health_checks.get("committee_term").check == "cycle.health.committee_term_flags"


def test_term_ending_from_180_days_before_the_due_date_and_overdue_after(district, personas):
    make_member(district.b1, name="书记")
    actions.save_committee(district.b1, elected_on=D(2021, 6, 30), term_years=None,
                           seats=[actions.Seat("secretary", "书记")], by=personas.staff)

    def items(day):
        return [i for i in reminders.terms_ending(day) if i.organization_id == district.b1.pk]

    assert items(D(2025, 12, 31)) == []
    ending = items(D(2026, 1, 1))
    assert len(ending) == 1 and ending[0].due == D(2026, 6, 30) and "将于 2026-06-30 届满" in ending[0].text
    overdue = items(D(2026, 7, 1))
    assert "已于 2026-06-30 届满" in overdue[0].text and overdue[0].identity != ending[0].identity
    flags = committee_term_flags([district.b1], D(2026, 1, 1))
    assert "2026年06月30日" in flags[district.b1.pk][0]
    assert committee_term_flags([district.b1], D(2025, 12, 31)) == {}


def test_outflows_letters_and_pending_transfers_remind_their_branch(district, personas):
    away = make_member(district.b1, name="外出")
    outflow = actions.register_outflow(away, destination="深圳", since=D(2026, 1, 10), by=personas.staff)
    leaving = make_member(district.b1, name="转出")
    letter = actions.issue_letter_out(leaving, outside_org="外地", on=D(2026, 9, 1),
                                      dues_paid_to="2026-08", by=personas.staff)
    mover = make_member(district.b1, name="区内")
    transfer = Transfer.objects.create(member=mover, from_branch=district.b1, to_branch=district.b3,
                                       initiated_on=D(2026, 11, 1))

    on = D(2026, 12, 1)
    assert [i.identity for i in reminders.outflows_to_review(on)] == [f"outflow_review:{outflow.pk}"]
    assert [i.identity for i in reminders.outflows_to_review(D(2026, 7, 9))] == []
    expired = list(reminders.letters_expired(on))
    assert [i.identity for i in expired] == [f"letter_expired:{letter.pk}"] and expired[0].names_person
    assert [i.organization_id for i in reminders.transfers_pending(on)] == [transfer.to_branch_id]
    assert list(reminders.transfers_pending(D(2026, 11, 15))) == []


def test_the_demo_seeder_builds_every_register(district, personas):
    for i in range(9):
        make_member(district.b1, name=f"党员{i}", party_post="书记" if i == 0 else "")
    make_member(district.b2, name="流动", is_mobile=True, mobile_destination="深圳")
    district.b1.has_committee, district.b1.committee_elected_on = True, D(2024, 3, 1)
    district.b1.save()
    world = SimpleNamespace(scale="district", random=random.Random(1), today=datetime.date.today(),
                            by=personas.staff, say=lambda text: None)

    demo.seed(world)

    assert Committee.objects.filter(organization=district.b1).exists()
    assert Evaluation.objects.filter(year=world.today.year - 1).exists()
    assert Outflow.objects.count() == 1
    assert TransferLetter.objects.count() >= 3
    demo.seed(world)  # a second run adds nothing
    assert Outflow.objects.count() == 1
