from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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


# The menu's links for one registry and URL configuration: the same for every request a process
# serves, so each URL is reversed and each badge function imported once, not on every page.
_links: dict[tuple, tuple] = {}


def _menu_links(registry) -> list[tuple]:
    """(entry, url, badge function or None) for every menu entry whose URL exists."""
    key = (id(registry), settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    found = _links.get(key)
    if found is None or found[0] is not registry:
        links = []
        for entry in registry.menu:
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            links.append((entry, url, import_string(entry.badge) if entry.badge else None))
        found = _links[key] = (registry, links)
    return found[1]


def navigation(request):
    """The navigation bar from the apps' menu entries, without those the user's roles do not reach."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    policy = policy_for(user)
    items = []
    for entry, url, badge_of in _menu_links(site()):
        if not _reaches(policy, entry.audience):
            continue
        badge = badge_of(request) if badge_of else None
        items.append({"label": entry.label, "url": url, "active": request.path == url,
                      "badge": badge})
    return {"nav_items": items, "user_roles": policy.roles, "is_staff_user": policy.is_staff}
