"""The roster import's preview: every parsed field per row, the valid rows importable from the
preview itself, months alone read as the 1st, and branches named without their parent's prefix."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.models import Organization
from imports.models import ImportBatch
from members.importer import RosterScope
from members.models import Member
from tests.factories import make_org
from tests.members.builders import person, rows_for, xlsx_bytes

HEADER = ["姓名", "公民身份号码", "人员类别", "入党日期", "转正日期", "所在党支部", "所在党小组"]


def upload(client, org, data, kind="members"):
    client.post(reverse("imports:upload", args=[kind]),
                {"organization": org.code, "file": SimpleUploadedFile("roster.xlsx", data)})
    return ImportBatch.objects.latest("created_at")


def preview(client, batch) -> str:
    return client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()


@pytest.fixture
def roster_with_one_bad_row(district, new_id):
    people = [
        person(new_id(datetime.date(1970, 3, 4)), "甲", joined="1998.12", confirmed="1999年12月",
               branch="第一党支部", group="第一党小组"),
        person(new_id(datetime.date(1990, 1, 2)), "乙", category="预备党员", joined="2026-03-01",
               confirmed=None, branch="1102"),
        person("110101199001011230", "丙", branch="1102"),  # a wrong check digit
    ]
    return xlsx_bytes(rows_for(people, HEADER))


def test_the_preview_shows_every_parsed_field_of_every_row(client, personas, district,
                                                          roster_with_one_bad_row):
    client.force_login(personas.admin)
    batch = upload(client, district.c1, roster_with_one_bad_row)
    page = preview(client, batch)
    table = page.split('id="preview"')[1]
    for label in ("出生年份", "人员类别", "入党日期", "转正日期", "所在党支部", "党小组"):
        assert f"<th>{label}</th>" in table
    assert "1970年" in table and "正式党员" in table and "预备党员" in table
    assert "1970-03-04" not in table  # beside the masked ID the date would give it back
    assert "1998-12-01（仅年月，按1日）" in table and "1999-12-01（仅年月，按1日）" in table
    assert "第一社区第一党支部" in table and "第一社区第一党支部第一党小组" in table
    assert "第一社区第二党支部" in table
    bad_row = table[table.index("丙"):]
    bad_row = bad_row[:bad_row.index("</tr>")]
    assert "校验位" in bad_row  # the error stays on its row


def test_the_valid_rows_go_in_from_the_preview_without_a_second_upload(client, personas, district,
                                                                      roster_with_one_bad_row):
    client.force_login(personas.admin)
    batch = upload(client, district.c1, roster_with_one_bad_row)
    page = preview(client, batch)
    assert "导入其余 2 条有效记录" in page and ">确认导入<" not in page
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))  # all or nothing: refused
    assert not Member.objects.exists()
    client.post(reverse("imports:batch-confirm", args=[batch.pk]), {"skip_invalid": "1"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.skip_invalid
    assert (batch.result["created"], batch.result["skipped"]) == (2, 1)
    first = Member.objects.get(name="甲")
    assert first.joined_on == datetime.date(1998, 12, 1) and first.branch == district.b1
    assert first.group == district.g1
    assert not Member.objects.filter(name="丙").exists()
    assert "导入其余" not in preview(client, batch)


def test_an_organization_file_with_errors_stays_all_or_nothing(client, personas, district):
    client.force_login(personas.staff)
    rows = [["组织编码", "组织名称", "上级组织编码", "组织类别"],
            ["3000", "新街道党工委", "", "党工委"], ["3001", "坏组织", "3000", "不存在的类别"]]
    client.post(reverse("imports:upload", args=["orgs"]),
                {"file": SimpleUploadedFile("orgs.xlsx", xlsx_bytes(rows))})
    batch = ImportBatch.objects.latest("created_at")
    assert "导入其余" not in preview(client, batch)
    client.post(reverse("imports:batch-confirm", args=[batch.pk]), {"skip_invalid": "1"})
    assert not Organization.objects.filter(code="3000").exists()


# ------------------------------------------------------------------- branches named by their tail

def test_a_branch_is_found_by_the_tail_after_its_parents_name(district):
    scope = RosterScope(district.c1)  # 第一社区党委 → 第一社区第一党支部, 第一社区第二党支部
    assert scope.find_branch("第一党支部") == (district.b1, None)
    assert scope.find_branch("第二党支部") == (district.b2, None)
    assert scope.find_branch("第一社区第二党支部") == (district.b2, None)


def test_the_tail_may_follow_any_ancestor_and_a_full_name_wins(district):
    K = Organization.Kind
    street = make_org("5000", "东湖街道党工委", K.WORKING_COMMITTEE)
    community = make_org("5100", "东湖街道幸福里社区党委", K.COMMITTEE, street)
    grid = make_org("5101", "东湖街道幸福里社区第二网格党支部", K.BRANCH, community)
    scope = RosterScope(street)
    assert scope.find_branch("第二网格党支部") == (grid, None)
    assert scope.find_branch("幸福里社区第二网格党支部") == (grid, None)
    other = make_org("5200", "东湖街道和平社区党委", K.COMMITTEE, street)
    make_org("5201", "东湖街道和平社区第二网格党支部", K.BRANCH, other)
    scope = RosterScope(street)
    branch, message = scope.find_branch("第二网格党支部")
    assert branch is None and "多个党支部名称以“第二网格党支部”结尾" in message
    assert RosterScope(community).find_branch("第二网格党支部") == (grid, None)  # unique there


def test_a_tail_never_reaches_outside_the_target(district):
    branch, message = RosterScope(district.c2).find_branch("第一党支部")
    assert branch is None and message


def test_a_roster_names_branches_by_tail(client, personas, district, new_id):
    client.force_login(personas.admin)
    data = xlsx_bytes(rows_for([person(new_id(), "丁", branch="第二党支部")], HEADER))
    batch = upload(client, district.c1, data)
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert Member.objects.get(name="丁").branch == district.b2
