"""The organization picker's suggestions in the URL matrix (tests/matrix.py)."""
from tests.matrix import READ, Url

MATRIX = {
    "branches:org-pick": Url({"GET": READ}, query=lambda w: {"q": "支部"},
                             note="suggestions come from the user's own scope"),
}
