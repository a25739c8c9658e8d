"""A person taken from the 入党申请书 to 转正 in the browser (Django's test client) by the right
user at each level: the branch secretary records the branch's steps, the 党委's administrator the
upper level's; the roster shows a 预备党员, then a 正式党员, with the right dates."""
import datetime

import pandas  # noqa: F401 - imported before freezegun (its C extensions crash under it)
import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import AuditLog
from members.models import Member
from recruitment.models import Applicant, Step
from tests.factories import make_member, valid_id_number

D = datetime.date
pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def record(client, applicant, step, on, **extra):
    data = {f"{step}-on": on, **{f"{step}-{k}": v for k, v in extra.items()}}
    return client.post(reverse("recruitment:step-record", args=[applicant.pk, step]), data)


def roster_row(client, member) -> str:
    page = client.get(reverse("members:member-list"), {"org": "1101"}).content.decode()
    start = page.index(member.name)
    return page[start:page.index("</tr>", start)]


@freeze_time("2026-11-30 10:00:00+08:00")
def test_from_application_to_confirmation_by_the_right_users(district, personas):
    secretary, upper = client_of(personas.secretary), client_of(personas.admin)
    auditor, other = client_of(personas.auditor), client_of(personas.other_secretary)
    pid = valid_id_number(D(1999, 4, 1))

    response = secretary.post(reverse("recruitment:applicant-create") + "?org=1101", {
        "name": "新同志", "id_number": pid, "applied_on": "2024-01-10"})
    assert response.status_code == 302
    applicant = Applicant.objects.get(id_number=pid)
    assert applicant.stage == "applicant"

    branch_steps = [("talk", "2024-01-25", {}), ("activist", "2024-03-01", {}),
                    ("mentors", "2024-03-02", {"person1": "张培养", "person2": "李培养"}),
                    ("activist_review", "2024-09-01", {}),
                    ("candidate", "2025-03-03", {}),
                    ("sponsors", "2025-03-04", {"person1": "王介绍", "person2": "赵介绍"}),
                    ("political_review", "2025-04-01", {}),
                    ("training", "2025-04-20", {"hours": "24"}),
                    ("committee_review", "2025-05-06", {})]
    for step, on, extra in branch_steps:
        assert record(secretary, applicant, step, on, **extra).status_code == 302, step
        if step == "activist":
            # 备案 is the upper level's: the branch is refused, the 党委 records it
            assert record(secretary, applicant, "activist_filed", "2024-03-10").status_code == 403
            assert record(upper, applicant, "activist_filed", "2024-03-10").status_code == 302
        if step == "candidate":
            assert record(upper, applicant, "candidate_filed", "2025-03-10").status_code == 302
    assert record(auditor, applicant, "application_form", "2025-05-10").status_code == 403
    assert record(other, applicant, "application_form", "2025-05-10").status_code == 404
    assert record(upper, applicant, "pre_review", "2025-05-12").status_code == 302
    assert record(secretary, applicant, "application_form", "2025-05-15",
                  number="2025-0001").status_code == 302
    assert record(secretary, applicant, "congress", "2025-06-01").status_code == 302
    assert record(upper, applicant, "upper_talk", "2025-06-10").status_code == 302
    assert record(secretary, applicant, "approval", "2025-07-15").status_code == 403
    assert not Member.objects.filter(id_number=pid).exists()

    assert record(upper, applicant, "approval", "2025-07-15").status_code == 302

    member = Member.objects.get(id_number=pid)
    assert (member.category, member.joined_on, member.branch) == ("probationary", D(2025, 6, 1),
                                                                  district.b1)
    applicant.refresh_from_db()
    assert applicant.stage == "probationary" and applicant.member == member
    row = roster_row(secretary, member)
    assert "预备党员" in row and "2025-06-01" in row
    member_page = secretary.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert reverse("recruitment:applicant-detail", args=[applicant.pk]) in member_page
    record_page = secretary.get(reverse("recruitment:applicant-detail", args=[applicant.pk]))
    assert reverse("members:member-detail", args=[member.pk]) in record_page.content.decode()

    for step, on in (("approval_filed", "2025-07-20"),):
        assert record(upper, applicant, step, on).status_code == 302
    for step, on in (("assigned", "2025-07-16"), ("oath", "2025-07-20"),
                     ("probation_review", "2026-01-15"), ("confirm_applied", "2026-05-01")):
        assert record(secretary, applicant, step, on).status_code == 302, step
    # the 支部大会 cannot discuss 转正 before the probation ends (2026-06-01)
    response = record(secretary, applicant, "confirm_congress", "2026-05-31")
    assert response.status_code == 400 and "2026-06-01" in response.content.decode()
    assert record(secretary, applicant, "confirm_congress", "2026-06-01").status_code == 302
    assert record(secretary, applicant, "confirm_approval", "2026-06-20").status_code == 403
    assert record(upper, applicant, "confirm_approval", "2026-06-20").status_code == 302

    member.refresh_from_db()
    assert (member.category, member.confirmed_on) == ("full", D(2026, 6, 1))
    row = roster_row(secretary, member)
    assert "正式党员" in row
    applicant.refresh_from_db()
    assert applicant.stage == "full"
    assert record(secretary, applicant, "archived", "2026-07-01").status_code == 400  # finished

    recorded = Step.objects.filter(applicant=applicant).count()
    audited = AuditLog.objects.filter(action="recruitment.step_recorded",
                                      detail__applicant_id=applicant.pk)
    assert audited.count() == recorded - 1  # the application itself is its own event
    assert AuditLog.objects.filter(action="recruitment.applicant_created").count() == 1
    assert AuditLog.objects.filter(action="recruitment.admitted", actor=personas.admin).exists()
    assert AuditLog.objects.filter(action="recruitment.confirmed", actor=personas.admin).exists()
    assert AuditLog.objects.filter(action="member.confirmed", actor=personas.admin).exists()
    assert not [log for log in AuditLog.objects.all() if pid in str(log.detail) or pid in log.target]

    printed = secretary.get(reverse("recruitment:applicant-print", args=[applicant.pk]))
    text = printed.content.decode()
    assert printed.status_code == 200 and "发展党员纪实" in text and "经办人签字" in text
    assert "2025-07-15" in text and pid not in text


