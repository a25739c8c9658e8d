"""Helpers every view uses to reach an organization through the one door (`visible_to`).

Out of scope is 404, exactly like a missing object; in scope but read-only is 403.
"""
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from branches.models import Organization


def get_visible_org(user, **lookup) -> Organization:
    return get_object_or_404(Organization.objects.visible_to(user), **lookup)


def can_change(user, org: Organization) -> bool:
    return Organization.objects.changeable_by(user).filter(pk=org.pk).exists()


def require_change(user, org: Organization) -> None:
    """Raise 403 for a user who may see `org` but not change it (an auditor)."""
    if not can_change(user, org):
        raise PermissionDenied("您对该党组织只有查看权限。")


def get_changeable_org(user, **lookup) -> Organization:
    org = get_visible_org(user, **lookup)
    require_change(user, org)
    return org


def scope_roots(user) -> list[Organization]:
    """The top organizations of the user's scope (the roots of the tree they see)."""
    from accounts.models import Role, is_staff_user

    if is_staff_user(user):
        return list(Organization.objects.filter(parent__isnull=True).order_by("path"))
    orgs = {r.organization.pk: r.organization for r in Role.for_user(user) if r.organization_id}
    paths = [o.path for o in orgs.values()]
    roots = [
        o for o in orgs.values() if not any(o.path != p and o.path.startswith(p) for p in paths)
    ]
    return sorted(roots, key=lambda o: o.path)
