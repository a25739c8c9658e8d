"""The 党员信息采集表 columns the roster lacked: 固定电话, 家庭住址, 失联 with its date, 备注.

The roster import and the member form accept them with the same rules (a date of losing contact
means the member is 失联; "否" with a date is an error), and a re-import of the same file changes
nothing.
"""
import datetime

import pytest
from django.urls import reverse

from members import actions
from members.models import Member, MemberEvent
from tests.members.builders import HEADER, person, rows_for, xlsx_bytes
from tests.members.conftest import run_import

EXTRA = ["固定电话", "家庭住址", "是否为失联党员", "失去联系日期", "备注", "是否为流动党员", "外出流向"]


def roster(*people):
    return xlsx_bytes(rows_for(people, header=HEADER + EXTRA))


def test_the_import_reads_the_collection_form_columns_and_reimports_unchanged(district, new_id):
    id_number = new_id()
    data = roster(person(id_number, "王失联", **{
        "固定电话": "010-66001234", "家庭住址": "北京市东城区某街道1号", "是否为失联党员": "是",
        "失去联系日期": "2025-03-01", "备注": "长期外出务工", "是否为流动党员": "否",
    }))

    plan, result = run_import(data, district.b1)

    assert result.created == 1, plan.errors
    member = Member.objects.get(id_number=id_number)
    assert (member.landline, member.home_address, member.is_lost_contact, member.lost_contact_on,
            member.remarks) == ("010-66001234", "北京市东城区某街道1号", True,
                                datetime.date(2025, 3, 1), "长期外出务工")
    again, result = run_import(data, district.b1)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_a_changed_column_is_an_update_and_a_blank_yes_no_keeps_the_stored_value(district, new_id):
    id_number = new_id()
    run_import(roster(person(id_number, "王失联", **{"是否为失联党员": "是"})), district.b1)

    plan, result = run_import(roster(person(id_number, "王失联", **{"家庭住址": "新地址"})), district.b1)

    assert result.updated == 1, plan.errors
    member = Member.objects.get(id_number=id_number)
    assert member.home_address == "新地址" and member.is_lost_contact is True
    event = MemberEvent.objects.filter(member=member, kind="edited").get()
    assert event.detail["changes"]["家庭住址"] == ["", "新地址"]


def test_a_date_of_losing_contact_alone_marks_the_member_lost(district, new_id):
    id_number = new_id()
    plan, result = run_import(roster(person(id_number, **{"失去联系日期": "2024.6"})), district.b1)

    assert result.created == 1, plan.errors
    assert Member.objects.get(id_number=id_number).is_lost_contact is True


@pytest.mark.parametrize("cells, column, words", [
    ({"是否为失联党员": "否", "失去联系日期": "2025-01-01"}, "失去联系日期", "不是失联党员"),
    ({"失去联系日期": "2099-01-01"}, "失去联系日期", "晚于今天"),
    ({"是否为失联党员": "也许"}, "是否为失联党员", "可填：是、否"),
    ({"固定电话": 1.5}, "固定电话", "固定电话不能是小数"),
    ({"家庭住址": "长" * 201}, "家庭住址", "超过 200"),
])
def test_wrong_collection_cells_are_row_errors_naming_the_column(cells, column, words, district,
                                                                   new_id):
    plan, result = run_import(roster(person(new_id(), **cells)), district.b1)

    assert result.created == 0
    assert [(e.column, words in e.message) for e in plan.errors] == [(column, True)]


def test_the_edit_form_records_the_new_fields(client, personas, district):
    member = actions.create_member(
        {"name": "赵六", "id_number": _id(), "category": "正式党员", "joined_on": "2010-07-01",
         "confirmed_on": "2011-07-01"}, branch=district.b1, by=personas.secretary)
    client.force_login(personas.secretary)
    url = reverse("members:member-edit", args=[member.pk])
    data = {k: v for k, v in client.get(url).context["form"].initial.items() if v is not None}
    data.update(landline="0755-1234567", home_address="深圳市某路2号", remarks="长期在外",
                is_lost_contact="on", lost_contact_on="2026-02-01")

    assert client.post(url, data).status_code == 302

    member.refresh_from_db()
    assert (member.landline, member.home_address, member.remarks, member.lost_contact_on) == (
        "0755-1234567", "深圳市某路2号", "长期在外", datetime.date(2026, 2, 1))
    page = client.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert "深圳市某路2号" in page and "2026-02-01" in page
    data.pop("is_lost_contact")  # unticked while the date stays: refused, nothing saved
    response = client.post(url, data)
    assert response.status_code == 200 and "不是失联党员时不应填写失去联系日期" in response.content.decode()
    member.refresh_from_db()
    assert member.is_lost_contact is True


def _id():
    from tests.factories import valid_id_number

    return valid_id_number(datetime.date(1980, 1, 2))


def test_the_bulk_copy_path_writes_and_updates_the_new_columns(district):
    """500 rows and more go through COPY on PostgreSQL (members.bulk)."""
    from members.bulk import COPY_THRESHOLD
    from tests.factories import valid_id_number

    people = [person(valid_id_number(datetime.date(1970, 1, 1) + datetime.timedelta(days=i)),
                     f"批量{i}", **{"固定电话": f"010-{i:07d}", "失去联系日期": "2025-01-01"})
              for i in range(COPY_THRESHOLD)]
    plan, result = run_import(roster(*people), district.b1)
    assert result.created == COPY_THRESHOLD, plan.errors[:3]

    for p in people:
        p["家庭住址"] = "统一地址"
    plan, result = run_import(roster(*people), district.b1)

    assert result.updated == COPY_THRESHOLD, plan.errors[:3]
    lost = Member.objects.filter(home_address="统一地址", is_lost_contact=True,
                                 lost_contact_on=datetime.date(2025, 1, 1), landline="010-0000007")
    assert lost.count() == 1
