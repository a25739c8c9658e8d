"""What other apps' pages show of serving the residents: on a member's page (core.registry
member_link) the 双报到 and this year's community service hours, beside the study hours, never
added to them; on a branch's home page (core.registry home_panel) its overdue demands."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from community.models import Registration, Service
from community.queries import demands_for
from core.registry import HomeLine


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


def home_lines(branch, user, today) -> list[HomeLine]:
    """The branch's demands past their deadline and not closed (received or handled in its
    subtree, as the demands list filtered to 已超期 counts them), in one query."""
    overdue = demands_for(user, branch).open().filter(deadline__lt=today).count()
    if not overdue:
        return []
    url = f"{reverse('community:demands')}?org={branch.code}&status=overdue"
    return [HomeLine(f"{overdue} 件群众诉求已超期未办结", url, overdue)]
