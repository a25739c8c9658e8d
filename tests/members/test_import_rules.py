"""Each rule of §1.2 with its row and column; identity, transfers, all-or-nothing, re-import."""
import datetime

import pytest

from core.importing import dry_run_result
from members import actions
from members.models import Member, MemberEvent, Membership
from tests.members.builders import HEADER, person, rows_for, xlsx_bytes
from tests.members.conftest import make_member, plan_bytes, run_import

TODAY = datetime.date.today()


def only_error(plan):
    assert len(plan.errors) == 1, plan.errors
    e = plan.errors[0]
    return e.row, e.column, e.message


@pytest.mark.parametrize(
    "changes,column,fragment",
    [
        ({"姓名": None}, "姓名", "缺少姓名"),
        ({"公民身份号码": "110101198503041235"}, "公民身份号码", "校验位"),
        ({"公民身份号码": "11010119850304123"}, "公民身份号码", "18位"),
        ({"性别": "女"}, "性别", "不符"),
        ({"出生日期": "1985-03-05"}, "出生日期", "不符"),
        ({"人员类别": "积极分子"}, "人员类别", "不是可选的值"),
        ({"入党日期": None}, "入党日期", "不能为空"),
        ({"入党日期": "2000-01-01", "转正日期": "2001-01-01"}, "入党日期", "未满 18 周岁"),
        ({"入党日期": (TODAY + datetime.timedelta(days=3)).isoformat(), "转正日期": None}, "入党日期", "晚于今天"),
        ({"转正日期": "2010-06-30"}, "转正日期", "应晚于入党日期"),
        ({"转正日期": (TODAY + datetime.timedelta(days=3)).isoformat()}, "转正日期", "晚于今天"),
        ({"人员类别": "预备党员"}, "转正日期", "预备党员不应填写转正日期"),
        ({"所在党支部": "9999"}, "所在党支部", "找不到党支部"),
        ({"所在党支部": "1201"}, "所在党支部", "不在本次导入的范围"),
        ({"所在党支部": "1100"}, "所在党支部", "不是党支部"),
        ({"所在党小组": "第九党小组"}, "所在党小组", "没有党小组"),
        ({"联系电话": 138.5}, "联系电话", "小数"),
    ],
)
def test_each_error_is_reported_with_its_row_and_column(district, changes, column, fragment):
    p = person(_id())
    p.update(changes)
    rows = rows_for([p], HEADER + ["性别", "出生日期"]) if {"性别", "出生日期"} & set(changes) else rows_for([p])
    _, plan = plan_bytes(xlsx_bytes(rows), district.c1)
    row, col, message = only_error(plan)
    assert (row, col) == (2, column)
    assert fragment in message, message


def _id():
    from tests.factories import valid_id_number

    return valid_id_number(datetime.date(1985, 3, 4), True)


def test_a_full_member_without_confirmation_date_is_a_warning_only(district, new_id):
    plan, result = run_import(xlsx_bytes(rows_for([person(new_id(), confirmed=None)])), district.b1)
    assert result.created == 1
    assert [(w.row, w.column) for w in plan.warnings] == [(2, "转正日期")]


def test_branch_is_optional_when_importing_into_one_branch(district, new_id):
    plan, result = run_import(xlsx_bytes(rows_for([person(new_id(), branch=None)])), district.b1)
    assert result.created == 1 and Member.objects.get().branch == district.b1


def test_branch_is_required_when_importing_into_a_committee(district, new_id):
    _, plan = plan_bytes(xlsx_bytes(rows_for([person(new_id(), branch=None)])), district.c1)
    assert only_error(plan)[1] == "所在党支部"


def test_branch_by_exact_name_and_group_by_code_full_name_or_suffix(district, new_id):
    people = [
        person(new_id(), branch="第一社区第一党支部", group="1101-1"),
        person(new_id(), branch="第一社区第一党支部", group="第一社区第一党支部第一党小组"),
        person(new_id(), branch="1101", group="第一党小组"),
    ]
    plan, result = run_import(xlsx_bytes(rows_for(people)), district.c1)
    assert result.created == 3, plan.errors
    assert set(Member.objects.values_list("group__code", flat=True)) == {"1101-1"}


def test_the_same_id_twice_is_an_error_on_the_second_row_naming_the_first(district, new_id):
    same = new_id()
    _, plan = plan_bytes(xlsx_bytes(rows_for([person(same), person(new_id()), person(same)])), district.b1)
    row, column, message = only_error(plan)
    assert (row, column) == (4, "公民身份号码") and "第 2 行" in message


