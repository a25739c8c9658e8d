"""The yearly statistics pages in the URL matrix (tests/matrix.py)."""
from tests.matrix import B1, READ, Url, org_param

MATRIX = {
    "stats:year": Url({"GET": READ}, query=org_param(), scope=B1),
    "stats:year-workbook": Url({"GET": READ}, query=org_param(), scope=B1),
}
