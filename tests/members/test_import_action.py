"""Applying a roster upload is one named, audited bulk action (members.actions.import_roster):
one audit record naming the organization, the counts and the batch, all or nothing."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from core.importing import apply_plan
from imports.models import ImportBatch
from members.models import Member, MemberEvent, Membership
from tests.members.builders import person, rows_for, xlsx_bytes
from tests.members.conftest import plan_bytes

pytestmark = pytest.mark.django_db


def upload_and_confirm(client, org, data) -> ImportBatch:
    client.post(reverse("imports:upload", args=["members"]),
                {"organization": org.code, "file": SimpleUploadedFile("roster.xlsx", data)})
    batch = ImportBatch.objects.latest("pk")
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.message
    return batch


def test_each_upload_leaves_one_audit_record_with_its_counts_organization_and_batch(
        district, personas, new_id):
    client = Client()
    client.force_login(personas.secretary)
    first, second = person(new_id(), "甲"), person(new_id(), "乙")
    upload_and_confirm(client, district.b1, xlsx_bytes(rows_for([first, second])))
    before = AuditLog.objects.count()

    first["联系电话"] = "13911112222"
    batch = upload_and_confirm(client, district.b1, xlsx_bytes(rows_for([first, second])))

    assert AuditLog.objects.count() == before + 1
    log = AuditLog.objects.filter(action="member.import").latest("pk")
    assert (log.organization, log.actor) == (district.b1, personas.secretary)
    assert {k: log.detail[k] for k in ("created", "updated", "unchanged", "skipped", "batch")} == {
        "created": 0, "updated": 1, "unchanged": 1, "skipped": 0, "batch": batch.pk}


def test_a_reimport_of_the_same_file_writes_nothing_but_its_record(district, personas, new_id):
    client = Client()
    client.force_login(personas.secretary)
    data = xlsx_bytes(rows_for([person(new_id(), "甲"), person(new_id(), "乙")]))
    upload_and_confirm(client, district.b1, data)
    events = MemberEvent.objects.count()

    batch = upload_and_confirm(client, district.b1, data)

    assert batch.result["unchanged"] == 2 and MemberEvent.objects.count() == events
    log = AuditLog.objects.filter(action="member.import").latest("pk")
    assert (log.detail["created"], log.detail["updated"], log.detail["unchanged"]) == (0, 0, 2)


def test_a_failure_half_way_through_the_write_leaves_nothing(district, personas, new_id,
                                                             monkeypatch):
    importer, plan = plan_bytes(xlsx_bytes(rows_for([person(new_id(), "甲")])), district.b1,
                                user=personas.secretary)

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(MemberEvent.objects, "bulk_create", fail)  # after the members' INSERT
    with pytest.raises(RuntimeError):
        apply_plan(importer, plan)

    assert not Member.objects.exists() and not Membership.objects.exists()
    assert not AuditLog.objects.filter(action="member.import").exists()


def test_the_import_event_has_a_chinese_name():
    from core.registry import site
    from members.actions import ROSTER_IMPORTED

    assert site().audit_labels[ROSTER_IMPORTED] == "导入党员花名册"
