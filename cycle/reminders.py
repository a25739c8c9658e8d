"""The yearly cycle's reminder kinds (interfaces.md §8): `term_ending` (a committee term ends
within 180 days, or has ended without a 换届), `outflow_review` (a 流动党员 six months at one
fixed place: the relationship should be transferred), `inflow_review` (a 流入党员's registration
is due its half-yearly check), `letter_expired` (an introduction letter past its validity with
no 回执) and `transfer_pending` (a transfer inside the district waiting over 14 days).

Items are about organizations; those whose text names a member go to the branch's keepers only."""
from __future__ import annotations

import datetime

from branches.models import Organization
from core.quarters import add_months
from core.registry import ReminderItem
from cycle.models import Inflow, Outflow, TransferLetter
from cycle.queries import terms
from cycle.rules import rule
from members.models import Transfer

PENDING_DAYS = 14


def terms_ending(on: datetime.date):
    for term in terms(Organization.objects.all(), on):
        if term.status not in ("ending", "overdue"):
            continue
        org = term.organization
        if term.status == "ending":
            text = (f"{org.name}：本届委员会（{term.elected_on:%Y-%m-%d} 选举，届期 {term.term_years} 年）"
                    f"将于 {term.due_on:%Y-%m-%d} 届满，请提前做好换届准备。")
        else:
            text = (f"{org.name}：本届委员会已于 {term.due_on:%Y-%m-%d} 届满，尚未登记换届；"
                    "延期换届须经上级党组织批准。")
        yield ReminderItem(kind="term_ending", organization_id=org.pk, due=term.due_on, text=text,
                           identity=f"term_ending:{term.committee.pk}:{term.status}")


def outflows_to_review(on: datetime.date):
    months = rule("outflow_transfer_months")
    latest = add_months(on, -months)
    for outflow in (Outflow.objects.filter(returned_on__isnull=True, fixed_place=True,
                                           since__lte=latest)
                    .select_related("member", "branch").order_by("branch_id", "since")):
        due = add_months(outflow.since, months)
        yield ReminderItem(
            kind="outflow_review", organization_id=outflow.branch_id, due=due,
            text=f"{outflow.branch.name}：流动党员{outflow.member.name}在{outflow.destination}"
                 f"已满{months}个月（{outflow.since:%Y-%m-%d} 外出），地点固定的应转移组织关系。",
            identity=f"outflow_review:{outflow.pk}", names_person=True)


def inflows_to_review(on: datetime.date):
    months = rule("inflow_check_months")
    for inflow in (Inflow.objects.filter(left_on__isnull=True, since__lte=add_months(on, -months))
                   .select_related("branch").order_by("branch_id", "since")):
        elapsed = (on.year - inflow.since.year) * 12 + on.month - inflow.since.month
        due = add_months(inflow.since, months * (elapsed // months))
        yield ReminderItem(
            kind="inflow_review", organization_id=inflow.branch_id, due=due,
            text=f"{inflow.branch.name}：流入党员{inflow.name}（{inflow.home_org}）的登记已满"
                 f"{months * (elapsed // months)}个月，请核实是否仍在本地参加组织生活。",
            identity=f"inflow_review:{inflow.pk}:{due:%Y%m}", names_person=True)


def letters_expired(on: datetime.date):
    letters = (TransferLetter.objects.filter(receipt_on__isnull=True)
               .exclude(direction=TransferLetter.Direction.IN)
               .select_related("member", "from_branch").order_by("issued_on"))
    for letter in letters:
        if not letter.expired_on(on):
            continue
        yield ReminderItem(
            kind="letter_expired", organization_id=letter.from_branch_id, due=letter.valid_until,
            text=f"{letter.from_branch.name}：第 {letter.number} 号组织关系介绍信（{letter.member.name}）"
                 f"已于 {letter.valid_until:%Y-%m-%d} 过期，尚未收到回执，请联系接收方核实。",
            identity=f"letter_expired:{letter.pk}", names_person=True)


def transfers_pending(on: datetime.date):
    limit = on - datetime.timedelta(days=PENDING_DAYS)
    for transfer in (Transfer.objects.pending().filter(initiated_on__lt=limit)
                     .select_related("member", "to_branch").order_by("initiated_on")):
        yield ReminderItem(
            kind="transfer_pending", organization_id=transfer.to_branch_id,
            due=transfer.initiated_on + datetime.timedelta(days=PENDING_DAYS),
            text=f"{transfer.to_branch.name}：{transfer.member.name}的组织关系自 "
                 f"{transfer.initiated_on:%Y-%m-%d} 转入，已超过{PENDING_DAYS}天未接收。",
            identity=f"transfer_pending:{transfer.pk}", names_person=True)
