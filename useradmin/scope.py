"""Whose accounts a user manages (accounts.policy's MANAGE_ACCOUNTS): 组织部 staff every
account; a 党组织管理员 the accounts holding a role in their subtree. An account that also holds
a role elsewhere (or is staff) is shown to them but changed only by staff."""
from django.contrib.auth import get_user_model

from accounts.models import Role
from accounts.policy import Right, policy_for
from branches.models import Organization
from core.errors import ActionRefused


def manages_accounts(user) -> bool:
    """May `user` open the account pages at all (staff, 党组织管理员)."""
    return not policy_for(user).scope(Right.MANAGE_ACCOUNTS).empty


def organizations_for(user):
    """The organizations in which `user` may grant roles."""
    return Organization.objects.allowed(user, Right.MANAGE_ACCOUNTS)


def accounts_visible_to(user):
    """Every account `user` may open; anything else is 404."""
    User = get_user_model()
    policy = policy_for(user)
    if policy.is_staff:
        return User.objects.all()
    if not manages_accounts(user):
        return User.objects.none()
    inside = Role.objects.filter(organization__in=organizations_for(user))
    return User.objects.filter(pk__in=inside.values("user_id"))


def check_manageable(account, by) -> None:
    """Refuse (ActionRefused) unless `by` may change `account`: every role it holds within
    their scope, never a staff account or a superuser unless `by` is staff."""
    policy = policy_for(by)
    if policy.is_staff:
        return
    if account.pk == by.pk:
        raise ActionRefused("不能在这里修改自己的账号；修改密码请用右上角的“修改密码”。")
    roles = Role.objects.filter(user=account).select_related("organization")
    if account.is_superuser or any(
        r.kind == Role.Kind.STAFF or not policy.allows(Right.MANAGE_ACCOUNTS, r.organization)
        for r in roles
    ):
        raise ActionRefused("该账号在您管理范围以外也有任职，只有组织部可以修改。")


def check_grantable(kind: str, organization, by) -> None:
    """Refuse a grant beyond what `by` holds (accounts.policy.Policy.grantable_kinds)."""
    policy = policy_for(by)
    label = Role.Kind(kind).label if kind in Role.Kind.values else kind
    if kind not in Role.Kind.values:
        raise ActionRefused(f"未知角色：{kind}。可选：{'、'.join(Role.Kind.labels)}。")
    if kind == Role.Kind.STAFF:
        if not policy.is_staff:
            raise ActionRefused("只有组织部可以授予“组织部管理员”角色。")
        return
    if organization is None:
        raise ActionRefused(f"“{label}”角色需要指定党组织。")
    if kind not in policy.grantable_kinds(organization):
        raise ActionRefused(f"您不能在{organization.name}授予“{label}”角色。")
    if kind == Role.Kind.SECRETARY and not organization.is_branch:
        raise ActionRefused("支部书记角色只能授予党支部（含联合党支部、临时党支部）。")
