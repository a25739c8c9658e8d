"""Report pages: the dashboard, starting a report, its progress, its result and its workbook.

Every page reaches organizations and reports through `visible_to` (404 outside the scope);
starting a report needs the policy's COMPILE right (auditors and secretaries: 403).
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from accounts.policy import Right, policy_for
from branches.access import get_visible_org, scope_roots
from branches.models import Organization
from core.cache import cached
from core.quarters import Quarter
from core.registry import site
from core.views import table_download, wants_xlsx
from reports import board, tasks
from reports.figures import REQUIREMENT_LABELS, SUBTREE_SCOPES
from reports.models import Report, ReportBranch
from tabular.writer import Column

HISTORY_QUARTERS = 4
START_QUARTERS = 8


def _quarter(request, key="quarter") -> Quarter:
    try:
        return Quarter.parse(request.GET.get(key) or request.POST.get(key) or "")
    except ValueError:
        return Quarter.current()


def _quarter_choices() -> list[Quarter]:
    quarter, choices = Quarter.current(), []
    for _ in range(START_QUARTERS):
        choices.append(quarter)
        quarter = quarter.previous()
    return choices


def _dashboard_org(request, roots) -> Organization:
    code = request.GET.get("org", "").strip()
    if code:
        org = get_visible_org(request.user, code=code)
        return org.parent if org.is_group else org  # a 党小组's figures are its branch's
    if not roots:
        raise Http404("您没有可查看的党组织。")
    return roots[0]


def _breadcrumbs(user, org: Organization) -> list[Organization]:
    visible = Organization.objects.visible_to(user).filter(pk__in=org.ancestor_ids())
    return list(visible.order_by("depth"))


def _meetings_url(org: Organization) -> str | None:
    try:
        return f"{reverse('activities:meeting-list')}?org={org.code}"
    except NoReverseMatch:
        return None


def can_start(user, org) -> bool:
    """Compiling reports is for 组织部 staff and subtree admins, within their scope."""
    return policy_for(user).allows(Right.COMPILE, org)


@require_GET
def dashboard(request):
    """Compliance, completion and coverage of an organization's subtree, quarter by quarter."""
    roots = scope_roots(request.user)
    org = _dashboard_org(request, roots)
    quarter = _quarter(request)
    quarters = [quarter]
    for _ in range(HISTORY_QUARTERS - 1):
        quarters.insert(0, quarters[0].previous())
    rows = board.history(org, quarters)
    current = board.board_for(org, quarter, known=rows[-1])
    if rows[-1]["summary"] is None:  # computed live: show those numbers beside the stored ones
        rows[-1].update(summary=current.summary, requirements=current.requirements)
    if wants_xlsx(request):
        return _branch_table_workbook(org, quarter, current)
    recent = (
        Report.objects.visible_to(request.user)
        .filter(organization=org)
        .select_related("requested_by")
        .order_by("-requested_at")[:8]
    )
    return render(request, "reports/dashboard.html", {
        "org": org,
        "quarter": quarter,
        "board": current,
        "history": rows,
        "chart": board.chart_data(rows),
        "labels": REQUIREMENT_LABELS,
        "ancestors": _breadcrumbs(request.user, org),
        "roots": roots,
        "can_start": can_start(request.user, org),
        "quarter_choices": _quarter_choices(),
        "recent": recent,
        "meetings_url": _meetings_url(org) if org.is_branch else None,
        "branch_table": _live_branch_table(org, quarter, current) if current.live else None,
    })


def _live_branch_table(org: Organization, quarter: Quarter, current: board.Board):
    """The 党支部明细 of a live board (up to BRANCH_TABLE_LIMIT rows), rendered once and kept
    as long as the figures it shows (it depends on the subtree, not on who asks)."""
    table = cached(
        f"live-branch-table:{org.pk}:{quarter}:{timezone.localdate()}", SUBTREE_SCOPES,
        lambda: render_to_string("reports/_branch_table.html", {
            "branches": current.branches, "truncated": current.truncated,
            "quarter_str": str(quarter),
        }),
    )
    return mark_safe(table)  # noqa: S308 - rendered by the template engine, escaped there


