"""Every URL of the portal, every method, every persona: who gets what.

The rule (accounts/policy.py, branches/access.py): anonymous users are sent to the login page (LoginRequiredMiddleware,
for every method); an object outside the user's scope is 404, exactly like a missing one; a
read-only role (the auditor) writing is 403; a wrong method is 405; the owner reads with 200.
A new URL pattern fails `test_every_url_pattern_is_in_the_matrix` until it is described here or
in its app's `tests/<app>/url_matrix.py` (tests/matrix.py).
"""
from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import (
    B1,
    C1,
    EVERYONE,
    NEVER,
    OWN,
    OWNER,
    PERSONAS,
    READ,
    SECRETARIES,
    WRITE,
    Url,
    contributed_matrices,
    org_param,
    pk,
)
from tests.security.conftest import SHOWN, WORDS, user_of

MATRIX: dict[str, Url] = {
    "home": Url({"GET": READ}, read_status=302, also=("POST", "PUT", "DELETE"),
                note="a redirect to the user's working page, whatever the method; it changes nothing"),
    "accounts:login": Url({"GET": READ, "POST": OWN}, public=True, read_status=302, also=("PUT",),
                          note="signed-in users are sent on; anonymous users get the form"),
    "accounts:logout": Url({"POST": OWN}, read_status=302),
    "accounts:password-change": Url({"GET": READ, "POST": OWN}, also=("PUT",)),
    "accounts:password-change-done": Url({"GET": READ}),
    # branches
    "branches:tree": Url({"GET": READ}),
    "branches:org-detail": Url({"GET": READ}, lambda w: {"code": "1101"}, scope=B1),
    "branches:org-children": Url({"GET": READ}, lambda w: {"code": "1101"}, scope=B1),
    "branches:org-edit": Url({"GET": READ, "POST": WRITE}, lambda w: {"code": "1101"}, scope=B1,
                             forbidden={"auditor"}),
    "branches:org-create-child": Url({"GET": READ, "POST": WRITE}, lambda w: {"code": "1101"},
                                     scope=B1, forbidden={"auditor"}),
    # members
    "members:member-list": Url({"GET": READ}, query=org_param(), scope=B1),
    "members:member-export": Url({"GET": READ}, query=org_param(), scope=B1),
    "members:member-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                 forbidden={"auditor"}),
    "members:member-assign-group": Url({"POST": WRITE}, data=org_param(), scope=B1),
    "members:transfer-list": Url({"GET": READ}),
    "members:transfer-decide": Url({"POST": WRITE},
                                   lambda w: {"pk": w.transfer.pk, "decision": "withdraw"},
                                   scope=B1),
    "members:member-detail": Url({"GET": READ}, pk("member"), scope=B1),
    "members:member-edit": Url({"GET": READ, "POST": WRITE}, pk("member"), scope=B1,
                               forbidden={"auditor"}),
    "members:member-reveal-id": Url({"POST": WRITE}, pk("member"), scope=B1),
    "members:member-event": Url({"GET": READ, "POST": WRITE},
                                lambda w: {"pk": w.member.pk, "kind": "flow_in"},
                                scope=B1, forbidden={"auditor"},
                                note="GET opens the one action's form on the member's page"),
    # meetings
    "activities:meeting-list": Url({"GET": READ}),
    "activities:meeting-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                     forbidden={"auditor"}),
    "activities:attendance-rows": Url(
        {"GET": READ}, query=lambda w: {"organization": w.d.b1.pk},
        scope=B1 - {"auditor"},
        note="a fragment of the meeting form: it looks among organizations the user may change"),
    "activities:meeting-detail": Url({"GET": READ}, pk("submitted"), scope=B1),
    "activities:meeting-edit": Url({"GET": READ, "POST": WRITE}, pk("draft"), scope=B1,
                                   forbidden={"auditor"}),
    "activities:meeting-submit": Url({"POST": WRITE}, pk("draft"), scope=B1),
    "activities:meeting-return": Url({"POST": WRITE}, pk("submitted"), scope=B1,
                                     forbidden_writes={"secretary"},
                                     note="the upper level reviews; a branch cannot review itself"),
    "activities:meeting-review": Url({"POST": WRITE}, pk("submitted"), scope=B1,
                                     forbidden_writes={"secretary"}),
    "activities:meeting-delete": Url({"POST": WRITE}, pk("draft"), scope=B1),
    "activities:meeting-print": Url({"GET": READ}, pk("submitted"), scope=B1),
    "activities:attachment-add": Url({"POST": WRITE}, pk("draft"), scope=B1),
    "activities:attachment-download": Url({"GET": READ}, pk("attachment"), scope=B1),
    "activities:attachment-delete": Url({"POST": WRITE}, pk("attachment"), scope=B1),
    "activities:meeting-export": Url({"GET": READ}, query=org_param(), scope=B1),
    "activities:meeting-ledger": Url({"GET": READ}, query=org_param(), scope=B1),
    "reports:secretary-home": Url({"GET": READ}, query=org_param(), scope=B1),
    "reports:overview": Url({"GET": READ}, query=org_param(), scope=B1),
    "activities:review-queue": Url({"GET": READ}),
    "reports:rule-list": Url({"GET": READ, "POST": WRITE}, forbidden=EVERYONE - {"staff"}),
    "reports:exemption-list": Url({"GET": READ, "POST": WRITE}, forbidden=SECRETARIES),
    "reports:exemption-delete": Url({"POST": WRITE}, pk("exemption"), scope=B1,
                                       forbidden_writes={"secretary"},
                                       note="exemptions are the upper level's to set and lift"),
    "activities:activity-list": Url({"GET": READ}),
    "activities:activity-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                      forbidden={"auditor"}),
    "activities:activity-edit": Url({"GET": READ, "POST": WRITE}, pk("activity"), scope=B1,
                                    forbidden={"auditor"}),
    "activities:activity-attachment-add": Url({"POST": WRITE}, pk("activity"), scope=B1),
    "activities:activity-delete": Url({"POST": WRITE}, pk("activity"), scope=B1),
    "activities:study-hours": Url({"GET": READ}, query=org_param(), scope=B1),
    # reports
    "reports:dashboard": Url({"GET": READ}, query=org_param(), scope=B1),
    "reports:report-start": Url({"POST": WRITE}, data=lambda w: {"org": "1100",
                                                                  "quarter": "2026Q3"},
                                scope=C1),
    "reports:report-detail": Url({"GET": READ}, pk("report"), scope=C1),
    "reports:report-progress": Url({"GET": READ}, pk("report"), scope=C1),
    "reports:report-workbook": Url({"GET": READ}, pk("report"), scope=C1),
    # imports
    "imports:index": Url({"GET": READ}, forbidden={"auditor"}),
    "imports:upload": Url({"GET": READ, "POST": WRITE}, lambda w: {"kind": "members"},
                          forbidden={"auditor"}),
    "imports:template": Url({"GET": READ}, lambda w: {"kind": "members"}),
    "imports:batch-detail": Url({"GET": READ}, pk("batch"), scope=OWNER),
    "imports:batch-progress": Url({"GET": READ}, pk("batch"), scope=OWNER),
    "imports:batch-confirm": Url({"POST": WRITE}, pk("batch"), scope=OWNER),
    "imports:batch-errors": Url({"GET": READ}, pk("batch"), scope=OWNER),
}
for _contributed in contributed_matrices():
    MATRIX.update(_contributed)


