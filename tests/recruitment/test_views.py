"""The pages: scope, masking, what the upper levels see, the ledger's round trip, query counts."""
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from recruitment.models import Applicant, TimeRule
from tests.recruitment.builders import import_ledger, ledger_file, new_id, row

D = datetime.date
pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pipeline(district, tmp_path):
    """Three people in 1101, one in 1102, one in 1201 (names say where)."""
    ago = lambda days: (TODAY - datetime.timedelta(days=days)).isoformat()  # noqa: E731
    ids = {name: new_id() for name in ("甲一支", "乙一支", "丙一支", "丁二支", "戊二社")}
    import_ledger(ledger_file(tmp_path, [
        row(ids["甲一支"], name="甲一支", applied=ago(40)),  # talk overdue
        row(ids["乙一支"], name="乙一支", applied=ago(500), talk=ago(495), activist=ago(450)),
        row(ids["丙一支"], name="丙一支", applied=ago(900), talk=ago(890), activist=ago(800),
            candidate=ago(400), hours=30, congress=ago(60), sponsors="王、赵"),
        row(ids["丁二支"], name="丁二支", branch="1102", applied=ago(10)),
        row(ids["戊二社"], name="戊二社", branch="1201", applied=ago(10)),
    ]))
    return ids


@pytest.mark.parametrize("persona, sees, hidden", [
    ("secretary", {"甲一支", "乙一支", "丙一支"}, {"丁二支", "戊二社"}),
    ("admin", {"甲一支", "丁二支"}, {"戊二社"}),
    ("outsider", {"戊二社"}, {"甲一支", "丁二支"}),
    ("staff", {"甲一支", "丁二支", "戊二社"}, set()),
])
def test_the_list_shows_the_scope_and_nothing_else(personas, pipeline, persona, sees, hidden):
    page = client_of(getattr(personas, persona)).get(reverse("recruitment:people")).content.decode()
    assert all(name in page for name in sees)
    assert not [name for name in hidden if name in page]


def test_ids_are_masked_on_pages_and_full_only_in_the_command(personas, pipeline):
    page = client_of(personas.secretary).get(reverse("recruitment:people"), {"org": "1101"})
    text = page.content.decode()
    full = pipeline["甲一支"]
    assert full not in text and f"{full[:6]}********{full[-4:]}" in text


def test_the_list_costs_a_fixed_number_of_queries(personas, pipeline, django_assert_max_num_queries):
    client = client_of(personas.staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("recruitment:people"), {"org": "1000"}).status_code == 200


@pytest.mark.parametrize("params", [{"stage": "bogus"}, {"page": "x"}, {"page": "999"},
                                    {"stage": "activist", "org": "1101"}])
def test_bad_query_parameters_fall_back_to_a_clean_default(personas, pipeline, params):
    assert client_of(personas.staff).get(reverse("recruitment:people"), params).status_code == 200


def test_an_unknown_org_is_404(personas, pipeline):
    client = client_of(personas.secretary)
    for name in ("recruitment:people", "recruitment:calendar", "recruitment:overview"):
        assert client.get(reverse(name), {"org": "1201"}).status_code == 404
        assert client.get(reverse(name), {"org": "nope"}).status_code == 404


def test_the_overview_counts_people_by_stage_per_organization(personas, pipeline):
    page = client_of(personas.staff).get(reverse("recruitment:overview"), {"org": "1100"})
    text = page.content.decode()
    assert "第一社区第一党支部" in text and "第一社区第二党支部" in text
    assert "第二社区党支部" not in text


def test_the_calendar_lists_overdue_and_coming_deadlines(personas, pipeline):
    text = client_of(personas.admin).get(reverse("recruitment:calendar"),
                                         {"org": "1100", "days": "90"}).content.decode()
    overdue = text[text.index("已超期"):text.index("今后 90 天内到期")]
    assert "甲一支" in overdue  # talk due 10 days ago
    assert "丙一支" in text[text.index("今后 90 天内到期"):]  # approval due in about 30 days
    assert "戊二社" not in text
    assert client_of(personas.admin).get(reverse("recruitment:calendar"),
                                         {"org": "1100", "days": "7"}).status_code == 200


def test_approvals_wait_for_the_level_above(personas, pipeline):
    text = client_of(personas.admin).get(reverse("recruitment:approvals")).content.decode()
    waiting = text[text.index('id="waiting"'):text.index('id="open-violations"')]
    assert "上级党委审批" in waiting and "丙一支" in waiting
    assert "戊二社" not in text
    assert client_of(personas.auditor).get(reverse("recruitment:approvals")).status_code == 200
    assert client_of(personas.secretary).get(reverse("recruitment:approvals")).status_code == 403


