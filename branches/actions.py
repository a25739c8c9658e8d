"""Every change to the organization tree goes through these functions (one transaction, audited)."""
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from accounts.models import audit
from accounts.policy import Right, policy_for
from branches.models import (
    Organization,
    check_nesting,
    is_safe_code,
    path_segment,
    repaired_code,
)
from core.cache import changed
from core.importing import RowPlan


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


# --------------------------------------------------------------------------- the import

ORGS_IMPORTED = "org.import"


@transaction.atomic
def import_organizations(rows: list[RowPlan], *, at: Organization | None, by, unchanged: int = 0,
                         skipped: int = 0, batch: int | None = None) -> tuple[int, int]:
    """The organization import's write: the planned rows (values as `branches.importer` plans
    them: codes for parents), parents before their children, a moved organization's subtree
    rewritten in one UPDATE each, in one transaction with one audit record naming the target
    organization, the counts, the codes and the upload batch (None from the command line).
    A tree changed since the preview (a code registered or an organization gone meanwhile, a
    parent that no longer takes the child) raises ValidationError, a race on a code
    IntegrityError, and nothing is written. Returns (created, updated)."""
    ordered = _parents_first(rows)
    created = updated = 0
    codes = {r.key for r in ordered} | {r.values["parent"] for r in ordered if r.values.get("parent")}
    cache = {o.code: o for o in Organization.objects.filter(code__in=codes)}
    for row in ordered:
        v = row.values
        parent = cache.get(v["parent"]) if v.get("parent") else None
        if v.get("parent") and parent is None:
            raise ValidationError(f"上级组织 {v['parent']} 已不存在。")
        fields = {"name": v["name"], "kind": v["kind"], "parent": parent}
        if v.get("sector"):
            fields["sector"] = v["sector"]
        if v.get("founded_on"):
            fields["founded_on"] = datetime.date.fromisoformat(v["founded_on"])
        for optional in ("short_name", "secretary_name", "contact_phone"):
            if v.get(optional):
                fields[optional] = v[optional]
        check_nesting(fields["kind"], parent)
        org = cache.get(row.key)
        if row.action == "create" and org is not None:
            raise ValidationError(f"组织编码 {row.key} 已被登记为{org.name}。")
        if row.action == "update" and org is None:
            raise ValidationError(f"组织 {row.key} 已不存在。")
        if org is None:
            org = Organization.objects.create(code=row.key, **fields)
            org.path = (parent.path if parent else "") + path_segment(org.pk)
            org.depth = parent.depth + 1 if parent else 0
            Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
            created += 1
        else:
            old_path, old_depth = org.path, org.depth
            for name, value in fields.items():
                setattr(org, name, value)
            org.save()
            new_path = (parent.path if parent else "") + path_segment(org.pk)
            if new_path != old_path:
                new_depth = parent.depth + 1 if parent else 0
                move_subtree(old_path, new_path, new_depth - old_depth)
                org.path, org.depth = new_path, new_depth
            updated += 1
        cache[org.code] = org
    if ordered:
        changed("tree")
    audit(by, ORGS_IMPORTED, organization=at,
          target=f"{created} 新增 / {updated} 更新 / {unchanged} 无变化",
          created=created, updated=updated, unchanged=unchanged, skipped=skipped, batch=batch,
          codes=[r.key for r in ordered][:500])
    return created, updated


def _parents_first(rows: list[RowPlan]) -> list[RowPlan]:
    by_code = {r.key: r for r in rows}
    ordered: list[RowPlan] = []
    placed: set[str] = set()

    def place(row: RowPlan, chain=()):
        if row.key in placed or row.key in chain:
            return
        parent = row.values.get("parent")
        if parent in by_code:
            place(by_code[parent], (*chain, row.key))
        placed.add(row.key)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered
