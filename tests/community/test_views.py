"""The pages: a demand through its steps, the phone masked everywhere but an audited reveal,
and 双报到 seen from the community and from the home branch."""
import datetime
import io

import openpyxl
import pandas  # noqa: F401 - imported before freezegun
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import AuditLog
from community import actions, reminders
from community.models import Demand
from core.registry import site
from tests.community.builders import PHONE, demand
from tests.factories import make_member, make_user

D = datetime.date
pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                         for c in row if c is not None)
    return response.content.decode()


@freeze_time("2026-11-30")
def test_a_demand_goes_through_its_steps_on_the_pages(district, personas):
    secretary = client_for(personas.secretary)
    response = secretary.post(f"{reverse('community:demand-create')}?org=1101", {
        "received_on": "2026-11-20", "source": "phone", "category": "设施维修",
        "description": "单元门禁坏了", "resident_name": "李阿姨", "resident_phone": PHONE})
    d = Demand.objects.get()
    assert response.status_code == 302 and d.deadline == D(2026, 11, 27)

    admin = client_for(personas.admin)
    step = lambda client, key, **data: client.post(  # noqa: E731
        reverse("community:demand-step", args=[d.pk, key]),
        {f"{key}-{name}": value for name, value in data.items()})
    assert step(admin, "dispatch", to="1102", on="2026-11-21", deadline="2026-11-28").status_code == 302
    d.refresh_from_db()
    assert d.handler == district.b2
    other = client_for(personas.other_secretary)
    assert step(other, "close", on="2026-11-28").status_code == 302
    assert step(secretary, "visit", result="unsatisfied", on="2026-11-29").status_code == 302
    assert step(secretary, "reopen", on="2026-11-29").status_code == 302
    d.refresh_from_db()
    assert (d.status, d.reopened, d.closed_on) == ("dispatched", True, None)

    bad = step(other, "close", on="2026-11-01")  # before 受理日期: the form back, nothing lost
    assert bad.status_code == 400 and "早于受理日期" in bad.content.decode()
    assert client_for(personas.auditor).post(
        reverse("community:demand-step", args=[d.pk, "note"]), {}).status_code == 403


@freeze_time("2026-11-30")
def test_the_phone_is_masked_in_lists_pages_exports_and_the_log(district, personas):
    d = demand(district.b1, personas.secretary, on=D(2026, 11, 20))
    client = client_for(personas.secretary)
    pages = [
        client.get(reverse("community:demands"), {"org": "1101"}),
        client.get(reverse("community:demand-detail", args=[d.pk])),
        client.get(reverse("community:demands-export"), {"org": "1101"}),
        client.get(reverse("community:figures"), {"org": "1101"}),
        client_for(personas.admin).get(reverse("useradmin:audit-log")),
    ]
    for response in pages:
        assert response.status_code == 200
        assert PHONE not in text_of(response)
    assert "139****5678" in text_of(pages[0]) and "139****5678" in text_of(pages[2])

    revealed = client.post(reverse("community:demand-reveal-phone", args=[d.pk]))
    assert PHONE in revealed.content.decode()
    assert AuditLog.objects.filter(action=actions.PHONE_REVEALED, actor=personas.secretary).count() == 1
    assert PHONE not in text_of(client_for(personas.staff).get(reverse("useradmin:audit-log")))
    auditor = client_for(personas.auditor)
    assert auditor.post(reverse("community:demand-reveal-phone", args=[d.pk])).status_code == 403
    assert "reveal-phone" not in auditor.get(reverse("community:demand-detail", args=[d.pk])).content.decode()


@freeze_time("2026-11-30")
def test_a_community_secretary_sees_who_reported_but_not_their_home_branch(district, personas):
    community_secretary = make_user("sec1201", "secretary", district.b3)
    member = make_member(district.b1, name="郑报到", phone="13700001111")
    actions.register(member, community=district.b3, on=D(2026, 10, 8), interests="政策宣讲",
                     by=personas.secretary)
    post = actions.create_post(district.b3, title="敬老院探访", date=D(2026, 11, 3), places=2,
                               by=community_secretary)
    service = actions.claim_post(post, member.community_registrations.get(), by=community_secretary)
    actions.confirm_service(service, hours="2.5", on=D(2026, 11, 4), by=community_secretary)

    client = client_for(community_secretary)
    page = client.get(reverse("community:reporting"), {"org": "1201"}).content.decode()
    assert "郑报到" in page and "政策宣讲" in page and "2.5" in page
    assert client.get(reverse("members:member-detail", args=[member.pk])).status_code == 404
    assert "郑报到" not in client.get(reverse("members:member-list")).content.decode()
    assert client.get(reverse("community:reporting"), {"org": "1101"}).status_code == 404
    assert client.get(reverse("community:demands"), {"org": "1101"}).status_code == 404

    home = client_for(personas.secretary)
    page = home.get(reverse("community:reporting"), {"org": "1101"}).content.decode()
    assert "郑报到" in page and "第二社区党支部" in page and "2.5 小时" in page
    assert "敬老院探访" not in page  # the community's posts stay the community's
    detail = home.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert "社区服务 2.5 小时（不计入学习学时）" in detail


