"""Accounts in the browser: 组织部 staff onboard a district's secretaries from one spreadsheet,
each signs in with the printed initial password and must change it; a 党组织管理员 manages the
accounts of their subtree and never grants more than they hold; every change is audited."""
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog, Role
from branches.models import Organization
from imports.models import ImportBatch
from tests.factories import make_org
from tests.helpers import run_json
from useradmin import actions
from useradmin.models import Account, PasswordSheet

pytestmark = pytest.mark.django_db
User = get_user_model()
HEADER = ["用户名", "姓名", "手机", "角色", "党组织编码"]


def sheet_bytes(rows, title="东湖街道支部书记账号"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, org):
    return client.post(reverse("imports:upload", args=["accounts"]), {
        "file": SimpleUploadedFile("账号.xlsx", data), "organization": org.code})


def latest_batch():
    return ImportBatch.objects.latest("created_at")


def passwords_on_sheet(page: str) -> dict[str, str]:
    cells = re.findall(r'<td class="mono">([^<]+)</td>', page)
    return dict(zip(cells[0::2], cells[1::2], strict=True))


def fifty_branches(district):
    return [make_org(f"3{i:03d}", f"第{i}网格党支部", Organization.Kind.BRANCH, district.c1)
            for i in range(50)]


def test_staff_creates_50_secretaries_from_one_spreadsheet_and_each_must_change_the_password(
        client, personas, district):
    branches = fifty_branches(district)
    rows = [(f"sj{i:03d}", f"书记{i}", f"1380000{i:04d}", "支部书记", b.code)
            for i, b in enumerate(branches)]
    client.force_login(personas.staff)

    assert upload(client, sheet_bytes(rows), district.top).status_code == 302
    batch = latest_batch()
    assert batch.status == ImportBatch.Status.PREVIEW, batch.message
    preview = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "书记7（sj007）" in preview and "初始密码单" in preview
    assert not User.objects.filter(username="sj000").exists(), "the preview wrote nothing"
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))

    assert Role.objects.filter(kind="secretary", user__username__startswith="sj").count() == 50
    listing = client.get(reverse("useradmin:account-list")).content.decode()
    sheet = PasswordSheet.objects.get(owner=personas.staff)
    assert reverse("useradmin:sheet", args=[sheet.pk]) in listing and "尚未打印" in listing
    printed = client.get(reverse("useradmin:sheet", args=[sheet.pk])).content.decode()
    passwords = passwords_on_sheet(printed)
    assert len(passwords) == 50 and "只显示这一次" in printed
    again = client.get(reverse("useradmin:sheet", args=[sheet.pk])).content.decode()
    assert passwords["sj007"] not in again, "shown once, then gone"
    assert PasswordSheet.objects.get(pk=sheet.pk).rows == []
    assert AuditLog.objects.filter(action=actions.CREATED).count() == 50
    assert AuditLog.objects.filter(action=actions.IMPORTED).count() == 1

    secretary = Client()
    signed_in = secretary.post(reverse("accounts:login"),
                               {"username": "sj007", "password": passwords["sj007"]})
    assert signed_in.status_code == 302
    forced = secretary.get(reverse("members:member-list"))
    assert forced.status_code == 302 and forced.url == reverse("accounts:password-change")
    assert "请先修改密码" in secretary.get(forced.url).content.decode()
    changed = secretary.post(reverse("accounts:password-change"), {
        "old_password": passwords["sj007"], "new_password1": "Lantern-river-93",
        "new_password2": "Lantern-river-93"})
    assert changed.status_code == 302
    assert secretary.get(reverse("members:member-list")).status_code == 200
    assert not Account.objects.get(user__username="sj007").must_change_password
    assert AuditLog.objects.filter(action=actions.PASSWORD_CHANGED, actor__username="sj007").exists()


def test_an_initial_password_is_hashed_by_the_initial_hasher_and_rehashed_at_sign_in(
        settings, personas, district):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "useradmin.hashers.InitialPasswordHasher"]
    sheet = actions.create_account(username="li", name="李书记", kind="secretary",
                                   organization=district.b1, by=personas.staff)
    user = User.objects.get(username="li")
    assert user.password.startswith("pbkdf2_sha256_initial$")
    client = Client()
    assert client.post(reverse("accounts:login"), {
        "username": "li", "password": sheet.rows[0]["password"]}).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("md5$"), "re-hashed with the default at the first sign-in"
    assert client.get(reverse("branches:tree")).status_code == 302, "still must change it"


def test_a_bad_row_is_named_in_the_preview_and_nothing_is_written(client, personas, district):
    rows = [("good", "张三", "13800000000", "支部书记", "1101"),
            ("sec1101", "重名", "", "支部书记", "1101"),
            ("bad name", "李四", "12345", "书记长", "1101"),
            ("far", "王五", "", "支部书记", "9999"),
            ("comm", "赵六", "", "支部书记", "1100")]
    client.force_login(personas.staff)
    upload(client, sheet_bytes(rows), district.top)
    batch = latest_batch()
    page = client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()

    assert "已被使用" in page and "11 位数字" in page and "无法识别" in page
    assert "找不到组织编码为 9999" in page and "只能授予党支部" in page
    client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert not User.objects.filter(username="good").exists()


