"""Rule settings: new versions from a quarter on, never rewriting the past; exemptions with reasons."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from freezegun import freeze_time

from core.quarters import Quarter
from reports import actions
from reports.figures import compute_figures
from reports.models import Exemption, RequirementRule
from reports.rules import rules_in_force
from tests.activities.conftest import record_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roster")]
NOW = "2026-11-22 10:00:00+08:00"
Q3, Q4, Q1 = Quarter(2026, 3), Quarter(2026, 4), Quarter(2027, 1)


def lecture_rule(by, quarter, period="month"):
    return actions.save_rule_version(key="party_lecture", effective_from=quarter, enabled=True,
                                     period=period, min_full_members=0, by=by)


@freeze_time(NOW)
def test_a_new_version_applies_from_its_quarter_only(personas):
    lecture_rule(personas.staff, Q1)
    assert rules_in_force(Q4)["party_lecture"].period == "quarter"
    assert rules_in_force(Q1)["party_lecture"].period == "month"
    assert rules_in_force(Quarter(2027, 3))["party_lecture"].period == "month"


@freeze_time(NOW)
def test_past_quarters_cannot_be_rewritten(personas):
    with pytest.raises(actions.ActionRefused, match="已经过去的季度"):
        lecture_rule(personas.staff, Q3)
    assert not RequirementRule.objects.exists()


@freeze_time(NOW)
def test_only_staff_change_rules(personas):
    with pytest.raises(PermissionDenied):
        lecture_rule(personas.admin, Q1)


@freeze_time(NOW)
def test_a_rule_change_changes_the_figures_of_its_quarter(district, personas):
    actions.save_rule_version(key="committee", effective_from=Q4, enabled=False, period="month",
                              min_full_members=7, by=personas.staff)
    branch = next(b for b in compute_figures(district.c1, Q4).branches if b.code == "1101")
    assert branch.requirements["committee"] is None
    branch = next(b for b in compute_figures(district.c1, Q3).branches if b.code == "1101")
    assert branch.requirements["committee"] == {"slots": 3, "met": 0}


@freeze_time(NOW)
def test_exemptions_remove_requirements_for_one_branch_and_quarter(district, personas):
    record_meeting(district.b2, personas.other_secretary, submit=True)
    actions.add_exemption(district.b2, quarter=Q4, key="theme_day", reason="本季度新成立",
                          by=personas.admin)
    after = datetime.date(2027, 1, 1)  # the quarter over: every slot counted
    figures = {b.code: b for b in compute_figures(district.c1, Q4, as_of=after).branches}
    assert figures["1102"].requirements["theme_day"] is None
    assert figures["1101"].requirements["theme_day"] == {"slots": 3, "met": 0}
    q1 = {b.code: b for b in compute_figures(district.c1, Q1).branches}
    assert q1["1102"].requirements["theme_day"] is not None


def test_an_exemption_needs_a_reason(district, personas):
    with pytest.raises(actions.ActionRefused, match="原因"):
        actions.add_exemption(district.b2, quarter=Q4, key="", reason=" ", by=personas.admin)


def test_a_secretary_cannot_exempt_their_own_branch(district, personas):
    with pytest.raises(PermissionDenied):
        actions.add_exemption(district.b1, quarter=Q4, key="", reason="x", by=personas.secretary)


@freeze_time(NOW)
def test_rule_page_is_for_staff(client, personas):
    client.force_login(personas.staff)
    assert client.get(reverse("reports:rule-list")).status_code == 200
    response = client.post(reverse("reports:rule-list"), {
        "key": "party_lecture", "effective_from": "2027Q1", "enabled": "on", "period": "month",
        "min_full_members": "0"})
    assert response.status_code == 302
    assert RequirementRule.objects.get().effective_from == "2027Q1"
    for user in (personas.admin, personas.secretary, personas.auditor):
        client.force_login(user)
        assert client.get(reverse("reports:rule-list")).status_code == 403


@freeze_time(NOW)
def test_rule_page_refuses_a_past_quarter(client, personas):
    client.force_login(personas.staff)
    response = client.post(reverse("reports:rule-list"), {
        "key": "party_lecture", "effective_from": "2026Q3", "enabled": "on", "period": "month",
        "min_full_members": "0"})
    assert response.status_code == 200 and not RequirementRule.objects.exists()


@freeze_time(NOW)
def test_exemption_page_for_upper_levels_within_scope(client, district, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("reports:exemption-list"), {
        "branch": "1102", "quarter": "2026Q4", "key": "", "reason": "正在撤销"})
    assert response.status_code == 302
    exemption = Exemption.objects.get()
    assert client.post(reverse("reports:exemption-list"), {
        "branch": "1201", "quarter": "2026Q4", "key": "", "reason": "x"}).status_code == 404
    client.force_login(personas.secretary)
    assert client.get(reverse("reports:exemption-list")).status_code == 403
    client.force_login(personas.auditor)
    assert client.get(reverse("reports:exemption-list")).status_code == 200
    assert client.post(reverse("reports:exemption-list"), {
        "branch": "1102", "quarter": "2026Q4", "key": "", "reason": "x"}).status_code == 403
    assert client.post(reverse("reports:exemption-delete", args=[exemption.pk])).status_code == 403
    client.force_login(personas.outsider)
    assert client.post(reverse("reports:exemption-delete", args=[exemption.pk])).status_code == 404
    client.force_login(personas.admin)
    client.post(reverse("reports:exemption-delete", args=[exemption.pk]))
    assert not Exemption.objects.exists()


def test_meeting_day_helper_is_stable():
    assert Q4.contains(datetime.date(2026, 11, 22))