@freeze_time("2026-11-30")
def test_a_branch_registers_a_member_and_bad_input_is_a_sentence(district, personas):
    member = make_member(district.b1, name="褚在职")
    client = client_for(personas.secretary)
    url = f"{reverse('community:registration-create')}?org=1101"
    bad = client.post(url, {"member": member.pk, "community": "没有这个社区",
                            "registered_on": "2026-11-01"})
    assert bad.status_code == 400 and "找不到该社区党组织" in bad.content.decode()
    ok = client.post(url, {"member": member.pk, "community": "1201", "registered_on": "2026-11-01"})
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.reporting_community == district.b3


@freeze_time("2026-11-30")
def test_overdue_demands_show_on_the_organization_page_in_the_menu_and_reminders(district, personas):
    assert 'class="nav-badge"' not in client_for(personas.secretary).get(
        reverse("community:demands")).content.decode()  # the menu's count, now cached
    late = demand(district.b1, personas.secretary, on=D(2026, 11, 1))  # due 11-08
    actions.dispatch_demand(late, to=district.b2, deadline=D(2026, 11, 10), by=personas.admin)
    client = client_for(personas.secretary)
    page = client.get(reverse("branches:org-detail", args=["1101"])).content.decode()
    assert "派出的 1 件群众诉求已超期未办结" in page
    assert 'class="nav-badge"' in client.get(reverse("community:demands")).content.decode()

    items = list(reminders.collect(D(2026, 11, 30)))
    assert [(i.kind, i.organization_id, i.due) for i in items] == [
        ("demand_deadline", district.b2.pk, D(2026, 11, 10))]
    assert "王大妈" not in items[0].text and PHONE not in items[0].text
    assert "demand_deadline" in site().reminder_kinds.keys()


@freeze_time("2026-11-30")
def test_the_branch_home_shows_its_overdue_demands_and_links_to_them(district, personas):
    late = demand(district.b1, personas.secretary, on=D(2026, 11, 1), text="路灯不亮")  # due 11-08
    demand(district.b1, personas.secretary, on=D(2026, 11, 28), text="还在时限内")
    done = demand(district.b1, personas.secretary, on=D(2026, 11, 2), text="已经办结")
    actions.close_demand(done, on=D(2026, 11, 20), by=personas.secretary)
    elsewhere = demand(district.b2, personas.admin, on=D(2026, 11, 1), text="别的支部的")
    client = client_for(personas.secretary)

    page = client.get(reverse("reports:secretary-home"), {"org": "1101"}).content.decode()

    link = f"{reverse('community:demands')}?org=1101&amp;status=overdue"
    assert f'<a href="{link}">1 件群众诉求已超期未办结</a>' in page
    listed = client.get(reverse("community:demands"), {"org": "1101", "status": "overdue"})
    assert list(listed.context["page"]) == [late]
    assert elsewhere.description not in listed.content.decode()


@freeze_time("2026-11-30")
def test_a_branch_home_without_overdue_demands_shows_no_panel(district, personas):
    demand(district.b1, personas.secretary, on=D(2026, 11, 28))
    page = client_for(personas.secretary).get(reverse("reports:secretary-home"), {"org": "1101"})
    assert 'id="home-panels"' not in page.content.decode()


def test_the_app_registers_its_parts():
    s = site()
    assert {"demands", "community_registrations"} <= set(s.importers.keys())
    assert {"demands", "reporting", "demand-rules"} <= set(s.menu.keys())
    assert "demands" in s.measures.keys() and "community" in s.demo_seeders.keys()
    assert "demands" in s.home_panels.keys()
    assert s.audit_labels["community.reveal_phone"] == "查看群众完整电话"


@freeze_time("2026-11-30")
@pytest.mark.parametrize("name", ["community:demands", "community:reporting", "community:figures"])
def test_the_query_count_of_a_list_does_not_grow_with_its_rows(name, district, personas,
                                                               django_assert_max_num_queries):
    client = client_for(personas.secretary)
    url = reverse(name)

    def add(n):
        for i in range(n):
            d = demand(district.b1, personas.secretary, on=D(2026, 11, 1 + i), text=f"诉求{i}")
            actions.dispatch_demand(d, to=district.b1, by=personas.secretary)
            member = make_member(district.b1, name=f"报到{i}", birth=D(1970 + i, 1, 2))
            actions.register(member, community=district.b1, on=D(2026, 10, 1),
                             by=personas.secretary)

    def measured():
        # Both requests alike: the session already refreshed, the menu's cached counts empty.
        cache.clear()
        with django_assert_max_num_queries(40) as queries:
            assert client.get(url, {"org": "1101"}).status_code == 200
        return len(queries.captured_queries)

    assert client.get(url, {"org": "1101"}).status_code == 200
    add(2)
    few = measured()
    add(8)
    assert measured() == few
