"""The one policy: every "may this user …" question, answered from the user's roles.

The roles are loaded once per user object (once per request) and every answer derives from them:

| right | who, where |
|---|---|
| SEE | every role, over the subtree of the organization it is held in (staff: everything) |
| CHANGE | staff, 党组织管理员 and 支部书记 over their subtree (auditors change nothing) |
| REVEAL_ID | the same as CHANGE: those who keep the records may reveal a full ID (logged) |
| STRUCTURE | an organization's name, kind, parent and 撤销日期: staff, or a keeper of a strict ancestor |
| REVIEW | a branch's submitted records: staff, or a keeper of a strict ancestor (never the branch itself) |
| COMPILE | starting reports: staff, and 党组织管理员 over their subtree |
| MANAGE_ACCOUNTS | staff everywhere; 党组织管理员 for their subtree (never granting more than they hold) |

Scope is a set of path prefixes of the materialized tree (branches.models): a right holds on an
organization when its path starts with one of the prefixes ("strict" rights need a longer path).
This module reads paths from the roles' organizations and imports no other app; querysets turn a
`Scope` into a filter (`Scope.q`), and `branches.access` hands an object back with its `Rights`.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import Role


class Right(enum.StrEnum):
    SEE = "see"
    CHANGE = "change"
    REVEAL_ID = "reveal_id"
    STRUCTURE = "structure"
    REVIEW = "review"
    COMPILE = "compile"
    MANAGE_ACCOUNTS = "manage_accounts"


KEEPER_KINDS = (Role.Kind.STAFF, Role.Kind.ORG_ADMIN, Role.Kind.SECRETARY)
_KINDS = {
    Right.SEE: Role.READ_KINDS,
    Right.CHANGE: KEEPER_KINDS,
    Right.REVEAL_ID: KEEPER_KINDS,
    Right.STRUCTURE: KEEPER_KINDS,
    Right.REVIEW: KEEPER_KINDS,
    Right.COMPILE: (Role.Kind.ORG_ADMIN,),
    Right.MANAGE_ACCOUNTS: (Role.Kind.ORG_ADMIN,),
}
_STRICT = frozenset({Right.STRUCTURE, Right.REVIEW})  # held below the role's organization only


@dataclass(frozen=True)
class Scope:
    """Where a right holds: everywhere, or under some path prefixes (strictly below them when
    `strict`). Empty prefixes and not `everywhere` = nowhere."""

    everywhere: bool = False
    prefixes: tuple[str, ...] = ()
    strict: bool = False

    @property
    def empty(self) -> bool:
        return not self.everywhere and not self.prefixes

    def covers(self, path: str) -> bool:
        if self.everywhere:
            return True
        return any(path.startswith(p) and (not self.strict or path != p) for p in self.prefixes)

    def q(self, field: str = "path") -> Q | None:
        """A filter on `field` (a path column), or None for "everything"; never call on empty."""
        if self.everywhere:
            return None
        condition = Q()
        for prefix in self.prefixes:
            part = Q(**{f"{field}__startswith": prefix})
            if self.strict:
                part &= ~Q(**{field: prefix})
            condition |= part
        return condition


NOWHERE = Scope()
EVERYWHERE = Scope(everywhere=True)


@dataclass(frozen=True)
class Rights:
    """What a user may do with one organization (and the records it holds)."""

    see: bool = False
    change: bool = False
    reveal_id: bool = False
    structure: bool = False
    review: bool = False
    compile: bool = False
    manage_accounts: bool = False

    def __getitem__(self, right: Right) -> bool:
        return getattr(self, right.value)


NO_RIGHTS = Rights()


class Policy:
    """One user's answers. Build it with `policy_for(user)`; it is cached on the user object."""

    def __init__(self, user):
        self.user = user
        active = bool(user and user.is_authenticated and user.is_active)
        self.roles: list[Role] = Role.for_user(user) if active else []
        self.is_staff = active and (
            user.is_superuser or any(r.kind == Role.Kind.STAFF for r in self.roles)
        )
        self.active = active
        self._scopes: dict[Right, Scope] = {}

    # -- about the user -----------------------------------------------------------------------
    @property
    def has_role(self) -> bool:
        return self.is_staff or bool(self.roles)

    @property
    def is_upper(self) -> bool:
        """Staff, or a role above the branches (党组织管理员, auditor): sees subtrees, not one branch."""
        return self.is_staff or any(r.kind != Role.Kind.SECRETARY for r in self.roles)

    @property
    def only_secretary(self) -> bool:
        return not self.is_staff and bool(self.roles) and all(
            r.kind == Role.Kind.SECRETARY for r in self.roles
        )

    @property
    def may_change_anything(self) -> bool:
        return not self.scope(Right.CHANGE).empty

    # -- about organizations ------------------------------------------------------------------
    def scope(self, right: Right) -> Scope:
        if right not in self._scopes:
            self._scopes[right] = self._build(right)
        return self._scopes[right]

    def _build(self, right: Right) -> Scope:
        if not self.active:
            return NOWHERE
        if self.is_staff:
            return EVERYWHERE
        kinds = _KINDS[right]
        paths = sorted({
            r.organization.path for r in self.roles if r.kind in kinds and r.organization_id
        })
        # A prefix inside another adds nothing (for strict rights it would wrongly exclude the
        # inner organization itself, which the outer one covers).
        paths = [p for p in paths if not any(p != o and p.startswith(o) for o in paths)]
        return Scope(prefixes=tuple(paths), strict=right in _STRICT) if paths else NOWHERE

    def allows(self, right: Right, organization) -> bool:
        return organization is not None and self.scope(right).covers(organization.path)

    def rights(self, organization) -> Rights:
        if organization is None:
            return NO_RIGHTS
        return Rights(**{right.value: self.allows(right, organization) for right in Right})

    def grantable_kinds(self, organization) -> list[str]:
        """The role kinds this user may grant on `organization` (never more than they hold)."""
        if self.is_staff:
            return list(Role.Kind.values)
        if not self.allows(Right.MANAGE_ACCOUNTS, organization):
            return []
        return [Role.Kind.ORG_ADMIN, Role.Kind.SECRETARY, Role.Kind.AUDITOR]


def is_staff_user(user) -> bool:
    """组织部 staff (or a superuser): sees and changes everything."""
    return policy_for(user).is_staff


def policy_for(user) -> Policy:
    """The user's policy, computed once per user object (i.e. once per request)."""
    cached = getattr(user, "_policy_cache", None) if user is not None else None
    if cached is None:
        cached = Policy(user)
        if user is not None:
            try:
                user._policy_cache = cached
            except AttributeError:  # AnonymousUser is a plain object too; this never fails
                pass
    return cached
