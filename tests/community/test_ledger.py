"""The demands ledger import (interfaces.md §9) and the 双报到 register."""
import datetime
import io
import json
from io import StringIO

import openpyxl
import pandas  # noqa: F401 - imported before freezegun
import pytest
from django.core.management import call_command
from freezegun import freeze_time

from accounts.models import AuditLog
from community.models import Demand, Registration
from tests.community.builders import PHONE, ledger_bytes, ledger_row
from tests.factories import make_member
from tests.members.builders import rows_for, xlsx_bytes

D = datetime.date
pytestmark = pytest.mark.django_db


def run(tmp_path, content, *args, name="ledger.xlsx", command="import_demands"):
    path = tmp_path / name
    path.write_bytes(content)
    out = StringIO()
    try:
        call_command(command, str(path), *args, "--json", stdout=out)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, json.loads(out.getvalue())


@freeze_time("2026-11-30")
def test_a_ledger_imports_and_reimports_unchanged(district, tmp_path):
    content = ledger_bytes([
        ledger_row(),
        ledger_row(**{"诉求内容": "停车难", "承办党组织": "第一社区第二党支部", "办理时限": "2026-07-20",
                      "办结日期": "2026-07-20", "回访结果": "满意"}),
        ledger_row(**{"受理日期": "2026年8月3日", "来源": "12345", "类别": None, "诉求内容": "噪音",
                      "联系电话": 13800001111.0, "办结日期": "2026-08-30", "回访结果": "不满意"}),
    ])
    status, result = run(tmp_path, content, "--org", "1100")
    assert status == 0, result
    assert (result["created"], result["errors"]) == (3, [])

    parking = Demand.objects.get(description="停车难")
    assert (parking.received_by.code, parking.handler.code, parking.status) == ("1101", "1102", "visited")
    lamp = Demand.objects.get(description="路灯不亮")
    assert lamp.deadline == D(2026, 7, 8) and lamp.handler.code == "1101"  # blank: 7 days
    noise = Demand.objects.get(description="噪音")
    assert (noise.source, noise.category, noise.resident_phone) == ("12345", "其他", "13800001111")

    status, again = run(tmp_path, content, "--org", "1100")
    assert (status, again["created"], again["updated"], again["unchanged"]) == (0, 0, 0, 3)

    out = StringIO()
    call_command("demands_summary", "2026Q3", "--org", "1100", "--json", stdout=out)
    rows = {r["code"]: r for r in json.loads(out.getvalue())["branches"]}
    assert rows["1102"]["closed_on_time"] == 1  # closed on its 办理时限 day
    assert rows["1101"]["received"] == 2 and rows["1101"]["satisfaction_rate"] == 0.0


@freeze_time("2026-11-30")
def test_a_changed_row_updates_and_shows_the_phone_masked(district, tmp_path):
    run(tmp_path, ledger_bytes([ledger_row()]), "--org", "1100")
    status, result = run(tmp_path, ledger_bytes([ledger_row(**{"联系电话": "13711112222",
                                                                "办结日期": "2026-07-05"})]),
                         "--org", "1100", "--dry-run")
    assert (status, result["updated"]) == (0, 1)
    status, result = run(tmp_path, ledger_bytes([ledger_row(**{"办结日期": "2026-07-05"})]),
                         "--org", "1100")
    assert result["updated"] == 1
    assert Demand.objects.get().closed_on == D(2026, 7, 5)
    assert not [a for a in AuditLog.objects.all() if PHONE in f"{a.target}{a.detail}"]


@freeze_time("2026-11-30")
def test_errors_reject_the_whole_file_and_never_show_the_phone(district, tmp_path):
    content = ledger_bytes([
        ledger_row(),
        ledger_row(**{"诉求内容": None}),
        ledger_row(**{"诉求内容": "外面", "受理党组织": "1201"}),
        ledger_row(**{"诉求内容": "回访无办结", "回访结果": "满意"}),
        ledger_row(**{"诉求内容": "时限早", "办理时限": "2026-06-01"}),
        ledger_row(**{"诉求内容": "来源错", "来源": "微信群"}),
        ledger_row(**{"诉求内容": "电话错", "联系电话": "1391"}),
        ledger_row(),
    ])
    status, result = run(tmp_path, content, "--org", "1100")
    assert status == 1 and Demand.objects.count() == 0
    by_row = {e["row"]: e for e in result["errors"]}
    assert set(by_row) == {4, 5, 6, 7, 8, 9, 10}
    assert "诉求内容" in by_row[4]["column"]
    assert "找不到" in by_row[5]["message"]
    assert "第 3 行" in by_row[10]["message"]  # the same demand twice
    assert "1391" not in json.dumps(result, ensure_ascii=False)

    status, result = run(tmp_path, content, "--org", "1100", "--skip-invalid")
    assert (status, result["created"], result["skipped"]) == (0, 1, 7)


