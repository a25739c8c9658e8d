"""Actions beyond the browser flow: the approval limit, the probation's extension, who records."""
import datetime

import pandas  # noqa: F401 - imported before freezegun
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from members.models import Member
from recruitment import actions
from recruitment.models import Applicant, TimeRule
from tests.factories import make_member, valid_id_number

D = datetime.date
pytestmark = pytest.mark.django_db


def candidate_with_congress(district, personas, congress):
    a = actions.create_applicant({"name": "审批", "id_number": valid_id_number(D(1990, 1, 1))},
                                 branch=district.b1, applied_on=D(2023, 1, 10), by=personas.staff)
    for step, on, extra in (("talk", D(2023, 1, 20), {}), ("activist", D(2023, 3, 1), {}),
                            ("candidate", D(2024, 3, 1), {}),
                            ("training", D(2024, 4, 1), {"hours": 24}),
                            ("congress", congress, {})):
        actions.record_step(a, step, on=on, by=personas.staff, **extra)
    return a


@freeze_time("2026-11-30")
@pytest.mark.parametrize("approval, accepted", [(D(2025, 5, 30), True), (D(2025, 6, 1), False)])
def test_a_late_approval_is_acceptable_up_to_six_months(district, personas, approval, accepted):
    a = candidate_with_congress(district, personas, D(2024, 11, 30))
    actions.record_step(a, "approval", on=approval, by=personas.admin)
    violation = a.violations.get(rule="approval_within")
    if accepted:
        actions.accept_violation(violation, reason="材料补正", by=personas.admin)
        violation.refresh_from_db()
        assert violation.accepted_by == personas.admin
    else:
        with pytest.raises(ValidationError, match="6 个月"):
            actions.accept_violation(violation, reason="材料补正", by=personas.admin)


@freeze_time("2026-11-30")
def test_a_branch_cannot_accept_its_own_violation(district, personas):
    a = candidate_with_congress(district, personas, D(2024, 11, 30))
    actions.record_step(a, "approval", on=D(2025, 4, 1), by=personas.staff)
    with pytest.raises(PermissionDenied):
        actions.accept_violation(a.violations.get(), reason="x", by=personas.secretary)


@freeze_time("2026-11-30")
def test_the_extension_of_the_probation_moves_the_deadline_and_the_member(district, personas):
    member = make_member(district.b1, name="延长", category="probationary", joined=D(2026, 1, 31))
    a = actions.adopt_member(member, by=personas.secretary)
    with pytest.raises(PermissionDenied):
        actions.record_step(a, "probation_extended", on=D(2026, 11, 1), by=personas.secretary,
                            months=6)
    actions.record_step(a, "probation_extended", on=D(2026, 11, 1), by=personas.admin, months=6)
    member.refresh_from_db()
    a.refresh_from_db()
    assert member.probation_extended_until == D(2027, 7, 31) and a.extension_months == 6
    from recruitment.queries import check
    person = check(district.top, D(2026, 11, 30))[0][0]
    assert [(d.rule, d.due) for d in person.evaluation.deadlines] == [("probation", D(2027, 6, 30))]


@freeze_time("2026-11-30")
def test_a_rule_version_only_staff_save_and_it_applies_from_its_day(district, personas):
    with pytest.raises(PermissionDenied):
        actions.save_rule_version(key="talk_within", effective_from=D(2026, 6, 1), value=2,
                                  by=personas.admin)
    actions.save_rule_version(key="talk_within", effective_from=D(2026, 6, 1), value=2,
                              by=personas.staff)
    a = actions.create_applicant({"name": "新规", "id_number": valid_id_number(D(1990, 1, 1))},
                                 branch=district.b1, applied_on=D(2026, 6, 1), by=personas.staff)
    actions.record_step(a, "talk", on=D(2026, 7, 30), by=personas.staff)  # within 2 months
    assert not a.violations.exists() and TimeRule.objects.count() == 1


@freeze_time("2026-11-30")
def test_an_approval_for_someone_already_elsewhere_on_the_roster_is_refused(district, personas):
    a = candidate_with_congress(district, personas, D(2026, 6, 1))
    Member.objects.create(name="审批", id_number=a.id_number, sex="男", birth_date=D(1990, 1, 1),
                          joined_on=D(2026, 6, 1), branch=district.b3, category="probationary")
    with pytest.raises(ValidationError, match="花名册中已有该党员"):
        actions.record_step(a, "approval", on=D(2026, 7, 1), by=personas.staff)
    assert Applicant.objects.get(pk=a.pk).stage == "candidate"