def test_the_year_numbers_count_by_sector(personas, pipeline):
    response = client_of(personas.staff).get(reverse("recruitment:year"),
                                             {"org": "1000", "year": TODAY.year})
    text = response.content.decode()
    assert "社区" in text and "甲一支" not in text  # counts, no names
    assert client_of(personas.staff).get(reverse("recruitment:year"), {"year": "abc"}).status_code == 200


def test_publicity_lists_candidates_after_the_committee_review(personas, pipeline):
    from recruitment import actions
    person = Applicant.objects.get(name="乙一支")
    actions.record_step(person, "candidate", on=TODAY, by=personas.staff)
    actions.record_step(person, "committee_review", on=TODAY, by=personas.staff)
    text = client_of(personas.secretary).get(reverse("recruitment:publicity"),
                                             {"org": "1101"}).content.decode()
    candidates = text[text.index('id="publicity-candidates"'):text.index('id="publicity-confirm"')]
    assert "乙一支" in candidates and "丙一支" not in candidates
    assert pipeline["乙一支"] not in text


def test_the_export_reimports_unchanged(personas, pipeline, tmp_path):
    response = client_of(personas.secretary).get(reverse("recruitment:export"), {"org": "1101"})
    assert response.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert pipeline["甲一支"] in [c.value for c in book.active["B"]]

    status, result = import_ledger(path, "1101")

    assert (status, result["unchanged"], result["created"], result["updated"]) == (0, 3, 0, 0)
    assert AuditLog.objects.filter(action="recruitment.export").exists()


def test_an_auditor_exports_masked_ids(personas, pipeline):
    response = client_of(personas.auditor).get(reverse("recruitment:export"), {"org": "1101"})
    text = "".join(str(c.value) for c in openpyxl.load_workbook(io.BytesIO(response.content)).active["B"])
    assert pipeline["甲一支"] not in text and "********" in text


def test_staff_add_a_rule_version_others_cannot(personas, pipeline):
    data = {"key": "talk_within", "effective_from": "2027-01-01", "value": "2", "note": "新规定"}
    assert client_of(personas.admin).post(reverse("recruitment:rules"), data).status_code == 403
    assert client_of(personas.staff).post(reverse("recruitment:rules"), data).status_code == 302
    assert TimeRule.objects.get().value == 2
    assert AuditLog.objects.filter(action="recruitment.rule_saved").exists()
    bad = dict(data, value="0")
    assert client_of(personas.staff).post(reverse("recruitment:rules"), bad).status_code == 400


def test_a_document_is_checked_by_its_content(personas, pipeline):
    from django.core.files.uploadedfile import SimpleUploadedFile
    person = Applicant.objects.get(name="甲一支")
    step = person.steps.get(step="applied")
    client = client_of(personas.secretary)
    fake = SimpleUploadedFile("申请书.jpg", b"<html><script>alert(1)</script></html>")
    response = client.post(reverse("recruitment:document-add", args=[step.pk]), {"file": fake},
                           follow=True)
    assert "网页" in response.content.decode() and not step.documents.exists()


def test_a_secretary_stops_a_persons_cultivation_with_a_reason(personas, pipeline):
    person = Applicant.objects.get(name="甲一支")
    client = client_of(personas.secretary)
    url = reverse("recruitment:applicant-stop", args=[person.pk])
    client.post(url, {"on": TODAY.isoformat(), "reason": ""})
    person.refresh_from_db()
    assert person.stage == "applicant"
    client.post(url, {"on": TODAY.isoformat(), "reason": "本人撤回申请"})
    person.refresh_from_db()
    assert person.stage == "stopped"
    assert "甲一支" not in client.get(reverse("recruitment:people")).content.decode()


def test_a_person_page_offers_only_the_steps_the_user_may_record(personas, pipeline):
    person = Applicant.objects.get(name="丙一支")  # waits for the 上级党委审批
    url = reverse("recruitment:applicant-detail", args=[person.pk])
    secretary = client_of(personas.secretary).get(url).content.decode()
    upper = client_of(personas.admin).get(url).content.decode()
    auditor = client_of(personas.auditor).get(url).content.decode()
    assert 'id="form-approval"' in upper and 'id="form-approval"' not in secretary
    assert 'id="form-upper_talk"' not in secretary and 'id="form-oath"' not in secretary
    assert "<form" not in auditor.split('id="timeline"')[0].split("</h1>")[1]
