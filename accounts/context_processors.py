from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from accounts.policy import Right, policy_for
from core.registry import EVERYONE, KEEPERS, MANAGERS, REVIEWERS, STAFF, UPPER, site


def _reaches(policy, audience: str) -> bool:
    if audience == EVERYONE:
        return True
    if audience == STAFF:
        return policy.is_staff
    if audience == UPPER:
        return policy.is_upper
    if audience == KEEPERS:
        return policy.may_change_anything
    if audience == MANAGERS:
        return not policy.scope(Right.MANAGE_ACCOUNTS).empty
    if audience == REVIEWERS:
        return policy.is_upper and not policy.scope(Right.REVIEW).empty
    return False


def navigation(request):
    """The navigation bar from the apps' menu entries, without those the user's roles do not reach."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    policy = policy_for(user)
    items = []
    for entry in site().menu:
        if not _reaches(policy, entry.audience):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        badge = import_string(entry.badge)(request) if entry.badge else None
        items.append({"label": entry.label, "url": url, "active": request.path == url,
                      "badge": badge})
    return {"nav_items": items, "user_roles": policy.roles, "is_staff_user": policy.is_staff}
