"""Pages of the dues. Every read starts from the one policy: the monthly book and a member's
dues (names and amounts) are for the branch's record keepers (the change right; auditors 403);
the upper levels see each branch's collection rate and flag counts, never a list of people.
Every write goes through dues.actions."""
from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, policy_for
from branches.access import get_org, scope_roots
from branches.models import Organization
from core.errors import ActionRefused
from core.quarters import Month
from dues import actions, book
from dues.export import export_ledger
from dues.forms import BaseForm, BulkForm, CorrectionForm, ExemptionForm, PaymentForm, RatesForm
from dues.models import (
    Category,
    Correction,
    Due,
    DuesBase,
    Exemption,
    MonthClose,
    Payment,
    PaymentPart,
    RateVersion,
)
from dues.queries import branch_lines, dues_status
from dues.rules import DEFAULT_RULES, FLAG_TEXT
from members.models import Member

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(request) -> Month:
    raw = (request.POST.get("month") or request.GET.get("month") or "").strip()
    if raw:
        try:
            return Month.parse(raw)
        except ValueError:
            messages.error(request, f"月份“{raw}”格式不正确，已显示本月。")
    return Month.current()


def _org_code(request) -> str:
    return (request.POST.get("org") or request.GET.get("org") or "").strip()


def _scope_org(request) -> Organization | None:
    code = _org_code(request)
    if code:
        return get_org(request.user, code=code)[0]
    roots = scope_roots(request.user)
    return roots[0] if roots else None


def _branch(request, need=Right.CHANGE) -> Organization:
    code = _org_code(request)
    if not code:
        raise Http404
    org, _ = get_org(request.user, need=need, code=code)
    if not org.is_branch:
        raise Http404
    return org


def _say(request, exc) -> None:
    messages.error(request, exc.message if isinstance(exc, ActionRefused) else str(exc))


def _book_url(org, month) -> str:
    return f"{reverse('dues:book')}?org={org.code}&month={month}"


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))


# ------------------------------------------------------------------------- the monthly book

@require_GET
def book_page(request):
    """A branch's month: every member's amount, paid or not, and the arrears flags."""
    org = _scope_org(request)
    if org is None:
        raise Http404
    if not org.is_branch:
        return redirect(f"{reverse('dues:overview')}?org={org.code}")
    org, rights = get_org(request.user, need=Right.CHANGE, code=org.code)
    month = _month(request)
    status = dues_status(org, month)
    closed = MonthClose.objects.filter(branch=org, month=month.start).first()
    paid_on = {}
    for member_id, day in PaymentPart.objects.filter(
            month=month.start, payment__branch=org, payment__voided=False).values_list(
            "member_id", "payment__paid_on").order_by("payment__paid_on"):
        paid_on[member_id] = day
    with_base = DuesBase.objects.filter(member__branch=org).values("member_id")
    missing = Member.objects.filter(branch=org).active().exclude(pk__in=with_base).order_by("name")
    members = [Member(pk=r.member_id, name=r.name) for r in status.rows]
    today = timezone.localdate()
    return render(request, "dues/book.html", {
        "org": org, "month": month, "status": status, "closed": closed, "paid_on": paid_on,
        "flagged": [r for r in status.rows if r.flag], "flag_text": FLAG_TEXT,
        "missing": missing, "previous": month - 1, "next": month + 1,
        "pay_form": PaymentForm(members=members, initial={"first": str(month), "paid_on": today}),
        "bulk_form": BulkForm(initial={"paid_on": today}),
        "correction_form": CorrectionForm(members=members, initial={"paid_on": today}),
        "corrections": Correction.objects.filter(branch=org, month=month.start).select_related(
            "member", "by"),
    })


