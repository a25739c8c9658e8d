"""The recruitment pages in the URL matrix (tests/security/test_url_matrix.py)."""
import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from recruitment import actions
from tests.factories import make_member, valid_id_number
from tests.matrix import B1, EVERYONE, READ, SECRETARIES, WRITE, Url, org_param

NAMES = {"1101": "赵一申", "1102": "李二申", "1201": "周二申"}


def _rec(attr):
    return lambda w: {"pk": getattr(w.recruitment, attr).pk}


MATRIX = {
    "recruitment:people": Url({"GET": READ}, query=org_param(), scope=B1),
    "recruitment:overview": Url({"GET": READ}, query=org_param(), scope=B1),
    "recruitment:calendar": Url({"GET": READ}, query=org_param(), scope=B1),
    "recruitment:approvals": Url({"GET": READ}, forbidden=SECRETARIES,
                                 note="the upper levels' work list"),
    "recruitment:publicity": Url({"GET": READ}, query=org_param(), scope=B1),
    "recruitment:year": Url({"GET": READ}, query=org_param(), scope=B1, forbidden={"secretary"}),
    "recruitment:export": Url({"GET": READ}, query=org_param(), scope=B1),
    "recruitment:rules": Url({"GET": READ, "POST": WRITE}, forbidden=EVERYONE - {"staff"}),
    "recruitment:applicant-create": Url({"GET": READ, "POST": WRITE}, query=org_param(), scope=B1,
                                        forbidden={"auditor"}),
    "recruitment:applicant-detail": Url({"GET": READ}, _rec("applicant"), scope=B1),
    "recruitment:applicant-print": Url({"GET": READ}, _rec("applicant"), scope=B1),
    "recruitment:step-record": Url({"POST": WRITE},
                                   lambda w: {"pk": w.recruitment.applicant.pk, "step": "talk"},
                                   scope=B1),
    "recruitment:applicant-stop": Url({"POST": WRITE}, _rec("applicant"), scope=B1),
    "recruitment:document-add": Url({"POST": WRITE}, _rec("step"), scope=B1),
    "recruitment:document-download": Url({"GET": READ}, _rec("document"), scope=B1),
    "recruitment:violation-accept": Url({"POST": WRITE}, _rec("violation"), scope=B1,
                                        forbidden_writes={"secretary"},
                                        note="the level above accepts a broken rule"),
    # /api/v1/applicants/ (recruitment registers it): a program's 401, not the login page
    "api:applicant-list": Url({"GET": READ}, query=org_param(key="branch"), scope=B1,
                              anonymous_status=401),
    "api:applicant-detail": Url({"GET": READ}, lambda w: {"pk": w.recruitment.recorded.pk},
                                scope=B1, anonymous_status=401),
    "recruitment:adopt": Url({"GET": READ, "POST": WRITE},
                             lambda w: {"member_pk": w.recruitment.probationary.pk}, scope=B1,
                             forbidden={"auditor"}),
}


def _person(branch, name, by, *, late_talk=False):
    today = datetime.date.today()
    applied = today - datetime.timedelta(days=120)
    applicant = actions.create_applicant(
        {"name": name, "id_number": valid_id_number(datetime.date(1998, 3, 3))}, branch=branch,
        applied_on=applied, by=by)
    if late_talk:
        actions.record_step(applicant, "talk", on=today - datetime.timedelta(days=30), by=by)
    return applicant


def build(w):
    from tests.security.conftest import png_bytes

    d, staff = w.d, w.p.staff
    applicant = _person(d.b1, NAMES["1101"], staff, late_talk=True)
    others = [_person(d.b2, NAMES["1102"], staff, late_talk=True),
              _person(d.b3, NAMES["1201"], staff, late_talk=True)]
    # the talk is recorded: the matrix records the next step the branch may take on another one
    fresh = _person(d.b1, "钱一申", staff)
    step = applicant.steps.get(step="applied")
    document = actions.add_document(step, SimpleUploadedFile("申请书.png", png_bytes()), by=staff)
    w.recruitment = SimpleNamespace(
        applicant=fresh, recorded=applicant, step=step, document=document,
        violation=applicant.violations.get(), others=others,
        probationary=make_member(d.b1, name="吴预备", category="probationary",
                                 joined=datetime.date.today() - datetime.timedelta(days=200)),
    )
