"""Scope of every report page: owner 200, other scope 404, auditor 403 on writes, 405, login."""
import pytest
from django.urls import reverse

from reports import actions
from reports.models import Report
from tests.reports.builders import add_members, hold_everything

Q3 = "2026Q3"


@pytest.fixture
def stored(district):
    people = add_members(district.b1, 8)
    hold_everything(district.b1, groups=[district.g1], present=people[:4])
    add_members(district.b3, 2)
    report = actions.request_report(district.top, Q3, by=None, enqueue=False)
    return actions.run_report(report.pk)


def dashboard(client, **params):
    return client.get(reverse("reports:dashboard"), params)


@pytest.mark.django_db
def test_staff_land_on_the_dashboard_of_their_scope(client, personas, stored):
    client.force_login(personas.staff)

    assert client.get("/").url == reverse("reports:dashboard")
    response = dashboard(client, quarter=Q3)

    assert response.status_code == 200
    assert response.context["org"].code == "1000"
    assert not response.context["board"].live
    assert response.context["board"].summary == stored.figures["summary"]
    assert "第一社区党委" in response.content.decode()


@pytest.mark.django_db
def test_an_admin_sees_the_figures_of_their_subtree_from_the_districts_stored_report(
    client, personas, stored
):
    client.force_login(personas.admin)

    board = dashboard(client, quarter=Q3).context["board"]

    assert board.report == stored
    assert [b["code"] for b in board.branches] == ["1102", "1101"]
    assert board.summary["branches"] == 2 and board.summary["members"] == 8


@pytest.mark.django_db
def test_the_dashboard_spells_out_the_gaps_and_drills_down_to_a_branch(client, personas, stored):
    client.force_login(personas.admin)

    page = dashboard(client, quarter=Q3, org="1102").content.decode()

    assert "支部党员大会：本季度未开" in page
    assert "主题党日：8月未开" in page
    assert "/meetings/?org=1102" in page


@pytest.mark.django_db
def test_a_party_group_shows_its_branchs_figures(client, personas, stored):
    client.force_login(personas.secretary)

    assert dashboard(client, quarter=Q3, org="1101-1").context["org"].code == "1101"


@pytest.mark.django_db
def test_without_a_stored_report_the_dashboard_computes_live_and_says_so(client, personas, district):
    client.force_login(personas.admin)

    response = dashboard(client, quarter="2026Q2")

    assert response.context["board"].live
    assert "实时计算" in response.content.decode()


@pytest.mark.django_db
def test_the_dashboard_answers_from_stored_results_in_few_queries(
    client, personas, stored, django_assert_max_num_queries
):
    client.force_login(personas.staff)
    dashboard(client, quarter=Q3)
    with django_assert_max_num_queries(16):
        dashboard(client, quarter=Q3)


@pytest.mark.django_db
def test_other_scopes_are_not_found(client, personas, stored):
    client.force_login(personas.outsider)

    assert dashboard(client, org="1100").status_code == 404
    assert client.get(reverse("reports:report-detail", args=[stored.pk])).status_code == 404
    assert client.get(reverse("reports:report-progress", args=[stored.pk])).status_code == 404
    assert client.get(reverse("reports:report-workbook", args=[stored.pk])).status_code == 404
    assert client.post(reverse("reports:report-start"), {"org": "1100", "quarter": Q3}).status_code == 404


@pytest.mark.django_db
def test_a_user_without_a_role_has_no_dashboard(client, personas, stored):
    client.force_login(personas.nobody)

    assert dashboard(client).status_code == 404


@pytest.mark.django_db
def test_an_auditor_lands_on_the_dashboard(client, personas, stored):
    client.force_login(personas.auditor)

    assert client.get("/").url == reverse("reports:dashboard")
    assert dashboard(client, quarter=Q3).context["org"].code == "1100"


@pytest.mark.django_db
def test_a_secretary_cannot_see_another_branchs_figures(client, personas, stored):
    client.force_login(personas.secretary)

    assert dashboard(client, org="1102").status_code == 404
    assert dashboard(client, org="1101").status_code == 200


@pytest.mark.django_db
def test_an_admin_starts_a_report_and_follows_it_to_the_result(
    client, personas, district, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-start"), {"org": "1100", "quarter": Q3})

    report = Report.objects.get(organization=district.c1)
    assert response.url == reverse("reports:report-detail", args=[report.pk])
    assert report.requested_by == personas.admin and report.status == Report.Status.DONE
    poll = client.get(reverse("reports:report-progress", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Redirect"] == response.url
    detail = client.get(response.url)
    assert detail.status_code == 200 and "下载工作簿" in detail.content.decode()
    download = client.get(reverse("reports:report-workbook", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_the_progress_bar_shows_a_running_job(client, personas, district):
    report = actions.request_report(district.c1, Q3, by=personas.admin, enqueue=False)
    client.force_login(personas.admin)

    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    fragment = client.get(reverse("reports:report-progress", args=[report.pk])).content.decode()

    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    assert "<progress" in fragment


@pytest.mark.django_db
def test_earlier_versions_are_listed_on_the_result_page(client, personas, stored):
    newer = actions.run_report(actions.request_report(stored.organization, Q3, by=None, enqueue=False).pk)
    client.force_login(personas.staff)

    page = client.get(reverse("reports:report-detail", args=[stored.pk])).content.decode()

    assert "第1版" in page and "第2版" in page
    assert newer.is_current


@pytest.mark.django_db
def test_an_auditor_reads_but_cannot_start_a_report(client, personas, stored):
    client.force_login(personas.auditor)

    assert dashboard(client, org="1100").status_code == 200
    assert "编制报表" not in dashboard(client, org="1100").content.decode()
    response = client.post(reverse("reports:report-start"), {"org": "1100", "quarter": Q3})
    assert response.status_code == 403
    assert not Report.objects.filter(organization__code="1100").exists()


@pytest.mark.django_db
def test_a_branch_secretary_reads_their_figures_but_does_not_compile_reports(client, personas,
                                                                           district):
    client.force_login(personas.secretary)

    assert "编制报表" not in dashboard(client, org="1101").content.decode()
    response = client.post(reverse("reports:report-start"), {"org": "1101", "quarter": Q3})
    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_bad_quarter_is_refused_with_a_message(client, personas, district):
    client.force_login(personas.admin)

    response = client.post(reverse("reports:report-start"), {"org": "1100", "quarter": "2026Q7"}, follow=True)

    assert "季度格式" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name,method", [
    ("reports:dashboard", "post"),
    ("reports:report-start", "get"),
    ("reports:report-detail", "post"),
    ("reports:report-progress", "post"),
    ("reports:report-workbook", "post"),
])
def test_wrong_methods_are_refused(client, personas, stored, name, method):
    client.force_login(personas.staff)
    args = [stored.pk] if "report-" in name and name != "reports:report-start" else []

    assert getattr(client, method)(reverse(name, args=args)).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("name", [
    "reports:dashboard", "reports:report-start", "reports:report-detail",
    "reports:report-progress", "reports:report-workbook",
])
def test_anonymous_visitors_are_sent_to_log_in(client, stored, name):
    args = [stored.pk] if name not in ("reports:dashboard", "reports:report-start") else []

    response = client.get(reverse(name, args=args))

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
