"""What an office sees when something goes wrong, with DEBUG off (the default of bin/start):
the portal's Chinese pages in its layout, never Django's debug page, a URL list or a code."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import include, path, reverse

from tests.matrix import NEVER
from tests.security.conftest import user_of

DEBUG_MARKS = ("URLconf", "Page not found", "Traceback", "Request Method", "urlpatterns",
               "DEBUG = True", "Server Error", "Forbidden", "CSRF verification failed")


def assert_portal_page(response, status, heading):
    page = response.content.decode()
    main = page[page.index("<main"):page.index("</main>")]
    assert response.status_code == status
    assert heading in main
    assert 'class="topbar"' in page, "rendered in the portal's layout"
    assert not [mark for mark in DEBUG_MARKS if mark in page]
    assert response.request["PATH_INFO"] not in main, "the page names no URL"
    assert main.count("href=") == 1, "one link, home; no list of URLs"


def test_debug_is_off_unless_asked_for():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings",
                                           **extra},
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert run({}).stdout.strip() == "False"
    assert run({"DEBUG": "1"}).stdout.strip() == "True"


def test_secret_key_is_generated_once_and_reused(tmp_path):
    from portal.settings import read_or_create_secret_key

    key_file = tmp_path / "var" / "secret_key"
    first = read_or_create_secret_key(key_file)
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o077 == 0, "readable by the owner only"
    assert read_or_create_secret_key(key_file) == first


OUT_OF_SCOPE = {persona: codes[0] for persona, codes in NEVER.items()} | {"staff": "9999"}


@pytest.mark.parametrize("persona", sorted(OUT_OF_SCOPE))
def test_another_branchs_object_is_the_chinese_404_page(persona, w, settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(user_of(w, persona))
    code = OUT_OF_SCOPE[persona]

    response = client.get(reverse("branches:org-detail", kwargs={"code": code}))

    assert_portal_page(response, 404, "页面不存在")
    assert code not in response.content.decode()


@pytest.mark.parametrize("persona", sorted(NEVER))
def test_another_branchs_member_is_the_chinese_404_page(persona, w, settings):
    settings.DEBUG = False
    member = {"secretary": w.b2[0], "other_secretary": w.member, "admin": w.b3[0],
              "auditor": w.b3[0], "outsider": w.member}[persona]
    client = Client()
    client.force_login(user_of(w, persona))

    response = client.get(reverse("members:member-detail", kwargs={"pk": member.pk}))

    assert_portal_page(response, 404, "页面不存在")


def boom(request):
    raise RuntimeError("an unexpected failure, with an internal detail")


urlpatterns = [path("boom/", boom), path("", include("portal.urls"))]


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_is_the_chinese_500_page(w):
    client = Client(raise_request_exception=False)
    client.force_login(w.p.secretary)

    response = client.get("/boom/")

    assert_portal_page(response, 500, "系统暂时出错")
    assert "internal detail" not in response.content.decode()


def test_a_csrf_failure_is_the_chinese_page(w, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.p.secretary)

    response = client.post(reverse("accounts:password-change"), {"old_password": "x"})

    assert_portal_page(response, 403, "页面已过期")


def test_a_refusal_is_the_chinese_403_page(w, settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(w.p.secretary)

    response = client.get(reverse("useradmin:audit-log"))

    assert_portal_page(response, 403, "没有权限")
