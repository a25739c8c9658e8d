"""Errors a program gets: Chinese sentences naming the field; the meeting form's own rules; 405,
404, 400 on bad parameters, 429 when throttled; never a 500."""
import datetime
import json

import pytest
from rest_framework.throttling import UserRateThrottle

from activities.models import Meeting
from tests.activities.conftest import make_member
from tests.api.conftest import Caller, token_for


@pytest.fixture
def secretary(district, personas):
    for i in range(3):
        make_member(f"错{i}", district.b1)
    make_member("别支部", district.b2)
    return Caller(token_for(personas.secretary))


@pytest.mark.parametrize("change, field, words", [
    ({"kinds": ["party_lecture"], "lecturer": ""}, "lecturer", "党课请填写授课人"),
    ({"topic": ""}, "topic", "主题"),
    ({"date": "2026/13/40"}, "date", "日期格式错误"),
    ({"start_time": "15:00", "end_time": "14:00"}, "end_time", "结束时间应晚于开始时间"),
    ({"kinds": ["group_meeting"]}, "non_field_errors", "党小组会应由党小组召开"),
    ({"kinds": ["tea_party"]}, "kinds", "不是合法选项"),
    ({"kinds": []}, "kinds", "列表不能为空"),
    ({"attendance": [{"member": 999999, "status": "present"}]}, "attendance", "应到人员"),
    ({"attendance": [{"member": "OTHER", "status": "absent"}]}, "attendance", "应到人员"),
    ({"attendance": [{"member": "OTHER", "status": "observer"}]}, "attendance", "列席"),
    ({"attendance": [{"member": "MINE", "status": "leave"}]}, "attendance", "请填写请假事由"),
    ({"attendance": [{"member": "MINE", "status": "here"}]}, "attendance", "不是合法选项"),
])
def test_a_wrong_meeting_is_refused_in_chinese_naming_the_field_and_nothing_is_written(
        change, field, words, secretary, district):
    body = {"organization": "1101", "kinds": ["theme_day"], "topic": "主题党日",
            "date": datetime.date.today().isoformat(), **change}
    for entry in body.get("attendance", []):
        if entry["member"] == "OTHER":
            entry["member"] = district.b2.members.get().pk  # not visible to 1101's secretary
        elif entry["member"] == "MINE":
            entry["member"] = district.b1.members.first().pk

    status, error = secretary.post("/api/v1/meetings/", body)

    assert status == 400, error
    assert field in error["errors"], error
    assert words in json.dumps(error, ensure_ascii=False), error
    assert error["detail"] and not Meeting.objects.exists()


def test_a_meeting_of_a_committee_is_refused_and_one_out_of_scope_is_404(secretary, personas):
    body = {"kinds": ["theme_day"], "topic": "议题", "date": datetime.date.today().isoformat()}

    status, error = Caller(token_for(personas.staff)).post("/api/v1/meetings/",
                                                         {**body, "organization": "1100"})
    assert status == 400 and "党支部或党小组" in error["errors"]["organization"][0]
    assert secretary.post("/api/v1/meetings/", {**body, "organization": "1100"}) == (
        404, {"detail": "未找到。"})


def test_a_field_error_names_the_field_by_its_label_in_the_sentence(secretary):
    status, error = secretary.post("/api/v1/meetings/", {"organization": "1101", "kinds": ["theme_day"]})

    assert status == 400
    assert "主题：该字段是必填项。" in error["detail"] and "会议日期：该字段是必填项。" in error["detail"]


@pytest.mark.parametrize("url, params, field", [
    ("/api/v1/members/", {"status": "gone"}, "status"),
    ("/api/v1/members/", {"category": "x"}, "category"),
    ("/api/v1/meetings/", {"quarter": "2026Q5"}, "quarter"),
    ("/api/v1/meetings/", {"date_from": "yesterday"}, "date_from"),
    ("/api/v1/organizations/", {"kind": "club"}, "kind"),
    ("/api/v1/reports/", {"quarter": "Q3"}, "quarter"),
])
def test_bad_query_parameters_are_400_naming_the_parameter(url, params, field, secretary):
    status, error = secretary.get(url, params)

    assert status == 400 and field in error["errors"], error


def test_missing_pages_and_wrong_methods_answer_in_chinese(secretary):
    assert secretary.get("/api/v1/members/", {"page": "99"}) == (404, {"detail": "无效页面。"})
    status, error = secretary.call("put", "/api/v1/members/")
    assert status == 405 and "不被允许" in error["detail"]
    assert secretary.get("/api/v1/organizations/9999/") == (404, {"detail": "未找到。"})
    assert secretary.get("/api/v1/members/", {"page_size": "abc"})[0] == 200


def test_a_user_over_the_rate_is_throttled_in_chinese(secretary, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/minute")

    answers = [secretary.get("/api/v1/organizations/") for _ in range(4)]

    assert [status for status, _ in answers] == [200, 200, 200, 429]
    assert "限流" in answers[-1][1]["detail"]
    cache.clear()


def test_filters_narrow_the_lists(secretary, district, personas):
    staff = Caller(token_for(personas.staff))
    make_member("预备某", district.b1, category="probationary", joined=datetime.date(2026, 1, 5))

    assert staff.get("/api/v1/members/", {"org": "1100"})[1]["count"] == 5
    assert staff.get("/api/v1/members/", {"category": "probationary"})[1]["count"] == 1
    assert staff.get("/api/v1/members/", {"q": "错"})[1]["count"] == 3
    codes = [o["code"] for o in staff.get("/api/v1/organizations/", {"under": "1100"})[1]["results"]]
    assert codes == ["1100", "1101", "1101-1", "1102"]
    assert staff.get("/api/v1/organizations/", {"kind": "committee"})[1]["count"] == 2


def test_the_member_list_costs_the_same_queries_for_5_or_50_members(
        secretary, district, django_assert_max_num_queries):
    secretary.get("/api/v1/members/")
    with django_assert_max_num_queries(8) as few:
        secretary.get("/api/v1/members/")
    for i in range(47):
        make_member(f"多{i}", district.b1)

    with django_assert_max_num_queries(8) as many:
        status, page = secretary.get("/api/v1/members/")

    assert status == 200 and page["count"] == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_meeting_list_costs_the_same_queries_for_few_or_many_meetings(
        secretary, district, personas, django_assert_max_num_queries):
    from tests.activities.conftest import record_meeting

    record_meeting(district.b1, personas.secretary, topic="一")
    secretary.get("/api/v1/meetings/")
    with django_assert_max_num_queries(8) as few:
        secretary.get("/api/v1/meetings/")
    for i in range(10):
        record_meeting(district.b1, personas.secretary, topic=f"会{i}", kinds=("theme_day", "party_congress"))

    with django_assert_max_num_queries(8) as many:
        status, page = secretary.get("/api/v1/meetings/")

    assert status == 200 and page["count"] == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_fast_member_representation_equals_the_declared_serializer(secretary, district):
    from api.serializers import MemberSerializer
    from members.models import Member

    make_member("流动某", district.b1, category="probationary", joined=datetime.date(2026, 1, 5))
    Member.objects.filter(name="流动某").update(is_mobile=True, mobile_destination="深圳",
                                               group=district.g1)
    serializer = MemberSerializer()
    for member in Member.objects.select_related("branch", "group"):
        generic = super(MemberSerializer, serializer).to_representation(member)
        assert serializer.to_representation(member) == generic
