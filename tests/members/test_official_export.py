"""export_official (interfaces.md §6) and the same downloads from the roster page.

The files are re-read as a program would: the first row is exactly the header, one row per member
on the subtree's roster, every ID, phone and date comes back as the same text.
"""
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditLog
from members import actions
from members.official import MEMBER_HEADERS
from tests.factories import make_member, make_org
from tests.helpers import run_command, run_json

HEADER = ("序号 姓名 所在党支部 公民身份号码 性别 民族 出生日期 学历 人员类别 加入党组织日期 转为正式党员日期 工作岗位 "
          "手机号码 固定电话 家庭住址 党籍状态 是否为失联党员 失去联系日期 是否为流动党员 外出流向 备注").split()


def _id_ending_in_x() -> str:
    """A valid GB 11643 number of a man born 1980-05-01 whose check character is X."""
    for sequence in range(1, 999, 2):
        body = f"11010519800501{sequence:03d}"
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
        if check == "X":
            return body + check
    raise AssertionError("no such number")


X_ID = _id_ending_in_x()


@pytest.fixture
def roster(district, personas):
    """Members of 1101 and 1102 (党委 1100), one in 1201 outside it, one who left, one suspended."""
    today = datetime.date(2026, 11, 1)
    special = make_member(district.b1, name="王特", ethnicity="回族", education="大学本科",
                          phone="01012345678", landline="0010-0001", home_address="+86 某地",
                          is_lost_contact=True, lost_contact_on=datetime.date(2025, 1, 2),
                          is_mobile=True, mobile_destination="广东省深圳市", remarks="=HYPERLINK(\"x\")",
                          work_unit="-科员")
    special.id_number = X_ID
    special.save()
    plain = make_member(district.b2, name="钱平", male=False, category="probationary",
                        joined=datetime.date(2026, 3, 1))
    suspended = make_member(district.b1, name="孙停")
    actions.suspend(suspended, on=today, by=personas.staff)
    gone = make_member(district.b1, name="李出")
    actions.leave(gone, on=today, by=personas.staff)
    make_member(district.b3, name="周外")
    return {"special": special, "plain": plain, "suspended": suspended, "gone": gone}


def read(path_or_bytes):
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = openpyxl.load_workbook(source)
    return book, list(book.worksheets[0].iter_rows())


def test_the_export_has_exactly_the_header_and_one_text_row_per_roster_member(roster, district,
                                                                               tmp_path):
    path = tmp_path / "official.xlsx"

    status, out = run_json("export_official", "--org", "1100", "--xlsx", str(path))

    assert status == 0 and out["exported"] == 3
    book, rows = read(path)
    assert book.sheetnames == ["党员信息采集表"]
    assert [c.value for c in rows[0]] == HEADER == list(MEMBER_HEADERS)
    by_name = {r[1].value: r for r in rows[1:]}
    assert len(rows) == 4 and [r[0].value for r in rows[1:]] == [1, 2, 3]
    assert set(by_name) == {"王特", "钱平", "孙停"}  # not 李出 (left), not 周外 (1201)
    special = {h: c for h, c in zip(HEADER, by_name["王特"], strict=True)}
    text = {h: c.value for h, c in special.items()}
    assert text["公民身份号码"] == X_ID and text["手机号码"] == "01012345678"
    assert text["固定电话"] == "0010-0001" and text["出生日期"] == "1980-05-01"
    assert (text["加入党组织日期"], text["转为正式党员日期"]) == ("2005-07-01", "2006-07-01")
    assert (text["是否为失联党员"], text["失去联系日期"]) == ("是", "2025-01-02")
    assert (text["是否为流动党员"], text["外出流向"]) == ("是", "广东省深圳市")
    assert (text["所在党支部"], text["人员类别"], text["党籍状态"]) == ("第一社区第一党支部", "正式党员", "正常")
    assert (text["家庭住址"], text["备注"], text["工作岗位"]) == ("'+86 某地", "'=HYPERLINK(\"x\")", "'-科员")
    for header in HEADER[1:]:
        assert special[header].data_type == "s", header  # never a number, a date or a formula
    plain = {h: c.value for h, c in zip(HEADER, by_name["钱平"], strict=True)}
    assert (plain["人员类别"], plain["转为正式党员日期"], plain["是否为失联党员"]) == ("预备党员", None, "否")
    suspended = {h: c.value for h, c in zip(HEADER, by_name["孙停"], strict=True)}
    assert suspended["党籍状态"] == "停止党籍"
    log = AuditLog.objects.get(action="member.export_official")
    assert (log.organization, log.actor, log.detail["masked"], log.detail["count"]) == (
        district.c1, None, False, 3)
    assert X_ID not in str(log.detail) + log.target


