"""Upload → preview → confirm → result, for every kind of import. Batches are the uploader's own."""
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import is_staff_user
from branches.models import Organization
from core.importing import ERROR_ROWS_KEPT, ImportResult, RowError, RowPlan
from imports import planstore
from imports.errorfile import template_workbook, write_error_workbook
from imports.forms import UploadForm
from imports.models import ImportBatch
from imports.registry import importer_class, is_kind, kinds
from imports.services import (
    apply_batch,
    claim_for_apply,
    discard_file,
    enqueue,
    plan_batch,
    read_batch_table,
)
from imports.tasks import apply_import, plan_import
from tabular.reader import FileRejected

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_PAGE = 200


def _targets(user, kind: str):
    """Organizations the user may import into (a 党小组 is never a target)."""
    orgs = Organization.objects.changeable_by(user).exclude(kind=Organization.Kind.GROUP)
    return orgs.order_by("path")


@require_GET
def index(request):
    """Where every upload starts: the three kinds and the user's own recent uploads."""
    choices = [(entry.key, entry.label) for entry in kinds()]
    if not is_staff_user(request.user) and not _targets(request.user, "orgs").exists():
        raise PermissionDenied("您没有导入数据的权限（只读角色）。")
    recent = ImportBatch.objects.owned_by(request.user).select_related("organization").defer(
        "plan", "result")[:20]
    return render(request, "imports/index.html", {"kinds": choices, "recent": recent})


def _kind_or_404(kind: str) -> str:
    if not is_kind(kind):
        raise Http404
    return kind


@require_http_methods(["GET", "POST"])
def upload(request, kind):
    kind = _kind_or_404(kind)
    staff = is_staff_user(request.user)
    targets = _targets(request.user, kind)
    if not staff and not targets.exists():
        raise PermissionDenied("您没有导入数据的权限（只读角色）。")
    target_required = not (kind == "orgs" and staff)
    named = (request.POST.get("organization") or "").strip()
    if named and not targets.filter(code=named.partition(" ")[0]).exists() and (
        Organization.objects.filter(code=named.partition(" ")[0]).exists()
    ):
        raise Http404  # a target the user may not import into is out of scope, as everywhere
    initial = (request.GET.get("org") or "").strip()
    if not initial and target_required:
        only = list(targets[:2])
        initial = only[0] if len(only) == 1 else ""
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        targets=targets,
        target_required=target_required,
        allow_skip=_allows_skip(kind),
        initial={"organization": initial},
    )
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        batch = ImportBatch.objects.create(
            owner=request.user,
            kind=kind,
            organization=form.cleaned_data.get("organization"),
            file=upload_file,
            original_name=upload_file.name[:255],
            skip_invalid=form.cleaned_data.get("skip_invalid", False),
        )
        if upload_file.size >= settings.IMPORT_ASYNC_BYTES:
            # A large file is read once, by the worker: the web process never holds its rows.
            enqueue(plan_import, batch)
            return redirect("imports:batch-detail", pk=batch.pk)
        try:
            table = read_batch_table(batch)
        except FileRejected as exc:
            batch.status, batch.message = ImportBatch.Status.FAILED, str(exc)
            batch.save(update_fields=["status", "message"])
            discard_file(batch)  # a refused file is not kept (it may be 300 MB, or hostile)
            return redirect("imports:batch-detail", pk=batch.pk)
        if len(table.rows) >= settings.IMPORT_ASYNC_THRESHOLD:
            enqueue(plan_import, batch)
        else:
            plan_batch(batch, table)
        return redirect("imports:batch-detail", pk=batch.pk)
    importer = importer_class(kind)
    recent = ImportBatch.objects.owned_by(request.user).filter(kind=kind).defer("plan", "result")[:10]
    return render(
        request,
        "imports/upload.html",
        {"form": form, "kind": kind, "title": importer.title, "fields": importer.fields,
         "recent": recent},
    )


def _batch_for(request, pk) -> ImportBatch:
    """The user's batch, without its plan: pages read the plan in parts (imports.planstore)."""
    return get_object_or_404(ImportBatch.objects.owned_by(request.user).defer("plan"), pk=pk)


