"""The yearly cycle's pages: what each role sees and may do, the refusals in Chinese, the print."""
import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cycle import actions
from cycle.models import Committee, Evaluation, Inflow, Outflow, TransferLetter
from members.models import Member
from tests.factories import make_member

D = datetime.date
TODAY = datetime.date.today()
YEAR = TODAY.year - 1
pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def page(client, name, **params):
    return client.get(reverse(name), params)


def post_ratings(client, members, results, year=YEAR, **extra):
    data = {}
    for m, r in zip(members, results, strict=True):
        data[f"result_{m.pk}"] = r
        data[f"follow_up_{m.pk}"] = ""
        data[f"reason_{m.pk}"] = ""
    data.update(extra)
    return client.post(f"{reverse('cycle:evaluations')}?org=1101&year={year}", data, follow=True)


@pytest.fixture
def roster(district):
    return [make_member(district.b1, name=f"党员{chr(0x4e00 + i)}") for i in range(4)]


def test_a_secretary_records_ratings_and_the_page_keeps_them(district, personas, roster):
    client = client_for(personas.secretary)
    response = post_ratings(client, roster, ["excellent", "qualified", "qualified", "basically_qualified"])

    assert "已保存：新增 4 条" in response.content.decode()
    assert dict(Evaluation.objects.values_list("member__name", "result"))[roster[0].name] == "excellent"


@pytest.mark.parametrize("results, extra, message", [
    (["excellent", "excellent", "qualified", "qualified"], {}, "优秀最多 1 人"),
    (["unqualified", "qualified", "qualified", "qualified"], {}, "须填写处理意见"),
])
def test_the_page_refuses_what_the_rules_forbid_and_keeps_the_input(district, personas, roster,
                                                                     results, extra, message):
    client = client_for(personas.secretary)
    response = post_ratings(client, roster, results, **extra)

    text = response.content.decode()
    assert message in text and Evaluation.objects.count() == 0
    assert 'value="excellent" selected' in text or 'value="unqualified" selected' in text


def test_a_probationary_member_has_no_rating_on_the_page_and_a_forged_one_is_refused(
        district, personas, roster):
    probationary = make_member(district.b1, name="预备甲", category="probationary",
                               joined=TODAY - datetime.timedelta(days=100))
    client = client_for(personas.secretary)
    text = page(client, "cycle:evaluations", org="1101", year=TODAY.year).content.decode()
    assert f"result_{probationary.pk}" not in text and "参加评议不评定等次" in text

    response = client.post(f"{reverse('cycle:evaluations')}?org=1101&year={TODAY.year}",
                           {f"result_{probationary.pk}": "qualified"}, follow=True)
    assert "预备党员参加民主评议，但不评定等次" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_an_auditor_reads_the_results_but_sees_no_save_button_and_cannot_post(district, personas, roster):
    actions.save_evaluations(district.b1, YEAR, [], by=personas.staff)
    client = client_for(personas.auditor)
    text = page(client, "cycle:evaluations", org="1101", year=YEAR).content.decode()
    assert "保存评议结果" not in text and "disabled" in text
    assert post_ratings(client, roster, ["qualified"] * 4).status_code == 403


def test_the_upper_level_sees_counts_per_branch_and_no_names(district, personas, roster):
    actions.save_evaluations(district.b1, YEAR, [
        actions.evaluations.Rating(m, district.b1.pk, "qualified") for m in roster], by=personas.staff)
    text = page(client_for(personas.admin), "cycle:year", org="1100", year=YEAR).content.decode()
    assert "第一社区第一党支部" in text and roster[0].name not in text


def test_the_terms_calendar_flags_ending_and_overdue(district, personas):
    make_member(district.b1, name="书记甲")
    actions.save_committee(district.b1, elected_on=TODAY.replace(year=TODAY.year - 5) + datetime.timedelta(days=30),
                           term_years=None, seats=[actions.Seat("secretary", "书记甲")], by=personas.staff)
    actions.save_committee(district.b2, elected_on=D(2018, 1, 1), term_years=None,
                           seats=[actions.Seat("secretary", "某")], by=personas.staff)
    text = page(client_for(personas.admin), "cycle:terms", org="1100").content.decode()
    assert "即将届满" in text and "已超期未换届" in text and "未录入班子" in text


def test_a_committee_form_records_the_committee_and_a_missing_secretary_is_said(district, personas):
    client = client_for(personas.secretary)
    url = f"{reverse('cycle:committee-create')}?org=1101"
    response = client.post(url, {"elected_on": "2024-05-01", "secretary": ""})
    assert response.status_code == 200 and "必填项" in response.content.decode()
    response = client.post(url, {"elected_on": "2024-05-01", "secretary": "王书记", "member": "甲、乙"})
    committee = Committee.objects.get()
    assert response.status_code == 302 and [s.name for s in committee.seats.all()] == ["王书记", "甲", "乙"]


