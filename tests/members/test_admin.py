"""The admin lists members through the one door, with masked ID numbers, and exports them."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.members.conftest import make_member


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "Secret-pass-2026")


def test_admin_member_list_masks_ids(client, district, superuser):
    member = make_member(district.b1, name="管理后台")
    client.force_login(superuser)
    html = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert "管理后台" in html and member.masked_id_number in html and member.id_number not in html


def test_resource_exports_the_roster_headers(district):
    from members.models import Member
    from members.resources import MemberResource

    make_member(district.b1, name="导出")
    dataset = MemberResource().export(Member.objects.all())
    assert dataset.headers[:2] == ["姓名", "公民身份号码"] and dataset[0][0] == "导出"
