"""The roster's official-format downloads in the URL matrix (tests/matrix.py)."""
from tests.matrix import B1, READ, Url, org_param

MATRIX = {
    "members:official-export": Url({"GET": READ}, query=org_param(), scope=B1,
                                   note="full IDs for keepers (audited), masked for the auditor"),
    "members:official-org-export": Url({"GET": READ}, query=org_param(), scope=B1),
}
