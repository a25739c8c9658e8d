"""The yearly cycle's pages in the URL matrix (tests/security/test_url_matrix.py)."""
import datetime
from types import SimpleNamespace

from cycle import actions
from tests.factories import make_member
from tests.matrix import B1, EVERYONE, READ, SECRETARIES, WRITE, Url, org_param


def _obj(attr):
    return lambda w: {"pk": getattr(w.cycle, attr).pk}


KEEPERS_ONLY = {"auditor"}

MATRIX = {
    "cycle:year": Url({"GET": READ}, query=org_param(), scope=B1),
    "cycle:yearly-requirements": Url({"GET": READ, "POST": WRITE}, forbidden=EVERYONE - {"staff"},
                                     note="组织部 staff set the yearly requirements"),
    "cycle:yearly-exemptions": Url({"GET": READ, "POST": WRITE}, forbidden=SECRETARIES),
    "cycle:yearly-exemption-delete": Url({"POST": WRITE}, _obj("exemption"), scope=B1,
                                         forbidden_writes={"secretary"},
                                         note="exemptions are the upper level's to set and lift"),
    "cycle:meeting-inflows": Url({"POST": WRITE}, lambda w: {"pk": w.draft.pk}, scope=B1,
                                 note="whoever may change the meeting records its 流入党员 列席"),
    "cycle:terms": Url({"GET": READ}, query=org_param(), scope=B1),
    "cycle:committee-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                  forbidden=KEEPERS_ONLY),
    "cycle:committee-detail": Url({"GET": READ}, _obj("committee"), scope=B1),
    "cycle:evaluations": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                             note="the branch's keepers record results; the upper levels read them"),
    "cycle:outflows": Url({"GET": READ}, query=org_param(), scope=B1),
    "cycle:outflow-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                forbidden=KEEPERS_ONLY),
    "cycle:outflow-return": Url({"POST": WRITE}, _obj("outflow"), scope=B1),
    "cycle:inflows": Url({"GET": READ}, query=org_param(), scope=B1),
    "cycle:inflow-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                               forbidden=KEEPERS_ONLY),
    "cycle:inflow-end": Url({"POST": WRITE}, _obj("inflow"), scope=B1),
    "cycle:letters": Url({"GET": READ}, query=org_param(), scope=B1),
    "cycle:letter-out": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                            forbidden=KEEPERS_ONLY),
    "cycle:letter-in": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                           forbidden=KEEPERS_ONLY),
    "cycle:letter-detail": Url({"GET": READ}, _obj("letter"), scope=B1),
    "cycle:letter-print": Url({"GET": READ}, _obj("letter"), scope=B1),
    "cycle:letter-receipt": Url({"POST": WRITE}, _obj("letter"), scope=B1),
}


def build(w):
    d, staff = w.d, w.p.staff
    today = datetime.date.today()
    secretary = make_member(d.b1, name="郑一支")
    away = make_member(d.b1, name="冯一支")
    leaving = make_member(d.b1, name="陈一支")
    committee = actions.save_committee(
        d.b1, elected_on=today - datetime.timedelta(days=400), term_years=None,
        seats=[actions.Seat("secretary", secretary.name)], by=staff)
    outflow = actions.register_outflow(away, destination="广东省深圳市", by=staff,
                                       since=today - datetime.timedelta(days=30))
    inflow = actions.register_inflow(d.b1, name="褚流入", home_org="外地某党支部", by=staff,
                                     since=today - datetime.timedelta(days=30))
    letter = actions.issue_letter_out(leaving, outside_org="外地某党委", on=today,
                                      dues_paid_to=f"{today:%Y-%m}", by=staff)
    exemption = actions.add_yearly_exemption(d.b1, year=today.year, key="life_meeting",
                                             reason="一支部年度豁免", by=staff)
    w.cycle = SimpleNamespace(committee=committee, outflow=outflow, inflow=inflow, letter=letter,
                              exemption=exemption)
