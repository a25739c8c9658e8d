"""Helpers the activity views share: reaching meetings and branches through the one door."""
from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from activities.models import Meeting
from branches.models import Organization
from core.views import say_refused  # noqa: F401 - the activity views import it from here

MEETING_ORG_KINDS = (*Organization.BRANCH_KINDS, Organization.Kind.GROUP)


def visible_meeting(user, pk, *related) -> Meeting:
    qs = Meeting.objects.visible_to(user).select_related("organization", "branch", *related)
    return get_object_or_404(qs, pk=pk)


def meeting_orgs(user, branch: Organization):
    """The branch and its 党小组 that `user` may record meetings for."""
    return (
        Organization.objects.changeable_by(user)
        .filter(kind__in=MEETING_ORG_KINDS)
        .filter(path__startswith=branch.path)
        .order_by("path")
    )


def changeable_branches(user):
    return Organization.objects.changeable_by(user).branches().order_by("path")


def branch_from_code(queryset, code):
    """The branch a code names (a 党小组's code names its branch), or 404."""
    org = get_object_or_404(queryset.filter(kind__in=MEETING_ORG_KINDS), code=code)
    return org.branch


def branch_for_new_record(request, *, noun: str, target: str):
    """The branch a new meeting or activity goes to: ?org=, the user's only branch, or a choice.

    Returns (branch, None) or (None, a response rendering the choice of branches). Out of scope
    is 404; read-only roles are 403.
    """
    user = request.user
    code = request.GET.get("org")
    if code:
        from branches.access import require_change

        branch = branch_from_code(Organization.objects.visible_to(user), code.strip())
        require_change(user, branch)
        return branch, None
    branches = list(changeable_branches(user)[:2])
    if len(branches) == 1:
        return branches[0], None
    if not branches and not Organization.objects.visible_to(user).exists():
        raise Http404
    if not branches:
        raise PermissionDenied(f"您只有查看权限，不能新建{noun}。")
    return None, render(request, "activities/choose_branch.html", {
        "branches": changeable_branches(user)[:300], "target": target,
    })


def parse_day(text, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text) if text else default
    except ValueError:
        return default