def test_a_member_of_a_branch_outside_the_target_is_not_moved(district):
    elsewhere = make_member(district.b3, name="外支部")
    data = xlsx_bytes(rows_for([person(elsewhere.id_number, name="外支部")]))
    _, plan = plan_bytes(data, district.b1)
    row, column, message = only_error(plan)
    assert column == "公民身份号码"
    assert message == "该党员组织关系在第二社区党支部，请办理组织关系转接。"
    _, result = run_import(data, district.b1, skip_invalid=True)
    elsewhere.refresh_from_db()
    assert elsewhere.branch == district.b3 and result.created == 0


def test_a_member_of_another_branch_inside_the_target_is_not_moved_either(district):
    member = make_member(district.b2, name="二支部")
    data = xlsx_bytes(rows_for([person(member.id_number, name="二支部", branch="1101")]))
    _, plan = plan_bytes(data, district.c1)
    assert only_error(plan)[2] == "该党员组织关系在第一社区第二党支部，请办理组织关系转接。"


@pytest.mark.sqlite_smoke
def test_all_or_nothing_writes_nothing_when_one_row_is_wrong(district, new_id):
    data = xlsx_bytes(rows_for([person(new_id()), person(new_id(), 入党日期="bad")]))
    plan, result = run_import(data, district.b1)
    assert not result.written and result.exit_status == 1
    assert Member.objects.count() == 0


def test_skip_invalid_writes_the_good_rows_and_lists_the_bad(district, new_id):
    data = xlsx_bytes(rows_for([person(new_id()), person(new_id(), 入党日期="bad")]))
    plan, result = run_import(data, district.b1, skip_invalid=True)
    assert (result.created, result.skipped, len(result.errors)) == (1, 1, 1)
    assert result.errors[0].row == 3


def test_dry_run_counts_without_writing(district, new_id):
    _, plan = plan_bytes(xlsx_bytes(rows_for([person(new_id())])), district.b1)
    result = dry_run_result(plan)
    assert result.created == 1 and Member.objects.count() == 0


def test_import_creates_membership_from_joining_one_event_and_one_audit(district, new_id, personas):
    from accounts.models import AuditLog

    data = xlsx_bytes(rows_for([person(new_id(), joined="2010-07-01"), person(new_id())]))
    run_import(data, district.b1, user=personas.secretary)
    assert set(Membership.objects.values_list("branch", "started_on", "ended_on")) == {
        (district.b1.pk, datetime.date(2010, 7, 1), None)}
    assert MemberEvent.objects.filter(kind="created").count() == 2
    [log] = AuditLog.objects.filter(action="member.import")
    assert log.detail["created"] == 2 and log.actor == personas.secretary


@pytest.mark.sqlite_smoke
def test_re_import_of_the_same_file_changes_nothing(district, new_id):
    data = xlsx_bytes(rows_for([person(new_id(), group="第一党小组"), person(new_id(), category="预备",
                                                                           confirmed=None, joined="2026-01-02")]))
    run_import(data, district.b1)
    plan, result = run_import(data, district.b1)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert "2 条无变化" in result.summary()


def test_a_changed_cell_is_an_update_listing_old_and_new(district, new_id):
    id_number = new_id()
    run_import(xlsx_bytes(rows_for([person(id_number, phone="13800000000")])), district.b1)
    plan, result = run_import(xlsx_bytes(rows_for([person(id_number, phone="13900000000")])), district.b1)
    assert result.updated == 1
    assert plan.rows[0].changes == {"联系电话": ["13800000000", "13900000000"]}
    assert Member.objects.get().phone == "13900000000"
    assert MemberEvent.objects.filter(kind="edited").count() == 1


def test_an_upload_cannot_change_status_or_demote_a_full_member(district, new_id):
    member = make_member(district.b1)
    actions.suspend(member, on=datetime.date(2020, 1, 1), by=None)
    p = person(member.id_number, name=member.name, joined="2005-07-01", confirmed="2006-07-01", 党籍状态="正常")
    _, plan = plan_bytes(xlsx_bytes(rows_for([p], HEADER + ["党籍状态"])), district.b1)
    assert only_error(plan)[1] == "党籍状态"


