"""Pages of the recruitment pipeline. Every queryset starts from the user's scope; every write
goes through recruitment.actions; out of scope is 404, read-only is 403."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, Scope, policy_for
from activities.attachments import AttachmentRejected
from branches.access import get_org, scope_roots
from branches.models import Organization
from members.forms import apply_errors
from members.models import Member
from recruitment import actions, steps
from recruitment.export import export_ledger
from recruitment.forms import (
    AcceptForm,
    ApplicantForm,
    DocumentForm,
    RuleForm,
    StepForm,
    StopForm,
)
from recruitment.models import Applicant, Document, Step, TimeRule, Violation
from recruitment.pipeline import RULE_LABELS, evaluate, progress_of, progress_rows, summary
from recruitment.pipeline import people as evaluate_people
from recruitment.queries import (
    YEAR_STEPS,
    applicants_for,
    calendar,
    check,
    publicity,
    stage_counts,
    waiting_for,
    year_numbers,
)
from recruitment.rules import DEFAULTS, RuleBook

PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CALENDAR_DAYS = (30, 90)


# ----------------------------------------------------------------------------- helpers

def _org(request, *, default_root: bool = False) -> Organization | None:
    """The organization the page is about (?org=CODE, 404 out of scope), else the user's one root."""
    code = (request.GET.get("org") or "").strip()
    if code:
        return get_org(request.user, code=code)[0]
    roots = scope_roots(request.user)
    if len(roots) == 1 or (default_root and roots):
        return roots[0]
    return None


def _require_upper(request) -> None:
    if not policy_for(request.user).is_upper:
        raise PermissionDenied("该页面供上级党组织和组织部使用。")


def _applicant(request, pk) -> tuple[Applicant, object]:
    applicant = get_object_or_404(
        Applicant.objects.visible_to(request.user).select_related("branch", "member"), pk=pk)
    return applicant, policy_for(request.user).rights(applicant.branch)


def _say(request, exc) -> None:
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


def _scoped(request, org):
    applicants = applicants_for(request.user)
    return applicants.in_subtree(org) if org is not None else applicants


# ------------------------------------------------------------------------------- lists

@require_GET
def people(request):
    """A branch's (or a subtree's) people by stage, with the next step and its due date."""
    org = _org(request)
    today = timezone.localdate()
    stage = request.GET.get("stage") or ""
    found, counts = check(org, today, request.user) if org else _everyone(request, today)
    if stage in steps.PIPELINE_STAGES:
        found = [p for p in found if p.stage == stage]
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rights = policy_for(request.user).rights(org) if org else None
    return render(request, "recruitment/people.html", {
        "org": org, "page": page, "counts": counts, "stage": stage,
        "stages": [(s, steps.STAGE_LABELS[s]) for s in steps.PIPELINE_STAGES],
        "can_create": bool(org and org.is_branch and rights.change),
        "can_import": bool(org and rights.change), "rule_labels": RULE_LABELS,
        "is_upper": policy_for(request.user).is_upper,
    })


def _everyone(request, today):
    found = evaluate_people(applicants_for(request.user), today)
    return found, summary(found)


@require_GET
def overview(request):
    """For the upper levels: people per stage under each organization one level down."""
    org = _org(request, default_root=True)
    if org is None:
        raise Http404
    rows = stage_counts(org, request.user)
    totals = {s: sum(r.counts[s] for r in rows) for s in steps.PIPELINE_STAGES}
    return render(request, "recruitment/overview.html", {
        "org": org, "rows": rows, "totals": totals, "total": sum(totals.values()),
        "stages": [(s, steps.STAGE_LABELS[s]) for s in steps.PIPELINE_STAGES],
        "ancestors": org.ancestors().filter(pk__in=Organization.objects.visible_to(request.user)),
    })


