"""Every persona's main pages on a phone (390 px and 360 px): no horizontal page scroll, the menu
folds behind one button, touch targets are at least 40 px tall. Screenshots of each page are kept
under var/screenshots/ (CI keeps them as artefacts) so a person can look at them."""
import datetime
from pathlib import Path

import pytest
from django.conf import settings

from tests.activities.conftest import make_member, record_meeting
from tests.browser.conftest import login
from tests.factories import build_district, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-pass-2026"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# How wide the page is beyond the viewport, and which visible elements stick out of it.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const culprits = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    if (el.closest(".table-wrap")) continue;  // wide tables scroll inside their card
    if (box.right > width + 1) culprits.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : ""));
  }
  return {scroll: document.documentElement.scrollWidth, width, culprits: culprits.slice(0, 8)};
}"""

# Visible links and buttons in the page's chrome and forms that are shorter than 40 px.
SMALL_TARGETS_JS = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      ".topbar a, .topbar button, .toolbar a.button, .toolbar button, form button, .pagination a")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    if (box.height < 40) small.push((el.innerText || el.value || el.tagName).trim() + " " + Math.round(box.height));
  }
  return small;
}"""


def _world():
    district = build_district()
    people = build_personas(district)
    members = [make_member(f"党员{i:02d}", district.b1) for i in range(12)]
    make_member("乙党员", district.b2)
    day = datetime.date.today().replace(day=1)
    record_meeting(district.b1, people.secretary, kinds=("party_congress", "party_lecture"),
                   day=day, topic="学习贯彻全会精神暨专题党课（一份很长的主题用来检查换行）",
                   submit=True, absent=members[:1])
    record_meeting(district.b2, people.other_secretary, kinds=("committee",), day=day,
                   topic="支部委员会", submit=True)
    record_meeting(district.b1, people.secretary, kinds=("theme_day",), day=day, topic="主题党日草稿")
    return district, members


PAGES = {
    "sec1101": ["/", "/meetings/", "/meetings/new/", "/members/", "member", "/imports/",
                "/imports/members/new/", "/orgs/1101/", "/meetings/ledger/?org=1101"],
    "admin1100": ["/", "/reports/overview/", "/meetings/review/", "/reports/", "/orgs/",
                  "/members/", "/imports/"],
    "staff": ["/", "/reports/overview/", "/meetings/review/", "/reports/rules/",
              "/reports/exemptions/"],
    "audit1100": ["/", "/reports/overview/", "/meetings/", "/members/", "member",
                  "/users/audit/"],
}


def _check(page, name, width):
    result = page.evaluate(OVERFLOW_JS)
    page.screenshot(path=str(SHOTS / f"{width}-{name}.png"), full_page=True)
    assert result["scroll"] <= width, (name, result)


@pytest.mark.parametrize("username", list(PAGES))
@pytest.mark.parametrize("width", [390, 360])
def test_main_pages_fit_a_phone(page, live_url, username, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    district, members = _world()
    page.set_viewport_size({"width": width, "height": 780})
    login(page, live_url, username, PASSWORD)
    for path in PAGES[username]:
        slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "") or "home"
        if path == "member":
            path = f"/members/{members[0].pk}/"
        response = page.goto(f"{live_url}{path}")
        assert response.status == 200, (username, path, response.status)
        page.wait_for_load_state("networkidle")
        _check(page, f"{username}-{slug}", width)
        if width == 390:
            assert page.evaluate(SMALL_TARGETS_JS) == [], (username, path)


def test_the_menu_folds_behind_one_button_on_a_phone(page, live_url):
    _world()
    page.set_viewport_size({"width": 390, "height": 780})
    login(page, live_url, "admin1100", PASSWORD)
    nav = page.locator(".mainnav")
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible() and not nav.is_visible()
    assert page.locator(".topbar").bounding_box()["height"] <= 64
    toggle.click()
    assert nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "390-admin1100-menu-open.png"))
    nav.get_by_role("link", name="审核").click()
    page.wait_for_load_state("networkidle")
    assert "/meetings/review/" in page.url
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator(".mainnav").is_visible() and not toggle.is_visible()


def test_a_quarters_ledger_prints_as_one_document(page, live_url):
    district, members = _world()
    login(page, live_url, "sec1101", PASSWORD)
    page.goto(f"{live_url}/meetings/ledger/?org=1101")
    assert page.locator(".ledger-meeting").count() == 1
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible() and not page.locator(".toolbar").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(SHOTS / "ledger-1101.pdf"), format="A4")
    # The cover, the contents, then the meeting on a page of its own.
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3
