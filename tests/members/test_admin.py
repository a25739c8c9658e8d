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


def test_resource_import_registers_membership_and_refuses_a_move(district):
    import datetime

    import tablib

    from members.models import Member, Membership
    from members.resources import MemberResource
    from tests.factories import valid_id_number

    headers = ["姓名", "公民身份号码", "人员类别", "入党日期", "转正日期", "所在党支部编码"]
    id_number = valid_id_number(datetime.date(1980, 1, 1))
    rows = [["新人", id_number, "正式党员", "2005-07-01", "2006-07-01", "1101"]]
    result = MemberResource().import_data(tablib.Dataset(*rows, headers=headers), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    member = Member.objects.get(id_number=id_number)
    assert Membership.objects.get(member=member).started_on == datetime.date(2005, 7, 1)
    moved = [["新人", id_number, "正式党员", "2005-07-01", "2006-07-01", "1102"]]
    result = MemberResource().import_data(tablib.Dataset(*moved, headers=headers), dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    member.refresh_from_db()
    assert member.branch == district.b1