@require_GET
def deadline_calendar(request):
    """What is due in the next 30 or 90 days across the subtree, and what is overdue."""
    org = _org(request, default_root=True)
    if org is None:
        raise Http404
    days = request.GET.get("days") or "30"
    days = int(days) if days.isdigit() and int(days) in CALENDAR_DAYS else 30
    today = timezone.localdate()
    items = calendar(org, today, days, request.user)
    return render(request, "recruitment/calendar.html", {
        "org": org, "days": days, "choices": CALENDAR_DAYS, "today": today,
        "overdue": [i for i in items if i.overdue], "coming": [i for i in items if not i.overdue],
        "rule_labels": RULE_LABELS,
    })


def _below_scope(user):
    """The branches strictly below the user's roles (all for staff): what the upper level
    oversees. Auditors read it; only reviewers act on it."""
    policy = policy_for(user)
    if policy.is_staff:
        return Organization.objects.all()
    seen = policy.scope(Right.SEE)
    return Organization.objects.within(Scope(prefixes=seen.prefixes, strict=True))


@require_GET
def approvals(request):
    """The upper-level steps the branches wait for, and the violations to accept or not."""
    _require_upper(request)
    waiting, open_violations = waiting_for(request.user, scope=_below_scope(request.user))
    reviewable = set(Organization.objects.allowed(request.user, Right.REVIEW)
                     .values_list("pk", flat=True))
    return render(request, "recruitment/approvals.html", {
        "waiting": waiting, "violations": open_violations, "reviewable": reviewable,
        "rule_labels": RULE_LABELS,
    })


@require_GET
def publicity_lists(request):
    """公示 lists to print: 发展对象 and 拟转正 预备党员 under the organization."""
    org = _org(request, default_root=True)
    if org is None:
        raise Http404
    return render(request, "recruitment/publicity.html", {
        "org": org, "lists": publicity(org, request.user), "today": timezone.localdate()})


@require_GET
def year(request):
    """The year's numbers by sector (组织部 and the upper levels): organizations' work, no names."""
    org = _org(request, default_root=True)
    if org is None:
        raise Http404
    _require_upper(request)
    raw = request.GET.get("year") or ""
    this_year = timezone.localdate().year
    chosen = int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year + 1 else this_year
    rows, total = year_numbers(chosen, org, request.user)
    return render(request, "recruitment/year.html", {
        "org": org, "year": chosen, "years": range(this_year, this_year - 6, -1), "rows": rows,
        "total": total, "columns": YEAR_STEPS,
    })


@require_GET
def export(request):
    org = _org(request)
    if org is None:
        messages.error(request, "请先选择要导出的党组织。")
        return redirect("recruitment:people")
    masked = not policy_for(request.user).allows(Right.REVEAL_ID, org)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="applicants-{org.code}.xlsx"'
    export_ledger(_scoped(request, org), response, org=org, by=request.user, masked=masked)
    return response


# ------------------------------------------------------------------------------- a person

@require_http_methods(["GET", "POST"])
def applicant_create(request):
    code = (request.GET.get("org") or "").strip()
    branch = get_org(request.user, code=code)[0] if code else None
    if branch is None or not branch.is_branch:
        messages.error(request, "请从党支部的发展党员页面登记入党申请人。")
        return redirect("recruitment:people")
    if not policy_for(request.user).allows(Right.CHANGE, branch):
        raise PermissionDenied("您对该党支部只有查看权限。")
    form = ApplicantForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            applicant = actions.create_applicant(
                data, branch=branch, applied_on=data["applied_on"], by=request.user,
                note=data["note"], upload=data.get("file"))
        except ValidationError as exc:
            apply_errors(form, exc)
        except AttachmentRejected as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"已登记入党申请人 {applicant.name}。")
            return redirect("recruitment:applicant-detail", pk=applicant.pk)
    return render(request, "recruitment/applicant_form.html", {"form": form, "branch": branch},
                  status=400 if request.method == "POST" else 200)


def available_steps(applicant: Applicant, dates: dict, user) -> list[steps.StepDef]:
    """The steps this user may record now: their prerequisite done, not yet recorded."""
    if applicant.stage in (steps.FULL, steps.STOPPED):
        return []
    adopted = steps.adopted(applicant.stage, dates)
    found = []
    for definition in (*steps.STEPS, steps.EXTENSION):
        key = definition.key
        need = steps.NEEDS.get(key)
        if key == "applied" or (key in dates and not definition.repeatable):
            continue
        if need and need not in dates and not (adopted and need == "approval"):
            continue
        if key == "activist_review" and applicant.stage != steps.ACTIVIST:
            continue
        if key == "probation_extended" and (applicant.extension_months or "confirm_congress" in dates):
            continue
        if actions.may_record(user, applicant, key):
            found.append(definition)
    return found