def _allows_skip(kind: str) -> bool:
    """Organizations load all or nothing (a tree with holes would misplace children)."""
    return kind != "orgs"


SHOWN = {"all": None, "errors": ("error",), "changes": ("create", "update")}


@require_GET
def batch_detail(request, pk):
    """The preview, a page of rows at a time, read from the stored plan without rebuilding it."""
    batch = _batch_for(request, pk)
    importer = importer_class(batch.kind)
    context = {"batch": batch, "title": importer.title}
    stored = planstore.summary(batch.pk)
    if stored is not None:
        show = request.GET.get("show", "all")
        if show not in SHOWN:
            show = "all"
        actions = SHOWN[show]
        count = stored.rows if actions is None else sum(stored.counts[a] for a in actions)
        paginator = Paginator(planstore.RowsPage(batch.pk, actions, count), PREVIEW_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        counts = stored.counts
        error_count = stored.error_count
        valid = stored.valid
        previewing = batch.status == ImportBatch.Status.PREVIEW
        shown_rows = [RowPlan.from_json(r) for r in page.object_list]
        context.update(
            plan={"warnings": [RowError(**w) for w in stored.warnings]},
            error_count=error_count,
            counts=counts,
            rows=shown_rows,
            page=page,
            show=show,
            columns=[label for _name, label in importer.preview_columns]
            if stored.shows_columns else [],
            can_confirm=previewing and (batch.skip_invalid or not error_count),
            # With errors, the valid rows can still go in from this page: no second upload.
            valid_rows=valid,
            can_import_valid=previewing and bool(error_count) and not batch.skip_invalid
            and valid > 0 and _allows_skip(batch.kind),
        )
    if batch.result:
        context["result"] = batch.result
    return render(request, "imports/batch.html", context)


@require_GET
def batch_progress(request, pk):
    """The htmx fragment polled by the progress bar; it reloads the page when the job ends."""
    batch = _batch_for(request, pk)
    response = render(request, "imports/_progress.html", {"batch": batch})
    if not batch.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def batch_confirm(request, pk):
    batch = _batch_for(request, pk)
    stored = planstore.summary(batch.pk)
    has_errors = stored is not None and stored.error_count > 0
    if (has_errors and request.POST.get("skip_invalid") == "1"
            and _allows_skip(batch.kind)):
        # "导入其余 N 条有效记录": the user chose, on the preview, to leave the error rows out.
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
            skip_invalid=True)
        batch.refresh_from_db()
    if stored is None or (has_errors and not batch.skip_invalid):
        messages.error(request, "该文件有错误，未写入任何数据。请修改后重新上传。")
        return redirect("imports:batch-detail", pk=batch.pk)
    if not claim_for_apply(batch):
        messages.warning(request, "该批次已经确认过，不会重复写入。")
        return redirect("imports:batch-detail", pk=batch.pk)
    if stored.rows >= settings.IMPORT_ASYNC_THRESHOLD:
        enqueue(apply_import, batch)
        messages.info(request, "数据较多，已转入后台写入。您可以离开本页，稍后回来查看结果。")
    else:
        batch = apply_batch(batch)
        if batch.status == ImportBatch.Status.DONE:
            messages.success(request, "导入完成：" + ImportResult.from_json(batch.result).summary())
    return redirect("imports:batch-detail", pk=batch.pk)


@require_GET
def batch_errors(request, pk):
    batch = _batch_for(request, pk)
    stored = planstore.summary(batch.pk)
    if stored is None:
        raise Http404
    output = io.BytesIO()  # at most ERROR_ROWS_KEPT rows: a few megabytes
    write_error_workbook({"header": stored.header, "failed": stored.counts["error"],
                          "masked": stored.masked,
                          "rows": planstore.error_rows(batch.pk, limit=ERROR_ROWS_KEPT)}, output)
    response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-errors-{batch.pk}.xlsx"'
    response["Cache-Control"] = "no-store"  # the uploader's own ID numbers
    return response


@require_GET
def template_download(request, kind):
    kind = _kind_or_404(kind)
    importer = importer_class(kind)
    response = HttpResponse(template_workbook(importer), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="template-{kind}.xlsx"'
    return response
