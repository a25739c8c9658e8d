"""What each branch has done and owes: the secretary's workbench and the upper levels'
branches × requirements table, both read from the quarter's figures (reports.figures)."""
from __future__ import annotations

import calendar
from collections import defaultdict

from django.db.models import Prefetch
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts.policy import Right, policy_for
from activities.models import Meeting, MeetingKind
from branches.access import get_visible_org, scope_roots
from branches.models import Organization
from core.cache import cached, digest
from core.quarters import Quarter
from core.registry import site
from core.views import table_download, wants_xlsx
from reports import due
from reports.figures import (
    REQUIREMENT_LABELS,
    SUBTREE_SCOPES,
    compute_figures,
    current_figures,
)
from reports.rules import RULE_KEYS
from tabular.writer import Column


def _quarter(request) -> Quarter:
    try:
        return Quarter.parse(request.GET["quarter"]) if request.GET.get("quarter") else Quarter.current()
    except ValueError:
        return Quarter.current()


def _branch_for_home(request):
    """The branch the page is about: ?org=CODE, or the user's only branch; None = ask."""
    visible = Organization.objects.visible_to(request.user)
    code = request.GET.get("org", "").strip()
    if code:
        org = get_visible_org(request.user, code=code, kind__in=(*Organization.BRANCH_KINDS,
                                                                    Organization.Kind.GROUP))
        return org.branch, None
    branches = list(visible.branches().order_by("path")[:301])
    if len(branches) == 1:
        return branches[0], None
    return None, branches[:300]


@require_GET
def secretary_home(request):
    branch, choices = _branch_for_home(request)
    if branch is None:
        return render(request, "activities/choose_branch.html",
                      {"branches": choices, "target": "reports:secretary-home"})
    today = timezone.localdate()
    quarter = _quarter(request)
    figures = cached(
        f"branch-figures:{branch.pk}:{quarter}:{today}",
        ("members", "tree", "rules", f"branch:{branch.pk}"),
        lambda: compute_figures(branch, quarter),
    )
    mine = next((b for b in figures.branches if b.id == branch.pk), None)
    items = due.items_for(mine, quarter, today) if mine else []
    this_month = [i for i in items if i.state == due.DUE]
    meetings = Meeting.objects.visible_to(request.user).filter(branch=branch)
    in_quarter = list(
        meetings.filter(date__range=(quarter.start, quarter.end))
        .select_related("organization")
        .prefetch_related(Prefetch("kinds", queryset=MeetingKind.objects.order_by("id")))
        .order_by("date", "id")
    )
    return render(request, "reports/secretary_home.html", {
        "branch": branch,
        "quarter": quarter,
        "previous": quarter.previous(),
        "next": quarter.next(),
        "today": today,
        "figures": mine,
        "items": items,
        "this_month": this_month,
        "overdue": [i for i in items if i.state == due.OVERDUE],
        "done": [i for i in items if i.state == due.DONE],
        "upcoming": [i for i in items if i.state == due.UPCOMING],
        "exempt": [i for i in items if i.state == due.EXEMPT],
        "drafts": meetings.filter(status=Meeting.Status.DRAFT).order_by("-date")[:50],
        "returned": meetings.filter(status=Meeting.Status.RETURNED).order_by("-date")[:50],
        "calendar": _calendar(quarter, in_quarter, today),
        "can_record": policy_for(request.user).allows(Right.CHANGE, branch),
        "panels": _panels(branch, request.user, today),
        "kind_for_key": {k: _meeting_kind(k) for k in RULE_KEYS},
    })


def _panels(branch, user, today) -> list[tuple[str, list]]:
    """What other apps ask of the branch (core.registry home_panel): (label, lines) of each
    panel with something to show."""
    panels = []
    for panel in site().home_panels:
        lines = panel.run(branch, user, today)
        if lines:
            panels.append((panel.label, lines))
    return panels


def _meeting_kind(key: str) -> str:
    from reports.rules import DEFAULT_RULES

    return DEFAULT_RULES[key].meeting_kind


def _calendar(quarter: Quarter, meetings, today):
    """Month grids (Monday first) with the meetings of each day."""
    by_day = defaultdict(list)
    for meeting in meetings:
        by_day[meeting.date].append(meeting)
    months = []
    cal = calendar.Calendar(firstweekday=0)
    for month in quarter.months:
        weeks = []
        for week in cal.monthdatescalendar(quarter.year, month):
            weeks.append([
                {"day": d, "in_month": d.month == month, "today": d == today,
                 "meetings": by_day.get(d, [])}
                for d in week
            ])
        months.append({"month": month, "weeks": weeks})
    return months