def _branch_table_workbook(org: Organization, quarter: Quarter, current: board.Board):
    """The page's 党支部明细 as a workbook: the same rows in the same order."""
    columns = [Column("编码", 14), Column("党支部", 30), Column("党员", 8, "int"),
               Column("正式党员", 10, "int"), Column("应开", 8, "int"), Column("已开", 8, "int"),
               Column("完成率", 10, "percent"), Column("覆盖率", 10, "percent"),
               Column("未完成", 50)]
    rows = [[b["code"], b["name"], b["members"], b["full_members"], b["slots_applicable"],
             b["slots_met"], b["completion_rate"], b["coverage"], "；".join(b["gaps"])]
            for b in current.branches]
    source = "实时计算" if current.live else f"第{current.report.version}版报表"
    notes = [f"数据来源：{source}。"]
    if current.truncated:
        notes.append(f"只列出完成率最低的 {len(rows)} 个党支部。")
    return table_download(f"{org.name}党支部明细_{quarter}.xlsx", columns, rows,
                          title=f"{org.name} {quarter.label} 党支部明细", notes=notes)


@require_POST
def start(request):
    """Start compiling a report for an organization in the user's scope."""
    org = get_visible_org(request.user, code=request.POST.get("org", "").strip())
    if not can_start(request.user, org):
        raise PermissionDenied("只有组织部和党组织管理员可以编制报表。")
    if org.is_group:
        org = org.parent
    try:
        quarter = Quarter.parse(request.POST.get("quarter", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('reports:dashboard')}?org={org.code}")
    report = tasks.start_report(org, quarter, by=request.user)
    return redirect("reports:report-detail", pk=report.pk)


def _visible_report(request, pk) -> Report:
    return get_object_or_404(
        Report.objects.visible_to(request.user).select_related("organization", "requested_by"),
        pk=pk,
    )


@require_GET
def progress(request, pk):
    """htmx fragment polled by the progress bar; opens the result when the job is done."""
    report = _visible_report(request, pk)
    if report.status == Report.Status.DONE and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("reports:report-detail", args=[report.pk])
        return response
    return render(request, "reports/_progress.html", {"report": report})


def measure_summaries(report: Report) -> list[dict]:
    """The registered measures stored with a report: label and the summary's cells in order."""
    shown = []
    for measure in site().measures:
        stored = report.measures.get(measure.key)
        if stored is None:
            continue
        cells = [{"label": c.label, "kind": c.kind, "value": stored["summary"].get(c.key)}
                 for c in measure.columns]
        shown.append({"label": measure.label, "cells": cells})
    return shown


@require_GET
def report_detail(request, pk):
    """One version: progress while it runs, the figures once done, the other versions."""
    report = _visible_report(request, pk)
    versions = (
        Report.objects.filter(organization=report.organization, quarter=report.quarter)
        .select_related("requested_by")
        .order_by("-version")
    )
    context = {"report": report, "org": report.organization, "versions": versions,
               "labels": REQUIREMENT_LABELS,
               "ancestors": _breadcrumbs(request.user, report.organization)}
    if report.status == Report.Status.DONE:
        rows = list(
            ReportBranch.objects.filter(report=report).order_by("completion_rate", "code")
            [: board.BRANCH_TABLE_LIMIT + 1]
        )
        summary, requirements = board.stored_totals(report, report.organization)
        context.update(
            measures=measure_summaries(report),
            summary=summary, requirements=requirements,
            branches=[board._row_dict(r) for r in rows[: board.BRANCH_TABLE_LIMIT]],
            truncated=len(rows) > board.BRANCH_TABLE_LIMIT,
        )
    return render(request, "reports/report_detail.html", context)


@require_GET
def workbook(request, pk):
    report = _visible_report(request, pk)
    if report.status != Report.Status.DONE or not report.workbook:
        raise Http404("该报表尚未生成工作簿。")
    filename = f"{report.organization.name}-{report.quarter}-第{report.version}版.xlsx"
    return FileResponse(
        report.workbook.open("rb"), as_attachment=True, filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
