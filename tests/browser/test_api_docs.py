"""The API docs page (Swagger UI, vendored) renders in a real browser under the portal's strict
Content-Security-Policy: the `page` fixture fails the test on any CSP violation or JS error.
The token page is used as a secretary on a phone would, at 390 px."""
import pytest

from tests.browser.conftest import login
from tests.factories import build_district, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_lists_the_endpoints_under_the_strict_csp(page, live_url):
    build_personas(build_district())
    login(page, live_url, "sec1101", "Secret-pass-2026")

    page.goto(f"{live_url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)

    text = page.inner_text("#swagger-ui")
    assert "/api/v1/meetings/" in text and "/api/v1/members/" in text
    page.click("#operations-v1-v1_members_list .opblock-summary")
    page.click("text=Try it out")
    page.click("text=Execute")
    page.wait_for_selector(".live-responses-table tbody .response-col_status")
    assert "200" in page.inner_text(".live-responses-table tbody .response-col_status")


def test_a_secretary_issues_and_revokes_a_token_on_a_phone(page, live_url):
    build_personas(build_district())
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, live_url, "sec1101", "Secret-pass-2026")

    page.goto(f"{live_url}/api/tokens/")
    page.fill("#token-name", "支部手机")
    page.click("#new-token-form button")
    token = page.inner_text("#new-token-value")
    assert len(token) == 40
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_url}/api/tokens/")
    assert "支部手机" in page.inner_text("#tokens") and token not in page.content()
    page.click("#tokens button")
    assert "已撤销令牌" in page.inner_text(".messages")
