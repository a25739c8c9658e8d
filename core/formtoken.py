"""One save per form: the page hands out a token, and a post carrying it is saved once.

A double click, a refresh after a slow save or five tabs posting together would otherwise create
the same meeting several times. The first post claims the token (an atomic cache `add`); a later
post with the same token is sent to what the first one created. A post without a token (an old
page, a script) is saved as before.
"""
from __future__ import annotations

import uuid

from django.core.cache import cache

FIELD = "form_token"
TTL = 3600


def new_token() -> str:
    return uuid.uuid4().hex


def token_for(request) -> str:
    """The token to put in the page: the posted one (a refused post keeps it), else a new one."""
    posted = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return posted if _valid(posted) else new_token()


def _valid(token: str) -> bool:
    return len(token) == 32 and all(c in "0123456789abcdef" for c in token)


def _key(request) -> str | None:
    token = request.POST.get(FIELD, "")
    return f"form:{request.user.pk}:{token}" if _valid(token) else None


def claim(request) -> tuple[bool, str | None]:
    """(True, None) for the first post of this form; (False, where the first one went) after."""
    key = _key(request)
    if key is None or cache.add(key, "", TTL):
        return True, None
    return False, cache.get(key) or None


def release(request) -> None:
    """The save was refused: the same form may be posted again."""
    key = _key(request)
    if key:
        cache.delete(key)


def saved(request, url: str) -> None:
    key = _key(request)
    if key:
        cache.set(key, url, TTL)