def test_a_letter_out_from_the_page_takes_the_member_off_the_roster_and_prints(district, personas):
    member = make_member(district.b1, name="要转走")
    client = client_for(personas.secretary)
    response = client.post(f"{reverse('cycle:letter-out')}?org=1101", {
        "member": member.pk, "kind": "out", "outside_org": "上海市某党委", "issued_on": TODAY.isoformat(),
        "valid_days": 30, "dues_paid_to": f"{TODAY:%Y-%m}"})
    letter = TransferLetter.objects.get()
    assert response.status_code == 302 and response.url == reverse("cycle:letter-detail", args=[letter.pk])
    assert Member.objects.get(pk=member.pk).status == Member.Status.TRANSFERRED_OUT

    printed = client.get(reverse("cycle:letter-print", args=[letter.pk])).content.decode()
    assert "中国共产党党员组织关系介绍信" in printed and f"第 {letter.number} 号" in printed
    assert member.masked_id_number in printed and member.id_number not in printed
    assert "回　执" in printed and "上海市某党委" in printed


def test_a_letter_beyond_90_days_is_refused_on_the_page(district, personas):
    member = make_member(district.b1)
    response = client_for(personas.secretary).post(f"{reverse('cycle:letter-out')}?org=1101", {
        "member": member.pk, "kind": "out", "outside_org": "外地", "issued_on": TODAY.isoformat(),
        "valid_days": 120, "dues_paid_to": f"{TODAY:%Y-%m}"})
    assert response.status_code == 200 and "90" in response.content.decode()
    assert Member.objects.get(pk=member.pk).status == Member.Status.NORMAL


def test_a_transfer_in_from_the_page_adds_the_member(district, personas):
    from tests.factories import valid_id_number

    client = client_for(personas.secretary)
    response = client.post(f"{reverse('cycle:letter-in')}?org=1101", {
        "name": "新同志", "id_number": valid_id_number(D(1990, 1, 1)), "category": "正式党员",
        "joined_on": "2015-01-01", "confirmed_on": "2016-01-01", "outside_org": "外地党委",
        "number": "外组（2026）1号", "issued_on": TODAY.isoformat(), "received_on": TODAY.isoformat(),
        "valid_days": 30, "dues_paid_to": f"{TODAY:%Y-%m}"})
    assert response.status_code == 302
    assert Member.objects.get(name="新同志").branch == district.b1


def test_registers_record_and_close(district, personas):
    member = make_member(district.b1, name="外出者")
    client = client_for(personas.secretary)
    client.post(f"{reverse('cycle:outflow-create')}?org=1101", {
        "member": member.pk, "destination": "深圳", "fixed_place": "on",
        "since": (TODAY - datetime.timedelta(days=200)).isoformat()})
    outflow = Outflow.objects.get()
    assert Member.objects.get(pk=member.pk).is_mobile
    text = page(client, "cycle:outflows", org="1101").content.decode()
    assert "应转移组织关系" in text
    client.post(reverse("cycle:outflow-return", args=[outflow.pk]), {"on": TODAY.isoformat()})
    assert Outflow.objects.get().returned_on == TODAY and not Member.objects.get(pk=member.pk).is_mobile

    client.post(f"{reverse('cycle:inflow-create')}?org=1101", {
        "name": "流入者", "home_org": "外地", "since": TODAY.isoformat(), "id_number": "123"})
    assert not Inflow.objects.exists()  # a bad ID number is said, nothing saved
    client.post(f"{reverse('cycle:inflow-create')}?org=1101", {
        "name": "流入者", "home_org": "外地", "since": TODAY.isoformat()})
    assert Inflow.objects.get().branch == district.b1


def test_the_upper_year_page_counts_yearly_meetings_per_branch_in_few_queries(
        district, personas, roster, django_assert_max_num_queries):
    from tests.activities.conftest import record_meeting

    record_meeting(district.b1, personas.secretary, kinds=("life_meeting", "democratic_review"),
                   day=D(YEAR, 12, 10), submit=True)
    record_meeting(district.b1, personas.secretary, kinds=("life_meeting",), day=D(YEAR, 11, 10),
                   submit=True)
    client = client_for(personas.admin)
    with django_assert_max_num_queries(17):  # session, roles and menu (with the unread-reminders badge) included
        text = page(client, "cycle:year", org="1100", year=YEAR).content.decode()
    assert "召开组织生活会的党支部 1 个，召开民主评议党员会议的 1 个（共 2 个）" in text
    assert "2 次" in text


def test_list_pages_keep_their_query_count(district, personas, django_assert_max_num_queries):
    for i in range(5):
        member = make_member(district.b1, name=f"走{i}")
        actions.issue_letter_out(member, outside_org="外地", on=TODAY, dues_paid_to=f"{TODAY:%Y-%m}",
                                 by=personas.staff)
        actions.register_outflow(make_member(district.b1, name=f"出{i}"), destination="深圳",
                                 since=TODAY, by=personas.staff)
    client = client_for(personas.secretary)
    for name in ("cycle:letters", "cycle:outflows", "cycle:inflows", "cycle:terms"):
        with django_assert_max_num_queries(11):  # +1: the menu's unread-reminders badge
            assert page(client, name, org="1101").status_code == 200