def _detail_context(request, applicant, rights, forms=None) -> dict:
    book = RuleBook.load()
    recorded = list(applicant.steps.select_related("recorded_by").prefetch_related("documents"))
    dates = actions.recorded_dates(applicant)
    by_key: dict[str, list[Step]] = {}
    for step in recorded:
        by_key.setdefault(step.step, []).append(step)
    phases = [
        (label, [(d, by_key.get(d.key, [])) for d in steps.STEPS if d.phase == key])
        for key, label in steps.PHASES
    ]
    extension = by_key.get("probation_extended", [])
    forms = forms or {}
    step_forms = [(d, forms.get(d.key) or StepForm(definition=d, prefix=d.key,
                                                    initial={"on": timezone.localdate()}))
                  for d in available_steps(applicant, dates, request.user)]
    row = progress_rows(Applicant.objects.filter(pk=applicant.pk)).first()
    progress = progress_of(row)
    evaluation = evaluate(progress, timezone.localdate(), book)
    return {
        "applicant": applicant, "rights": rights, "phases": phases, "extension": extension,
        "step_forms": step_forms, "evaluation": evaluation, "rule_labels": RULE_LABELS,
        "violations": applicant.violations.select_related("accepted_by"),
        "may_accept": rights.review, "accept_form": AcceptForm(),
        "people": applicant.people.all(), "stage_label": steps.STAGE_LABELS[applicant.stage],
        "member_visible": applicant.member_id and Member.objects.visible_to(request.user).filter(
            pk=applicant.member_id).exists(),
        "stop_form": StopForm(initial={"on": timezone.localdate()})
        if rights.change and applicant.stage in (steps.APPLICANT, steps.ACTIVIST, steps.CANDIDATE)
        else None,
        "document_form": DocumentForm() if rights.change else None,
    }


@require_GET
def applicant_detail(request, pk):
    applicant, rights = _applicant(request, pk)
    return render(request, "recruitment/applicant_detail.html",
                  _detail_context(request, applicant, rights))


@require_GET
def applicant_print(request, pk):
    """发展党员纪实: every step with its date, who recorded it and a place to sign."""
    applicant, rights = _applicant(request, pk)
    context = _detail_context(request, applicant, rights)
    context["today"] = timezone.localdate()
    return render(request, "recruitment/print.html", context)


@require_POST
def step_record(request, pk, step):
    applicant, rights = _applicant(request, pk)
    if step not in steps.ALL:
        raise Http404
    definition = steps.ALL[step]
    if not actions.may_record(request.user, applicant, step):
        raise PermissionDenied(
            f"“{definition.label}”由上级党委办理。" if definition.upper and rights.change
            else "您对该党支部只有查看权限。")
    form = StepForm(request.POST, request.FILES, definition=definition, prefix=step)
    if form.is_valid():
        try:
            actions.record_step(applicant, step, by=request.user, **form.options())
        except (ValidationError, AttachmentRejected) as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, f"已记录“{definition.label}”。")
            return redirect("recruitment:applicant-detail", pk=applicant.pk)
    applicant.refresh_from_db()
    context = _detail_context(request, applicant, rights, forms={step: form})
    if not any(d.key == step for d, _ in context["step_forms"]):
        context["step_forms"].insert(0, (definition, form))
    return render(request, "recruitment/applicant_detail.html", context, status=400)


@require_POST
def applicant_stop(request, pk):
    applicant, rights = _applicant(request, pk)
    if not rights.change:
        raise PermissionDenied("您对该党支部只有查看权限。")
    form = StopForm(request.POST)
    if form.is_valid():
        try:
            actions.stop(applicant, on=form.cleaned_data["on"], reason=form.cleaned_data["reason"],
                         by=request.user)
            messages.success(request, "已终止培养。")
        except ValidationError as exc:
            _say(request, exc)
    else:
        messages.error(request, "请填写终止培养的日期和原因。")
    return redirect("recruitment:applicant-detail", pk=applicant.pk)


