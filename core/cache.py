"""Figures every page recomputes, cached until the actions that change them say so.

A cached value's key carries the *generation* of each scope it was computed from ("members",
"tree", "rules", "meetings" for any meeting, "branch:42" for one branch's meetings). An action that changes a scope calls `changed(scope)`, which bumps the
generation (at once and again when its transaction commits), so the next read computes afresh; nothing is ever
deleted by pattern. The cache is Redis in production and a file cache in the embedded run
(settings.CACHES), shared by every process. Values also expire after `timeout` seconds, which
bounds how long a bump lost in a race (a file cache's incr is not atomic) can go unnoticed.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 300


def _generation_key(scope: str) -> str:
    return f"gen:{scope}"


def _fresh() -> int:
    """A generation no value cached earlier can carry (a lost generation must not fall back to
    an old number: a file cache culls entries at random when it is full)."""
    return time.time_ns()


def generations(*scopes: str) -> tuple[int, ...]:
    keys = [_generation_key(s) for s in scopes]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for key in missing:
            cache.add(key, _fresh(), timeout=None)
        found.update(cache.get_many(missing))
    return tuple(found.get(k, 0) for k in keys)


def changed(*scopes: str) -> None:
    """Make values computed from these scopes stale: at once (this transaction's own later reads
    see the change) and again when it commits (a value another process computed meanwhile from
    the not-yet-committed state is dropped too)."""

    def bump():
        for scope in scopes:
            key = _generation_key(scope)
            try:
                cache.incr(key)
            except ValueError:  # no generation yet (or evicted): start afresh
                cache.add(key, _fresh(), timeout=None)

    bump()
    transaction.on_commit(bump)


def cached(name: str, scopes: tuple[str, ...], compute: Callable, timeout: int = TIMEOUT):
    """`compute()`, or its value from the cache while none of `scopes` has changed."""
    key = f"{name}@" + ".".join(str(g) for g in generations(*scopes))
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def digest(*parts) -> str:
    """A short, stable key part for values too long for a cache key (a user's scope)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
