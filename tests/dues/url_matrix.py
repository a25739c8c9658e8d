"""The dues pages in the URL matrix (tests/security/test_url_matrix.py): the book and a member's
dues are the branch's record keepers' (auditors 403), the branch table everyone's in scope, the
rates 组织部 staff's, exemptions are approved by the level above."""
import datetime
from decimal import Decimal
from types import SimpleNamespace

from core.quarters import Month
from dues import actions
from tests.matrix import B1, EVERYONE, READ, WRITE, Url, org_param

KEEPERS_ONLY = frozenset({"auditor"})


def _pk(attr):
    return lambda w: {"pk": getattr(w.dues, attr).pk}


def _month(w):
    return {"org": "1101", "month": str(w.dues.month)}


MATRIX = {
    "dues:book": Url({"GET": READ}, query=_month, scope=B1, forbidden=KEEPERS_ONLY),
    "dues:pay": Url({"POST": WRITE}, query=_month, scope=B1),
    "dues:all-paid": Url({"POST": WRITE}, query=_month, scope=B1,
                         data=lambda w: {"paid_on": "2026-11-05", "method": "cash"}),
    "dues:close": Url({"POST": WRITE}, query=_month, scope=B1),
    "dues:correct": Url({"POST": WRITE}, query=_month, scope=B1),
    "dues:overview": Url({"GET": READ}, query=org_param(), scope=B1),
    "dues:ledger": Url({"GET": READ}, query=org_param(), scope=B1, forbidden=KEEPERS_ONLY),
    "dues:rates": Url({"GET": READ, "POST": WRITE}, forbidden=EVERYONE - {"staff"}),
    "dues:member": Url({"GET": READ, "POST": WRITE}, _pk("member"), scope=B1,
                       forbidden=KEEPERS_ONLY),
    "dues:exemption-request": Url({"POST": WRITE}, _pk("member"), scope=B1),
    "dues:exemption-decide": Url({"POST": WRITE}, _pk("exemption"), scope=B1,
                                 forbidden_writes={"secretary"},
                                 note="the level above approves 免交/减交"),
    "dues:payment-void": Url({"POST": WRITE}, _pk("payment"), scope=B1),
    "api:dues-list": Url({"GET": READ}, query=org_param(), scope=B1, anonymous_status=401),
}


def build(w):
    month = Month.current() - 1
    member = w.member
    actions.save_base(member, month=month, category="employed", base=Decimal("4500"))
    for other in (*w.b2, *w.b3):
        actions.save_base(other, month=month, category="retired", base=Decimal("3000"))
    payment = actions.record_payment(member, first=month, amount=Decimal("45.00"),
                                     paid_on=datetime.date.today())
    exemption = actions.request_exemption(member, kind="exempt", first=month + 1, last=month + 1,
                                          reason="一支部免交理由", by=w.p.secretary)
    w.dues = SimpleNamespace(month=month, member=member, payment=payment, exemption=exemption)