@require_POST
def pay(request):
    org = _branch(request)
    month = _month(request)
    members = Member.objects.filter(dues__branch=org).distinct()
    form = PaymentForm(request.POST, members=members)
    if form.is_valid():
        member = get_object_or_404(members, pk=form.cleaned_data["member"])
        try:
            actions.record_payment(member, first=form.cleaned_data["first"],
                                   last=form.cleaned_data["last"], amount=form.cleaned_data["amount"],
                                   paid_on=form.cleaned_data["paid_on"],
                                   method=form.cleaned_data["method"], by=request.user)
            messages.success(request, f"已登记{member.name}缴纳 {form.cleaned_data['amount']:.2f} 元。")
        except ActionRefused as exc:
            _say(request, exc)
    else:
        _form_errors(request, form)
    return redirect(_book_url(org, month))


@require_POST
def all_paid(request):
    org = _branch(request)
    month = _month(request)
    form = BulkForm(request.POST)
    if form.is_valid():
        try:
            count = actions.record_all_paid(org, month, paid_on=form.cleaned_data["paid_on"],
                                            method=form.cleaned_data["method"], by=request.user)
            messages.success(request, f"已为 {count} 名党员登记{month.label}党费。")
        except ActionRefused as exc:
            _say(request, exc)
    else:
        _form_errors(request, form)
    return redirect(_book_url(org, month))


@require_POST
def close(request):
    org = _branch(request)
    month = _month(request)
    try:
        actions.close_month(org, month, by=request.user)
        messages.success(request, f"{month.label}党费台账已报送。")
    except ActionRefused as exc:
        _say(request, exc)
    return redirect(_book_url(org, month))


@require_POST
def correct(request):
    org = _branch(request)
    month = _month(request)
    members = Member.objects.filter(dues__branch=org, dues__month=month.start)
    form = CorrectionForm(request.POST, members=members)
    if form.is_valid():
        member = get_object_or_404(members, pk=form.cleaned_data["member"])
        try:
            actions.correct_closed_month(org, month, member, amount=form.cleaned_data["amount"],
                                         paid_on=form.cleaned_data["paid_on"],
                                         reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, "已更正，并记入审计日志。")
        except ActionRefused as exc:
            _say(request, exc)
    else:
        _form_errors(request, form)
    return redirect(_book_url(org, month))


# ------------------------------------------------------------------------- the upper levels

@require_GET
def overview(request):
    """Each branch of the subtree: members, due, collected, rate, flag counts, handed up or not."""
    org = _scope_org(request)
    if org is None:
        raise Http404
    month = _month(request)
    lines = branch_lines(org, month)
    total = dues_status(org, month, sync=False).summary
    policy = policy_for(request.user)
    reviewable = Organization.objects.allowed(request.user, Right.REVIEW).filter(
        path__startswith=org.path)
    pending = Exemption.objects.filter(status=Exemption.Status.PENDING,
                                       member__branch__in=reviewable).select_related(
        "member", "member__branch")
    return render(request, "dues/overview.html", {
        "org": org, "month": month, "lines": lines, "total": total,
        "previous": month - 1, "next": month + 1, "pending": pending,
        "keeps": {line.branch.pk for line in lines if policy.allows(Right.CHANGE, line.branch)},
    })


@require_GET
def ledger(request):
    """The yearly 党费收缴台账 of a branch (.xlsx), for its record keepers."""
    org = _branch(request)
    raw = request.GET.get("year") or ""
    this_year = timezone.localdate().year
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year else this_year
    output = io.BytesIO()
    # The dues book is not a file to re-import: IDs stay masked, as on every page.
    export_ledger(org, year, output, by=request.user, masked=True)
    response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dues-{org.code}-{year}.xlsx"'
    return response


# ------------------------------------------------------------------------- the rates

