"""The organization pages through the one door: who sees what."""
import pytest
from django.urls import reverse

from branches.models import Organization

pytestmark = pytest.mark.django_db


def codes_visible_to(user):
    return set(Organization.objects.visible_to(user).values_list("code", flat=True))


def test_staff_sees_the_whole_district(personas):
    assert codes_visible_to(personas.staff) == {"1000", "1100", "1101", "1101-1", "1102", "1200", "1201"}


def test_committee_admin_sees_their_subtree_only(personas):
    assert codes_visible_to(personas.admin) == {"1100", "1101", "1101-1", "1102"}


def test_secretary_sees_their_branch_and_its_groups(personas):
    assert codes_visible_to(personas.secretary) == {"1101", "1101-1"}


def test_user_without_role_sees_nothing(personas):
    assert codes_visible_to(personas.nobody) == set()


def test_auditor_reads_but_changes_nothing(personas):
    assert codes_visible_to(personas.auditor) == {"1100", "1101", "1101-1", "1102"}
    assert not Organization.objects.changeable_by(personas.auditor).exists()


def test_roles_in_several_organizations_add_up(personas, district):
    from accounts.actions import grant_role

    grant_role("sec1101", "secretary", district.b3)
    user = type(personas.secretary).objects.get(username="sec1101")
    assert codes_visible_to(user) == {"1101", "1101-1", "1201"}


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("staff", "1201", 200),
        ("admin", "1101", 200),
        ("admin", "1201", 404),
        ("secretary", "1101", 200),
        ("secretary", "1101-1", 200),
        ("secretary", "1102", 404),
        ("secretary", "1100", 404),
        ("other_secretary", "1101", 404),
        ("auditor", "1102", 200),
        ("auditor", "1200", 404),
        ("outsider", "1101", 404),
        ("nobody", "1101", 404),
    ],
)
def test_organization_page_is_404_outside_scope(client, personas, persona, code, status):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("branches:org-detail", args=[code])).status_code == status
    assert client.get(reverse("branches:org-children", args=[code])).status_code == status


def test_anonymous_is_sent_to_login(client, district):
    for url in [reverse("branches:tree"), reverse("branches:org-detail", args=["1101"]), "/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_organization_pages_refuse_writes_with_405(client, personas):
    client.force_login(personas.staff)
    assert client.post(reverse("branches:org-detail", args=["1101"])).status_code == 405
    assert client.post(reverse("branches:tree")).status_code == 405


def test_tree_shows_the_scope_roots_with_member_counts(client, personas):
    client.force_login(personas.admin)
    page = client.get(reverse("branches:tree")).content.decode()
    assert "第一社区党委" in page
    assert "第二社区党委" not in page
    client.force_login(personas.secretary)
    page = client.get(reverse("branches:tree")).content.decode()
    assert "第一社区第一党支部" in page and "第一社区党委" not in page


def test_tree_search_finds_only_visible_organizations(client, personas):
    client.force_login(personas.secretary)
    page = client.get(reverse("branches:tree"), {"q": "党支部"}).content.decode()
    assert "第一社区第一党支部" in page
    assert "第一社区第二党支部" not in page


def test_tree_page_query_count_does_not_grow_with_the_tree(client, personas, district,
                                                          django_assert_max_num_queries):
    from tests.factories import make_org

    for i in range(30):
        make_org(f"13{i:02d}", f"新党委{i}", Organization.Kind.COMMITTEE, district.top)
    client.force_login(personas.staff)
    with django_assert_max_num_queries(13):  # +1: the menu's unread-reminders badge
        assert client.get(reverse("branches:org-children", args=["1000"])).status_code == 200


def test_branch_health_flags_show_on_the_page(client, personas, district):
    client.force_login(personas.staff)
    page = client.get(reverse("branches:org-detail", args=["1101"])).content.decode()
    assert "少于 3 人" in page  # no members yet: fewer than 3 full members


def test_nesting_rules_refuse_impossible_trees(district):
    from django.core.exceptions import ValidationError

    from branches.actions import create_organization, update_organization

    with pytest.raises(ValidationError, match="支部不能再下设支部"):
        create_organization(code="X1", name="x", kind="branch", parent=district.b1, by=None)
    with pytest.raises(ValidationError, match="党小组必须隶属于"):
        create_organization(code="X2", name="x", kind="group", parent=district.c1, by=None)
    with pytest.raises(ValidationError, match="循环"):
        update_organization(district.top, parent=district.c1, by=None)


def test_admin_edits_an_organization_in_scope_and_auditor_gets_403(client, personas, district):
    url = reverse("branches:org-edit", args=["1101"])
    client.force_login(personas.auditor)
    assert client.get(url).status_code == 403
    client.force_login(personas.other_secretary)
    assert client.get(url).status_code == 404
    client.force_login(personas.admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "name": "第一社区第一党支部", "kind": "branch", "sector": "community",
        "parent": district.c1.code, "has_committee": "on", "committee_elected_on": "2020-01-05",
        "secretary_name": "张三",
    })
    assert response.status_code == 302
    district.b1.refresh_from_db()
    assert district.b1.has_committee and district.b1.secretary_name == "张三"
    page = client.get(reverse("branches:org-detail", args=["1101"])).content.decode()
    assert "任期已于 2025年01月05日 届满" in page


def test_moving_an_organization_under_its_own_branch_is_refused(client, personas, district):
    client.force_login(personas.staff)
    response = client.post(reverse("branches:org-edit", args=["1100"]), {
        "name": "第一社区党委", "kind": "committee", "parent": district.b1.code,
    })
    assert response.status_code == 200
    district.c1.refresh_from_db()
    assert district.c1.parent == district.top


def test_admin_creates_a_branch_and_cannot_create_a_branch_under_a_branch(client, personas, district):
    client.force_login(personas.admin)
    url = reverse("branches:org-create-child", args=["1100"])
    response = client.post(url, {"code": "1103", "name": "第三支部", "kind": "branch",
                                 "parent": district.c1.code})
    assert response.status_code == 302
    assert Organization.objects.get(code="1103").path.startswith(district.c1.path)
    response = client.post(reverse("branches:org-create-child", args=["1101"]),
                           {"code": "1104", "name": "支部下的支部", "kind": "branch",
                            "parent": district.b1.code})
    assert response.status_code == 200
    assert "支部不能再下设支部" in response.content.decode()
    assert not Organization.objects.filter(code="1104").exists()
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


def test_a_subtree_admin_cannot_make_an_organization_top_level(client, personas, district):
    client.force_login(personas.admin)
    response = client.post(reverse("branches:org-edit", args=["1101"]), {
        "name": "第一社区第一党支部", "kind": "branch", "parent": "",
    })
    assert response.status_code == 200
    assert "只有组织部管理员可以设置顶层组织" in response.content.decode()
    district.b1.refresh_from_db()
    assert district.b1.parent == district.c1
