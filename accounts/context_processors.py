from django.urls import NoReverseMatch, reverse

# (label, url name, who sees it: "all", "upper" = staff/admins/auditors, "staff")
NAVIGATION = [
    ("首页", "home", "all"),
    ("党组织", "branches:tree", "all"),
    ("党员", "members:member-list", "all"),
    ("三会一课", "activities:meeting-list", "all"),
    ("活动", "activities:activity-list", "all"),
    ("开展情况", "activities:overview", "upper"),
    ("审核", "activities:review-queue", "upper"),
    ("季度报表", "reports:dashboard", "upper"),
    ("导入", "imports:index", "upper"),
    ("考核设置", "activities:rule-list", "staff"),
    ("操作记录", "accounts:audit-log", "upper"),
]


def navigation(request):
    """The navigation bar, without the links a user's roles do not reach."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    from accounts.models import Role, is_staff_user

    roles = Role.for_user(user)
    staff = is_staff_user(user)
    upper = staff or any(r.kind != Role.Kind.SECRETARY for r in roles)
    items = []
    for label, name, audience in NAVIGATION:
        if audience == "staff" and not staff or audience == "upper" and not upper:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path == url})
    return {"nav_items": items, "user_roles": roles, "is_staff_user": staff}
