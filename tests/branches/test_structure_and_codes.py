"""An organization's structure belongs to the upper levels; codes stay in a URL-safe alphabet on
every way in; the admin adds organizations through the action (a correct path, so a role there
sees its subtree only)."""
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from accounts.actions import grant_role
from accounts.models import AuditLog
from branches.actions import repair_codes, update_organization
from branches.importer import OrganizationImporter
from branches.models import Organization
from core.importing import plan_file
from tests.helpers import run_json, write_csv

pytestmark = pytest.mark.django_db

B1 = {"name": "第一社区第一党支部", "kind": "branch", "sector": "community"}


def edit(client, user, code, data):
    client.force_login(user)
    return client.post(reverse("branches:org-edit", args=[code]), data)


@pytest.mark.parametrize("change", [
    {"name": "改名党支部"},
    {"kind": "joint_branch"},
    {"dissolved_on": "2026-01-01"},
])
def test_a_branch_secretary_cannot_change_their_branchs_structure(client, personas, district, change):
    response = edit(client, personas.secretary, "1101",
                    {**B1, "parent": district.c1.pk, **change})

    district.b1.refresh_from_db()
    assert response.status_code in (200, 302)
    assert (district.b1.name, district.b1.kind, district.b1.dissolved_on) == (
        "第一社区第一党支部", "branch", None)


def test_a_branch_secretary_still_edits_the_contact_fields(client, personas, district):
    response = edit(client, personas.secretary, "1101", {
        **B1, "parent": district.c1.pk, "secretary_name": "新书记", "contact_phone": "010-1234"})

    district.b1.refresh_from_db()
    assert response.status_code == 302
    assert district.b1.secretary_name == "新书记" and district.b1.contact_phone == "010-1234"


def test_the_structure_rule_is_the_actions(personas, district):
    with pytest.raises(PermissionDenied):
        update_organization(district.b1, by=personas.secretary, dissolved_on=datetime.date(2026, 1, 1))
    update_organization(district.b1, by=personas.admin, name="一支部改名")  # the level above
    district.b1.refresh_from_db()
    assert district.b1.name == "一支部改名"


def test_a_branch_secretary_cannot_rename_their_branch_by_import(personas, district, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [["组织编码", "组织名称", "组织类别", "上级组织编码"],
                                            ["1101", "偷改名称", "党支部", "1100"]])
    with open(path, "rb") as handle:
        plan = plan_file(OrganizationImporter(organization=district.b1, user=personas.secretary),
                         handle, "orgs.csv")
    assert plan.errors and "由上级党组织维护" in plan.errors[0].message


# ------------------------------------------------------------------------------------ codes

def test_a_code_with_a_slash_is_refused_by_the_form(client, personas, district):
    client.force_login(personas.admin)
    response = client.post(reverse("branches:org-create-child", args=["1100"]),
                           {"code": "11/03", "name": "斜杠支部", "kind": "branch",
                            "parent": district.c1.pk})
    assert response.status_code == 200 and "组织编码只能由" in response.content.decode()
    assert not Organization.objects.filter(name="斜杠支部").exists()


def test_a_code_with_a_slash_is_refused_by_the_import(district, tmp_path):
    path = write_csv(tmp_path / "orgs.csv", [["组织编码", "组织名称", "组织类别", "上级组织编码"],
                                            ["11/03", "斜杠支部", "党支部", "1100"]])
    status, result = run_json("import_orgs", str(path))
    assert status != 0 and "不允许的字符" in str(result)
    assert not Organization.objects.filter(name="斜杠支部").exists()


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", password="Root-pass-2026-x")


def test_a_code_with_a_slash_is_refused_by_the_admin(client, root, district):
    client.force_login(root)
    response = client.post(reverse("admin:branches_organization_add"), {
        "code": "11/03", "name": "斜杠支部", "kind": "branch", "sector": "community",
        "parent": district.c1.pk, "has_committee": ""})
    assert response.status_code == 200
    assert not Organization.objects.filter(name="斜杠支部").exists()


def test_existing_bad_codes_are_repaired_and_their_pages_answer(client, personas, district):
    Organization.objects.filter(pk=district.b2.pk).update(code="11/02")
    client.force_login(personas.admin)

    call_command("repair_org_codes")

    district.b2.refresh_from_db()
    assert district.b2.code == "11-02"
    assert AuditLog.objects.filter(action="org.code_repaired").first().detail["old"] == "11/02"
    for url in (reverse("branches:org-detail", args=["11-02"]),
                reverse("branches:org-detail", args=["1100"]),
                reverse("branches:tree") + "?q=第二"):
        assert client.get(url).status_code == 200
    assert repair_codes() == {}


# ------------------------------------------------------------------------------------ the admin

def test_an_organization_added_in_the_admin_has_a_path_and_its_role_sees_its_subtree(
        client, root, district):
    client.force_login(root)
    response = client.post(reverse("admin:branches_organization_add"), {
        "code": "1103", "name": "后台支部", "kind": "branch", "sector": "community",
        "parent": district.c1.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organization.objects.get(code="1103")
    assert org.path.startswith(district.c1.path) and org.path != district.c1.path
    get_user_model().objects.create_user("sec1103")
    grant_role("sec1103", "secretary", org)
    user = get_user_model().objects.get(username="sec1103")
    assert set(Organization.objects.visible_to(user).values_list("code", flat=True)) == {"1103"}
    assert AuditLog.objects.filter(action="org.create", organization=org).exists()


def test_the_admin_is_for_superusers_only_and_its_member_pages_are_masked(client, root, district):
    from tests.factories import make_member

    member = make_member(district.b1, name="后台")
    staff = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename="view_member"))
    client.force_login(staff)
    assert client.get(reverse("admin:members_member_changelist")).status_code == 302
    client.force_login(root)
    page = client.get(reverse("admin:members_member_change", args=[member.pk])).content.decode()
    assert member.masked_id_number in page and member.id_number not in page
    assert member.birth_date.isoformat() not in page
    with pytest.raises(NoReverseMatch):  # neither import nor export: the portal's are audited
        reverse("admin:members_member_export")
    with pytest.raises(NoReverseMatch):
        reverse("admin:members_member_import")
