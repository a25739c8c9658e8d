"""Every change to the organization tree goes through these functions (one transaction, audited)."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from accounts.models import audit
from accounts.policy import Right, policy_for
from branches.models import Organization, check_nesting, is_safe_code, repaired_code
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


# An organization's place in the tree belongs to the levels above it (Right.STRUCTURE); its own
# keepers (a branch's secretary) edit the contact fields only.
STRUCTURE_FIELDS = ("name", "kind", "parent", "dissolved_on")


def may_change_structure(user, org: Organization) -> bool:
    return user is None or policy_for(user).allows(Right.STRUCTURE, org)


@transaction.atomic
def update_organization(org: Organization, *, by, **fields) -> Organization:
    """Change fields; moving under another parent rewrites the whole subtree's paths.
    Name, kind, parent and 撤销日期 only for the upper levels (PermissionDenied otherwise)."""
    old_path, old_depth = org.path, org.depth
    changes = {}
    for name, value in fields.items():
        if getattr(org, name) != value:
            changes[name] = [str(getattr(org, name)), str(value)]
    if not changes:
        return org
    if set(changes) & set(STRUCTURE_FIELDS) and not may_change_structure(by, org):
        raise PermissionDenied("党组织的名称、类别、上级和撤销日期由上级党组织维护。")
    for name in changes:
        setattr(org, name, fields[name])
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


CODE_REPAIRED = "org.code_repaired"


@transaction.atomic
def repair_codes(*, by=None) -> dict[str, str]:
    """Give every organization whose code is outside the safe alphabet a safe one (audited);
    returns {old: new}. The migration 0003 did this once; the command `repair_org_codes` again."""
    taken = set(Organization.objects.values_list("code", flat=True))
    mapping = {}
    for org in Organization.objects.order_by("path"):
        if is_safe_code(org.code):
            continue
        new = repaired_code(org.code, taken)
        taken.add(new)
        mapping[org.code] = new
        Organization.objects.filter(pk=org.pk).update(code=new)
        audit(by, CODE_REPAIRED, organization=org, target=f"{org.code} → {new}",
              old=org.code, new=new)
    if mapping:
        changed("tree")
    return mapping
