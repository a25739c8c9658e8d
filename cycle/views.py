"""Pages of the yearly cycle. Every read starts from the user's scope (404 outside); every
write goes through cycle.actions (403 for read-only roles, who see no write buttons)."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import Right, policy_for
from activities.models import Meeting
from branches.access import get_org, require, scope_roots
from branches.models import Organization
from cycle import actions, evaluations, queries, yearly
from cycle.forms import (
    CommitteeForm,
    DateForm,
    InflowForm,
    LetterInForm,
    LetterOutForm,
    OutflowForm,
    YearlyExemptionForm,
    YearlyRequirementForm,
)
from cycle.models import (
    Committee,
    Evaluation,
    Inflow,
    Outflow,
    TransferLetter,
    YearlyExemption,
    YearlyRequirement,
)
from cycle.rules import rule
from members.models import Member, Membership

RESULTS = Evaluation.Result.choices
FOLLOW_UPS = Evaluation.FollowUp.choices


# ----------------------------------------------------------------------------- helpers

def _org(request) -> Organization:
    """The organization the page is about (?org=CODE, 404 out of scope), else the user's root."""
    code = (request.GET.get("org") or "").strip()
    if code:
        return get_org(request.user, code=code)[0]
    roots = scope_roots(request.user)
    if not roots:
        raise Http404
    return roots[0]


def _branch(request, *, need: Right | None = None) -> tuple[Organization, object]:
    org, rights = get_org(request.user, need=need, code=(request.GET.get("org") or "").strip())
    if not org.is_branch:
        raise Http404
    return org, rights


def _year(request) -> int:
    today = timezone.localdate()
    text = (request.GET.get("year") or "").strip()
    if text.isdigit() and 2000 <= int(text) <= today.year:
        return int(text)
    return today.year


def _say(request, exc) -> None:
    messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


def _form_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _with_org(name: str, org: Organization, **params) -> str:
    query = "&".join([f"org={org.code}", *(f"{k}={v}" for k, v in params.items())])
    return f"{reverse(name)}?{query}"


# ------------------------------------------------------------------------------- the year

@require_GET
def year(request):
    """A branch's year at a glance; for an upper organization, its branches' yearly counts and
    the yearly figure (docs/metrics.md)."""
    org = _org(request)
    year = _year(request)
    today = timezone.localdate()
    policy = policy_for(request.user)
    rights = policy.rights(org)
    context = {"org": org, "year": year, "years": range(today.year, today.year - 5, -1),
               "rights": rights, "today": today, "is_staff": policy.is_staff,
               "is_upper": policy.is_upper, "keys": yearly.KEYS}
    if org.is_branch:
        context["glance"] = queries.branch_year(org, year, today)
    else:
        rows = queries.evaluation_counts(org, year)
        found = yearly.figures(org, year)
        by_branch = {f.branch.pk: f for f in found.branches}
        context["rows"] = [(b, r, by_branch[b.pk]) for b, r in rows]
        context["held_total"] = {
            key: sum(1 for f in found.branches if f.by_key()[key].held) for key in yearly.KEYS}
        context["figures"] = found
        rate = found.compliance_rate
        context["rate"] = "—" if rate is None else f"{rate:.1%}"
        context["totals"] = queries.summed(rows) if rows else None
    return render(request, "cycle/year.html", context)


# ------------------------------------------------------------------ yearly requirements

def _require_staff(user) -> None:
    if not policy_for(user).is_staff:
        raise PermissionDenied("只有组织部管理员可以修改年度考核要求。")


