"""The demo seeder on the test district: a season of demands, and members reporting."""
import datetime
import random
from types import SimpleNamespace

import pandas  # noqa: F401 - imported before freezegun
import pytest
from freezegun import freeze_time

from branches.models import Organization
from community.demo import seed
from community.figures import summarize
from community.models import Demand, Registration, Service
from core.quarters import Quarter
from tests.factories import make_member, make_org

D = datetime.date
pytestmark = pytest.mark.django_db


@freeze_time("2026-11-30")
def test_the_seeder_plants_a_season_of_demands_and_reports(district, personas):
    office = make_org("1300", "区机关党支部", Organization.Kind.BRANCH, district.top,
                      sector="government")
    for i in range(40):
        make_member(office, name=f"机关{i}")
    world = SimpleNamespace(scale="district", random=random.Random(3), today=D(2026, 11, 30),
                            by=personas.staff, say=lambda text: None)

    seed(world)

    demands = Demand.objects.all()
    assert demands.count() >= 3 * 6  # three community branches, a few a month
    assert demands.filter(closed_on__isnull=False).count() > demands.count() / 2
    assert not demands.filter(closed_on__gt=D(2026, 11, 30)).exists()
    assert {d.received_by.sector for d in demands.select_related("received_by")} == {"community"}
    total = summarize(district.top, Quarter(2026, 4)).total
    assert total["on_time_rate"] is not None and total["on_time_rate"] > 0.5
    registrations = Registration.objects.all()
    assert 4 <= registrations.count() <= 25
    assert all(r.member.reporting_community_id == r.community_id
               for r in registrations.select_related("member"))
    assert Service.objects.filter(confirmed_on__isnull=False).exists()

    seed(world)  # a second run adds nothing
    assert Demand.objects.count() == demands.count()
