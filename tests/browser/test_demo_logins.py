"""The demo district as a new user meets it: each demo login sees its own part of the tree."""
import io

import pytest
from django.core.management import call_command

from accounts.models import Role
from branches.models import Organization
from demo.base import DEMO_LOGINS
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_demo_login_sees_its_scope_and_opens_an_organization(page, live_url):
    call_command("seed_demo", stdout=io.StringIO())
    for demo in DEMO_LOGINS:
        role = Role.objects.select_related("organization").get(user__username=demo.username)
        scope = role.organization or Organization.objects.get(parent__isnull=True)
        login(page, live_url, demo.username, demo.password)
        assert "/accounts/login/" not in page.url, demo.username
        page.goto(f"{live_url}/orgs/")
        tree = page.locator("#org-tree")
        root_links = tree.locator(":scope > li a").all_inner_texts()
        assert root_links[0] == scope.name, (demo.username, root_links)
        outside = Organization.objects.exclude(path__startswith=scope.path).filter(
            kind="branch").first()
        if outside is not None:
            response = page.goto(f"{live_url}/orgs/{outside.code}/")
            assert response.status == 404, demo.username
        page.goto(f"{live_url}/orgs/{scope.code}/")
        assert page.locator("h1").inner_text().startswith(scope.name)
        page.locator("form[action='/accounts/logout/'] button").click()
        page.wait_for_load_state("networkidle")
