"""import_meetings (interfaces.md §1.3 and §2) with the sample ledger after the sample orgs and roster."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.export import ledger_workbook
from activities.models import Attendance, Meeting, MeetingEvent
from imports.models import ImportBatch
from members.models import Member
from tests.helpers import SAMPLES, run_json, write_csv, write_xlsx

DATA = SAMPLES
HEADER = ["党组织", "会议类型", "会议日期", "主题", "主持人", "记录人", "地点", "参会人员",
          "请假人员", "缺席人员", "会议内容"]

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def sample_tree(db):
    assert run_json("import_orgs", str(DATA / "sample_orgs.xlsx"))[0] == 0
    status, result = run_json("import_members", str(DATA / "sample_roster.xlsx"), "--org", "2000")
    assert status == 0 and result["created"] == 19


def import_meetings(path, *args):
    return run_json("import_meetings", str(path), "--org", "2000", *args)


def test_sample_ledger_imports_five_submitted_meetings_with_attendance(sample_tree):
    status, result = import_meetings(DATA / "sample_meetings.xlsx")
    assert status == 0
    assert (result["created"], result["unchanged"], result["errors"]) == (5, 0, [])
    assert Meeting.objects.count() == 5
    assert set(Meeting.objects.values_list("status", flat=True)) == {Meeting.Status.SUBMITTED}
    first = Meeting.objects.get(date="2026-07-01")
    assert first.kinds_display() == "支部党员大会、党课"
    assert first.branch.code == "2101" and first.host == "杜兰"
    assert first.attendances.filter(status=Attendance.Status.PRESENT).count() == 8
    assert list(first.attendances.filter(status=Attendance.Status.LEAVE)
                .values_list("member__name", flat=True)) == ["熊军红"]
    group_meeting = Meeting.objects.get(date="2026-07-15")
    assert group_meeting.organization.code == "2101-1" and group_meeting.branch.code == "2101"
    assert group_meeting.attendances.count() == 9  # names resolved among the whole branch
    assert MeetingEvent.objects.filter(kind=MeetingEvent.Kind.IMPORTED).count() == 5
    assert first.minutes == "<p>传达学习会议精神，讨论本季度工作安排。</p>"


def test_reimporting_the_same_ledger_changes_nothing(sample_tree):
    import_meetings(DATA / "sample_meetings.xlsx")
    status, result = import_meetings(DATA / "sample_meetings.xlsx")
    assert status == 0 and (result["created"], result["unchanged"]) == (0, 5)
    assert Meeting.objects.count() == 5 and Attendance.objects.count() == 9 + 9 + 9 + 6 + 4


def test_an_unknown_attendee_is_a_row_numbered_error_and_nothing_is_written(sample_tree, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        HEADER,
        ["2101", "支部委员会", "2026-08-05", "学习", "", "", "", "杜兰、孙红敏", "", "", ""],
        ["2101", "主题党日", "2026/8/10", "志愿服务", "", "", "", "杜兰，张无忌", "", "", ""],
    ], title_rows=["示例社区党支部三会一课台账"])
    status, result = import_meetings(path)
    assert status == 1
    assert result["errors"] == [{"row": 4, "column": "参会人员",
                                 "message": "“张无忌”不是示例第一社区党支部的党员，请核对姓名。"}]
    assert not Meeting.objects.exists()


def test_row_errors_name_the_problem(sample_tree, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        HEADER,
        ["9999", "支部委员会", "2026-08-05", "甲", "", "", "", "", "", "", ""],
        ["2101", "座谈会", "2026-08-05", "乙", "", "", "", "", "", "", ""],
        ["2101", "党小组会", "2026-08-05", "丙", "", "", "", "", "", "", ""],
        ["2101", "支部委员会", "2019.13", "丁", "", "", "", "", "", "", ""],
        ["2101", "支部委员会", "2026-08-05", "", "", "", "", "", "", "", ""],
        ["2100", "支部委员会", "2026-08-05", "戊", "", "", "", "", "", "", ""],
        ["2101", "支部委员会", "2026-08-06", "己", "", "", "", "杜兰", "杜兰", "", ""],
        ["2101", "支部委员会", "2099-12-30", "庚", "", "", "", "", "", "", ""],
    ])
    status, result = import_meetings(path)
    assert status == 1
    messages = {e["row"]: e["message"] for e in result["errors"]}
    assert "找不到党组织“9999”" in messages[2]
    assert "未知的会议类型“座谈会”" in messages[3]
    assert "党小组会应由党小组召开" in messages[4]
    assert "2019.13" in messages[5]
    assert "主题不能为空" in messages[6]
    assert "是党委" in messages[7]
    assert "同时出现在" in messages[8]
    assert "晚于今天" in messages[9]


def test_an_ambiguous_name_is_an_error(sample_tree, tmp_path):
    twin = Member.objects.get(name="杜兰")
    twin.pk = None
    twin.id_number = "110101195409040012"
    twin.save()
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        HEADER, ["2101", "支部委员会", "2026-08-05", "甲", "", "", "", "杜兰", "", "", ""]])
    status, result = import_meetings(path)
    assert status == 1 and "有 2 名党员叫“杜兰”" in result["errors"][0]["message"]


def test_organizations_outside_the_target_subtree_are_refused(sample_tree, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        HEADER, ["2200", "主题党日", "2026-08-05", "甲", "", "", "", "彭晨涛", "", "", ""]])
    status, result = run_json("import_meetings", str(path), "--org", "2100")
    assert status == 1 and "不在示例社区党委范围内" in result["errors"][0]["message"]


def test_gbk_csv_ledger_by_exact_names(sample_tree, tmp_path):
    path = write_csv(tmp_path / "ledger.csv", [
        ["会议主题", "类型", "日期", "所在党组织", "出席人员", "缺席人员"],
        ["学习", "支部党员大会、党课", "2026年9月3日", "示例第二社区党支部", "曹斌 付宁林；吴梅", "陶欣"],
    ], encoding="gbk")
    status, result = import_meetings(path)
    assert status == 0 and result["created"] == 1
    meeting = Meeting.objects.get()
    assert meeting.organization.code == "2102"
    assert meeting.attendances.filter(status=Attendance.Status.ABSENT).get().member.name == "陶欣"


def test_dry_run_writes_nothing(sample_tree):
    status, result = import_meetings(DATA / "sample_meetings.xlsx", "--dry-run")
    assert status == 0 and result["created"] == 5 and not Meeting.objects.exists()


def test_unknown_target_cannot_run(db):
    status, result = run_json("import_meetings", str(DATA / "sample_meetings.xlsx"), "--org", "0000")
    assert status == 2 and "找不到组织编码" in result["error"]


def test_web_upload_previews_then_confirms(client, sample_tree):
    from accounts.actions import grant_role
    from branches.models import Organization

    user, _, _ = grant_role("sec2101", "secretary", Organization.objects.get(code="2101"),
                            password="Secret-pass-2026")
    client.force_login(user)
    rows = [HEADER, ["2101", "支部委员会", "2026-08-05", "学习", "", "", "", "杜兰、孙红敏", "", "", ""]]
    import io

    import openpyxl
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = client.post(reverse("imports:upload", args=["meetings"]), {
        "organization": "2101",
        "file": SimpleUploadedFile("ledger.xlsx", buffer.getvalue()),
    })
    batch = ImportBatch.objects.latest("created_at")
    assert response.status_code == 302 and batch.status == ImportBatch.Status.PREVIEW
    assert not Meeting.objects.exists()
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.result["created"] == 1
    assert Meeting.objects.get().events.get().by == user


def test_export_ledger_has_a_sheet_per_kind_with_counts_and_names(client, sample_tree):
    import io

    import openpyxl

    from branches.models import Organization

    import_meetings(DATA / "sample_meetings.xlsx")
    branch = Organization.objects.get(code="2101")
    import datetime
    data = ledger_workbook(branch, Meeting.objects.filter(branch=branch),
                           datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["支部党员大会", "支部委员会", "党小组会"]
    congress = list(wb["支部党员大会"].iter_rows(min_row=3, max_row=3, values_only=True))[0]
    assert congress[3] == "学习贯彻全会精神"
    assert congress[7:11] == (9, 8, 1, 0)
    assert "杜兰" in congress[11] and congress[12] == "熊军红"
    lecture = list(wb["党课"].iter_rows(min_row=3, max_row=3, values_only=True))[0]
    assert lecture[3] == "学习贯彻全会精神"
    assert wb["主题党日"].max_row >= 2


def test_a_group_target_takes_only_its_own_meetings_but_names_from_its_branch(sample_tree, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", [
        HEADER,
        ["2101-1", "党小组会", "2026-08-05", "甲", "", "", "", "杜兰、孙红敏", "", "", ""],
        ["2101", "支部委员会", "2026-08-05", "乙", "", "", "", "杜兰", "", "", ""],
    ])
    status, result = run_json("import_meetings", str(path), "--org", "2101-1")
    assert status == 1
    assert [e["row"] for e in result["errors"]] == [3]
    assert "不在示例第一社区党支部第一党小组范围内" in result["errors"][0]["message"]


def test_upload_page_for_ledgers_renders_for_a_secretary(client, personas):
    client.force_login(personas.secretary)
    page = client.get(reverse("imports:upload", args=["meetings"])).content.decode()
    assert "三会一课台账" in page and "参会人员" in page
    client.force_login(personas.auditor)
    assert client.get(reverse("imports:upload", args=["meetings"])).status_code == 403


def test_a_member_who_moved_away_cannot_be_imported_into_the_old_branchs_meeting(district):
    """The form's roster rule (roster_for) holds for the import too."""
    import datetime
    import io

    from activities.importer import MeetingImporter
    from core.importing import plan_file
    from tests.factories import make_member

    make_member(district.b1, name="转走了", since=datetime.date(2020, 1, 1),
                until=datetime.date(2026, 11, 30))
    make_member(district.b1, name="还在")
    rows = [HEADER[:8], ["1101", "支部委员会", "2026-11-30", "转走当天", "", "", "", "转走了、还在"],
            ["1101", "支部委员会", "2026-11-29", "转走前一天", "", "", "", "转走了、还在"]]
    data = "\n".join(",".join(r) for r in rows).encode()

    plan = plan_file(MeetingImporter(organization=district.b1), io.BytesIO(data), "m.csv")

    [error] = plan.errors
    assert error.row == 2 and "转走了" in error.message and "不在" in error.message
    assert plan.count("create") == 1
