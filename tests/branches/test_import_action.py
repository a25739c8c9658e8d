"""Applying an organization upload is one named, audited action
(branches.actions.import_organizations): one audit record naming the organization, the counts
and the batch; a tree changed since the preview writes nothing and says so in a sentence."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from branches.importer import OrganizationImporter
from branches.models import Organization
from core.importing import apply_plan, plan_file
from imports.models import ImportBatch
from tests.members.builders import xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类别", "单位性质"]
ROWS = [
    HEADER,
    ["1101", "第一社区第一党支部", "1100", "党支部", "社区"],  # as it is
    ["1102", "第一社区第二党支部（更名）", "1100", "党支部", "社区"],
    ["1199", "第一社区新建党支部", "1100", "党支部", "社区"],
]


def upload_and_confirm(client, rows) -> ImportBatch:
    client.post(reverse("imports:upload", args=["orgs"]), {
        "organization": "1100", "file": SimpleUploadedFile("orgs.xlsx", xlsx_bytes(rows))})
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    return batch


def test_an_upload_leaves_one_audit_record_with_its_counts_organization_and_batch(
        district, personas):
    client = Client()
    client.force_login(personas.staff)
    before = AuditLog.objects.count()

    batch = upload_and_confirm(client, ROWS)

    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert AuditLog.objects.count() == before + 1
    log = AuditLog.objects.get(action="org.import")
    assert (log.organization, log.actor) == (district.c1, personas.staff)
    assert {k: log.detail[k] for k in ("created", "updated", "unchanged", "skipped", "batch")} == {
        "created": 1, "updated": 1, "unchanged": 1, "skipped": 0, "batch": batch.pk}
    assert Organization.objects.get(code="1199").path.startswith(district.c1.path)


def test_a_reimport_changes_nothing_but_leaves_its_record(district, personas):
    client = Client()
    client.force_login(personas.staff)
    upload_and_confirm(client, ROWS)
    tree = list(Organization.objects.order_by("code").values_list("code", "name", "path"))

    batch = upload_and_confirm(client, ROWS)

    assert (batch.result["created"], batch.result["updated"], batch.result["unchanged"]) == (0, 0, 3)
    assert list(Organization.objects.order_by("code").values_list("code", "name", "path")) == tree
    log = AuditLog.objects.filter(action="org.import").latest("pk")
    assert (log.detail["created"], log.detail["unchanged"], log.detail["batch"]) == (0, 3, batch.pk)


def planned(district, personas, rows):
    importer = OrganizationImporter(organization=district.c1, user=personas.staff)
    return importer, plan_file(importer, io.BytesIO(xlsx_bytes(rows)), "orgs.xlsx")


def test_a_tree_changed_half_way_through_the_write_leaves_nothing(district, personas):
    importer, plan = planned(district, personas, [
        HEADER,
        ["1197", "第一社区又一党支部", "1100", "党支部", "社区"],  # written first
        ["1102-1", "第二党支部第一党小组", "1102", "党小组", "社区"],
    ])
    assert not plan.errors
    Organization.objects.filter(code="1102").update(kind=Organization.Kind.COMMITTEE)  # meanwhile

    result = apply_plan(importer, plan)

    assert not result.written and "预览后有变化" in result.errors[-1].message
    assert not Organization.objects.filter(code__in=["1197", "1102-1"]).exists()
    assert not AuditLog.objects.filter(action="org.import").exists()


def test_a_code_taken_since_the_preview_writes_nothing(district, personas):
    importer, plan = planned(district, personas, [HEADER, *ROWS[2:]])
    Organization.objects.create(code="1199", name="别人抢先建的", kind=Organization.Kind.BRANCH,
                                parent=district.c1)

    result = apply_plan(importer, plan)

    assert not result.written and "1199 已被登记为别人抢先建的" in result.errors[-1].message
    assert Organization.objects.get(code="1102").name == "第一社区第二党支部"
    assert not AuditLog.objects.filter(action="org.import").exists()


def test_the_import_event_has_a_chinese_name():
    from branches.actions import ORGS_IMPORTED
    from core.registry import site

    assert site().audit_labels[ORGS_IMPORTED] == "导入党组织"
