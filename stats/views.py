"""The yearly statistics page of an organization and its workbook; reached through visible_to."""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from branches.access import get_visible_org, scope_roots
from branches.models import Organization
from stats.figures import INFLOWS, LABELS, OUTFLOWS, parse_year, year_stats
from stats.workbook import build_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS_OFFERED = 6


def _org(request) -> Organization:
    code = (request.GET.get("org") or "").strip()
    if code:
        org = get_visible_org(request.user, code=code)
        return org.parent if org.is_group else org  # a 党小组's figures are its branch's
    roots = scope_roots(request.user)
    if not roots:
        raise Http404("您没有可查看的党组织。")
    return roots[0]


def _year(request) -> int:
    """?year=, or the current year for anything else (never a 500)."""
    try:
        return parse_year(request.GET.get("year"))
    except ValueError:
        return timezone.localdate().year


@require_GET
def year_page(request):
    org, year = _org(request), _year(request)
    stats = year_stats(org, year)
    change = stats.change
    this_year = timezone.localdate().year
    return render(request, "stats/year.html", {
        "org": org,
        "year": year,
        "years": range(this_year, this_year - YEARS_OFFERED, -1),
        "stats": stats,
        "change": change,
        "inflows": [(LABELS[k], getattr(change, k)) for k in INFLOWS],
        "outflows": [(LABELS[k], getattr(change, k)) for k in OUTFLOWS],
        "tables": [(t, t.checks(change)) for t in stats.tables],
        "children": Organization.objects.visible_to(request.user).filter(parent=org)
        .exclude(kind=Organization.Kind.GROUP).order_by("code"),
    })


@require_GET
def year_workbook(request):
    org, year = _org(request), _year(request)
    response = HttpResponse(build_workbook(year_stats(org, year), year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="party-stats-{org.code}-{year}.xlsx"'
    return response
