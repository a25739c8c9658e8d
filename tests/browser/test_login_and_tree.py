"""Each role logs in through the real form, sees its part of the tree and opens an organization."""
import pytest

from tests.browser.conftest import login
from tests.factories import build_district, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-pass-2026"


@pytest.mark.parametrize(
    ("username", "sees", "does_not_see", "opens"),
    [
        ("staff", ["示范街道党工委"], [], "第二社区党支部"),
        ("admin1100", ["第一社区党委"], ["示范街道党工委", "第二社区党委"], "第一社区第二党支部"),
        ("sec1101", ["第一社区第一党支部"], ["第一社区党委", "第一社区第二党支部"], "第一社区第一党支部"),
        ("audit1100", ["第一社区党委"], ["第二社区党委"], "第一社区第一党支部"),
    ],
)
def test_role_sees_its_part_of_the_tree(page, live_url, username, sees, does_not_see, opens):
    build_personas(build_district())
    login(page, live_url, username, PASSWORD)
    assert "/accounts/login/" not in page.url, "login failed"
    page.goto(f"{live_url}/orgs/")
    tree = page.locator("#org-tree")
    for name in sees:
        assert tree.get_by_text(name, exact=True).count() >= 1
    for name in does_not_see:
        assert tree.get_by_text(name, exact=True).count() == 0
    # Expand down to the organization and open its page.
    for _ in range(4):
        link = tree.get_by_role("link", name=opens, exact=True)
        if link.count():
            break
        closed = tree.locator("details:not([open]) > summary")
        if not closed.count():
            break
        closed.first.click()
        page.wait_for_load_state("networkidle")
    tree.get_by_role("link", name=opens, exact=True).first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith(opens)


def test_out_of_scope_organization_is_not_found(page, live_url):
    build_personas(build_district())
    login(page, live_url, "sec1101", PASSWORD)
    response = page.goto(f"{live_url}/orgs/1102/")
    assert response.status == 404
    assert "不在您的管理范围内" in page.content()


def test_wrong_password_shows_a_chinese_message(page, live_url):
    build_personas(build_district())
    login(page, live_url, "sec1101", "wrong-password")
    assert "用户名或密码不正确" in page.content()
