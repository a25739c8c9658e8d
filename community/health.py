"""The organization page's flag: demands it received or handles that are past their deadline
and not closed (the receiving branch sees what it dispatched elsewhere, too)."""
from __future__ import annotations

from django.db.models import Count, F

from community.models import Demand


def overdue_demands(organizations, today) -> dict[int, list[str]]:
    """Two queries for any number of organizations."""
    ids = [org.pk for org in organizations]
    overdue = Demand.objects.open().filter(deadline__lt=today)
    handled = dict(overdue.filter(handler__in=ids).values("handler").annotate(n=Count("pk"))
                   .values_list("handler", "n"))
    sent = dict(overdue.filter(received_by__in=ids).exclude(handler=F("received_by"))
                .values("received_by").annotate(n=Count("pk")).values_list("received_by", "n"))
    flags: dict[int, list[str]] = {}
    for pk, n in handled.items():
        flags.setdefault(pk, []).append(f"{n} 件群众诉求已超期未办结")
    for pk, n in sent.items():
        flags.setdefault(pk, []).append(f"本组织受理并派出的 {n} 件群众诉求已超期未办结")
    return flags