@freeze_time("2026-11-30 10:00:00+08:00")
def test_a_roster_probationary_member_is_confirmed_through_the_steps(district, personas):
    member = make_member(district.b1, name="老预备", category="probationary", joined=D(2025, 9, 1))
    secretary, upper = client_of(personas.secretary), client_of(personas.admin)

    page = secretary.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    adopt_url = reverse("recruitment:adopt", args=[member.pk])
    assert adopt_url in page
    response = secretary.post(adopt_url)
    applicant = Applicant.objects.get(member=member)
    assert response.status_code == 302 and applicant.stage == "probationary"
    assert record(secretary, applicant, "confirm_applied", "2026-08-01").status_code == 302
    assert record(secretary, applicant, "confirm_congress", "2026-09-01").status_code == 302
    assert record(upper, applicant, "confirm_approval", "2026-09-20").status_code == 302
    member.refresh_from_db()
    assert (member.category, member.confirmed_on) == ("full", D(2026, 9, 1))


@freeze_time("2026-11-30 10:00:00+08:00")
def test_a_violation_is_recorded_and_accepted_by_the_level_above_with_a_reason(district, personas):
    secretary, upper = client_of(personas.secretary), client_of(personas.admin)
    secretary.post(reverse("recruitment:applicant-create") + "?org=1101", {
        "name": "迟谈话", "id_number": valid_id_number(D(1990, 1, 1)), "applied_on": "2026-01-31"})
    applicant = Applicant.objects.get(name="迟谈话")
    assert record(secretary, applicant, "talk", "2026-03-01").status_code == 302
    violation = applicant.violations.get()
    assert violation.rule == "talk_within" and "2026-02-28" in violation.message
    url = reverse("recruitment:violation-accept", args=[violation.pk])

    assert secretary.post(url, {"reason": "本人出差"}).status_code == 403
    upper.post(url, {"reason": ""})
    violation.refresh_from_db()
    assert violation.accepted_at is None
    assert upper.post(url, {"reason": "申请人外出务工，经党委同意延后谈话"}).status_code == 302
    violation.refresh_from_db()
    assert violation.accepted_by == personas.admin
    page = secretary.get(reverse("recruitment:applicant-detail", args=[applicant.pk])).content.decode()
    assert "经党委同意延后谈话" in page and "已认可" in page


@freeze_time("2026-11-30 10:00:00+08:00")
def test_entry_refuses_dates_out_of_order_in_the_future_and_under_age(district, personas):
    secretary = client_of(personas.secretary)
    young = valid_id_number(D(2008, 12, 1))
    response = secretary.post(reverse("recruitment:applicant-create") + "?org=1101", {
        "name": "未成年", "id_number": young, "applied_on": "2026-11-30"})
    assert response.status_code == 400 and "18" in response.content.decode()
    secretary.post(reverse("recruitment:applicant-create") + "?org=1101", {
        "name": "顺序", "id_number": valid_id_number(D(1990, 1, 1)), "applied_on": "2026-03-01"})
    applicant = Applicant.objects.get(name="顺序")
    assert record(secretary, applicant, "talk", "2026-02-01").status_code == 400
    assert record(secretary, applicant, "talk", "2026-12-01").status_code == 400
    assert record(secretary, applicant, "candidate", "2026-04-01").status_code == 400  # no activist
    assert applicant.steps.count() == 1
