"""The API's Django URL names in the global URL matrix (tests/security/test_url_matrix.py).

That matrix drives them with a browser session; tests/api/test_scope_matrix.py drives the same
endpoints with tokens, as programs do. Anonymous callers get 401 from the endpoints themselves.
"""
import datetime
from types import SimpleNamespace

from api import actions as token_actions
from tests.matrix import B1, EVERYONE, OWN, OWNER, READ, WRITE, Url, org_param, pk

API = 401  # what an anonymous caller gets from an endpoint


def new_meeting(w):
    return {"organization": "1101", "kinds": "theme_day", "date": datetime.date.today().isoformat(),
            "topic": "接口录入议题"}


MATRIX = {
    "api:api-root": Url({"GET": READ}, anonymous_status=API),
    "api:organization-list": Url({"GET": READ}, anonymous_status=API),
    "api:organization-detail": Url({"GET": READ}, lambda w: {"code": "1101"}, scope=B1,
                                   anonymous_status=API),
    "api:member-list": Url({"GET": READ}, query=org_param(key="branch"), scope=B1,
                           anonymous_status=API),
    "api:member-detail": Url({"GET": READ}, pk("member"), scope=B1, anonymous_status=API),
    "api:meeting-list": Url({"GET": READ, "POST": WRITE}, query=org_param(), data=new_meeting,
                            scope=B1, anonymous_status=API,
                            note="POST names 1101 in its body: out of scope 404"),
    "api:meeting-detail": Url({"GET": READ}, pk("submitted"), scope=B1, anonymous_status=API),
    "api:meeting-submit": Url({"POST": WRITE}, pk("draft"), scope=B1, anonymous_status=API),
    "api:meeting-attachments": Url({"POST": WRITE}, pk("draft"), scope=B1, anonymous_status=API,
                                   note="no file posted: the owner gets 400"),
    "api:report-list": Url({"GET": READ}, query=org_param(), scope=B1, anonymous_status=API),
    "api:report-detail": Url({"GET": READ}, lambda w: {"code": "1101"}, scope=B1,
                             anonymous_status=API),
    "api:schema": Url({"GET": READ}, anonymous_status=API),
    "api:docs": Url({"GET": READ}),
    "api:token-list": Url({"GET": READ, "POST": OWN}, scope=EVERYONE),
    "api:token-revoke": Url({"POST": OWN}, lambda w: {"pk": w.api.token.pk}, scope=OWNER,
                            note="one's own tokens only; anyone else's is 404"),
}


def build(w):
    token, _raw = token_actions.issue_token(w.p.secretary, name="矩阵", by=w.p.secretary)
    w.api = SimpleNamespace(token=token)
