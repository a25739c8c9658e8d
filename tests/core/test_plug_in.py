"""A new app plugs in by declaring what it adds in its own files (tests/toyapp): an importer, a
menu entry, a report measure, a reminder kind, a health check, a figure beside organizations, a
panel on a branch's home page and the names of its audit events. Nothing outside the app is edited but INSTALLED_APPS and the URLs."""
import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.models import AuditLog
from core.quarters import Quarter
from core.registry import site
from imports.models import ImportBatch
from reports import actions as report_actions
from tests.members.builders import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def toy_app():
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.toyapp"],
                           ROOT_URLCONF="tests.toyapp.root_urls"):
        yield site()


def test_the_menu_shows_the_toy_entry_to_its_audience_with_its_badge(toy_app, client, personas):
    client.force_login(personas.staff)
    page = client.get(reverse("branches:tree")).content.decode()
    assert 'href="/toys/">玩具台账 <span class="nav-badge"' in page

    client.force_login(personas.secretary)
    assert "玩具台账" not in client.get(reverse("branches:tree")).content.decode()


def test_the_shared_upload_flow_takes_the_toy_importer(toy_app, client, personas, district):
    client.force_login(personas.staff)
    assert "玩具清单" in client.get(reverse("imports:index")).content.decode()

    rows = [["玩具名称", "数量", "保管人"], ["积木", "3", "张三"], ["球", "2", ""]]
    upload = SimpleUploadedFile("toys.csv", csv_bytes(rows))
    response = client.post(reverse("imports:upload", args=["toys"]),
                           {"organization": district.b1.code, "file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == "toys"
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert batch.result["created"] == 2
    assert AuditLog.objects.filter(action="toy.counted", organization=district.b1).exists()
    assert toy_app.audit_labels["toy.counted"] == "清点玩具"


def test_the_quarterly_job_computes_the_toy_measure_and_the_workbook_shows_it(toy_app, client,
                                                                             personas, district):
    report = report_actions.request_report(district.c1, Quarter(2026, 3), by=personas.staff,
                                           enqueue=False)
    report = report_actions.run_report(report.pk)

    assert report.measures["toys"]["summary"] == {"toys": 14, "value": "25.00"}
    book = openpyxl.load_workbook(io.BytesIO(report.workbook.read()))
    sheet = book["玩具数量"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[1] == ("组织编码", "组织名称", "玩具数", "价值（元）")
    assert values[-1][0] == "合计" and values[-1][2:] == (14, 25)
    client.force_login(personas.staff)
    assert "玩具数量" in client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()


def test_the_organization_pages_show_the_toy_figure_and_flag(toy_app, client, personas):
    client.force_login(personas.staff)
    page = client.get(reverse("branches:org-detail", args=["1100"])).content.decode()
    assert '<div class="stat">7</div><div class="stat-label">玩具</div>' in page
    assert "玩具少于 8 个" in page  # its branches' flags
    page = client.get(reverse("branches:org-detail", args=["1101"])).content.decode()
    assert "玩具少于 8 个" in page


def test_a_branch_home_shows_the_toy_panel(toy_app, client, personas):
    client.force_login(personas.secretary)
    page = client.get(reverse("reports:secretary-home"), {"org": "1101"}).content.decode()
    assert '<a href="/toys/">第一社区第一党支部有 3 个玩具待清点</a>' in page


def test_the_toy_reminder_kind_is_registered_with_its_items(toy_app, district):
    kind = toy_app.reminder_kinds.get("toy_due")
    items = list(kind.items(Quarter(2026, 4).start))
    assert {item.organization_id for item in items} == {district.b1.pk, district.b2.pk, district.b3.pk}


def test_seed_demo_runs_the_toy_seeder_with_its_world(toy_app, personas):
    from demo.world import run_seeders

    run_seeders("district", seed_value=7, username=personas.staff.username)
    run_seeders("district", seed_value=7, username=personas.staff.username)

    rows = AuditLog.objects.filter(action="toy.counted", target="演示玩具")
    assert [(r.actor, r.detail["scale"]) for r in rows] == [(personas.staff, "district")] * 2
    assert len({r.detail["draw"] for r in rows}) == 1  # the same seed gives the same data


def test_without_the_app_nothing_of_it_remains(client, personas):
    assert "toys" not in site().importers and "toys" not in site().measures
    client.force_login(personas.staff)
    assert "玩具" not in client.get(reverse("branches:tree")).content.decode()
