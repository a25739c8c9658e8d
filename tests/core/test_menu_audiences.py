"""The navigation bar offers each role only what its rights reach (accounts.context_processors):
no entry leads a user to a 403."""
import pytest

pytestmark = pytest.mark.django_db


def menu(client, user) -> list[str]:
    client.force_login(user)
    page = client.get("/orgs/").content.decode()
    nav = page.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return [part.split("<", 1)[0].strip() for part in nav.split('">')[1:]]


@pytest.mark.parametrize("persona, shown, hidden", [
    ("staff", ["导入", "审核", "考核设置", "开展情况"], []),
    ("admin", ["导入", "审核", "开展情况"], ["考核设置"]),
    ("secretary", ["导入", "三会一课"], ["审核", "开展情况", "考核设置"]),
    ("auditor", ["开展情况", "季度报表", "操作记录"], ["导入", "审核", "考核设置"]),
])
def test_each_role_sees_the_entries_its_rights_reach(client, personas, persona, shown, hidden):
    entries = menu(client, getattr(personas, persona))
    assert [e for e in shown if e not in entries] == []
    assert [e for e in hidden if e in entries] == []


@pytest.mark.parametrize("persona", ["staff", "admin", "secretary", "auditor"])
def test_no_menu_entry_answers_403(client, personas, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    page = client.get("/orgs/").content.decode()
    nav = page.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    urls = [part.split('"', 1)[0] for part in nav.split('href="')[1:]]
    assert urls and [u for u in urls if client.get(u).status_code == 403] == []