def _overview_rows(user, org, quarter: Quarter, today, *, kind: str, sector: str,
                   only_overdue: bool) -> list[dict]:
    """One row per branch of `org`'s subtree the user sees: its cells, one per requirement."""
    figures = current_figures(org, quarter)
    info = {
        o.pk: o for o in Organization.objects.visible_to(user)
        .filter(pk__in=[b.id for b in figures.branches]).select_related("parent")
    }
    rows = []
    for branch in figures.branches:
        org_obj = info.get(branch.id)
        if org_obj is None:
            continue
        if kind and org_obj.kind != kind or sector and org_obj.sector != sector:
            continue
        items = due.items_for(branch, quarter, today)
        overdue = [i for i in items if i.state == due.OVERDUE]
        if only_overdue and not overdue:
            continue
        cells = []
        for key in RULE_KEYS:
            key_items = [i for i in items if i.key == key]
            requirement = branch.requirements.get(key)
            cells.append({
                "key": key,
                "label": REQUIREMENT_LABELS[key],
                "kind": _meeting_kind(key),
                "state": due.requirement_state(key_items),
                "met": requirement["met"] if requirement else None,
                "slots": requirement["slots"] if requirement else None,
                "sort": requirement["met"] / requirement["slots"]
                if requirement and requirement["slots"] else -1,
            })
        rows.append({"branch": branch, "org": org_obj, "cells": cells, "overdue": len(overdue),
                     "gaps": overdue})
    return rows


def _overview_table(user, org, quarter: Quarter, today, **filters) -> tuple[int, str]:
    """(number of rows, the table body's HTML) of the overview."""
    rows = _overview_rows(user, org, quarter, today, **filters)
    return len(rows), render_to_string("reports/_overview_rows.html", {
        "rows": rows, "quarter": quarter, "state_labels": due.STATE_LABELS,
        "columns": len(RULE_KEYS) + 4,
    })


# -- upper levels -----------------------------------------------------------------------------
@require_GET
def overview(request):
    """Branches × requirements of a subtree for a quarter: done / due / overdue at a glance.
    ?format=xlsx answers with a workbook of the rows the page shows (same filters)."""
    user = request.user
    policy = policy_for(user)
    code = request.GET.get("org", "").strip()
    if code:
        org = get_visible_org(user, code=code)
    else:
        roots = scope_roots(user)
        if not roots:
            return render(request, "reports/overview.html", {"rows": [], "org": None})
        org = roots[0]
    quarter = _quarter(request)
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    sector = request.GET.get("sector", "")
    only_overdue = request.GET.get("overdue") == "1"
    if wants_xlsx(request):
        return _overview_workbook(org, quarter, _overview_rows(
            user, org, quarter, today, kind=kind, sector=sector, only_overdue=only_overdue))

    def table():
        return _overview_table(user, org, quarter, today, kind=kind, sector=sector,
                               only_overdue=only_overdue)

    if kind in ("", *Organization.Kind.values) and sector in ("", *Organization.Sector.values):
        # The table's rows are the same for everyone who sees this subtree (a scope is whole
        # subtrees): rendered once and kept until the figures or the tree change. Only for
        # filters the form offers, so no request can fill the cache with keys of its own.
        count, html = cached(
            f"overview-table:{org.pk}:{quarter}:{today}:{kind}:{sector}:{int(only_overdue)}:"
            f"{digest(policy.scope(Right.SEE))}",
            SUBTREE_SCOPES, table,
        )
    else:
        count, html = table()
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(request, "reports/overview.html", {
        "org": org, "quarter": quarter, "previous": quarter.previous(), "next": quarter.next(),
        "row_count": count, "table_rows": mark_safe(html),  # noqa: S308 - rendered, escaped
        "labels": [REQUIREMENT_LABELS[k] for k in RULE_KEYS],
        "kind": kind, "sector": sector, "only_overdue": only_overdue,
        "kinds": [(k.value, k.label) for k in Organization.BRANCH_KINDS],
        "sectors": Organization.Sector.choices,
        "roots": scope_roots(user),
        "export_query": query.urlencode(),
        "can_review": policy.is_upper and not policy.scope(Right.REVIEW).empty,
    })


def _cell_text(cell) -> str:
    if cell["state"] == due.EXEMPT:
        return "豁免"
    if cell["slots"] is None:
        return "—"
    return f"{cell['met']}/{cell['slots']}"


def _overview_workbook(org, quarter: Quarter, rows):
    columns = [Column("党支部编码", 14), Column("党支部", 30), Column("上级", 24)]
    columns += [Column(REQUIREMENT_LABELS[k], 12) for k in RULE_KEYS]
    columns += [Column("完成率", 10, "percent"), Column("逾期未开", 10, "int"),
                Column("逾期明细", 40)]
    lines = []
    for row in rows:
        b = row["branch"]
        lines.append([
            b.code, b.name, row["org"].parent.name if row["org"].parent_id else "",
            *[_cell_text(c) for c in row["cells"]],
            b.completion_rate, row["overdue"],
            "、".join(f"{i.when}{i.label}" for i in row["gaps"]),
        ])
    return table_download(
        f"{org.name}会议开展情况_{quarter}.xlsx", columns, lines,
        title=f"{org.name} {quarter.label} 会议开展情况",
        notes=["每格为“已开/应开”；只统计已提交的会议记录。"],
    )