def test_the_exported_sheet_reimports_with_every_row_unchanged(roster, tmp_path):
    path = tmp_path / "official.xlsx"
    run_json("export_official", "--org", "1101", "--xlsx", str(path))

    status, result = run_json("import_members", str(path), "--org", "1101")

    assert status == 0, (result["errors"], result["warnings"])
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2), result


def test_the_organization_sheet_counts_each_subtrees_members(roster, district, tmp_path):
    district.b1.short_name = "一支部"
    district.b1.secretary_name = "赵书记"
    district.b1.founded_on = datetime.date(2001, 7, 1)
    district.b1.save()
    make_org("1103", "已撤销党支部", "branch", district.c1, dissolved_on=datetime.date(2020, 1, 1))
    members, orgs = tmp_path / "m.xlsx", tmp_path / "o.xlsx"

    status, out = run_json("export_official", "--org", "1100", "--xlsx", str(members),
                           "--orgs-xlsx", str(orgs))

    assert status == 0 and out["organizations"] == 3
    book, rows = read(orgs)
    assert [c.value for c in rows[0]] == ["组织编码", "全称", "简称", "组织类别", "成立日期", "党员人数",
                                         "书记", "单位性质", "上级党组织全称"]
    table = {r[0].value: [c.value for c in r] for r in rows[1:]}
    assert set(table) == {"1100", "1101", "1102"}  # no 党小组, nothing dissolved
    assert table["1101"] == ["1101", "第一社区第一党支部", "一支部", "党支部", "2001-07-01", 1, "赵书记",
                             "社区", "第一社区党委"]
    assert table["1100"][5] == 2 and table["1102"][5] == 1  # 正常 members only


@pytest.mark.parametrize("args, words", [
    (["--org", "9999"], "找不到组织编码"),
    (["--org", "1101-1"], "党小组"),
])
def test_bad_arguments_exit_2_without_a_traceback(args, words, district, tmp_path):
    status, out, err = run_command("export_official", *args, "--xlsx", str(tmp_path / "x.xlsx"))

    assert status == 2 and words in err


def test_an_unwritable_path_exits_2_in_json(district, tmp_path):
    status, out = run_json("export_official", "--org", "1101", "--xlsx",
                           str(tmp_path / "missing" / "x.xlsx"))

    assert status == 2 and "无法写入" in out["error"]


@pytest.mark.parametrize("persona, full", [("secretary", True), ("admin", True), ("auditor", False)])
def test_the_roster_page_download_reveals_ids_only_to_roles_that_may(persona, full, roster, personas,
                                                                    client, district):
    client.force_login(getattr(personas, persona))
    page = client.get(reverse("members:member-list"), {"org": "1101"}).content.decode()
    assert reverse("members:official-export") in page

    response = client.get(reverse("members:official-export"), {"org": "1101"})

    assert response.status_code == 200
    book, rows = read(response.content)
    ids = [r[3].value for r in rows[1:]]
    assert (X_ID in ids) is full and len(ids) == 2
    log = AuditLog.objects.get(action="member.export_official")
    assert (log.actor, log.organization, log.detail["masked"]) == (getattr(personas, persona),
                                                                   district.b1, not full)


def test_another_branchs_secretary_gets_404(roster, personas, client):
    client.force_login(personas.other_secretary)

    for name in ("members:official-export", "members:official-org-export"):
        assert client.get(reverse(name), {"org": "1101"}).status_code == 404
