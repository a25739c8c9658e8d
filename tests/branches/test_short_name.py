"""简称 (for the official 党组织 sheet): read by import_orgs, kept when the column is blank."""
import pytest

from branches.models import Organization
from tests.helpers import run_json, write_xlsx

pytestmark = pytest.mark.django_db
HEADER = ["组织编码", "组织名称", "组织简称", "上级组织编码", "组织类别"]


def test_import_reads_the_short_name_and_a_blank_cell_keeps_it(tmp_path):
    first = write_xlsx(tmp_path / "a.xlsx", [HEADER, ["3000", "示例街道党工委", "街道党工委", "", "党工委"]])
    assert run_json("import_orgs", str(first))[1]["created"] == 1
    assert Organization.objects.get(code="3000").short_name == "街道党工委"

    blank = write_xlsx(tmp_path / "b.xlsx", [HEADER, ["3000", "示例街道党工委", "", "", "党工委"]])
    status, result = run_json("import_orgs", str(blank))

    assert (status, result["unchanged"]) == (0, 1)
    assert Organization.objects.get(code="3000").short_name == "街道党工委"
    renamed = write_xlsx(tmp_path / "c.xlsx", [HEADER, ["3000", "示例街道党工委", "街道", "", "党工委"]])
    assert run_json("import_orgs", str(renamed))[1]["updated"] == 1