def _visible_step(request, pk) -> Step:
    return get_object_or_404(Step.objects.filter(
        applicant__in=Applicant.objects.visible_to(request.user)).select_related("applicant__branch"),
        pk=pk)


@require_POST
def document_add(request, pk):
    step = _visible_step(request, pk)
    if not policy_for(request.user).allows(Right.CHANGE, step.applicant.branch):
        raise PermissionDenied("您对该党支部只有查看权限。")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_document(step, form.cleaned_data["file"], by=request.user)
            messages.success(request, "材料已上传。")
        except AttachmentRejected as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "请选择要上传的文件。")
    return redirect("recruitment:applicant-detail", pk=step.applicant_id)


@require_GET
def document_download(request, pk):
    """Always a download with the type found at upload; never rendered inline."""
    document = get_object_or_404(Document.objects.filter(
        step__applicant__in=Applicant.objects.visible_to(request.user)), pk=pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("材料文件已不存在。") from exc
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def violation_accept(request, pk):
    violation = get_object_or_404(Violation.objects.filter(
        applicant__in=Applicant.objects.visible_to(request.user)).select_related("applicant__branch"),
        pk=pk)
    if not policy_for(request.user).allows(Right.REVIEW, violation.applicant.branch):
        raise PermissionDenied("时限例外由上级党组织认可。")
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            actions.accept_violation(violation, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, "已认可该例外，理由记入纪实。")
        except ValidationError as exc:
            _say(request, exc)
    else:
        messages.error(request, "请填写认可的理由。")
    return redirect("recruitment:applicant-detail", pk=violation.applicant_id)


@require_http_methods(["GET", "POST"])
def adopt(request, member_pk):
    """A 预备党员 of the roster starts the 转正 steps here."""
    member = get_object_or_404(Member.objects.visible_to(request.user).select_related("branch"),
                               pk=member_pk)
    if not policy_for(request.user).allows(Right.CHANGE, member.branch):
        raise PermissionDenied("您对该党支部只有查看权限。")
    existing = Applicant.objects.filter(id_number=member.id_number).first()
    if existing is not None:
        return redirect("recruitment:applicant-detail", pk=existing.pk)
    if request.method == "POST":
        try:
            applicant = actions.adopt_member(member, by=request.user)
        except ValidationError as exc:
            _say(request, exc)
            return redirect("members:member-detail", pk=member.pk)
        messages.success(request, "已转入转正程序：请依次记录转正申请、支部大会讨论，再由上级党委审批。")
        return redirect("recruitment:applicant-detail", pk=applicant.pk)
    return render(request, "recruitment/adopt.html", {"member": member})


# ------------------------------------------------------------------------------- the rules

@require_http_methods(["GET", "POST"])
def rules(request):
    """The §4.2 rules in force today, their versions, and a form for a new version (staff)."""
    if not policy_for(request.user).is_staff:
        raise PermissionDenied("只有组织部管理员可以修改发展党员时限规则。")
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_rule_version(key=data["key"], effective_from=data["effective_from"],
                                      value=data["value"], limit=data.get("limit"),
                                      note=data.get("note") or "", by=request.user)
        except ValidationError as exc:
            _say(request, exc)
        else:
            messages.success(request, f"已保存，自 {data['effective_from']} 起开始计时的环节适用。")
            return redirect("recruitment:rules")
    book = RuleBook.load()
    today = timezone.localdate()
    rows = [{"key": key, "label": TimeRule.Key(key).label, "default": d, "now": book.value(key, today),
             "limit": book.limit(key, today)} for key, d in DEFAULTS.items()]
    return render(request, "recruitment/rules.html", {
        "form": form, "rows": rows, "today": today,
        "versions": TimeRule.objects.select_related("changed_by").order_by("key", "effective_from"),
    }, status=400 if request.method == "POST" else 200)

