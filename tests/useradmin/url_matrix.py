"""The account pages in the URL matrix (tests/security/test_url_matrix.py).

Only 组织部 staff and 党组织管理员 manage accounts: secretaries and the auditor get 403 on every
account page; 1200's administrator does not see an account of branch 1101 (404). A password
sheet is its issuer's alone."""
from types import SimpleNamespace

from tests.matrix import READ, SECRETARIES, WRITE, Url
from useradmin import actions

NOT_MANAGERS = SECRETARIES | {"auditor"}
# who reaches an account of branch 1101: its managers, and (with 403) those who manage nothing
ACCOUNT_1101 = frozenset({"staff", "admin"}) | NOT_MANAGERS


def _account(w):
    return {"pk": w.useradmin.account.pk}


def _grant(w):
    return {"kind": "auditor", "organization": w.d.b1.pk}


MATRIX = {
    "useradmin:audit-log": Url({"GET": READ}, forbidden=SECRETARIES),
    "useradmin:account-list": Url({"GET": READ}, forbidden=NOT_MANAGERS),
    "useradmin:account-create": Url({"GET": READ, "POST": WRITE}, forbidden=NOT_MANAGERS),
    "useradmin:account-detail": Url({"GET": READ}, _account, scope=ACCOUNT_1101,
                                    forbidden=NOT_MANAGERS),
    "useradmin:account-reset": Url({"POST": WRITE}, _account, scope=ACCOUNT_1101,
                                   forbidden=NOT_MANAGERS),
    "useradmin:account-active": Url({"POST": WRITE}, _account, scope=ACCOUNT_1101,
                                    forbidden=NOT_MANAGERS, data=lambda w: {"active": "0"}),
    "useradmin:role-grant": Url({"POST": WRITE}, _account, scope=ACCOUNT_1101,
                                forbidden=NOT_MANAGERS, data=_grant),
    "useradmin:role-revoke": Url({"POST": WRITE}, lambda w: {"pk": w.useradmin.role.pk},
                                 scope=ACCOUNT_1101, forbidden=NOT_MANAGERS),
    "useradmin:sheet": Url({"GET": READ}, lambda w: {"pk": w.useradmin.sheet.pk},
                           scope=frozenset({"staff"}), note="the issuer's own, shown once"),
}


def build(w):
    sheet = actions.create_account(username="acct1101", name="吴一支", kind="secretary",
                                   organization=w.d.b1, by=w.p.staff)
    from accounts.models import Role

    account = Role.objects.get(user__username="acct1101").user
    w.useradmin = SimpleNamespace(account=account, role=account.roles.get(), sheet=sheet)
