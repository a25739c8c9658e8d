"""Roster pages: the scope matrix (owner 200, other branch 404, auditor 403 on writes, 405, login)."""
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import AuditLog
from imports.models import ImportBatch
from members.models import Member, MemberEvent
from tests.members.builders import person, rows_for, xlsx_bytes
from tests.members.conftest import make_member


@pytest.fixture
def member(district):
    return make_member(district.b1, name="赵六", phone="13911112222")


def client_for(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_login(client, district, member):
    for url in (reverse("members:member-list"), reverse("members:member-detail", args=[member.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.sqlite_smoke
def test_secretary_sees_own_roster_with_masked_ids(client, personas, member):
    response = client_for(client, personas.secretary).get(reverse("members:member-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "赵六" in html and member.masked_id_number in html and member.id_number not in html
    assert "导入花名册" in html


def test_list_accepts_org_code_in_scope_and_404s_outside(client, personas, member, district):
    c = client_for(client, personas.secretary)
    assert c.get(reverse("members:member-list"), {"org": "1101"}).status_code == 200
    assert c.get(reverse("members:member-list"), {"org": "1102"}).status_code == 404
    assert c.get(reverse("members:member-list"), {"org": "1201"}).status_code == 404


def test_admin_of_committee_sees_both_branches_and_filters(client, personas, district):
    make_member(district.b1, name="甲")
    make_member(district.b2, name="乙", category=Member.Category.PROBATIONARY,
                joined=datetime.date(2026, 1, 5))
    c = client_for(client, personas.admin)
    html = c.get(reverse("members:member-list"), {"org": "1100"}).content.decode()
    assert "甲" in html and "乙" in html
    html = c.get(reverse("members:member-list"), {"org": "1100", "category": "probationary"}).content.decode()
    assert "甲" not in html and "乙" in html


def test_search_by_name_id_tail_and_phone(client, personas, member, district):
    make_member(district.b1, name="钱七")
    c = client_for(client, personas.secretary)
    for query in ("赵", member.id_number[-4:], "1391111"):
        html = c.get(reverse("members:member-list"), {"q": query}).content.decode()
        assert "赵六" in html and "钱七" not in html, query


def test_list_query_count_does_not_grow_with_members(client, personas, district, django_assert_max_num_queries):
    for i in range(60):
        make_member(district.b1, name=f"党员{i}")
    c = client_for(client, personas.secretary)
    with django_assert_max_num_queries(14):
        response = c.get(reverse("members:member-list"), {"org": "1101", "sort": "name"})
    assert response.context["page"].paginator.num_pages == 2


def test_list_refuses_post(client, personas):
    assert client_for(client, personas.secretary).post(reverse("members:member-list")).status_code == 405


def test_detail_matrix(client, personas, member):
    url = reverse("members:member-detail", args=[member.pk])
    assert client_for(client, personas.secretary).get(url).status_code == 200
    assert client_for(client, personas.other_secretary).get(url).status_code == 404
    assert client_for(client, personas.outsider).get(url).status_code == 404
    response = client_for(client, personas.auditor).get(url)
    assert response.status_code == 200 and "办理事项" not in response.content.decode()
    assert "显示完整身份证号" not in response.content.decode()


def test_reveal_full_id_is_logged_and_denied_to_auditors(client, personas, member):
    url = reverse("members:member-reveal-id", args=[member.pk])
    assert client_for(client, personas.auditor).post(url).status_code == 403
    assert client_for(client, personas.other_secretary).post(url).status_code == 404
    assert client_for(client, personas.secretary).get(url).status_code == 405
    response = client_for(client, personas.secretary).post(url)
    assert response.status_code == 200 and member.id_number in response.content.decode()
    log = AuditLog.objects.get(action="member.reveal_id")
    assert log.actor == personas.secretary and log.detail["member_id"] == member.pk


def test_life_event_form_matrix(client, personas, member):
    url = reverse("members:member-event", args=[member.pk, "suspend"])
    data = {"suspend-on": "2026-01-01"}
    assert client_for(client, personas.secretary).put(url).status_code == 405
    assert client_for(client, personas.other_secretary).get(url).status_code == 404
    assert client_for(client, personas.other_secretary).post(url, data).status_code == 404
    assert client_for(client, personas.auditor).get(url).status_code == 403
    assert client_for(client, personas.auditor).post(url, data).status_code == 403
    response = client_for(client, personas.secretary).post(url, data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Member.Status.SUSPENDED


def test_a_refused_life_event_shows_the_reason(client, personas, member):
    url = reverse("members:member-event", args=[member.pk, "flow_in"])
    response = client_for(client, personas.secretary).post(url, {"flow_in-on": "2026-01-01"})
    assert response.status_code == 400 and "不是流动党员" in response.content.decode()


def _message_box(html: str) -> str:
    start = html.index('<ul class="messages">')
    return html[start:html.index("</ul>", start)]


def test_the_member_page_offers_a_menu_and_opens_no_form(client, personas, member):
    page = client_for(client, personas.secretary).get(
        reverse("members:member-detail", args=[member.pk])).content.decode()
    assert 'class="action-menu"' in page
    for kind in ("transfer", "flow_out", "suspend", "leave", "decease"):
        assert reverse("members:member-event", args=[member.pk, kind]) in page
    assert "event-form" not in page and 'name="leave-on"' not in page


def test_each_action_opens_alone_with_an_empty_date(client, personas, member):
    c = client_for(client, personas.secretary)
    for kind in ("leave", "decease", "suspend"):
        page = c.get(reverse("members:member-event", args=[member.pk, kind])).content.decode()
        assert page.count("event-form") == 1 and f'id="event-{kind}"' in page
        field = page[page.index(f'name="{kind}-on"'):]
        field = field[:field.index(">")]
        assert "value=" not in field  # never prefilled with today


def test_an_action_that_does_not_apply_says_so_at_the_top(client, personas, member):
    response = client_for(client, personas.secretary).get(
        reverse("members:member-event", args=[member.pk, "restore"]))
    html = response.content.decode()
    assert response.status_code == 200 and "不能办理恢复党籍" in _message_box(html)
    assert "event-form" not in html


def test_a_refused_action_is_explained_at_the_top_with_its_form_reopened(client, personas, member):
    url = reverse("members:member-event", args=[member.pk, "leave"])
    response = client_for(client, personas.secretary).post(url, {"leave-on": "", "leave-note": "自愿"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "未能办理出党" in _message_box(html) and "日期" in _message_box(html)
    assert html.index('<ul class="messages">') < html.index('id="event-leave"')
    assert "自愿" in html  # what was typed is kept
    member.refresh_from_db()
    assert member.status == Member.Status.NORMAL


def test_a_probationary_member_shows_when_confirmation_is_due(client, personas, district):
    from tests.factories import make_member
    member = make_member(district.b1, name="预备乙", category="probationary",
                         joined=datetime.date(2026, 3, 31))
    page = client_for(client, personas.secretary).get(
        reverse("members:member-detail", args=[member.pk])).content.decode()
    assert "2027-03-31" in page  # 预备期满
    assert "2027-02-28" in page  # 转正申请 one month before, clamped to the month's end


def test_transfer_picks_a_branch_by_name(client, personas, member, district):
    url = reverse("members:member-event", args=[member.pk, "transfer"])
    c = client_for(client, personas.admin)
    response = c.post(url, {"transfer-on": "2026-03-01",
                            "transfer-to_branch": f"{district.b2.code} {district.b2.name}"})
    assert response.status_code == 302
    assert member.transfers.get().to_branch == district.b2


def test_transfer_to_an_unknown_branch_says_so(client, personas, member):
    url = reverse("members:member-event", args=[member.pk, "transfer"])
    response = client_for(client, personas.secretary).post(
        url, {"transfer-on": "2026-03-01", "transfer-to_branch": "不存在的支部"})
    assert response.status_code == 400 and "找不到“不存在的支部”" in response.content.decode()
    assert not member.transfers.exists()


def test_confirmation_is_not_a_life_event_of_the_member_page(client, personas, district):
    """转正 goes through 转正申请, 支部大会 and 上级党委审批 (the recruitment record)."""
    from tests.factories import make_member
    member = make_member(district.b1, name="预备甲", category="probationary",
                         joined=datetime.date(2025, 1, 1))
    c = client_for(client, personas.secretary)
    url = reverse("members:member-event", args=[member.pk, "confirm"])
    assert c.post(url, {"confirm-on": "2026-01-02"}).status_code == 404
    member.refresh_from_db()
    assert member.category == Member.Category.PROBATIONARY
    page = c.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert "event-confirm" not in page and "办理转正" in page


def test_transfer_form_across_scopes_then_accept(client, personas, member, district):
    url = reverse("members:member-event", args=[member.pk, "transfer"])
    response = client_for(client, personas.secretary).post(url, {"transfer-on": "2026-03-01", "transfer-to_branch": "1201"})
    assert response.status_code == 302
    transfer = member.transfers.get()
    c = client_for(client, personas.outsider)
    assert "赵六" in c.get(reverse("members:transfer-list")).content.decode()
    assert c.post(reverse("members:transfer-decide", args=[transfer.pk, "accept"])).status_code == 302
    member.refresh_from_db()
    assert member.branch == district.b3


def test_create_and_edit_forms_use_the_import_rules(client, personas, district, member):
    c = client_for(client, personas.secretary)
    url = reverse("members:member-create") + "?org=1101"
    wrong_check = "1" if member.id_number[-1] == "0" else "0"  # "0" may be the right one
    bad = {"name": "新人", "id_number": member.id_number[:-1] + wrong_check, "category": "full",
           "joined_on": "2010-07-01"}
    response = c.post(url, bad)
    assert response.status_code == 200 and "校验位" in response.content.decode()
    from tests.factories import valid_id_number
    good = dict(bad, id_number=valid_id_number(datetime.date(1980, 1, 1)), ethnicity="汉")
    response = c.post(url, good)
    assert response.status_code == 302
    created = Member.objects.get(name="新人")
    assert created.ethnicity == "汉族" and created.memberships.get().started_on == datetime.date(2010, 7, 1)
    edit = reverse("members:member-edit", args=[member.pk])
    assert client_for(client, personas.auditor).get(edit).status_code == 403
    assert client_for(client, personas.other_secretary).get(edit).status_code == 404
    response = client_for(client, personas.secretary).post(edit, {
        "name": "赵六六", "id_number": member.id_number, "joined_on": "2005-07-01"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name == "赵六六" and MemberEvent.objects.filter(kind="edited").exists()


def test_bulk_assignment_to_a_group(client, personas, district, member):
    other = make_member(district.b1, name="孙八")
    url = reverse("members:member-assign-group")
    data = {"org": "1101", "group": district.g1.pk, "member": [member.pk, other.pk]}
    assert client_for(client, personas.auditor).post(url, data).status_code == 403
    assert client_for(client, personas.other_secretary).post(url, data).status_code == 404
    assert client_for(client, personas.secretary).post(url, data).status_code == 302
    assert set(Member.objects.values_list("group", flat=True)) == {district.g1.pk}


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).active


def test_export_has_full_ids_for_secretary_and_masked_for_auditor(client, personas, member):
    url = reverse("members:member-export")
    sheet = _sheet(client_for(client, personas.secretary).get(url, {"org": "1101"}))
    assert sheet.cell(3, 2).value == member.id_number
    sheet = _sheet(client_for(client, personas.auditor).get(url, {"org": "1100"}))
    assert sheet.cell(3, 2).value == member.masked_id_number
    logs = AuditLog.objects.filter(action="member.export").order_by("created_at")
    assert [log.detail["masked"] for log in logs] == [False, True]
    assert client_for(client, personas.other_secretary).get(url, {"org": "1101"}).status_code == 404


def test_export_follows_the_filters(client, personas, member, district):
    make_member(district.b1, name="不要我")
    sheet = _sheet(client_for(client, personas.secretary).get(reverse("members:member-export"), {"org": "1101", "q": "赵"}))
    assert [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)] == ["赵六"]


# -- uploads are scoped ------------------------------------------------------------------

def _upload(client, org_code, data):
    return client.post(
        reverse("imports:upload", args=["members"]),
        {"organization": org_code, "file": io.BytesIO(data) if False else _file(data)},
    )


def _file(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("roster.xlsx", data)


def test_secretary_is_offered_only_their_branch_and_a_forged_target_is_404(client, personas, district, new_id):
    c = client_for(client, personas.secretary)
    response = c.get(reverse("imports:upload", args=["members"]))
    choices = [o.pk for o in response.context["form"].fields["organization"].queryset]
    assert choices == [district.b1.pk]
    data = xlsx_bytes(rows_for([person(new_id(), branch="1102")]))
    assert _upload(c, district.b2.code, data).status_code == 404
    assert not ImportBatch.objects.exists() and not Member.objects.exists()


@pytest.mark.parametrize(
    "who,target,expected",
    [("staff", "b1", 201), ("admin", "c1", 201), ("secretary", "b1", 201),
     ("other_secretary", "b1", 404), ("outsider", "b1", 404), ("auditor", "c1", 403)],
)
def test_each_role_can_upload_only_into_its_scope(client, personas, district, new_id, who, target, expected):
    c = client_for(client, getattr(personas, who))
    data = xlsx_bytes(rows_for([person(new_id(), branch="1101")]))
    response = _upload(c, getattr(district, target).code, data)
    if expected == 201:
        assert response.status_code == 302
        batch = ImportBatch.objects.get()
        assert c.post(reverse("imports:batch-confirm", args=[batch.pk])).status_code == 302
        assert Member.objects.filter(branch=district.b1).count() == 1
    else:
        assert response.status_code == expected
        assert not Member.objects.exists()


def test_rows_naming_another_branch_are_errors_for_a_branch_upload(client, personas, district, new_id):
    c = client_for(client, personas.secretary)
    data = xlsx_bytes(rows_for([person(new_id(), branch="1102"), person(new_id(), branch="1201")]))
    _upload(c, district.b1.code, data)
    batch = ImportBatch.objects.get()
    messages = [e["message"] for r in batch.plan["rows"] for e in r["errors"]]
    assert len(messages) == 2 and all("不在本次导入的范围" in m for m in messages)


def test_transfer_decisions_matrix(client, personas, member, district):
    from members import actions

    transfer = actions.transfer_out(member, district.b3, on=datetime.date(2026, 3, 1), by=personas.secretary)
    url = reverse("members:transfer-decide", args=[transfer.pk, "accept"])
    assert client_for(client, personas.outsider).get(url).status_code == 405
    assert client_for(client, personas.other_secretary).post(url).status_code == 404
    assert client_for(client, personas.auditor).post(url).status_code == 403
    assert client_for(client, personas.secretary).post(url).status_code == 403  # the sender cannot accept
    withdraw = reverse("members:transfer-decide", args=[transfer.pk, "withdraw"])
    assert client_for(client, personas.secretary).post(withdraw).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "withdrawn"


def test_create_form_matrix(client, personas, district):
    url = reverse("members:member-create")
    assert client_for(client, personas.secretary).get(url, {"org": "1101"}).status_code == 200
    assert client_for(client, personas.other_secretary).get(url, {"org": "1101"}).status_code == 404
    assert client_for(client, personas.auditor).get(url, {"org": "1101"}).status_code == 403
    assert client_for(client, personas.secretary).delete(url).status_code == 405


def test_a_group_code_lists_the_groups_members(client, personas, district, member):
    make_member(district.b1, name="组员", group=district.g1)
    html = client_for(client, personas.secretary).get(reverse("members:member-list"), {"org": "1101-1"}).content.decode()
    assert "组员" in html and "赵六" not in html


def test_member_page_shows_history_memberships_and_transfers(client, personas, member, district):
    from members import actions

    actions.flow_out(member, destination="深圳", on=datetime.date(2026, 1, 1), by=personas.secretary)
    actions.transfer_out(member, district.b2, on=datetime.date(2026, 2, 1), by=personas.admin)
    html = client_for(client, personas.admin).get(reverse("members:member-detail", args=[member.pk])).content.decode()
    for text in ("流出", "流向 深圳", "组织关系转出", "组织关系转入", "第一社区第二党支部", "2026-02-01", "已接收"):
        assert text in html, text


def test_auditor_is_told_the_export_is_masked(client, personas, member):
    html = client_for(client, personas.auditor).get(reverse("members:member-list"), {"org": "1100"}).content.decode()
    assert "不能用于重新导入" in html and "导入花名册" not in html


def test_a_large_upload_runs_as_a_job_and_applies_the_stored_plan(
    client, personas, district, new_id, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_THRESHOLD = 2  # tasks run eagerly in tests, after the commit
    c = client_for(client, personas.secretary)
    data = xlsx_bytes(rows_for([person(new_id()), person(new_id(), group="第一党小组")]))
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(c, district.b1.code, data).status_code == 302
    batch = ImportBatch.objects.get()
    batch.refresh_from_db()
    assert batch.status == "preview" and batch.plan["rows"][0]["action"] == "create"
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "done" and batch.result["created"] == 2
    assert Member.objects.filter(group=district.g1).count() == 1


def test_edit_form_records_lost_contact_post_and_community(client, personas, member, district):
    c = client_for(client, personas.secretary)
    url = reverse("members:member-edit", args=[member.pk])
    data = {k: v for k, v in c.get(url).context["form"].initial.items() if v is not None}
    data.update(is_lost_contact="on", party_post="组织委员", reporting_community="1201")
    assert c.post(url, data).status_code == 302
    member.refresh_from_db()
    assert (member.is_lost_contact, member.party_post, member.reporting_community) == (True, "组织委员", district.b3)
    html = c.get(reverse("members:member-list"), {"mobile": "lost"}).content.decode()
    assert "赵六" in html
    event = MemberEvent.objects.get(kind="edited")
    assert event.detail["changes"]["失联党员"] == ["否", "是"]
    data.update(reporting_community="nope")
    assert "找不到“nope”" in c.post(url, data).content.decode()


@pytest.mark.django_db
def test_member_page_shows_the_years_study_hours_against_the_target(client, personas, district):
    member = make_member(district.b1, name="学时测试")
    client.force_login(personas.secretary)
    page = client.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert "年学时" in page and "/ 32 学时" in page
