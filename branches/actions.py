"""Every change to the organization tree goes through these functions (one transaction, audited)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from accounts.models import audit
from branches.models import Organization, check_nesting
from core.cache import changed


def _assign_path(org: Organization) -> None:
    path, depth = org.compute_path()
    if (org.path, org.depth) != (path, depth):
        Organization.objects.filter(pk=org.pk).update(path=path, depth=depth)
        org.path, org.depth = path, depth


@transaction.atomic
def create_organization(*, by, **fields) -> Organization:
    org = Organization(**fields)
    check_nesting(org.kind, org.parent)
    org.full_clean(exclude=["path", "depth"])
    org.save()
    _assign_path(org)
    audit(by, "org.create", organization=org, target=f"{org.code} {org.name}")
    changed("tree")
    return org


@transaction.atomic
def update_organization(org: Organization, *, by, **fields) -> Organization:
    """Change fields; moving under another parent rewrites the whole subtree's paths."""
    old_path, old_depth = org.path, org.depth
    changes = {}
    for name, value in fields.items():
        if getattr(org, name) != value:
            changes[name] = [str(getattr(org, name)), str(value)]
            setattr(org, name, value)
    if not changes:
        return org
    check_nesting(org.kind, org.parent, org)
    if org.kind not in Organization.BRANCH_KINDS and org.children.filter(
        kind=Organization.Kind.GROUP
    ).exists():
        raise ValidationError("该组织下设有党小组，只能是党支部（或联合党支部、临时党支部）。")
    org.save()
    changed("tree")
    new_path, new_depth = org.compute_path()
    if new_path != old_path:
        move_subtree(old_path, new_path, new_depth - old_depth)
        org.path, org.depth = new_path, new_depth
    audit(by, "org.update", organization=org, target=f"{org.code} {org.name}", changes=changes)
    return org


def move_subtree(old_path: str, new_path: str, depth_delta: int) -> None:
    """Rewrite the path prefix of a subtree in one UPDATE."""
    from django.db.models import F

    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
