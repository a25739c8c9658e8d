"""Tokens: issued by api_token or on the token page, shown once, stored as a digest, revocable."""
import pytest
from django.urls import reverse

from accounts.models import AuditLog
from api.models import ApiToken
from tests.api.conftest import Caller
from tests.helpers import run_command, run_json

MEMBERS = "/api/v1/members/"


def test_api_token_prints_one_token_that_works_and_is_stored_only_as_a_digest(personas):
    status, out = run_json("api_token", "sec1101")

    assert status == 0 and list(out) == ["token"]
    raw = out["token"]
    stored = ApiToken.objects.get(user=personas.secretary)
    assert raw not in (stored.digest, stored.prefix) and raw.startswith(stored.prefix)
    assert Caller(raw).get(MEMBERS)[0] == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    log = AuditLog.objects.get(action="api.token_issued")
    assert raw not in log.target + str(log.detail)


def test_api_token_refuses_an_unknown_or_inactive_user_with_exit_2(personas):
    assert run_json("api_token", "nobody-here") == (2, {"error": "找不到用户 nobody-here。"})
    personas.auditor.is_active = False
    personas.auditor.save()
    status, _out, err = run_command("api_token", "audit1100")
    assert status == 2 and "已停用" in err


def test_revoked_wrong_and_malformed_tokens_are_401_in_chinese(personas):
    raw = run_json("api_token", "sec1101")[1]["token"]
    assert run_json("api_token", "sec1101", "--revoke-all") == (0, {"revoked": 1})

    for caller in (Caller(raw), Caller("not-a-token"), Caller(None)):
        status, body = caller.get(MEMBERS)
        assert status == 401 and body["detail"]
    status, body = Caller(raw).get(MEMBERS)
    assert "令牌无效或已被撤销" in body["detail"]
    assert Caller(None).client.get(MEMBERS)["WWW-Authenticate"] == "Token"


def test_a_deactivated_users_token_stops_working(personas):
    raw = run_json("api_token", "sec1101")[1]["token"]
    personas.secretary.is_active = False
    personas.secretary.save()

    assert Caller(raw).get(MEMBERS)[0] == 401


def test_the_token_page_issues_a_token_once_lists_prefixes_and_revokes(personas, client):
    client.force_login(personas.secretary)
    other = run_json("api_token", "sec1102")[1]["token"]

    issued = client.post(reverse("api:token-list"), {"name": "支部手机"}).content.decode()
    token = ApiToken.objects.get(user=personas.secretary)
    raw = issued.split('id="new-token-value">')[1].split("<")[0]
    assert raw.startswith(token.prefix) and "支部手机" in issued
    listing = client.get(reverse("api:token-list")).content.decode()
    assert f"{token.prefix}…" in listing and raw not in listing and other[:8] not in listing

    theirs = ApiToken.objects.get(user=personas.other_secretary)
    assert client.post(reverse("api:token-revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 302

    assert Caller(raw).get(MEMBERS)[0] == 401
    assert Caller(other).get(MEMBERS)[0] == 200
    assert AuditLog.objects.filter(action="api.token_revoked", actor=personas.secretary).count() == 1


@pytest.mark.parametrize("persona", ["auditor", "nobody"])
def test_read_only_and_roleless_users_may_hold_tokens_to_read(persona, personas, client):
    client.force_login(getattr(personas, persona))

    assert client.post(reverse("api:token-list"), {"name": "读"}).status_code == 200