@require_http_methods(["GET", "POST"])
def yearly_requirements(request):
    """The yearly requirements in force this year and next, their versions, a form for a new one."""
    _require_staff(request.user)
    form = YearlyRequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.save_yearly_requirement(key=d["key"], effective_from=d["effective_from"],
                                            enabled=d["enabled"], times=d["times"], by=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已保存，自{d['effective_from']}年起生效；此前的年度不受影响。")
            return redirect("cycle:yearly-requirements")
    this_year = timezone.localdate().year
    now, upcoming = yearly.rules_in_force(this_year), yearly.rules_in_force(this_year + 1)
    return render(request, "cycle/yearly_requirements.html", {
        "form": form, "this_year": this_year, "next_year": this_year + 1,
        "rows": [(now[k], upcoming[k]) for k in yearly.KEYS],
        "versions": YearlyRequirement.objects.select_related("changed_by").order_by("key", "effective_from"),
    })


@require_http_methods(["GET", "POST"])
def yearly_exemptions(request):
    """Yearly exemptions of the branches below the user's level; add one with a reason."""
    user = request.user
    policy = policy_for(user)
    if not policy.is_upper:
        raise PermissionDenied("年度要求豁免由上级党组织或组织部设置。")
    if request.method == "POST" and policy.scope(Right.REVIEW).empty:
        raise PermissionDenied("您只有查看权限。")
    form = YearlyExemptionForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        branch = get_org(user, code=d["branch"].code)[0]
        try:
            actions.add_yearly_exemption(branch, year=d["year"], key=d["key"], reason=d["reason"],
                                         by=user)
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            messages.success(request, f"已为{branch.name}设置{d['year']}年的豁免。")
            return redirect("cycle:yearly-exemptions")
    exemptions = list(YearlyExemption.objects.visible_to(user)
                      .select_related("branch", "created_by").order_by("-year", "branch__path")[:500])
    for exemption in exemptions:
        exemption.removable = policy.allows(Right.REVIEW, exemption.branch)
    return render(request, "cycle/yearly_exemptions.html", {
        "form": form, "exemptions": exemptions, "can_exempt": not policy.scope(Right.REVIEW).empty,
    })


@require_POST
def yearly_exemption_delete(request, pk):
    exemption = get_object_or_404(YearlyExemption.objects.visible_to(request.user)
                                  .select_related("branch"), pk=pk)
    actions.remove_yearly_exemption(exemption, by=request.user)
    messages.success(request, "已取消豁免。")
    return redirect("cycle:yearly-exemptions")


# ------------------------------------------------------------ 流入党员 at a meeting

@require_POST
def meeting_inflows(request, pk):
    """Record which of the branch's 流入党员 列席 the meeting (the panel on the meeting's page)."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user).select_related("branch"),
                                pk=pk)
    require(policy_for(request.user).rights(meeting.branch), Right.CHANGE)
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit() and len(v) < 10}
    try:
        counts = actions.record_inflow_attendance(meeting, present, by=request.user)
    except ValidationError as exc:
        _say(request, exc)
    else:
        messages.success(request, f"已保存流入党员列席情况：列席 {counts['present']} 人。")
    return redirect(f"{reverse('activities:meeting-detail', args=[meeting.pk])}#inflows")


# ------------------------------------------------------------------------------ committees

@require_GET
def terms(request):
    """The 换届 calendar of a subtree: every committee-holding organization by due date."""
    org = _org(request)
    today = timezone.localdate()
    found = queries.terms(Organization.objects.subtree(org), today)
    order = {"overdue": 0, "ending": 1, "none": 2, "ok": 3}
    found.sort(key=lambda t: (order[t.status], t.due_on or today, t.organization.path))
    counts = {s: sum(1 for t in found if t.status == s) for s in order}
    return render(request, "cycle/terms.html", {
        "org": org, "terms": found, "counts": counts, "today": today,
        "can_change": policy_for(request.user).allows(Right.CHANGE, org),
    })


@require_http_methods(["GET", "POST"])
def committee_create(request):
    org, _ = get_org(request.user, need=Right.CHANGE, code=(request.GET.get("org") or "").strip())
    if not queries.committee_holders(Organization.objects.filter(pk=org.pk), timezone.localdate()).exists():
        raise Http404
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            committee = actions.save_committee(
                org, elected_on=d["elected_on"], term_years=d["term_years"],
                seats=[actions.Seat(p, n) for p, n in form.seats()], by=request.user,
                note=d["note"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已登记委员会。")
            return redirect("cycle:committee-detail", pk=committee.pk)
    return render(request, "cycle/committee_form.html", {"org": org, "form": form})


@require_GET
def committee_detail(request, pk):
    committee = get_object_or_404(
        Committee.objects.visible_to(request.user).select_related("organization"), pk=pk)
    org = committee.organization
    chain = list(Committee.objects.filter(organization=org).order_by("-elected_on")
                 .prefetch_related("seats"))
    term = queries.term_of(org, committee, timezone.localdate())
    return render(request, "cycle/committee_detail.html", {
        "org": org, "committee": committee, "term": term, "chain": chain,
        "seats": committee.seats.all(),
        "can_change": policy_for(request.user).allows(Right.CHANGE, org),
    })


# ------------------------------------------------------------------------------ 民主评议

@require_http_methods(["GET", "POST"])
def evaluations_page(request):
    """A branch's 民主评议 of a year: its keepers record results, the upper levels read them.
    The results of people are shown here only, never published as a list elsewhere."""
    branch, rights = _branch(request)
    year = _year(request)
    end = evaluations.year_end(year)
    roster = list(Member.objects.filter(
        pk__in=Membership.objects.on(end).filter(branch=branch).values("member_id")).order_by("name"))
    recorded = {e.member_id: e for e in Evaluation.objects.filter(year=year, member__in=roster)}
    submitted = {}
    if request.method == "POST":
        require(rights, Right.CHANGE)
        ratings, clear = [], []
        for m in roster:
            if f"result_{m.pk}" not in request.POST:
                continue  # not on the form (a 预备党员, or a member added since it was shown)
            result = request.POST.get(f"result_{m.pk}", "")
            submitted[m.pk] = {"result": result, "follow_up": request.POST.get(f"follow_up_{m.pk}", ""),
                               "reason": request.POST.get(f"reason_{m.pk}", "")}
            if result in Evaluation.Result.values:
                ratings.append(evaluations.Rating(m, branch.pk, result, submitted[m.pk]["follow_up"]
                                                  if submitted[m.pk]["follow_up"] in Evaluation.FollowUp.values
                                                  else "", submitted[m.pk]["reason"]))
            elif m.pk in recorded:
                clear.append(m)
        try:
            counts = actions.save_evaluations(branch, year, ratings, clear=clear, by=request.user)
        except ValidationError as exc:
            _say(request, exc)
        else:
            messages.success(request, f"已保存：新增 {counts['created']} 条，修改 {counts['updated']} 条。")
            return redirect(_with_org("cycle:evaluations", branch, year=year))
    rows = []
    for m in roster:
        given = submitted.get(m.pk)
        e = recorded.get(m.pk)
        rows.append({
            "member": m, "rated": m.is_full_on(end),
            "result": given["result"] if given else (e.result if e else ""),
            "follow_up": given["follow_up"] if given else (e.follow_up if e else ""),
            "reason": given["reason"] if given else (e.reason if e else ""),
        })
    found = queries.evaluation_counts(branch, year)  # no row: the branch did not exist on 12-31
    counts = found[0][1] if found else dict.fromkeys(queries.SUMMARY_KEYS, 0)
    limit = evaluations.excellent_limit_text(sum(1 for r in rows if r["rated"]))
    return render(request, "cycle/evaluations.html", {
        "org": branch, "year": year, "rows": rows, "counts": counts, "results": RESULTS,
        "follow_ups": FOLLOW_UPS, "can_change": rights.change, "limit": limit,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    })


# ------------------------------------------------------------------------------ 流动党员

@require_GET
def outflows(request):
    org = _org(request)
    today = timezone.localdate()
    found = list(Outflow.objects.in_subtree(org).visible_to(request.user)
                 .select_related("member", "branch").order_by("returned_on", "-since")[:500])
    due = {o.pk for o in queries.outflows_due_for_transfer(found, today)}
    return render(request, "cycle/outflows.html", {
        "org": org, "outflows": found, "due": due, "today": today,
        "can_change": policy_for(request.user).allows(Right.CHANGE, org) and org.is_branch,
        "months": rule("outflow_transfer_months"),
    })


@require_http_methods(["GET", "POST"])
def outflow_create(request):
    branch, _ = _branch(request, need=Right.CHANGE)
    form = OutflowForm(request.POST or None, branch=branch)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.register_outflow(d["member"], destination=d["destination"], since=d["since"],
                                     fixed_place=d["fixed_place"], certificate_no=d["certificate_no"],
                                     receiving_org=d["receiving_org"], contact=d["contact"],
                                     by=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已登记流出党员。")
            return redirect(_with_org("cycle:outflows", branch))
    return render(request, "cycle/simple_form.html", {
        "org": branch, "form": form, "title": "登记流出党员",
        "back": _with_org("cycle:outflows", branch)})


@require_POST
def outflow_return(request, pk):
    outflow = get_object_or_404(Outflow.objects.visible_to(request.user), pk=pk)
    require(policy_for(request.user).rights(outflow.branch), Right.CHANGE)
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写返回日期。")
    else:
        try:
            actions.close_outflow(outflow, on=form.cleaned_data["on"], by=request.user)
            messages.success(request, "已登记返回。")
        except ValidationError as exc:
            _say(request, exc)
    return redirect(_with_org("cycle:outflows", outflow.branch))


@require_GET
def inflows(request):
    org = _org(request)
    found = list(Inflow.objects.in_subtree(org).visible_to(request.user)
                 .select_related("branch").order_by("left_on", "-since")[:500])
    return render(request, "cycle/inflows.html", {
        "org": org, "inflows": found,
        "can_change": policy_for(request.user).allows(Right.CHANGE, org) and org.is_branch,
    })


@require_http_methods(["GET", "POST"])
def inflow_create(request):
    branch, _ = _branch(request, need=Right.CHANGE)
    form = InflowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.register_inflow(branch, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已登记流入党员。")
            return redirect(_with_org("cycle:inflows", branch))
    return render(request, "cycle/simple_form.html", {
        "org": branch, "form": form, "title": "登记流入党员",
        "back": _with_org("cycle:inflows", branch)})


@require_POST
def inflow_end(request, pk):
    inflow = get_object_or_404(Inflow.objects.visible_to(request.user), pk=pk)
    require(policy_for(request.user).rights(inflow.branch), Right.CHANGE)
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写离开日期。")
    else:
        try:
            actions.end_inflow(inflow, on=form.cleaned_data["on"], by=request.user)
            messages.success(request, "已登记离开。")
        except ValidationError as exc:
            _say(request, exc)
    return redirect(_with_org("cycle:inflows", inflow.branch))


# ------------------------------------------------------------------------- introduction letters

def _letter(request, pk) -> tuple[TransferLetter, object]:
    letter = get_object_or_404(
        TransferLetter.objects.visible_to(request.user).select_related("member", "from_branch", "to_branch"),
        pk=pk)
    return letter, policy_for(request.user).rights(letter.branch)


@require_GET
def letters(request):
    org = _org(request)
    today = timezone.localdate()
    found = list(TransferLetter.objects.visible_to(request.user)
                 .filter(Q(from_branch__path__startswith=org.path) | Q(to_branch__path__startswith=org.path))
                 .select_related("member", "from_branch", "to_branch")
                 .order_by("-issued_on", "-number")[:500])
    return render(request, "cycle/letters.html", {
        "org": org, "letters": found, "today": today,
        "expired": {letter.pk for letter in found if letter.direction != "in" and letter.expired_on(today)},
        "can_change": policy_for(request.user).allows(Right.CHANGE, org) and org.is_branch,
    })


@require_http_methods(["GET", "POST"])
def letter_out(request):
    branch, _ = _branch(request, need=Right.CHANGE)
    form = LetterOutForm(request.POST or None, branch=branch,
                         initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["kind"] == LetterOutForm.OUT:
                letter = actions.issue_letter_out(
                    d["member"], outside_org=d["outside_org"], on=d["issued_on"],
                    dues_paid_to=d["dues_paid_to"], valid_days=d["valid_days"], note=d["note"],
                    by=request.user)
            else:
                to_branch = Organization.objects.filter(code=d["to_code"].strip()).first()
                if to_branch is None:
                    raise ValidationError(f"找不到编码为 {d['to_code']} 的党支部。")
                letter = actions.issue_letter_inside(
                    d["member"], to_branch, on=d["issued_on"], dues_paid_to=d["dues_paid_to"],
                    valid_days=d["valid_days"], note=d["note"], by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            messages.success(request, f"已开具第 {letter.number} 号介绍信。")
            return redirect("cycle:letter-detail", pk=letter.pk)
    return render(request, "cycle/simple_form.html", {
        "org": branch, "form": form, "title": "开具组织关系介绍信（转出）",
        "back": _with_org("cycle:letters", branch)})


@require_http_methods(["GET", "POST"])
def letter_in(request):
    branch, _ = _branch(request, need=Right.CHANGE)
    form = LetterInForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter = actions.receive_letter_in(
                form.person(), branch=branch, outside_org=d["outside_org"], number=d["number"],
                on=d["received_on"], issued_on=d["issued_on"], dues_paid_to=d["dues_paid_to"],
                valid_days=d["valid_days"], note=d["note"], by=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"{letter.member.name}已转入{branch.name}。")
            return redirect("cycle:letter-detail", pk=letter.pk)
    return render(request, "cycle/simple_form.html", {
        "org": branch, "form": form, "title": "接收区外转入的组织关系",
        "back": _with_org("cycle:letters", branch)})


@require_GET
def letter_detail(request, pk):
    letter, rights = _letter(request, pk)
    today = timezone.localdate()
    return render(request, "cycle/letter_detail.html", {
        "letter": letter, "org": letter.branch, "can_change": rights.change,
        "expired": letter.direction != "in" and letter.expired_on(today), "today": today,
    })


@require_GET
def letter_print(request, pk):
    """The letter as printed. Like every page it shows the ID masked (the full number is revealed
    only on the member's page, and logged): the office writes it in by hand on the printed form."""
    letter, _ = _letter(request, pk)
    member = letter.member
    return render(request, "cycle/letter_print.html", {
        "letter": letter, "member": member, "id_number": member.masked_id_number,
        "dues_month": letter.dues_paid_to.replace("-", "年", 1) + "月",
        "from_name": letter.from_branch.name if letter.from_branch else letter.outside_org,
        "to_name": letter.to_branch.name if letter.to_branch else letter.outside_org,
    })


@require_POST
def letter_receipt(request, pk):
    letter, rights = _letter(request, pk)
    require(rights, Right.CHANGE)
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写回执日期。")
    else:
        try:
            actions.record_receipt(letter, on=form.cleaned_data["on"], note=form.cleaned_data["note"],
                                   by=request.user)
            messages.success(request, "已登记回执。")
        except ValidationError as exc:
            _say(request, exc)
    return redirect("cycle:letter-detail", pk=letter.pk)