@require_http_methods(["GET", "POST"])
def rates(request):
    if not policy_for(request.user).is_staff:
        raise PermissionDenied("党费标准由组织部维护。")
    month = Month.current()
    current = book.rules_table(month)
    lines = actions.lines_of({c: current.rules.get(c) or DEFAULT_RULES[c] for c in DEFAULT_RULES})
    form = RatesForm(request.POST or None, lines=lines, initial={"month": str(month + 1)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_rates(form.cleaned_data["month"], form.cleaned_lines(),
                               note=form.cleaned_data["note"], by=request.user)
            messages.success(request, f"已保存自{form.cleaned_data['month'].label}起执行的党费标准。")
            return redirect("dues:rates")
        except ActionRefused as exc:
            _say(request, exc)
    labels = dict(Category.choices)
    return render(request, "dues/rates.html", {
        "form": form, "month": month,
        "lines": [{**vars(line), "category": labels[line.category]} for line in lines],
        "versions": RateVersion.objects.select_related("created_by").order_by("-effective_from"),
    })


# ------------------------------------------------------------------------- one member

def _member(request, pk) -> Member:
    member = get_object_or_404(Member.objects.visible_to(request.user).select_related("branch"),
                               pk=pk)
    if not policy_for(request.user).allows(Right.CHANGE, member.branch):
        raise PermissionDenied("党员的党费记录只由本支部的党务工作者查看和登记。")
    return member


@require_http_methods(["GET", "POST"])
def member_dues(request, pk):
    """A member's bases (history), exemptions, months and payments; the base form."""
    member = _member(request, pk)
    form = BaseForm(request.POST or None, initial={"month": str(Month.current())})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.save_base(member, month=d["month"], category=d["category"], base=d["base"],
                              fixed_amount=d["fixed_amount"], by=request.user)
            messages.success(request, "已保存缴费基数。")
            return redirect("dues:member", pk=member.pk)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
    book.sync_member(member.pk)
    return render(request, "dues/member.html", {
        "member": member, "form": form,
        "exemption_form": ExemptionForm(initial={"first": str(Month.current()),
                                                 "last": str(Month.current())}),
        "bases": DuesBase.objects.filter(member=member).order_by("-effective_from"),
        "exemptions": Exemption.objects.filter(member=member).order_by("-first_month"),
        "dues": Due.objects.filter(member=member).select_related("branch").order_by("-month")[:24],
        "payments": Payment.objects.filter(member=member).order_by("-paid_on", "-pk")[:50],
    })


@require_POST
def exemption_request(request, pk):
    member = _member(request, pk)
    form = ExemptionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            exemption = actions.request_exemption(member, kind=d["kind"], first=d["first"],
                                                  last=d["last"], reason=d["reason"],
                                                  amount=d["amount"], by=request.user)
            messages.success(request, "已批准。" if exemption.status == Exemption.Status.APPROVED
                             else "已提交，待上级党组织审批。")
        except ActionRefused as exc:
            _say(request, exc)
    else:
        _form_errors(request, form)
    return redirect("dues:member", pk=member.pk)


@require_POST
def exemption_decide(request, pk):
    exemption = get_object_or_404(
        Exemption.objects.filter(member__branch__in=Organization.objects.visible_to(request.user))
        .select_related("member", "member__branch"), pk=pk)
    if not policy_for(request.user).allows(Right.REVIEW, exemption.member.branch):
        raise PermissionDenied("免交、减交由上级党组织审批。")
    try:
        actions.decide_exemption(exemption, approve=request.POST.get("approve") == "1",
                                 by=request.user)
        messages.success(request, "已审批。")
    except ActionRefused as exc:
        _say(request, exc)
    return redirect(f"{reverse('dues:overview')}?org={exemption.member.branch.code}")


@require_POST
def payment_void(request, pk):
    payment = get_object_or_404(
        Payment.objects.filter(branch__in=Organization.objects.visible_to(request.user))
        .select_related("member", "branch"), pk=pk)
    if not policy_for(request.user).allows(Right.CHANGE, payment.branch):
        raise PermissionDenied("只有本支部的党务工作者可以作废缴纳记录。")
    try:
        actions.void_payment(payment, reason=request.POST.get("reason", ""), by=request.user)
        messages.success(request, "已作废该缴纳记录。")
    except ActionRefused as exc:
        _say(request, exc)
    return redirect("dues:member", pk=payment.member_id)
