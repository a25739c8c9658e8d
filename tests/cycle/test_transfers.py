"""Transfers across the district's border with their 组织关系介绍信: the roster, the quarter's
figures and the year's statistics follow the letter's date; both are audited."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditLog
from cycle import actions
from cycle.models import TransferLetter
from members.models import Member, MemberEvent
from reports.figures import compute_figures
from stats.figures import membership_change
from tests.factories import make_member, valid_id_number

D = datetime.date
pytestmark = pytest.mark.django_db


def members_of(code, quarter):
    figures = compute_figures("1000", quarter, as_of=D(2026, 12, 1))
    return {b.code: b.members for b in figures.branches}[code]


def test_a_transfer_out_of_the_district_leaves_the_roster_on_the_letters_date(district, personas):
    stays = make_member(district.b1, name="留下")
    leaves = make_member(district.b1, name="转走")
    assert members_of("1101", "2026Q2") == 2

    letter = actions.issue_letter_out(leaves, outside_org="上海市某街道党工委", on=D(2026, 8, 15),
                                      dues_paid_to="2026-08", by=personas.secretary)

    assert letter.number == "2026-0001" and letter.valid_days == 30
    assert letter.valid_until == D(2026, 9, 14)
    leaves.refresh_from_db()
    assert leaves.status == Member.Status.TRANSFERRED_OUT
    assert list(Member.objects.on_roster().filter(branch=district.b1)) == [stays]
    assert members_of("1101", "2026Q2") == 2  # before the letter: still counted
    assert members_of("1101", "2026Q3") == 1  # from the letter's date on: not
    event = leaves.events.get(kind=MemberEvent.Kind.TRANSFER_OUT)
    assert (event.date, event.to_branch, event.detail["destination"]) == (
        D(2026, 8, 15), None, "上海市某街道党工委")
    assert AuditLog.objects.filter(action=actions.LETTER_ISSUED, actor=personas.secretary).exists()
    assert AuditLog.objects.filter(action="member.transfer_out").exists()
    change = membership_change(district.top, 2026)
    assert (change.start, change.transferred_out, change.end) == (2, 1, 1)


def test_a_transfer_into_the_district_joins_the_roster_from_its_date(district, personas):
    data = {"name": "新转入", "id_number": valid_id_number(D(1990, 4, 4)), "joined_on": "2015-06-01",
            "confirmed_on": "2016-06-01", "category": "正式党员"}
    letter = actions.receive_letter_in(
        data, branch=district.b1, outside_org="杭州市某社区党委", number="浙组介（2026）88号",
        on=D(2026, 10, 9), dues_paid_to="2026-09", by=personas.secretary)

    member = letter.member
    assert member.branch == district.b1 and member.status == Member.Status.NORMAL
    assert members_of("1101", "2026Q3") == 0
    assert members_of("1101", "2026Q4") == 1
    assert member.events.get(kind=MemberEvent.Kind.TRANSFER_IN).detail["origin"] == "杭州市某社区党委"
    assert AuditLog.objects.filter(action=actions.LETTER_RECEIVED).exists()
    change = membership_change(district.top, 2026)
    assert (change.transferred_in, change.joined) == (1, 0)


def test_a_member_who_left_comes_back_on_the_same_record(district, personas):
    member = make_member(district.b1, name="回来")
    actions.issue_letter_out(member, outside_org="外地", on=D(2025, 3, 1), dues_paid_to="2025-02",
                             by=personas.staff)
    data = {"name": "回来", "id_number": member.id_number, "joined_on": member.joined_on.isoformat(),
            "confirmed_on": member.confirmed_on.isoformat(), "category": "正式党员"}
    actions.receive_letter_in(data, branch=district.b2, outside_org="外地", number="1",
                              on=D(2026, 2, 1), dues_paid_to="2026-01", by=personas.staff)
    member.refresh_from_db()
    assert (member.branch, member.status) == (district.b2, Member.Status.NORMAL)
    assert members_of("1101", "2025Q4") == 0 and members_of("1102", "2026Q1") == 1


def test_a_member_already_in_the_district_cannot_be_received_from_outside(district, personas):
    member = make_member(district.b2)
    data = {"name": member.name, "id_number": member.id_number, "joined_on": "2005-07-01",
            "category": "正式党员"}
    with pytest.raises(ValidationError, match="区内组织关系转接"):
        actions.receive_letter_in(data, branch=district.b1, outside_org="外地", number="2",
                                  on=D(2026, 2, 1), dues_paid_to="2026-01", by=personas.staff)


def test_validity_is_30_days_by_default_and_90_at_most_and_expires_without_a_receipt(district, personas):
    member = make_member(district.b1)
    with pytest.raises(ValidationError, match="1 至 90 天"):
        actions.issue_letter_out(member, outside_org="外地", on=D(2026, 5, 1),
                                 dues_paid_to="2026-04", by=personas.staff, valid_days=91)
    letter = actions.issue_letter_out(member, outside_org="外地", on=D(2026, 5, 1),
                                      dues_paid_to="2026-04", by=personas.staff, valid_days=90)
    assert not letter.expired_on(D(2026, 7, 30)) and letter.expired_on(D(2026, 7, 31))
    actions.record_receipt(letter, on=D(2026, 6, 1), by=personas.secretary)
    letter.refresh_from_db()
    assert not letter.expired_on(D(2027, 1, 1))


def test_letters_are_numbered_per_year(district, personas):
    a, b = make_member(district.b1, name="甲"), make_member(district.b1, name="乙")
    first = actions.issue_letter_out(a, outside_org="外地", on=D(2026, 1, 5), dues_paid_to="2025-12",
                                     by=personas.staff)
    second = actions.issue_letter_inside(b, district.b3, on=D(2026, 1, 6), dues_paid_to="2025-12",
                                         by=personas.staff)
    assert (first.number, second.number) == ("2026-0001", "2026-0002")
    assert second.transfer.to_branch == district.b3
    assert TransferLetter.objects.count() == 2


def test_an_auditor_cannot_issue_a_letter(district, personas):
    from django.core.exceptions import PermissionDenied

    member = make_member(district.b1)
    with pytest.raises(PermissionDenied):
        actions.issue_letter_out(member, outside_org="外地", on=D(2026, 5, 1),
                                 dues_paid_to="2026-04", by=personas.auditor)
    assert Member.objects.get(pk=member.pk).status == Member.Status.NORMAL
