"""Read-only means read-only on screen too: an auditor meets no link, button, menu entry or form
that the server would then refuse with 403. The test walks every page the auditor can reach from
the home page (links and GET forms), and sends every other form it finds as the auditor would.
"""
from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import resolve

from tests.matrix import OWN, contributed_matrices
from tests.security.test_url_matrix import MATRIX

MAX_PAGES = 400
PER_SHAPE = 3  # pages of one kind (member pages, meeting pages…) visited at most
SKIP_PREFIXES = ("/static/", "/admin/", "/api/docs", "/api/schema")


class _Page(HTMLParser):
    """The links and forms of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                          "fields": {}, "submits": 0}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            if a.get("type") not in ("checkbox", "radio", "file", "submit") or "checked" in a:
                self._form["fields"].setdefault(a["name"], a.get("value") or "")
        if self._form is not None and (tag == "button" and a.get("type", "submit") == "submit"
                                       or tag == "input" and a.get("type") in ("submit", "image")):
            self._form["submits"] += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _shape(path: str) -> str:
    """Pages that differ by an id are one kind of page: /members/12/ and /members/13/ alike."""
    return "/".join("N" if part.isdigit() else part for part in path.split("/"))


def crawl(client: Client, start: str = "/"):
    """Every page reachable from `start` by GET: (url, status) and the forms that post."""
    seen, shapes, answers, posts = set(), {}, [], []
    queue = deque([(start, "(start)")])
    while queue and len(seen) < MAX_PAGES:
        url, origin = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in seen or parts.path.startswith(SKIP_PREFIXES):
            continue
        shape = _shape(parts.path) + ("?" + "&".join(sorted(k.split("=")[0] for k in parts.query.split("&"))) if parts.query else "")
        if shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(path, follow=True)
        answers.append((path, response.status_code, origin))
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "text/html" not in content_type:
            continue
        base = response.request["PATH_INFO"]
        page = _Page()
        page.feed(response.content.decode())
        for href in page.links:
            if href.startswith(("#", "javascript:", "mailto:")):
                continue
            queue.append((urljoin(base, href), path))
        for form in page.forms:
            if not form["submits"]:  # a form nobody can send (a wrapper around a table)
                continue
            action = urljoin(base, form["action"]) if form["action"] else base
            if form["method"] == "get":
                query = "&".join(f"{k}={v}" for k, v in form["fields"].items() if k != "csrfmiddlewaretoken")
                queue.append((action + ("?" + query if query else ""), path))
            else:
                posts.append((action, form, path))
    return answers, posts


@pytest.mark.parametrize("persona", ["auditor"])
def test_read_only_roles_see_nothing_that_answers_403(w, persona):
    client = Client()
    client.force_login(getattr(w.p, persona))
    answers, posts = crawl(client)
    visited = {_shape(urlsplit(url).path) for url, status, _ in answers if status == 200}
    # The walk reached the auditor's pages, those with write buttons for others among them.
    assert {"/reports/overview/", "/reports/exemptions/", "/meetings/", "/meetings/activities/",
            "/members/", "/orgs/N/", "/members/N/", "/meetings/N/", "/meetings/ledger/",
            "/users/audit/", "/reports/"} <= visited, sorted(visited)
    refused = [(url, origin) for url, status, origin in answers if status == 403]
    assert refused == [], f"links that answer 403: {refused}"
    broken = [(url, status, origin) for url, status, origin in answers if status >= 500]
    assert broken == []
    # The only forms a read-only role is shown change its own session, password or tokens.
    matrix = dict(MATRIX)
    for contributed in contributed_matrices():
        matrix.update(contributed)
    writes, refused_posts = [], []
    for action, form, origin in posts:
        name = resolve(urlsplit(action).path).view_name
        if matrix[name].methods.get("POST") != OWN:
            writes.append((name, _shape(urlsplit(origin).path)))
        if name == "accounts:logout":
            continue
        if client.post(action, form["fields"]).status_code == 403:
            refused_posts.append((action, origin))
    assert sorted(set(writes)) == [], "write forms shown to a read-only role"
    assert refused_posts == [], f"forms that answer 403: {refused_posts}"


def test_the_auditors_menu_has_no_write_entries(w):
    client = Client()
    client.force_login(w.p.auditor)
    page = client.get("/orgs/").content.decode()
    nav = page.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    for entry in ("导入", "审核", "考核设置"):
        assert f">{entry}<" not in nav, entry
    assert ">开展情况<" in nav and ">季度报表<" in nav


@pytest.mark.parametrize("persona", ["secretary", "admin"])
def test_no_link_shown_to_a_keeper_answers_403(w, persona):
    client = Client()
    client.force_login(getattr(w.p, persona))
    answers, _ = crawl(client)
    assert [(url, origin) for url, status, origin in answers if status == 403] == []
