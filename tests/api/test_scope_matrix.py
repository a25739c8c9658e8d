"""Every endpoint × every method × every persona, called with a token as a program would.

The rule is the pages' rule (accounts.policy): no token 401; an auditor's token 403 on every
write (before anything else); a method the endpoint does not have 405; out of scope 404 exactly
like a missing object; in scope 200 (a write: done). Nothing of another scope in any answer.
"""
import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Member
from tests.api.conftest import Caller, token_for
from tests.matrix import B1, EVERYONE, NEVER, PERSONAS
from tests.security.conftest import SHOWN, WORDS, png_bytes, user_of

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def new_meeting(w):
    return {"organization": "1101", "kinds": ["theme_day"], "topic": "接口议题",
            "date": datetime.date.today().isoformat()}


def photo(w):
    return {"file": SimpleUploadedFile("签到表.png", png_bytes(), content_type="image/png")}


# url → (the url for the world, {method: (who reaches it, the body, the owner's status)})
ENDPOINTS = {
    "root": (lambda w: "/api/v1/", {"GET": (EVERYONE, None, 200)}),
    "organizations": (lambda w: "/api/v1/organizations/", {"GET": (EVERYONE, None, 200)}),
    "organizations-under": (lambda w: "/api/v1/organizations/?under=1101",
                            {"GET": (B1, None, 200)}),
    "organization": (lambda w: "/api/v1/organizations/1101/", {"GET": (B1, None, 200)}),
    "members": (lambda w: "/api/v1/members/", {"GET": (EVERYONE, None, 200)}),
    "members-of-1101": (lambda w: "/api/v1/members/?branch=1101", {"GET": (B1, None, 200)}),
    "member": (lambda w: f"/api/v1/members/{w.member.pk}/", {"GET": (B1, None, 200)}),
    "meetings": (lambda w: "/api/v1/meetings/?org=1101",
                 {"GET": (B1, None, 200), "POST": (B1, new_meeting, 201)}),
    "meeting": (lambda w: f"/api/v1/meetings/{w.submitted.pk}/", {"GET": (B1, None, 200)}),
    "submit": (lambda w: f"/api/v1/meetings/{w.draft.pk}/submit/", {"POST": (B1, None, 200)}),
    "attach": (lambda w: f"/api/v1/meetings/{w.draft.pk}/attachments/",
               {"POST": (B1, photo, 201)}),
    "reports": (lambda w: "/api/v1/reports/?org=1101", {"GET": (B1, None, 200)}),
    "report": (lambda w: "/api/v1/reports/1101/", {"GET": (B1, None, 200)}),
    "schema": (lambda w: "/api/schema/?format=json", {"GET": (EVERYONE, None, 200)}),
}


def expected(name: str, method: str, persona: str) -> int:
    allowed = ENDPOINTS[name][1]
    if persona == "anonymous":
        return 401
    if method != "GET" and persona == "auditor":
        return 403
    if method not in allowed:
        return 405
    who, _data, done = allowed[method]
    return done if persona in who else 404


CASES = [pytest.param(name, method, persona, id=f"{name}-{method}-{persona}")
         for name in ENDPOINTS for method in METHODS for persona in PERSONAS]


@pytest.mark.parametrize("name, method, persona", CASES)
def test_endpoint_method_persona(name, method, persona, w):
    url_of, allowed = ENDPOINTS[name]
    user = user_of(w, persona)
    caller = Caller(token_for(user) if user else None)
    data_of = allowed.get(method, (None, None, None))[1]
    data = data_of(w) if data_of else {}
    if data and "file" in data:
        response = caller.client.post(url_of(w), data, **caller.headers)
    else:
        response = getattr(caller.client, method.lower())(
            url_of(w), json.dumps(data) if method != "GET" else None,
            content_type="application/json", **caller.headers)

    assert response.status_code == expected(name, method, persona), response.content[:300]
    body = response.content.decode()
    assert not [word for code in NEVER.get(persona, ()) for word in WORDS[code] if word in body]


def test_a_secretarys_token_lists_only_their_branchs_members(w):
    caller = Caller(token_for(w.p.secretary))

    status, page = caller.get("/api/v1/members/")

    assert status == 200
    names = {m["name"] for m in page["results"]}
    assert names >= {"赵一支", "钱一支", "孙一支", "吴转出"}
    # each app's url_matrix builder may add members to 1101: count them from the database
    assert names == set(Member.objects.filter(branch=w.d.b1).on_roster().values_list("name", flat=True))
    assert {m["branch"] for m in page["results"]} == {"1101"}
    assert all("*" * 8 in m["id_number"] for m in page["results"])
    assert caller.get(f"/api/v1/members/{w.b2[0].pk}/")[0] == 404
    assert caller.get(f"/api/v1/members/{w.b3[0].pk}/")[0] == 404
    assert caller.get("/api/v1/members/", {"branch": "1102"})[0] == 404


@pytest.mark.parametrize("persona, sees", [("staff", ("1101", "1102", "1201")),
                                           ("admin", ("1101", "1102")),
                                           ("outsider", ("1201",))])
def test_each_token_lists_what_its_scope_holds(persona, sees, w):
    caller = Caller(token_for(getattr(w.p, persona)))

    members = json.dumps(caller.get("/api/v1/members/")[1], ensure_ascii=False)
    meetings = json.dumps(caller.get("/api/v1/meetings/")[1], ensure_ascii=False)

    assert all(SHOWN[code]["member"] in members for code in sees)
    assert all(SHOWN[code]["meeting"] in meetings for code in sees)