def test_a_member_created_elsewhere_after_the_preview_fails_the_row_not_the_server(district, new_id):
    id_number = new_id()
    importer, plan = plan_bytes(xlsx_bytes(rows_for([person(id_number)])), district.b1)
    Member.objects.create(name="抢先", id_number=id_number, sex="男", birth_date=datetime.date(1985, 3, 4),
                          joined_on=datetime.date(2010, 7, 1), branch=district.b2)
    from core.importing import apply_plan

    result = apply_plan(importer, plan)
    assert not result.written and result.errors[0].row == 2
    assert "已被登记" in result.errors[0].message


def test_sample_files_create_19_members_then_19_unchanged(db, tmp_path):
    import json

    from django.core.management import call_command

    from tests.helpers import SAMPLES

    call_command("import_orgs", str(SAMPLES / "sample_orgs.xlsx"))
    out = _run(str(SAMPLES / "sample_roster.xlsx"))
    assert json.loads(out)["created"] == 19
    assert json.loads(_run(str(SAMPLES / "sample_roster.xlsx")))["unchanged"] == 19


def _run(path):
    import io

    from django.core.management import call_command

    buffer = io.StringIO()
    call_command("import_members", path, "--org", "2000", "--json", stdout=buffer)
    return buffer.getvalue()


def test_the_postgresql_copy_path_writes_the_same_rows(district, new_id, personas, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    import members.bulk

    monkeypatch.setattr(members.bulk, "COPY_THRESHOLD", 0)
    people = [person(new_id(), joined="2010-07-01"), person(new_id(), group="第一党小组", phone=None)]
    plan, result = run_import(xlsx_bytes(rows_for(people)), district.b1, user=personas.secretary)
    assert result.created == 2
    assert Membership.objects.filter(started_on=datetime.date(2010, 7, 1), ended_on=None).count() == 2
    assert MemberEvent.objects.filter(kind="created", recorded_by=personas.secretary).count() == 2
    assert Member.objects.filter(group=district.g1, status="normal", is_mobile=False).count() == 1
    _, again = run_import(xlsx_bytes(rows_for(people)), district.b1)
    assert again.unchanged == 2


def test_the_postgresql_update_path_keeps_what_the_file_does_not_say(district, new_id, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    import members.bulk

    monkeypatch.setattr(members.bulk, "COPY_THRESHOLD", 0)
    full, probationary = new_id(), new_id()
    people = [person(full, group="第一党小组", 外出流向="上海"),
              person(probationary, category="预备", confirmed=None, joined="2024-01-02")]
    header = list(people[0])
    run_import(xlsx_bytes(rows_for(people, header)), district.b1)
    changed = [person(full, phone="13911112222", group="第一党小组", 外出流向="上海"),
               person(probationary, category="正式", confirmed="2025-01-02", joined="2024-01-02")]
    plan, result = run_import(xlsx_bytes(rows_for(changed, header)), district.b1)
    assert result.updated == 2, plan.errors
    a, b = Member.objects.get(id_number=full), Member.objects.get(id_number=probationary)
    assert (a.phone, a.group, a.is_mobile, a.mobile_destination) == ("13911112222", district.g1, True, "上海")
    assert (b.category, b.confirmed_on) == ("full", datetime.date(2025, 1, 2))
    assert MemberEvent.objects.filter(kind="confirmed", member=b, date=datetime.date(2025, 1, 2)).exists()
    assert MemberEvent.objects.filter(kind="edited").count() == 2
    _, again = run_import(xlsx_bytes(rows_for(changed, header)), district.b1)
    assert again.unchanged == 2


def test_a_member_edited_during_a_bulk_update_rolls_the_import_back(district, new_id, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the optimistic check is in the PostgreSQL UPDATE")
    import members.bulk
    from core.importing import apply_plan

    monkeypatch.setattr(members.bulk, "COPY_THRESHOLD", 0)
    id_number = new_id()
    run_import(xlsx_bytes(rows_for([person(id_number, phone="13800000000")])), district.b1)
    importer, plan = plan_bytes(xlsx_bytes(rows_for([person(id_number, phone="13900000000")])), district.b1)
    member = Member.objects.get()
    monkeypatch.setattr(importer, "_stale_rows", lambda plan: importer.__class__._stale_rows(importer, plan) and [])
    actions.update_member(member, {"education": "大学"}, by=None)  # after the check, before the write
    result = apply_plan(importer, plan)
    assert not result.written and "预览后被修改" in result.errors[-1].message
    member.refresh_from_db()
    assert member.phone == "13800000000" and member.education == "大学"
