"""seed_demo runs that each need an empty database: options, the plan, the January window and the
city shape (the district tests share one seeded district in test_seed_demo.py)."""
import datetime
import json
import random

import pytest
from django.utils import timezone
from freezegun import freeze_time

from activities.models import Attendance, Meeting
from branches.models import Organization
from core.quarters import Quarter
from cycle import demo as cycle_demo
from cycle.models import InflowAttendance, YearlyExemption
from demo.base import CITY, DISTRICT, DemoPlan, seed
from demo.world import DemoWorld
from members.models import Member
from tests.helpers import seed_demo as run

pytestmark = pytest.mark.django_db




def test_logins_option_on_a_database_without_demo_says_so():
    assert "未找到演示账号" in run("--logins")


def test_json_output_counts_what_was_built():
    payload = json.loads(run("--json"))
    assert payload["seeded"] is True
    assert payload["members"] == Member.objects.count()
    assert payload["attendance"] == Attendance.objects.count()
    assert set(payload["timings"]) >= {"plan", "organizations", "members", "attendance"}


def test_same_seed_same_day_plans_the_same_district():
    now = timezone.now()

    def planned():
        plan = DemoPlan(DISTRICT, seed=7, now=now)
        plan.plan_organizations()
        plan.plan_members()
        plan.plan_meetings()
        return plan

    first, again = planned(), planned()
    assert [(n.code, n.name, n.size) for n in first.orgs] == [(n.code, n.name, n.size) for n in again.orgs]
    assert first.member_rows == again.member_rows
    assert first.meeting_rows == again.meeting_rows
    assert list(first.attendance_rows()) == list(again.attendance_rows())


@freeze_time("2027-01-15 09:00:00+08:00")
def test_in_january_the_window_reaches_back_into_the_previous_year():
    seed(DISTRICT.shrunk(streets=1, size_factor=0.5), logins=False)
    quarters = {Quarter.of(d) for d in Meeting.objects.values_list("date", flat=True)}
    assert quarters == {Quarter(2027, 1), Quarter(2026, 4), Quarter(2026, 3), Quarter(2026, 2)}
    assert Meeting.objects.filter(kinds__kind=Meeting.Kind.LIFE_MEETING, date__month=12).exists()
    assert not Meeting.objects.filter(date__gt=datetime.date(2027, 1, 15)).exists()


def test_a_small_city_shaped_run_builds_several_streets_fast():
    counts = seed(CITY.shrunk(streets=2, size_factor=0.3))
    roots = Organization.objects.filter(parent__isnull=True)
    assert sorted(roots.values_list("code", flat=True)) == ["011000", "021000"]
    assert counts.organizations == Organization.objects.exclude(kind="group").count()
    assert 300 <= counts.organizations <= 420
    assert counts.members == Member.objects.count() > 1000
    assert counts.attendance == Attendance.objects.count() > 0
    assert all(code[:2] in ("01", "02") for code in Organization.objects.values_list("code", flat=True))
    # the yearly cycle's seeder at city scale: exemptions in every street, 列席 records
    cycle_demo.seed(DemoWorld(scale="city", random=random.Random("2026:cycle"),
                              today=timezone.localdate(), by=None))
    exempted = YearlyExemption.objects.values_list("branch__code", flat=True)
    assert {code[:2] for code in exempted} == {"01", "02"}
    assert InflowAttendance.objects.exists()
    # New rows after the seed get fresh ids (sequences were moved past the explicit ids).
    org = Organization.objects.create(code="X-1", name="新组织", kind=Organization.Kind.BRANCH)
    assert org.pk > max(Organization.objects.exclude(pk=org.pk).values_list("pk", flat=True))
