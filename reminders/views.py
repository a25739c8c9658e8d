"""The inbox: a user's own reminders only. Every read starts from the user (another user's
reminder is 404, like a missing one) and from the organizations the policy lets them see (a
role taken away takes its reminders off the page); every write goes through reminders.actions."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, policy_for
from branches.models import Organization
from core.cache import cached, digest
from core.registry import site
from reminders import actions
from reminders.forms import PreferenceForm
from reminders.models import Preference, Reminder

CLOSED_SHOWN = 30


def _mine(user):
    return Reminder.objects.filter(user=user,
                                   organization__in=Organization.objects.visible_to(user))


def unread_count(request) -> int:
    """The menu's badge: open reminders not read yet. Cached for the user and the organizations
    they see until a reminder is written or read (actions.UNREAD) or the tree changes."""
    user = request.user
    return cached(f"unread:{user.pk}:{digest(policy_for(user).scope(Right.SEE))}",
                  (actions.UNREAD, "tree"), lambda: _mine(user).unread().count())


def _by_kind(reminders, labels):
    groups: dict[str, list] = {}
    for reminder in reminders:
        groups.setdefault(reminder.kind, []).append(reminder)
    order = list(labels)
    return [{"kind": kind, "label": labels.get(kind, kind), "reminders": rows}
            for kind, rows in sorted(groups.items(),
                                     key=lambda kv: order.index(kv[0]) if kv[0] in order else 999)]


@require_GET
def inbox(request):
    labels = {k.key: k.label for k in site().reminder_kinds}
    mine = _mine(request.user).select_related("organization")
    open_ = list(mine.open().order_by("due", "kind", "id"))
    closed = list(mine.filter(closed_on__isnull=False).order_by("-closed_on", "-id")[:CLOSED_SHOWN])
    return render(request, "reminders/inbox.html", {
        "own": _by_kind([r for r in open_ if not r.digest], labels),
        "digest": _by_kind([r for r in open_ if r.digest], labels),
        "unread": sum(1 for r in open_ if r.read_at is None),
        "closed": closed, "labels": labels, "today": timezone.localdate(),
    })


@require_POST
def read(request, pk):
    reminder = get_object_or_404(_mine(request.user), pk=pk)
    actions.mark_read(reminder, by=request.user)
    return redirect("reminders:inbox")


@require_POST
def read_all(request):
    count = actions.mark_all_read(request.user, by=request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读。" if count else "没有未读的提醒。")
    return redirect("reminders:inbox")


@require_http_methods(["GET", "POST"])
def preferences(request):
    current = Preference.objects.filter(user=request.user).first() or Preference()
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            actions.save_preference(request.user, by=request.user, **form.cleaned_data)
            messages.success(request, "提醒设置已保存。")
            return redirect("reminders:preferences")
    else:
        form = PreferenceForm(initial={"email": current.email, "sms": current.sms,
                                       "phone": current.phone,
                                       "digest_frequency": current.digest_frequency})
    return render(request, "reminders/preferences.html", {
        "form": form, "has_email": bool(request.user.email)})
