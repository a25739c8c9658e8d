"""A member's page (core.registry member_link): the 双报到 and this year's community service
hours, shown beside the study hours, never added to them."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from community.models import Registration, Service


def member_links(member, user) -> list[tuple[str, str]]:
    year = timezone.localdate().year
    hours = Service.objects.filter(registration__member=OuterRef("member"),
                                   confirmed_on__isnull=False, post__date__year=year) \
        .values("registration__member").annotate(total=Sum("hours")).values("total")
    registration = Registration.objects.active().filter(member=member).select_related(
        "community").annotate(year_hours=Subquery(hours)).first()  # one query for the page
    if registration is None:
        return []
    hours = registration.year_hours or Decimal(0)
    label = (f"双报到：{registration.community.name}（{registration.registered_on:%Y-%m-%d} 报到），"
             f"{year} 年社区服务 {hours} 小时（不计入学习学时）")
    return [(label, f"{reverse('community:reporting')}?org={member.branch.code}")]