def test_an_org_admin_never_grants_more_than_they_hold(client, personas, district):
    rows = [("ok1101", "张三", "", "支部书记", "1101"),
            ("boss", "李四", "", "组织部管理员", ""),
            ("other", "王五", "", "支部书记", "1201")]
    client.force_login(personas.admin)
    upload(client, sheet_bytes(rows), district.c1)
    page = client.get(reverse("imports:batch-detail", args=[latest_batch().pk])).content.decode()
    assert "只有组织部可以授予" in page
    assert "在第一社区党委范围内找不到组织编码为 1201" in page

    response = client.post(reverse("useradmin:account-create"), {
        "username": "x1", "name": "某人", "kind": "staff"})
    assert response.status_code == 200 and not User.objects.filter(username="x1").exists()
    response = client.post(reverse("useradmin:account-create"), {
        "username": "x2", "name": "某人", "kind": "secretary", "organization": district.b3.pk})
    assert response.status_code == 200 and not User.objects.filter(username="x2").exists()
    response = client.post(reverse("useradmin:account-create"), {
        "username": "x3", "name": "某人", "kind": "org_admin", "organization": district.b1.pk})
    assert response.status_code == 302
    assert Role.objects.get(user__username="x3").organization == district.b1


def test_an_org_admin_manages_accounts_of_their_subtree_only(client, personas, district):
    client.force_login(personas.admin)
    listing = client.get(reverse("useradmin:account-list")).content.decode()
    assert "sec1101" in listing and "sec1102" in listing and "admin1200" not in listing
    far = client.get(reverse("useradmin:account-detail", args=[personas.outsider.pk]))
    assert far.status_code == 404
    staff = client.post(reverse("useradmin:account-reset", args=[personas.staff.pk]))
    assert staff.status_code == 404
    # an account that also holds a role outside the subtree is shown, but only staff change it
    Role.objects.create(user=personas.secretary, kind="auditor", organization=district.c2)
    page = client.get(reverse("useradmin:account-detail", args=[personas.secretary.pk]))
    assert "只有组织部可以修改" in page.content.decode() and "重置密码" not in page.content.decode()
    client.post(reverse("useradmin:account-reset", args=[personas.secretary.pk]))
    assert not PasswordSheet.objects.exists()


def test_reset_deactivate_and_roles_are_audited(client, personas, district):
    client.force_login(personas.admin)
    target = personas.secretary

    reset = client.post(reverse("useradmin:account-reset", args=[target.pk]))
    sheet = PasswordSheet.objects.get(owner=personas.admin)
    assert reset.url == reverse("useradmin:sheet", args=[sheet.pk])
    client.post(reverse("useradmin:role-grant", args=[target.pk]),
                {"kind": "auditor", "organization": district.b2.pk})
    role = Role.objects.get(user=target, kind="auditor")
    client.post(reverse("useradmin:role-revoke", args=[role.pk]))
    client.post(reverse("useradmin:account-active", args=[target.pk]), {"active": "0"})

    target.refresh_from_db()
    assert not target.is_active and not Role.objects.filter(pk=role.pk).exists()
    assert Account.objects.get(user=target).must_change_password
    assert list(AuditLog.objects.filter(target__startswith="sec1101").order_by("pk")
                .values_list("action", flat=True))[-4:] == [
        actions.PASSWORD_RESET, actions.ROLE_GRANTED, actions.ROLE_REVOKED, actions.DEACTIVATED]
    detail = client.get(reverse("useradmin:account-detail", args=[target.pk])).content.decode()
    assert "停用账号" in detail and "account.deactivate" not in detail and "已停用" in detail
    assert "从未登录" in detail or "最近登录" in detail
    refused = Client().post(reverse("accounts:login"),
                            {"username": "sec1101", "password": "Secret-pass-2026"})
    assert refused.status_code == 200, "a deactivated account cannot sign in"


def test_an_admin_cannot_deactivate_themselves(client, personas):
    client.force_login(personas.staff)
    client.post(reverse("useradmin:account-active", args=[personas.staff.pk]), {"active": "0"})
    personas.staff.refresh_from_db()
    assert personas.staff.is_active


def test_a_password_sheet_is_its_issuers_alone(client, personas, district):
    sheet = actions.create_account(username="li", name="李书记", kind="secretary",
                                   organization=district.b1, by=personas.admin)
    client.force_login(personas.staff)
    assert client.get(reverse("useradmin:sheet", args=[sheet.pk])).status_code == 404
    sheet.refresh_from_db()
    assert sheet.rows and sheet.shown_at is None


def test_add_user_keeps_its_interface(district):
    status, result = run_json("add_user", "wang", "--role", "secretary", "--org", "1101",
                              "--password", "Lantern-river-93")
    assert status == 0 and result == {"username": "wang", "created": True, "role": "secretary",
                                      "org": "1101"}


def test_the_menu_offers_account_management_to_those_who_manage_accounts(client, personas):
    for persona, shown in (("staff", True), ("admin", True), ("auditor", False),
                           ("secretary", False)):
        client.force_login(getattr(personas, persona))
        page = client.get(reverse("branches:tree")).content.decode()
        assert ("账号管理" in page) is shown, persona
