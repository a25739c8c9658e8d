"""Granting roles: the same function for the command, the admin and tests."""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, audit


@transaction.atomic
def grant_role(username: str, kind: str, organization=None, *, password=None, by=None):
    """Create the user if needed, set the password if given, grant the role. Idempotent."""
    if kind not in Role.Kind.values:
        raise ValidationError(f"未知角色：{kind}")
    if kind != Role.Kind.STAFF and organization is None:
        raise ValidationError("该角色需要指定党组织（--org）。")
    if kind == Role.Kind.SECRETARY and organization is not None and not organization.is_branch:
        raise ValidationError("支部书记角色只能授予党支部（含联合党支部、临时党支部）。")
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    if created or password:
        user.save()
    role, role_created = Role.objects.get_or_create(
        user=user, kind=kind, organization=organization if kind != Role.Kind.STAFF else None
    )
    if role_created:
        audit(by, "role.grant", organization=role.organization, target=f"{username} {role}")
    return user, role, created
