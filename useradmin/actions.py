"""Every change to an account: one named function each, in one transaction, audited.

Passwords an administrator issues (a new account, a reset) are random, shown once on a
printable sheet (`PasswordSheet`, wiped when shown) and must be changed at the next sign-in
(`Account.must_change_password`, enforced by useradmin.middleware).
"""
from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, audit
from core.errors import ActionRefused
from useradmin.models import Account, PasswordSheet
from useradmin.scope import check_grantable, check_manageable

CREATED = "account.create"
IMPORTED = "account.import"
PASSWORD_RESET = "account.reset_password"
PASSWORD_CHANGED = "account.password_changed"
DEACTIVATED = "account.deactivate"
ACTIVATED = "account.activate"
ROLE_GRANTED = "role.grant"
ROLE_REVOKED = "role.revoke"
SHEET_SHOWN = "account.sheet_shown"

AUDIT_LABELS = {
    CREATED: "新建账号",
    IMPORTED: "批量导入账号",
    PASSWORD_RESET: "重置密码",
    PASSWORD_CHANGED: "修改初始密码",
    DEACTIVATED: "停用账号",
    ACTIVATED: "启用账号",
    ROLE_GRANTED: "授予角色",
    ROLE_REVOKED: "撤销角色",
    SHEET_SHOWN: "查看初始密码单",
}

ROLE_WORDS = {label: kind for kind, label in Role.Kind.choices} | {
    kind: kind for kind in Role.Kind.values} | {
    "组织部": Role.Kind.STAFF, "管理员": Role.Kind.ORG_ADMIN, "书记": Role.Kind.SECRETARY,
    "党支部书记": Role.Kind.SECRETARY, "审计员": Role.Kind.AUDITOR}
PHONE = re.compile(r"1\d{10}")
# No 0/O, 1/l/I: the password is read off paper.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
INITIAL_HASHER = "useradmin.hashers.InitialPasswordHasher"


def new_password() -> str:
    """12 random characters in three groups (about 70 bits), e.g. `Kp7m-Qx3r-Tz9a`."""
    while True:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars):
            return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


def _issue(user, password: str) -> None:
    """Set a password someone else chose: hashed cheaply when the initial hasher is installed
    (useradmin.hashers), to be changed at the next sign-in."""
    hasher = "pbkdf2_sha256_initial" if INITIAL_HASHER in settings.PASSWORD_HASHERS else "default"
    user.password = make_password(password, hasher=hasher)
    user.save(update_fields=["password"])
    Account.objects.update_or_create(user=user, defaults={
        "must_change_password": True, "password_issued_at": timezone.now()})


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationError("用户名不能为空。")
    if len(username) > 150:
        raise ValidationError("用户名不能超过 150 个字符。")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError(
            f"用户名“{username}”只能包含字母、数字、汉字和 @ . + - _ 符号，不能有空格。") from None
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError(f"用户名“{username}”已被使用，请换一个。")
    return username


def check_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone and not PHONE.fullmatch(phone):
        raise ValidationError(f"手机号“{phone}”应为 11 位数字、以 1 开头。")
    return phone


def _create(username, name, phone, kind, organization, by):
    check_grantable(kind, organization, by)
    username, phone = check_username(username), check_phone(phone)
    name = (name or "").strip()
    if not name:
        raise ValidationError("姓名不能为空。")
    user = get_user_model().objects.create_user(username=username, first_name=name[:150])
    password = new_password()
    _issue(user, password)
    Account.objects.filter(user=user).update(phone=phone)
    role = Role.objects.create(user=user, kind=kind,
                               organization=None if kind == Role.Kind.STAFF else organization)
    audit(by, CREATED, organization=role.organization, target=f"{username} {role}")
    return user, role, password


def _sheet_row(user, role, password) -> dict:
    return {"username": user.username, "name": user.first_name, "role": str(role),
            "password": password}


@transaction.atomic
def create_account(*, username, name, phone="", kind, organization=None, by) -> PasswordSheet:
    """A new account with one role and an initial password, on a sheet shown once."""
    user, role, password = _create(username, name, phone, kind, organization, by)
    return PasswordSheet.objects.create(owner=by, rows=[_sheet_row(user, role, password)],
                                        count=1)


@transaction.atomic
def create_accounts(entries: list[dict], *, by, organization=None) -> PasswordSheet | None:
    """Many accounts at once (the spreadsheet import): each as `create_account`, and one sheet."""
    rows = []
    for entry in entries:
        user, role, password = _create(entry["username"], entry["name"], entry.get("phone", ""),
                                       entry["kind"], entry.get("organization"), by)
        rows.append(_sheet_row(user, role, password))
    if not rows:
        return None
    audit(by, IMPORTED, organization=organization, target=f"{len(rows)} 个账号")
    return PasswordSheet.objects.create(owner=by, rows=rows, count=len(rows))


@transaction.atomic
def reset_password(account, *, by) -> PasswordSheet:
    check_manageable(account, by)
    password = new_password()
    _issue(account, password)
    audit(by, PASSWORD_RESET, target=account.username)
    roles = "；".join(str(r) for r in Role.objects.filter(user=account).select_related("organization"))
    return PasswordSheet.objects.create(owner=by, count=1, rows=[{
        "username": account.username, "name": account.first_name, "role": roles,
        "password": password}])


@transaction.atomic
def set_active(account, active: bool, *, by) -> None:
    check_manageable(account, by)
    if account.pk == by.pk:
        raise ActionRefused("不能停用自己的账号。")
    if account.is_active == active:
        return
    account.is_active = active
    account.save(update_fields=["is_active"])
    audit(by, ACTIVATED if active else DEACTIVATED, target=account.username)


@transaction.atomic
def grant_role(account, kind: str, organization, *, by) -> Role:
    check_manageable(account, by)
    check_grantable(kind, organization, by)
    role, created = Role.objects.get_or_create(
        user=account, kind=kind, organization=None if kind == Role.Kind.STAFF else organization)
    if created:
        audit(by, ROLE_GRANTED, organization=role.organization, target=f"{account.username} {role}")
    return role


@transaction.atomic
def revoke_role(role, *, by) -> None:
    check_manageable(role.user, by)
    check_grantable(role.kind, role.organization, by)
    text = f"{role.user.username} {role}"
    organization = role.organization
    role.delete()
    audit(by, ROLE_REVOKED, organization=organization, target=text)


@transaction.atomic
def password_changed(user) -> None:
    """The user replaced an issued password: they may work now."""
    if Account.objects.filter(user=user, must_change_password=True).update(
            must_change_password=False):
        audit(user, PASSWORD_CHANGED, target=user.username)


@transaction.atomic
def show_sheet(sheet, *, by) -> list[dict]:
    """The sheet's rows, once: they are wiped as they are handed over."""
    sheet = PasswordSheet.objects.select_for_update().get(pk=sheet.pk)
    rows = sheet.rows
    if sheet.shown_at is None:
        sheet.rows, sheet.shown_at = [], timezone.now()
        sheet.save(update_fields=["rows", "shown_at"])
        audit(by, SHEET_SHOWN, target=f"{sheet.count} 个账号")
    return rows
