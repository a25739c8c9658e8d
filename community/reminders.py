"""The reminder kind `demand_deadline`: a demand not closed whose deadline is within 3 days or
passed, for the organization handling it. The text names the demand by date and category,
never the resident."""
from __future__ import annotations

import datetime
from collections.abc import Iterator

from community.models import Demand
from core.registry import ReminderItem

KIND = "demand_deadline"
WITHIN_DAYS = 3


def collect(on: datetime.date) -> Iterator[ReminderItem]:
    horizon = on + datetime.timedelta(days=WITHIN_DAYS)
    demands = Demand.objects.open().filter(deadline__lte=horizon, received_on__lte=on) \
        .select_related("received_by").order_by("deadline", "pk")
    for demand in demands:
        state = "已超期" if demand.deadline < on else "即将到期"
        yield ReminderItem(
            kind=KIND, organization_id=demand.handler_id, due=demand.deadline,
            text=f"群众诉求（{demand.received_on} 受理，{demand.category}，"
                 f"{demand.received_by.name}）应于 {demand.deadline} 前办结，{state}。",
            identity=f"{KIND}:{demand.pk}:{demand.deadline.isoformat()}",
        )
