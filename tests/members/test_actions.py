"""Life events: each one recorded with date and actor, audited, and Membership kept right."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from accounts.models import AuditLog
from members import actions
from members.models import Member, MemberEvent, Membership, Transfer
from tests.members.conftest import make_member

D = datetime.date


def periods(member):
    return list(member.memberships.order_by("started_on").values_list("branch__code", "started_on", "ended_on"))


@freeze_time("2026-10-10")
def test_confirm_is_refused_before_probation_ends_and_recorded_after(district, personas):
    member = make_member(district.b1, joined=D(2025, 11, 1), category=Member.Category.PROBATIONARY)
    with pytest.raises(ValidationError, match="2026-11-01"):
        actions.confirm(member, on=D(2026, 10, 1), by=personas.secretary)
    with freeze_time("2026-11-05"):
        actions.confirm(member, on=D(2026, 11, 1), by=personas.secretary)
    member.refresh_from_db()
    assert (member.category, member.confirmed_on) == (Member.Category.FULL, D(2026, 11, 1))
    event = MemberEvent.objects.get(kind="confirmed")
    assert (event.date, event.recorded_by) == (D(2026, 11, 1), personas.secretary)
    assert AuditLog.objects.filter(action="member.confirmed", actor=personas.secretary).exists()


@freeze_time("2027-03-01")
def test_extended_probation_moves_the_earliest_confirmation(district, personas):
    member = make_member(district.b1, joined=D(2025, 11, 1), category=Member.Category.PROBATIONARY)
    actions.extend_probation(member, until=D(2027, 5, 1), on=D(2026, 10, 30), by=personas.secretary)
    with pytest.raises(ValidationError):
        actions.confirm(member, on=D(2027, 1, 1), by=personas.secretary)
    with pytest.raises(ValidationError, match="最长延长一年"):
        actions.extend_probation(member, until=D(2028, 1, 1), on=D(2026, 10, 30), by=personas.secretary)


def test_transfer_by_someone_who_changes_both_branches_is_immediate(district, personas):
    member = make_member(district.b1, joined=D(2005, 7, 1))
    transfer = actions.transfer_out(member, district.b2, on=D(2026, 3, 1), by=personas.admin)
    member.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED and member.branch == district.b2
    assert periods(member) == [("1101", D(2005, 7, 1), D(2026, 3, 1)), ("1102", D(2026, 3, 1), None)]
    assert set(MemberEvent.objects.values_list("kind", flat=True)) == {"transfer_out", "transfer_in"}


@pytest.mark.sqlite_smoke
def test_cross_scope_transfer_waits_for_the_receiving_side(district, personas):
    member = make_member(district.b1, joined=D(2005, 7, 1))
    transfer = actions.transfer_out(member, district.b3, on=D(2026, 3, 1), by=personas.secretary)
    member.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING and member.branch == district.b1
    assert Transfer.objects.visible_to(personas.outsider).get() == transfer
    assert Transfer.objects.visible_to(personas.secretary).get() == transfer
    with pytest.raises(PermissionDenied):
        actions.accept_transfer(transfer, by=personas.secretary)
    actions.accept_transfer(transfer, on=D(2026, 3, 5), by=personas.outsider)
    member.refresh_from_db()
    assert member.branch == district.b3
    assert periods(member) == [("1101", D(2005, 7, 1), D(2026, 3, 5)), ("1201", D(2026, 3, 5), None)]


def test_a_pending_transfer_can_be_withdrawn_or_refused(district, personas):
    member = make_member(district.b1)
    t = actions.transfer_out(member, district.b3, on=D(2026, 3, 1), by=personas.secretary)
    actions.refuse_transfer(t, by=personas.outsider)
    t2 = actions.transfer_out(member, district.b3, on=D(2026, 3, 1), by=personas.secretary)
    actions.withdraw_transfer(t2, by=personas.secretary)
    member.refresh_from_db()
    assert member.branch == district.b1 and len(periods(member)) == 1


def test_direct_transfer_needs_both_branches(district, personas):
    member = make_member(district.b1)
    with pytest.raises(PermissionDenied):
        actions.transfer_member(member, district.b3, on=D(2026, 3, 1), by=personas.secretary)


def test_suspend_closes_and_restore_reopens_membership(district, personas):
    member = make_member(district.b1, joined=D(2005, 7, 1))
    actions.suspend(member, on=D(2024, 1, 1), by=personas.secretary)
    assert Membership.objects.on(D(2024, 6, 1)).filter(member=member).count() == 0
    actions.restore(member, on=D(2025, 1, 1), by=personas.secretary)
    member.refresh_from_db()
    assert member.status == Member.Status.NORMAL
    assert periods(member) == [("1101", D(2005, 7, 1), D(2024, 1, 1)), ("1101", D(2025, 1, 1), None)]


@pytest.mark.parametrize("action,status", [(actions.leave, "left"), (actions.decease, "deceased")])
def test_leaving_or_death_takes_the_member_off_the_roster_and_keeps_history(district, personas, action, status):
    member = make_member(district.b1, joined=D(2005, 7, 1))
    action(member, on=D(2026, 2, 1), by=personas.secretary)
    member.refresh_from_db()
    assert member.status == status
    assert not Member.objects.on_roster().filter(pk=member.pk).exists()
    assert periods(member) == [("1101", D(2005, 7, 1), D(2026, 2, 1))]
    with pytest.raises(ValidationError):
        action(member, on=D(2026, 2, 2), by=personas.secretary)


def test_flow_out_and_in_keep_the_member_counted(district, personas):
    member = make_member(district.b1)
    actions.flow_out(member, destination="广东省深圳市", on=D(2026, 1, 1), by=personas.secretary)
    member.refresh_from_db()
    assert member.is_mobile and member.mobile_destination == "广东省深圳市"
    actions.flow_in(member, on=D(2026, 6, 1), by=personas.secretary)
    member.refresh_from_db()
    assert not member.is_mobile and len(periods(member)) == 1


def test_auditor_and_other_branch_cannot_act(district, personas):
    member = make_member(district.b1)
    for user in (personas.auditor, personas.other_secretary):
        with pytest.raises(PermissionDenied):
            actions.suspend(member, on=D(2026, 1, 1), by=user)


def test_update_member_uses_the_import_rules_and_moves_the_first_period(district, personas):
    member = make_member(district.b1, joined=D(2005, 7, 1))
    with pytest.raises(ValidationError) as info:
        actions.update_member(member, {"sex": "女"}, by=personas.secretary)
    assert "sex" in info.value.error_dict
    actions.update_member(member, {"joined_on": D(2004, 7, 1), "ethnicity": "汉"}, by=personas.secretary)
    member.refresh_from_db()
    assert member.ethnicity == "汉族"
    assert periods(member)[0][1] == D(2004, 7, 1)


def test_assign_group_only_to_a_group_of_the_members_branch(district, personas):
    m1, m2 = make_member(district.b1), make_member(district.b1, name="王五")
    assert actions.assign_group([m1, m2], district.g1, by=personas.secretary) == 2
    other = make_member(district.b2)
    with pytest.raises(ValidationError):
        actions.assign_group([other], district.g1, by=personas.admin)
