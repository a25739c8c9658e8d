"""What the dues register: the quarterly measure, the arrears reminder, the demo seeder."""
import datetime
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.quarters import Month, Quarter
from core.registry import site
from dues import actions
from dues.models import Due, DuesBase
from dues.queries import quarter_measure
from dues.reminders import collect
from members.models import Member
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def q2(district):
    a = make_member(district.b1, name="甲")
    b = make_member(district.b2, name="乙")
    actions.save_base(a, month=Month(2026, 1), category="employed", base=Decimal("4000"))
    actions.save_base(b, month=Month(2026, 1), category="retired", base=Decimal("6000"))
    actions.record_payment(a, first=Month(2026, 1), last=Month(2026, 6), amount=Decimal("240"),
                           paid_on=datetime.date(2026, 6, 30))
    return a, b


def test_the_measure_gives_due_collected_rate_and_flags_per_branch(district, q2):
    result = quarter_measure(district.c1, Quarter(2026, 2))
    rows = {r["code"]: r for r in result.rows}
    assert rows["1101"] == {"code": "1101", "name": district.b1.name, "due": "120.00",
                            "collected": "120.00", "collection_rate": 1.0, "members": 1,
                            "flagged": 0}
    assert rows["1102"]["due"] == "180.00" and rows["1102"]["collected"] == "0.00"
    assert rows["1102"]["flagged"] == 1  # six months unpaid by June
    assert result.summary == {"due": "300.00", "collected": "120.00", "collection_rate": 0.4,
                              "members": 2, "flagged": 1}
    assert "dues" in site().measures


def test_the_reminder_names_the_member_for_their_branch_only(district, q2):
    items = list(collect(datetime.date(2026, 7, 3)))
    assert len(items) == 1
    item = items[0]
    assert (item.kind, item.organization_id, item.names_person) == ("dues_arrears", district.b2.pk, True)
    assert "乙" in item.text and "连续 6 个月" in item.text
    assert item.identity == list(collect(datetime.date(2026, 7, 20)))[0].identity


def test_the_demo_gives_every_member_a_base_and_leaves_a_few_in_arrears(district):
    for i in range(12):
        make_member(district.b1 if i % 2 else district.b2, name=f"演{i}")
    world = SimpleNamespace(scale="district", random=random.Random(1), by=None,
                            today=datetime.date(2026, 11, 15), say=lambda text: None)
    site().demo_seeders.get("dues").run(world)
    assert DuesBase.objects.count() == Member.objects.active().count() == 12
    unpaid = Due.objects.filter(amount__gt=0, paid__lt=models_f("amount"))
    assert unpaid.exists() and Due.objects.filter(paid__gt=0).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_the_api_gives_names_to_the_keepers_and_totals_to_the_rest(client, district, personas, q2):
    client.force_login(personas.secretary)
    mine = client.get("/api/v1/dues/", {"org": "1101", "month": "2026-06"}).json()
    assert mine["summary"]["due"] == "40.00" and mine["members"][0]["name"] == "甲"
    assert "*" in mine["members"][0]["id_number"]
    client.force_login(personas.auditor)
    theirs = client.get("/api/v1/dues/", {"org": "1100", "month": "2026-06"}).json()
    assert "members" not in theirs
    assert [b["code"] for b in theirs["branches"]] == ["1101", "1102"]
    client.force_login(personas.other_secretary)
    assert client.get("/api/v1/dues/", {"org": "1101"}).status_code == 404
