"""The vocabulary of the URL matrix (tests/security/test_url_matrix.py).

Each app's tests describe their own URLs in `tests/<app>/url_matrix.py`: a `MATRIX` dict of
`Url` rows and, when the rows name objects, a `build(w)` that adds them to the shared world
(tests/security/conftest.py). The matrix test finds those modules itself, so a new app adds a
file and edits nothing shared.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PERSONAS = ("staff", "admin", "secretary", "other_secretary", "auditor", "outsider", "anonymous")

READ, WRITE, OWN = "read", "write", "own"  # OWN: a change to one's own session or password

EVERYONE = frozenset(PERSONAS) - {"anonymous"}
B1 = frozenset({"staff", "admin", "secretary", "auditor"})  # may see branch 1101's objects
C1 = frozenset({"staff", "admin", "auditor"})  # may see 党委 1100's objects
OWNER = frozenset({"secretary"})  # import batches belong to their uploader alone
SECRETARIES = frozenset({"secretary", "other_secretary"})


# What each persona may never read anywhere, by the scope words of tests/security/conftest.py.
NEVER = {
    "secretary": ("1102", "1201"),
    "other_secretary": ("1101", "1201"),
    "admin": ("1201",),
    "auditor": ("1201",),
    "outsider": ("1101", "1102"),
}


def nothing(w):
    return {}


@dataclass(frozen=True)
class Url:
    """One named pattern: its methods (read or write), how to name 1101's object, who sees it."""

    methods: dict[str, str]
    kwargs: Callable = nothing
    query: Callable = nothing  # the query string, whatever the method
    data: Callable = nothing  # the form posted
    scope: frozenset = EVERYONE  # everyone else logged in gets 404
    forbidden: frozenset = frozenset()  # in scope, but the role may not use the page: 403
    read_status: int = 200
    public: bool = False  # the login page itself
    note: str = ""
    forbidden_writes: frozenset = field(default=frozenset())  # 403 on writes beyond the auditor
    also: tuple = ()  # methods Django's generic FormView accepts besides these (PUT = POST)
    anonymous_status: int | None = None  # an API answers 401 itself instead of the login redirect


def pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def org_param(code="1101", key="org"):
    return lambda w: {key: code}




def _contributions():
    tests_dir = Path(__file__).resolve().parent
    for package in sorted(pkgutil.iter_modules([str(tests_dir)]), key=lambda m: m.name):
        if package.ispkg and (tests_dir / package.name / "url_matrix.py").exists():
            yield importlib.import_module(f"tests.{package.name}.url_matrix")


def contributed_matrices() -> list[dict]:
    """The `MATRIX` of every `tests/<app>/url_matrix.py`."""
    return [module.MATRIX for module in _contributions()]


def contributed_builders() -> list[Callable]:
    """The `build(w)` of every `tests/<app>/url_matrix.py` that has one."""
    return [module.build for module in _contributions() if hasattr(module, "build")]
