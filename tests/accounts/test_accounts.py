"""Onboarding with add_user, logging in, lockout, and the security headers on every page."""
import pytest
from django.contrib.auth import get_user_model

from accounts.models import AuditLog, Role
from tests.helpers import run_command, run_json

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_smoke
def test_add_user_creates_the_user_and_grants_the_role(district):
    status, out, _ = run_command("add_user", "wang", "--role", "secretary", "--org", "1101",
                                 "--password", "Branch-pass-2026")
    assert status == 0
    user = get_user_model().objects.get(username="wang")
    assert user.check_password("Branch-pass-2026")
    assert Role.objects.get(user=user).organization.code == "1101"
    status, out, _ = run_command("add_user", "wang", "--role", "auditor", "--org", "1200",
                                 "--password", "Branch-pass-2026")
    assert status == 0
    assert Role.objects.filter(user=user).count() == 2
    assert AuditLog.objects.filter(action="role.grant").count() == 2


def test_add_user_staff_needs_no_org_and_is_idempotent(db):
    for _ in range(2):
        status, result = run_json("add_user", "zzb", "--role", "staff", "--password", "Staff-pass-2026")
        assert status == 0
    assert Role.objects.filter(user__username="zzb", kind="staff").count() == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--role", "secretary", "--org", "9999"], "9999"),
        (["--role", "secretary"], "--org"),
        (["--role", "secretary", "--org", "1100"], "党支部"),
    ],
)
def test_add_user_refuses_bad_arguments_with_exit_2(district, args, fragment):
    status, out, err = run_command("add_user", "li", *args, "--password", "Some-pass-2026")
    assert status == 2
    assert fragment in err
    assert not get_user_model().objects.filter(username="li").exists()


def test_login_form_logs_in_and_lands_on_the_home_page(client, personas):
    response = client.post("/accounts/login/", {"username": "sec1101", "password": "Secret-pass-2026"})
    assert response.status_code == 302
    assert client.get("/", follow=True).status_code == 200


def test_wrong_password_says_so_in_chinese(client, personas):
    response = client.post("/accounts/login/", {"username": "sec1101", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_username_not_the_office(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "sec1101", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "sec1101", "password": "Secret-pass-2026"})
    assert locked.status_code == 429
    assert "暂时锁定" in locked.content.decode()
    # A colleague in the same office (same IP) still logs in.
    other = client.post("/accounts/login/", {"username": "sec1102", "password": "Secret-pass-2026"})
    assert other.status_code == 302


def test_every_page_carries_a_strict_content_security_policy(client, personas):
    client.force_login(personas.staff)
    for url in ["/accounts/login/", "/orgs/", "/orgs/1101/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        script_src = [p for p in policy.split(";") if p.strip().startswith("script-src")][0]
        assert "'unsafe-inline'" not in script_src
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_audit_log_cannot_be_changed_or_deleted(db):
    from accounts.models import audit

    entry = audit(None, "test.action", target="x")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.update(action="other")


def test_production_settings_pass_check_deploy(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings_production",
               SECRET_KEY="x" * 20 + "production-secret-key-for-the-check-0123456789",
               ALLOWED_HOSTS="dangjian.example.gov.cn")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright's thread, never in deployment
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_password_change_refuses_weak_passwords(client, personas):
    client.force_login(personas.secretary)
    response = client.post("/accounts/password/", {
        "old_password": "Secret-pass-2026", "new_password1": "12345678",
        "new_password2": "12345678",
    })
    assert response.status_code == 200
    personas.secretary.refresh_from_db()
    assert personas.secretary.check_password("Secret-pass-2026")
    response = client.post("/accounts/password/", {
        "old_password": "Secret-pass-2026", "new_password1": "Lantern-river-93",
        "new_password2": "Lantern-river-93",
    })
    assert response.status_code == 302


def test_production_cookies_are_secure_and_sessions_expire_when_idle():
    import importlib
    import os

    os.environ.setdefault("ALLOWED_HOSTS", "dangjian.example.gov.cn")
    os.environ.setdefault("SECRET_KEY", "k" * 60)
    production = importlib.import_module("portal.settings_production")
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert "portal.middleware.SlidingSessionMiddleware" in production.MIDDLEWARE
    assert production.SESSION_COOKIE_AGE <= 4 * 3600
    assert production.DEBUG is False


def test_a_session_ends_after_two_idle_hours_and_activity_keeps_it_alive(client, personas):
    from freezegun import freeze_time

    def signed_in() -> bool:
        response = client.get("/")
        return "/accounts/login/" not in response.get("Location", "")

    client.get("/accounts/login/")  # the modules a page loads, imported before the clock stops
    with freeze_time("2026-11-02 08:00:00") as clock:
        client.force_login(personas.secretary)
        assert signed_in()
        clock.tick(90 * 60)
        assert signed_in()  # 1.5 h idle: still in, and the two hours start again
        clock.tick(90 * 60)
        assert signed_in()  # 3 h after login, 1.5 h after the last page
        clock.tick(2 * 3600 + 60)
        assert not signed_in()


def test_pages_read_in_quick_succession_do_not_write_the_session_each_time(client, personas):
    from django.contrib.sessions.models import Session

    client.force_login(personas.secretary)
    client.get("/")
    key = client.session.session_key
    expiry = Session.objects.get(pk=key).expire_date
    for _ in range(3):
        client.get("/")
    assert Session.objects.get(pk=key).expire_date == expiry


def test_logout_needs_post_and_ends_the_session(client, personas):
    client.force_login(personas.secretary)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/orgs/").status_code == 302


def test_audit_log_page_is_scoped_and_read_only(client, personas, district):
    from accounts.models import audit

    audit(personas.staff, "member.reveal_id", organization=district.b1, target="第一支部的记录")
    audit(personas.staff, "member.reveal_id", organization=district.b3, target="第二党委的记录")
    client.force_login(personas.staff)
    page = client.get("/users/audit/").content.decode()
    assert "第一支部的记录" in page and "第二党委的记录" in page
    client.force_login(personas.admin)
    page = client.get("/users/audit/").content.decode()
    assert "第一支部的记录" in page and "第二党委的记录" not in page
    client.force_login(personas.secretary)
    assert client.get("/users/audit/").status_code == 403
    client.force_login(personas.staff)
    assert client.post("/users/audit/").status_code == 405


def test_a_user_without_a_role_is_told_so_instead_of_a_404(client, personas):
    client.force_login(personas.nobody)
    response = client.get("/")
    assert response.status_code == 200
    assert "尚未分配角色" in response.content.decode()


def test_a_password_made_of_the_username_and_digits_is_refused(client, personas):
    client.force_login(personas.secretary)
    for weak in ("sec1101-2026-0101", "SEC1101abcd9876"):
        response = client.post("/accounts/password/", {
            "old_password": "Secret-pass-2026", "new_password1": weak, "new_password2": weak})
        assert response.status_code == 200 and "密码不能包含用户名" in response.content.decode()
    personas.secretary.refresh_from_db()
    assert personas.secretary.check_password("Secret-pass-2026")