@freeze_time("2026-11-30")
def test_the_error_file_gives_the_phone_back_masked_and_the_row_by_its_number(district, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from imports.models import ImportBatch

    content = ledger_bytes([
        ledger_row(),
        ledger_row(**{"诉求内容": "时限早", "群众姓名": "李大爷", "办理时限": "2026-06-01"}),
    ])
    client = Client()
    client.force_login(personas.secretary)
    client.post(reverse("imports:upload", args=["demands"]),
                {"organization": "1101", "file": SimpleUploadedFile("台账.xlsx", content)})
    batch = ImportBatch.objects.get()

    response = client.get(reverse("imports:batch-errors", args=[batch.pk]))

    assert response.status_code == 200 and PHONE.encode() not in response.content
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, failed = rows[0], rows[1]
    assert failed[0] == 4 and failed[header.index("群众姓名")] == "李大爷"
    assert failed[header.index("联系电话")] == "139****5678"
    cells = "\n".join(str(c) for row in rows for c in row if c is not None)
    assert PHONE not in cells and "“联系电话”已隐去中间数字" in cells
    assert PHONE not in json.dumps(ImportBatch.objects.get().plan["rows"][1]["raw"])


@freeze_time("2026-11-30")
def test_an_upload_is_one_audited_action_naming_the_batch_and_never_the_resident(district,
                                                                                 personas):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from imports.models import ImportBatch

    client = Client()
    client.force_login(personas.secretary)

    def upload(rows):
        client.post(reverse("imports:upload", args=["demands"]), {
            "organization": "1101", "file": SimpleUploadedFile("台账.xlsx", ledger_bytes(rows))})
        batch = ImportBatch.objects.latest("pk")  # time stands still: created_at ties
        client.post(reverse("imports:batch-confirm", args=[batch.pk]))
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.DONE, (batch.message, batch.plan)
        return batch

    upload([ledger_row(), ledger_row(**{"诉求内容": "停车难"})])
    before = AuditLog.objects.count()
    batch = upload([ledger_row(**{"办结日期": "2026-07-05"}), ledger_row(**{"诉求内容": "停车难"}),
                    ledger_row(**{"诉求内容": "噪音"})])

    assert AuditLog.objects.count() == before + 1
    log = AuditLog.objects.get(action="community.demands_import", detail__batch=batch.pk)
    assert log.organization == district.b1 and log.actor == personas.secretary
    assert (log.detail["created"], log.detail["updated"], log.detail["unchanged"]) == (1, 1, 1)
    assert PHONE not in f"{log.target}{log.detail}" and "王大妈" not in f"{log.target}{log.detail}"


def test_an_unknown_organization_cannot_run(district, tmp_path):
    status, result = run(tmp_path, ledger_bytes([ledger_row()]), "--org", "9999")
    assert status == 2 and "9999" in result["errors"][0]["message"]


@freeze_time("2026-11-30")
def test_the_register_links_members_to_their_communities(district, tmp_path):
    district.b3.sector = "community"
    district.b3.save()
    member = make_member(district.b1, name="郑报到")
    stranger = make_member(district.b3, name="外支部")
    header = ["姓名", "公民身份号码", "报到社区", "报到日期", "服务意向"]
    content = xlsx_bytes(rows_for([
        {"姓名": "郑报到", "公民身份号码": member.id_number, "报到社区": "第二社区党支部",
         "报到日期": "2026-03-01", "服务意向": "政策宣讲"},
        {"姓名": "外支部", "公民身份号码": stranger.id_number, "报到社区": "1201",
         "报到日期": "2026-03-01"},
    ], header))
    status, result = run(tmp_path, content, "--org", "1100", name="register.xlsx",
                         command="import_community_registrations")
    assert status == 1 and result["errors"][0]["row"] == 3

    status, result = run(tmp_path, content, "--org", "1100", "--skip-invalid", name="register.xlsx",
                         command="import_community_registrations")
    assert (status, result["created"]) == (0, 1)
    log = AuditLog.objects.get(action="community.registrations_import")
    assert (log.organization, log.detail["created"], log.detail["skipped"]) == (district.c1, 1, 1)
    registration = Registration.objects.get()
    assert (registration.community, registration.interests) == (district.b3, "政策宣讲")
    member.refresh_from_db()
    assert member.reporting_community == district.b3


def test_an_exported_ledger_reimports_unchanged(district, personas, tmp_path):
    """Not under frozen time: the exported workbook is not read back under freezegun."""
    from django.test import Client
    from django.urls import reverse

    run(tmp_path, ledger_bytes([ledger_row(**{"承办党组织": "1102", "办结日期": "2026-07-05",
                                              "回访结果": "基本满意"})]), "--org", "1100")
    client = Client()
    client.force_login(personas.admin)
    response = client.get(reverse("community:demands-export"), {"org": "1100"})
    assert response.status_code == 200, response.content[:300]
    exported = response.content
    assert PHONE.encode() not in exported

    status, result = run(tmp_path, exported, "--org", "1100", name="export.xlsx")
    assert (status, result["unchanged"], result["errors"]) == (0, 1, [])
    assert Demand.objects.get().resident_phone == PHONE

    new = ledger_bytes([ledger_row(**{"诉求内容": "新诉求", "联系电话": "139****5678"})])
    status, result = run(tmp_path, new, "--org", "1100")
    assert status == 1 and "隐去" in result["errors"][0]["message"]
