"""The 群众诉求 and 双报到 pages in the URL matrix (tests/security/test_url_matrix.py).

1101's demand is received and handled there; 郑报到 of 1101 reports to the community 1201, so
1200's admin (the "outsider") reaches that registration from the community's side."""
import datetime
from types import SimpleNamespace

from community import actions
from tests.factories import make_member
from tests.matrix import B1, EVERYONE, READ, WRITE, Url, org_param


def _c(attr):
    return lambda w: {"pk": getattr(w.community, attr).pk}


MATRIX = {
    "community:demands": Url({"GET": READ}, query=org_param(), scope=B1),
    "community:demand-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                   forbidden={"auditor"}),
    "community:figures": Url({"GET": READ}, query=org_param(), scope=B1),
    "community:demands-export": Url({"GET": READ}, query=org_param(), scope=B1),
    "community:rules": Url({"GET": READ, "POST": WRITE}, forbidden=EVERYONE - {"staff"}),
    "community:demand-detail": Url({"GET": READ}, _c("demand"), scope=B1),
    "community:demand-reveal-phone": Url({"POST": WRITE}, _c("demand"), scope=B1),
    "community:demand-step": Url({"POST": WRITE},
                                 lambda w: {"pk": w.community.demand.pk, "step": "note"},
                                 data=lambda w: {"note-on": "2026-01-02", "note-note": "已联系"},
                                 scope=B1),
    "community:reporting": Url({"GET": READ}, query=org_param(), scope=B1),
    "community:registration-create": Url({"GET": READ, "POST": WRITE}, query=org_param(),
                                         scope=B1, forbidden={"auditor"}),
    "community:reporting-export": Url({"GET": READ}, query=org_param(), scope=B1),
    "community:registration-end": Url({"POST": WRITE}, _c("away"), scope=B1 | {"outsider"},
                                      note="the home branch and the community both keep it"),
    "community:post-create": Url({"POST": WRITE}, query=org_param(), scope=B1),
    "community:post-detail": Url({"GET": READ}, _c("post"), scope=B1),
    "community:post-claim": Url({"POST": WRITE}, _c("post"), scope=B1),
    "community:service-confirm": Url({"POST": WRITE}, _c("service"), scope=B1),
}


def build(w):
    d, staff = w.d, w.p.staff
    today = datetime.date.today()
    demand = actions.receive_demand(
        {"received_on": today, "source": "visit", "category": "环境卫生",
         "description": "楼道灯坏了", "resident_name": "王大妈", "resident_phone": "13912345678"},
        received_by=d.b1, by=staff)
    away = actions.register(make_member(d.b1, name="郑报到", birth=datetime.date(1986, 4, 12)), community=d.b3, on=today, by=staff)
    home = actions.register(make_member(d.b1, name="冯报到", birth=datetime.date(1987, 9, 23)), community=d.b1, on=today, by=staff)
    post = actions.create_post(d.b1, title="垃圾分类引导", date=today, places=3, by=staff)
    service = actions.claim_post(post, home, by=staff)
    w.community = SimpleNamespace(demand=demand, away=away, home=home, post=post,
                                  service=service)
