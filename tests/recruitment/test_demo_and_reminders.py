"""The demo seeder on the test district, and the `recruitment_due` reminder kind."""
import datetime
import random
from types import SimpleNamespace

import pytest

from core.registry import site
from recruitment import actions
from recruitment.demo import seed
from recruitment.models import Applicant, Violation
from recruitment.queries import check
from recruitment.reminders import collect
from tests.factories import make_member, valid_id_number

D = datetime.date
pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 30)


def world(personas, scale="district", seed_value=7):
    said = []
    return SimpleNamespace(scale=scale, random=random.Random(seed_value), today=TODAY,
                           by=personas.staff, say=said.append, said=said)


@pytest.fixture
def roster(district):
    for branch, size in ((district.b1, 30), (district.b2, 20), (district.b3, 25)):
        for i in range(size):
            make_member(branch, name=f"党员{branch.code}-{i}", birth=D(1980, 1, 1 + i % 28))
    for i, branch in enumerate((district.b1, district.b1, district.b3)):
        make_member(branch, name=f"预备{i}", category="probationary", birth=D(1995, 3, 3),
                    joined=D(2026, 3 + i, 1))


def test_the_seeder_plants_a_believable_pipeline(personas, roster):
    seed(world(personas))

    people = Applicant.objects.all()
    newcomers = people.exclude(member__isnull=False).count()
    assert 75 * 0.2 - 5 <= newcomers <= 75 * 0.2 + 5  # about 2 per 10 members
    found, summary = check(personas.staff.roles.first().organization or _top(), TODAY)
    assert summary["applicant"] and summary["activist"] and summary["candidate"]
    assert summary["probationary"] == 3
    for m in people.filter(member__isnull=False).select_related("member"):
        assert m.steps.get(step="congress").date == m.member.joined_on
    assert all(p.branch.is_branch for p in people.select_related("branch"))


def _top():
    from branches.models import Organization
    return Organization.objects.get(code="1000")


def test_some_stall_and_some_break_a_rule(personas, roster):
    seed(world(personas, seed_value=11))
    found, summary = check(_top(), TODAY)
    assert summary["overdue"] >= 1
    assert Violation.objects.exists() and summary["violations"] == Violation.objects.count()


def test_the_seeder_is_deterministic_and_runs_once(personas, roster):
    w = world(personas, seed_value=3)
    seed(w)
    first = sorted(Applicant.objects.values_list("name", "stage"))
    seed(w)  # a second run adds nothing
    assert sorted(Applicant.objects.values_list("name", "stage")) == first
    assert "跳过" in w.said[-1]


def test_city_scale_plants_two_per_hundred_members(personas, roster):
    seed(world(personas, scale="city"))
    assert Applicant.objects.filter(member__isnull=True).count() <= 75 * 0.02 + 3


def test_it_is_registered_as_a_demo_seeder_and_a_reminder_kind():
    assert "recruitment" in site().demo_seeders
    assert site().reminder_kinds.get("recruitment_due").collect == "recruitment.reminders.collect"


def test_reminders_cover_deadlines_within_fourteen_days_or_passed(district, personas):
    def person(name, applied):
        return actions.create_applicant({"name": name, "id_number": valid_id_number(D(1990, 1, 1))},
                                        branch=district.b1, applied_on=applied, by=personas.staff)
    soon = person("快到期", D(2026, 11, 10))   # talk due 2026-12-10: 10 days on
    person("还早", D(2026, 11, 25))            # talk due 2026-12-25: 25 days on
    passed = person("已超期", D(2026, 9, 1))    # talk due 2026-10-01
    done = person("已谈话", D(2026, 9, 1))
    actions.record_step(done, "talk", on=D(2026, 9, 20), by=personas.staff)

    items = list(collect(D(2026, 11, 30)))

    assert {i.identity.split(":")[1] for i in items} == {str(soon.pk), str(passed.pk)}
    item = next(i for i in items if i.identity.split(":")[1] == str(passed.pk))
    assert (item.kind, item.organization_id, item.due) == ("recruitment_due", district.b1.pk,
                                                           D(2026, 10, 1))
    assert "已超期" in item.text and passed.id_number not in item.text
    assert item.names_person  # the branch's keepers read it; upper digests only count it
    # the same item is the same identity on another day, so it is delivered once
    assert item.identity in {i.identity for i in collect(D(2026, 12, 5))}


def test_an_activists_half_yearly_review_is_a_reminder(district, personas):
    applicant = actions.create_applicant(
        {"name": "考察", "id_number": valid_id_number(D(1990, 1, 1))}, branch=district.b1,
        applied_on=D(2025, 1, 10), by=personas.staff)
    actions.record_step(applicant, "talk", on=D(2025, 1, 20), by=personas.staff)
    actions.record_step(applicant, "activist", on=D(2025, 6, 5), by=personas.staff)
    actions.record_step(applicant, "activist_review", on=D(2025, 12, 5), by=personas.staff)

    items = [i for i in collect(D(2026, 6, 1)) if ":activist_review:" in i.identity]

    assert [i.due for i in items] == [D(2026, 6, 5)]
