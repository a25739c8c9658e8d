"""seed_demo: a believable district for the demo, and a city-shaped run for benchmarks."""
import datetime
import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from accounts.models import Role
from activities.models import Attendance, Meeting, MeetingEvent, MeetingKind
from branches.health import flags_for
from branches.models import Organization
from core.quarters import Quarter
from cycle import yearly
from cycle.models import Inflow, InflowAttendance, TransferLetter, YearlyExemption
from demo.base import DEMO_LOGINS
from members.health import subtree_members
from members.models import Member, MemberEvent, Membership
from tabular.values import normalize_id_number
from tests.helpers import seed_demo as run

pytestmark = pytest.mark.django_db




def table_sizes() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, Member, Membership, MemberEvent, Meeting, MeetingKind,
                      Attendance, MeetingEvent, Role)
    }


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The district seeded once for the module (a seed is ~10 s; a dozen tests read it), inside a
    transaction rolled back at the module's end. Each test's own transaction nests in it as a
    savepoint, so a test that seeds again or logs in leaves the shared district as it found it."""
    from django.db import connection, transaction
    from django.test import override_settings

    from portal.celery import app

    media = tmp_path_factory.mktemp("seed-media")
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media,
    ):
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        outer = transaction.atomic()
        outer.__enter__()
        # Marked as a test case's block, as Django marks its own: the actions' durable atomics
        # run inside it the way they run inside every test's transaction.
        connection.atomic_blocks[-1]._from_testcase = True
        try:
            yield run()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            app.conf.task_always_eager = eager


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


@pytest.mark.sqlite_smoke
def test_district_has_about_190_organizations_and_3800_members(seeded):
    orgs = Organization.objects.exclude(kind=Organization.Kind.GROUP)
    assert 175 <= orgs.count() <= 205
    assert orgs.filter(parent__isnull=True).get().code == "1000"
    assert 3500 <= Member.objects.count() <= 4100
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    for kind in Organization.Kind.values:
        assert kinds[kind] >= 1, kind
    sectors = set(orgs.values_list("sector", flat=True))
    assert {"government", "institution", "village", "community", "private_enterprise",
            "social"} <= sectors
    assert "完成：党组织" in seeded


def test_tree_paths_and_groups_are_consistent(seeded):
    by_id = {o.pk: o for o in Organization.objects.all()}
    for org in by_id.values():
        parent = by_id.get(org.parent_id)
        assert org.path == (parent.path if parent else "") + f"{org.pk:07d}/"
        assert org.depth == (parent.depth + 1 if parent else 0)
        if org.kind == Organization.Kind.GROUP:
            assert parent.is_branch
    counts = subtree_members([o for o in by_id.values() if o.is_branch])
    for org in by_id.values():
        if org.is_branch and counts[org.pk] >= 20:
            assert org.children.filter(kind=Organization.Kind.GROUP).count() >= 2, org.name
    grouped = Member.objects.filter(group__isnull=False).select_related("group")
    assert all(m.group.parent_id == m.branch_id for m in grouped)


def test_members_are_valid_people(seeded):
    today = datetime.date.today()
    members = list(Member.objects.all())
    for m in members:
        assert normalize_id_number(m.id_number) == m.id_number
        assert m.id_number[6:14] == f"{m.birth_date:%Y%m%d}"
        assert (int(m.id_number[16]) % 2 == 1) == (m.sex == "男")
        assert add_years(m.birth_date, 18) <= m.joined_on <= today
        if m.category == Member.Category.FULL:
            assert m.confirmed_on == add_years(m.joined_on, 1)
        else:
            assert m.confirmed_on is None
            assert (today - m.joined_on).days <= 366
        assert len(m.phone) == 11 and m.phone.startswith("1")
    probationary = sum(m.category == Member.Category.PROBATIONARY for m in members)
    assert 0.05 <= probationary / len(members) <= 0.11
    assert any(m.is_mobile and m.mobile_destination for m in members)
    joined = {m.pk: m.joined_on for m in members}
    # the yearly cycle's demo moves a few members across the district's border on letters
    moved = set(TransferLetter.objects.values_list("member_id", flat=True))
    assert 1 <= len(moved) <= 10
    memberships = [m for m in Membership.objects.values_list(
        "member_id", "branch_id", "started_on", "ended_on") if m[0] not in moved]
    assert len(memberships) == len(members) - len(moved)
    branch_of = {m.pk: m.branch_id for m in members}
    for member_id, branch_id, started_on, ended_on in memberships:
        assert (branch_id, started_on, ended_on) == (branch_of[member_id], joined[member_id], None)
    created = MemberEvent.objects.filter(kind=MemberEvent.Kind.CREATED)
    assert created.count() == len(members)
    assert created.first().detail == {"seed_demo": True}


def test_health_flags_show_the_planted_cases(seeded):
    branches = list(Organization.objects.branches())
    flags = " ".join(" ".join(found) for found in flags_for(branches, datetime.date.today()).values())
    assert "少于 3 人" in flags
    assert "超过 50 人" in flags
    assert "尚未登记" in flags
    assert "届满" in flags


def test_four_quarters_of_meetings_with_attendance(seeded):
    current = Quarter.current()
    wanted = {current, current.previous(), current.previous().previous(),
              current.previous().previous().previous()}
    dates = Meeting.objects.values_list("date", flat=True)
    assert {Quarter.of(d) for d in dates} == wanted
    statuses = Counter(Meeting.objects.values_list("status", flat=True))
    assert statuses[Meeting.Status.RETURNED] == 1
    assert 1 <= statuses[Meeting.Status.DRAFT] <= 20
    assert statuses[Meeting.Status.SUBMITTED] > 3000
    returned = Meeting.objects.get(status=Meeting.Status.RETURNED)
    assert returned.review_comment and returned.reviewed_at is None
    assert returned.events.filter(kind=MeetingEvent.Kind.RETURNED).exists()
    submitted = Meeting.objects.filter(status=Meeting.Status.SUBMITTED)
    waiting = submitted.filter(reviewed_at__isnull=True).count()
    assert 0 < waiting < 0.15 * submitted.count()  # a review queue, not a flood
    assert not Meeting.objects.filter(reviewed_at__gt=timezone.now()).exists()
    assert returned.branch.roles.filter(kind=Role.Kind.SECRETARY).exists()
    combined = MeetingKind.objects.filter(kind=Meeting.Kind.PARTY_CONGRESS).values("meeting")
    assert MeetingKind.objects.filter(meeting__in=combined, kind=Meeting.Kind.THEME_DAY).exists()
    assert Meeting.objects.filter(kinds__kind=Meeting.Kind.GROUP_MEETING,
                                  organization__kind=Organization.Kind.GROUP).exists()
    attendance = Counter(Attendance.objects.values_list("status", flat=True))
    total = sum(attendance.values())
    assert 0.7 <= attendance[Attendance.Status.PRESENT] / total <= 0.92
    assert Attendance.objects.filter(status=Attendance.Status.LEAVE).exclude(reason="").exists()
    assert not Attendance.objects.filter(member__joined_on__gt=F("meeting__date")).exists()


def test_the_secretarys_branch_is_diligent_in_the_last_full_quarter(seeded):
    from reports.figures import compute_figures

    branch = Role.objects.get(user__username="shuji").organization
    unfinished = {
        Quarter.of(d)
        for d in Meeting.objects.filter(branch=branch)
        .exclude(status=Meeting.Status.SUBMITTED)
        .values_list("date", flat=True)
    }
    quarter = Quarter.current().previous()
    if quarter in unfinished:
        quarter = quarter.previous()
    figures = compute_figures(branch.parent.code, str(quarter))
    row = next(b for b in figures.branches if b.code == branch.code)
    assert row.members >= 20
    assert row.slots_applicable >= 14  # congress, committee, two groups, lecture, theme days
    assert row.slots_met == row.slots_applicable


@pytest.mark.sqlite_smoke
def test_demo_logins_work_with_their_scopes(seeded, client):
    User = get_user_model()
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(login.password)
        assert len(login.password) >= 10
        assert Role.objects.filter(user=user, kind=login.role).exists()
    assert Organization.objects.visible_to(User.objects.get(username="shenji")).count() == (
        Organization.objects.count()
    )
    response = client.post(
        "/accounts/login/", {"username": "shuji", "password": "Demo-2026-sj-branch"}
    )
    assert response.status_code == 302
    for login in DEMO_LOGINS:
        assert f"{login.username}" in seeded and login.password in seeded


@pytest.mark.sqlite_smoke
def test_running_again_changes_nothing(seeded):
    before = table_sizes()
    output = run()
    assert "已有党组织" in output
    assert table_sizes() == before


def test_logins_option_prints_only_the_logins(seeded):
    before = table_sizes()
    output = run("--logins")
    assert "zuzhibu" in output and "Demo-2026-zzb" in output and "全区" in output
    payload = json.loads(run("--logins", "--json"))
    assert [item["username"] for item in payload["logins"]] == [d.username for d in DEMO_LOGINS]
    assert table_sizes() == before


def test_district_seed_stores_reports_for_the_three_finished_quarters(seeded):
    from reports.models import Report

    current = Quarter.current()
    expected = {str(current.previous()), str(current.previous().previous()),
                str(current.previous().previous().previous())}
    stored = set(Report.objects.filter(status=Report.Status.DONE).values_list("quarter", flat=True))
    assert stored == expected


def test_the_yearly_cycle_has_exemptions_with_reasons_and_inflows_at_meetings(seeded):
    year = datetime.date.today().year
    exemptions = list(YearlyExemption.objects.filter(year=year).select_related("branch"))
    assert {e.key for e in exemptions} == {"", "life_meeting", "democratic_review"}
    assert all(e.branch.is_branch and e.reason for e in exemptions)
    assert any("撤并" in e.reason for e in exemptions)
    top = Organization.objects.get(parent__isnull=True)
    assert sum(row.exempt for row in yearly.figures(top, year).branches) >= 3

    rows = list(InflowAttendance.objects.select_related("meeting", "inflow"))
    assert any(row.present for row in rows)
    for row in rows:
        assert row.meeting.organization_id == row.inflow.branch_id  # the branch's own meetings
        assert row.inflow.since <= row.meeting.date
    assert 0 < len({row.inflow_id for row in rows}) <= Inflow.objects.count()
