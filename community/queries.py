"""Reads for the pages and exports: every queryset starts from the user's scope."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from branches.models import Organization
from community.models import Demand, Registration, Service, ServicePost
from core.quarters import Quarter


def demands_for(user, org: Organization | None = None):
    """The demands the user sees; with `org`, those received or handled in its subtree."""
    demands = Demand.objects.visible_to(user)
    if org is not None:
        demands = demands.filter(Q(received_by__path__startswith=org.path)
                                 | Q(handler__path__startswith=org.path))
    return demands.select_related("received_by", "handler")


def _in_quarter(quarter: Quarter) -> Q:
    return Q(services__post__date__gte=quarter.start, services__post__date__lte=quarter.end,
             services__confirmed_on__isnull=False)


def with_hours(registrations, quarter: Quarter):
    """Each registration with its confirmed service hours and services in the quarter."""
    return registrations.annotate(
        hours=Sum("services__hours", filter=_in_quarter(quarter)),
        services_done=Count("services", filter=_in_quarter(quarter)),
    )


def during(registrations, quarter: Quarter):
    return registrations.filter(registered_on__lte=quarter.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=quarter.start))


def reported_to(org: Organization, quarter: Quarter):
    """Who reported to the communities of `org`'s subtree (the community's view)."""
    found = during(Registration.objects.filter(community__path__startswith=org.path), quarter)
    return with_hours(found, quarter).select_related("member__branch", "community").order_by(
        "community__path", "member__name", "pk")


def home_members(org: Organization, quarter: Quarter):
    """The subtree's own members who reported to a community (the home branch's view)."""
    found = during(Registration.objects.filter(member__branch__path__startswith=org.path), quarter)
    return with_hours(found, quarter).select_related("member__branch", "community").order_by(
        "member__branch__path", "member__name", "pk")


def total_hours(registrations) -> Decimal:
    return sum((r.hours or Decimal(0) for r in registrations), Decimal(0))


def posts_of(org: Organization, quarter: Quarter):
    return ServicePost.objects.filter(
        community__path__startswith=org.path, date__gte=quarter.start, date__lte=quarter.end,
    ).select_related("community").annotate(claimed=Count("services")).order_by("-date", "pk")


def services_of(post: ServicePost):
    return Service.objects.filter(post=post).select_related("registration__member").order_by(
        "registration__member__name")
