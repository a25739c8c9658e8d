"""Callers of the API as programs are: a token in the Authorization header, JSON in and out."""
import json

from django.test import Client

from api import actions
from tests.security.conftest import w, world  # noqa: F401 - the populated district, reused


class Caller:
    """A program holding a token (or none): .get/.post/... return (status, parsed JSON)."""

    def __init__(self, raw: str | None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Token {raw}"} if raw else {}

    def call(self, method: str, url: str, data=None, **extra):
        kwargs = dict(self.headers, **extra)
        if method == "get":
            response = self.client.get(url, data or {}, **kwargs)
        else:
            response = getattr(self.client, method)(url, json.dumps(data or {}),
                                                    content_type="application/json", **kwargs)
        body = response.content.decode()
        parsed = json.loads(body) if response["Content-Type"].startswith("application/json") else body
        return response.status_code, parsed

    def get(self, url, params=None):
        return self.call("get", url, params)

    def post(self, url, data=None):
        return self.call("post", url, data)


def token_for(user) -> str:
    return actions.issue_token(user, name="测试", by=user)[1]

