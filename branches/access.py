"""Reaching an organization through the one policy (accounts.policy): the object and its rights.

Out of scope is 404, exactly like a missing object; in scope without the right asked for is 403.
Like healthchecks' `_get_check_for_user`, a view asks once and gets `(org, rights)` back.
"""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.policy import Right, Rights, policy_for
from branches.models import Organization

REFUSALS = {
    Right.CHANGE: "您对该党组织只有查看权限。",
    Right.REVEAL_ID: "您对该党组织只有查看权限，不能查看完整身份证号。",
    Right.STRUCTURE: "党组织的名称、类别、上级和撤销日期由上级党组织维护。",
    Right.REVIEW: "只有上级党组织可以审核本支部的记录。",
    Right.COMPILE: "只有组织部和党组织管理员可以生成报表。",
    Right.MANAGE_ACCOUNTS: "只有组织部和党组织管理员可以管理账号。",
}


def get_org(user, *, need: Right | None = None, **lookup) -> tuple[Organization, Rights]:
    """The visible organization matching `lookup` (404 otherwise) and the user's rights on it;
    with `need`, 403 unless the user holds that right there."""
    org = get_object_or_404(Organization.objects.visible_to(user), **lookup)
    rights = policy_for(user).rights(org)
    if need is not None:
        require(rights, need)
    return org, rights


def require(rights: Rights, need: Right) -> None:
    if not rights[need]:
        raise PermissionDenied(REFUSALS.get(need, "您没有权限进行此操作。"))


def get_visible_org(user, **lookup) -> Organization:
    return get_org(user, **lookup)[0]


def get_changeable_org(user, **lookup) -> Organization:
    return get_org(user, need=Right.CHANGE, **lookup)[0]


def can_change(user, org: Organization) -> bool:
    return policy_for(user).allows(Right.CHANGE, org)


def require_change(user, org: Organization) -> None:
    """Raise 403 for a user who may see `org` but not change it (an auditor)."""
    require(policy_for(user).rights(org), Right.CHANGE)


def scope_roots(user) -> list[Organization]:
    """The top organizations of the user's scope (the roots of the tree they see)."""
    policy = policy_for(user)
    if policy.is_staff:
        return list(Organization.objects.filter(parent__isnull=True).order_by("path"))
    orgs = {r.organization.pk: r.organization for r in policy.roles if r.organization_id}
    paths = [o.path for o in orgs.values()]
    roots = [
        o for o in orgs.values() if not any(o.path != p and o.path.startswith(p) for p in paths)
    ]
    return sorted(roots, key=lambda o: o.path)
