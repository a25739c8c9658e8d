"""docs/metrics.md's worked example is what compile_report prints on the sample data."""
import json
import re
from pathlib import Path

import pytest

from tests.helpers import SAMPLES, run_command

ROOT = Path(__file__).resolve().parents[2]
DATA = SAMPLES
MARKER = "<!-- compile_report 2026Q3 --org 2000 --json -->"


def documented_json() -> dict:
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    after = text.split(MARKER, 1)[1]
    block = re.search(r"```json\n(.*?)\n```", after, re.S).group(1)
    return json.loads(block)


@pytest.mark.django_db
def test_the_worked_example_in_docs_metrics_is_the_commands_exact_output():
    for args in (
        ["import_orgs", str(DATA / "sample_orgs.xlsx")],
        ["import_members", str(DATA / "sample_roster.xlsx"), "--org", "2000"],
        ["import_meetings", str(DATA / "sample_meetings.xlsx"), "--org", "2000"],
    ):
        status, out, err = run_command(*args)
        assert status == 0, (args, out, err)

    status, out, err = run_command("compile_report", "2026Q3", "--org", "2000", "--json")

    assert status == 0, err
    assert json.loads(out) == documented_json()