def named_patterns(resolver=None, namespace=""):
    """(name, route) of every pattern, through includes; admin/ is Django's own."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from named_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, str(entry.pattern)


def test_every_url_pattern_is_in_the_matrix():
    found = dict(named_patterns())
    unnamed = [route for name, route in found.items() if name is None]
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    missing = sorted(set(found) - set(MATRIX))
    assert not missing, f"describe these URLs in MATRIX (who may use them, which methods): {missing}"
    assert not sorted(set(MATRIX) - set(found)), "MATRIX names URLs that no longer exist"


# ------------------------------------------------------------------------------- the matrix

def expected(spec: Url, method: str, persona: str):
    kind = spec.methods[method]
    if persona == "anonymous":
        return 200 if spec.public else (spec.anonymous_status or "login")
    if persona not in spec.scope:
        return 404
    if persona in spec.forbidden:
        return 403
    if kind == WRITE and (persona == "auditor" or persona in spec.forbidden_writes):
        return 403
    if kind == READ:
        return spec.read_status
    return "done"


CASES = [
    pytest.param(name, method, persona, id=f"{name}-{method}-{persona}")
    for name, spec in MATRIX.items()
    for method in spec.methods
    for persona in PERSONAS
]


def request(client, spec: Url, name: str, method: str, w):
    url = reverse(name, kwargs=spec.kwargs(w))
    query = spec.query(w)
    if query:
        url = f"{url}?{urlencode(query)}"
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, spec.data(w))


@pytest.mark.parametrize("name, method, persona", CASES)
def test_scope_of(name, method, persona, w):
    spec = MATRIX[name]
    client = Client()
    user = user_of(w, persona)
    if user is not None:
        client.force_login(user)

    response = request(client, spec, name, method, w)
    want = expected(spec, method, persona)

    if want == "login":
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    elif want == "done":  # the owner's write: done (302; an API's 201), or the form back with its errors
        assert response.status_code in (200, 201, 302, 400), response.status_code
    else:
        assert response.status_code == want
    if response.status_code in (403, 404):
        page = page_text(response)
        assert not [word for code in NEVER.get(persona, WORDS) for word in WORDS[code] if word in page]


UNSUPPORTED = [
    pytest.param(name, method, id=f"{name}-{method}")
    for name, spec in MATRIX.items()
    for method in ("GET", "POST", "PUT", "DELETE")
    if method not in spec.methods and method not in spec.also
]


@pytest.mark.parametrize("name, method", UNSUPPORTED)
def test_unsupported_method_is_405(name, method, w):
    spec = MATRIX[name]
    client = Client()
    if not spec.public:  # the login page sends signed-in users on, whatever the method
        client.force_login(w.p.secretary)

    response = request(client, spec, name, method, w)

    assert response.status_code == 405


# ------------------------------------------------------- pages without an object: their content

LIST_PAGES = [
    ("branches:tree", {}),
    ("branches:tree", {"q": "支部"}),
    ("members:member-list", {}),
    ("members:member-list", {"q": "支"}),
    ("members:member-list", {"status": "all"}),
    ("members:transfer-list", {}),
    ("activities:meeting-list", {}),
    ("activities:meeting-list", {"status": "submitted"}),
    ("activities:review-queue", {}),
    ("activities:activity-list", {}),
    ("reports:overview", {}),
    ("reports:exemption-list", {}),
    ("reports:secretary-home", {}),
    ("activities:study-hours", {}),
    ("reports:dashboard", {}),
    ("useradmin:audit-log", {}),
    ("useradmin:audit-log", {"q": "支"}),
    ("imports:index", {}),
    ("imports:upload", {"kind": "members"}),
]

def page_text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(
            str(cell) for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
        )
    return content.decode()


def get_page(client, name, params):
    kwargs = {"kind": params.pop("kind")} if "kind" in params else {}
    return client.get(reverse(name, kwargs=kwargs), params)


@pytest.mark.parametrize("persona", sorted(NEVER))
@pytest.mark.parametrize("name, params", LIST_PAGES, ids=[f"{n}{p or ''}" for n, p in LIST_PAGES])
def test_list_pages_show_nothing_outside_the_scope(name, params, persona, w):
    client = Client()
    client.force_login(getattr(w.p, persona))

    response = get_page(client, name, dict(params))

    assert response.status_code in (200, 403)
    text = page_text(response)
    leaked = [word for code in NEVER[persona] for word in WORDS[code] if word in text]
    assert not leaked


@pytest.mark.parametrize("persona, sees", [
    ("staff", ("1101", "1102", "1201")),
    ("admin", ("1101", "1102")),
    ("secretary", ("1101",)),
    ("outsider", ("1201",)),
])
@pytest.mark.parametrize("name, what", [
    ("members:member-list", "member"),
    ("activities:meeting-list", "meeting"),
    ("activities:activity-list", "activity"),
])
def test_list_pages_show_what_the_scope_holds(name, what, persona, sees, w):
    client = Client()
    client.force_login(getattr(w.p, persona))

    text = client.get(reverse(name)).content.decode()

    assert [SHOWN[code][what] for code in sees if SHOWN[code][what] not in text] == []


@pytest.mark.parametrize("persona", sorted(NEVER))
@pytest.mark.parametrize("name, code", [
    ("members:member-export", None),
    ("members:member-export", "1100"),
    ("activities:meeting-export", "1101"),
    ("activities:meeting-export", "1201"),
])
def test_exports_hold_only_the_scope(name, code, persona, w):
    client = Client()
    client.force_login(getattr(w.p, persona))

    response = client.get(reverse(name), {"org": code} if code else {})

    if response.status_code in (302, 404):  # no single root to export, or not theirs
        return
    assert response.status_code == 200
    text = page_text(response)
    assert not [word for c in NEVER[persona] for word in WORDS[c] if word in text]


def test_a_report_workbook_holds_only_its_subtree(w):
    client = Client()
    client.force_login(w.p.admin)

    text = page_text(client.get(reverse("reports:report-workbook", args=[w.report.pk])))

    assert "第一社区第一党支部" in text
    assert not [word for word in WORDS["1201"] if word in text]
    assert "第二社区党支部" not in text


def test_an_upload_page_offers_only_the_users_own_targets(w):
    client = Client()
    client.force_login(w.p.secretary)

    page = client.get(reverse("imports:upload", args=["members"])).content.decode()

    assert "第一社区第一党支部" in page
    assert "第一社区第二党支部" not in page and "第二社区党支部" not in page


# ------------------------------------------------------------------ headers on every page

# An inline script (data in <script type="application/json"> is not run), a handler, a style="".
INLINE = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>|\son[a-z]+\s*=|\sstyle\s*=",
                    re.IGNORECASE)
PAGES = [
    pytest.param(name, id=name) for name, spec in MATRIX.items()
    if spec.methods.get("GET") == READ and spec.read_status == 200
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_carries_the_security_headers_and_no_inline_script(name, w):
    spec = MATRIX[name]
    client = Client()
    persona = "secretary" if "secretary" in spec.scope - spec.forbidden else "staff"
    client.force_login(getattr(w.p, persona))

    response = request(client, spec, name, "GET", w)

    assert response.status_code == 200
    policy = dict(part.strip().partition(" ")[::2] for part in
                  response["Content-Security-Policy"].split(";") if part.strip())
    assert "'unsafe-inline'" not in policy.get("script-src", policy.get("default-src"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if response["Content-Type"].startswith("text/html"):
        assert not INLINE.findall(response.content.decode())


# ------------------------------------------------------------------------ import targets

TARGET_RULE = {"staff": 302, "admin": 302, "secretary": 302, "auditor": 403,
               "other_secretary": 404, "outsider": 404, "anonymous": "login"}


@pytest.mark.parametrize("kind", ["orgs", "members", "meetings"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_an_upload_into_branch_1101_follows_the_scope(kind, persona, w):
    """The target is the object of an upload: out of scope 404, read-only 403, in scope a batch."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.models import ImportBatch
    from tests.members.builders import csv_bytes

    client = Client()
    user = user_of(w, persona)
    if user is not None:
        client.force_login(user)
    batches = ImportBatch.objects.count()

    response = client.post(reverse("imports:upload", args=[kind]), {
        "organization": w.d.b1.code, "file": SimpleUploadedFile("a.csv", csv_bytes([["姓名"]]))})

    want = TARGET_RULE[persona]
    if want == "login":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == want
    assert ImportBatch.objects.count() == batches + (1 if want == 302 else 0)


@pytest.mark.parametrize("name, kwargs", [
    ("activities:meeting-detail", lambda w: {"pk": w.group_meeting.pk}),
    ("activities:meeting-print", lambda w: {"pk": w.group_meeting.pk}),
    ("branches:org-detail", lambda w: {"code": "1101-1"}),
    ("branches:org-children", lambda w: {"code": "1101-1"}),
])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_party_groups_objects_follow_their_branchs_scope(name, kwargs, persona, w):
    client = Client()
    user = user_of(w, persona)
    if user is not None:
        client.force_login(user)

    response = client.get(reverse(name, kwargs=kwargs(w)))

    if persona == "anonymous":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == (200 if persona in B1 else 404)
