"""import_orgs (interfaces.md §1.1) through the command, as an operator runs it."""

import pytest

from accounts.models import AuditLog
from branches.models import Organization
from tests.helpers import SAMPLES, run_command, run_json, write_csv, write_xlsx

SAMPLE = SAMPLES / "sample_orgs.xlsx"
HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类别", "单位性质"]

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_smoke
def test_sample_file_builds_the_tree_and_reimport_changes_nothing():
    status, result = run_json("import_orgs", str(SAMPLE))
    assert status == 0
    assert result == {"created": 6, "updated": 0, "unchanged": 0, "skipped": 0, "errors": [],
                      "warnings": []}
    group = Organization.objects.get(code="2101-1")
    assert group.kind == Organization.Kind.GROUP
    assert group.parent.code == "2101"
    assert group.path.startswith(Organization.objects.get(code="2000").path)
    top = Organization.objects.get(code="2000")
    assert Organization.objects.subtree(top).count() == 6
    assert Organization.objects.get(code="2200").kind == Organization.Kind.JOINT_BRANCH
    assert Organization.objects.get(code="2100").sector == Organization.Sector.COMMUNITY

    status, again = run_json("import_orgs", str(SAMPLE))
    assert status == 0
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 6)


def test_changed_name_is_an_update_and_moving_a_branch_rewrites_its_subtree(tmp_path):
    run_json("import_orgs", str(SAMPLE))
    moved = write_xlsx(tmp_path / "m.xlsx", [
        HEADER,
        ["2101", "示例第一社区党支部（更名）", "2000", "党支部", "社区"],
    ])
    status, result = run_json("import_orgs", str(moved))
    assert status == 0 and result["updated"] == 1
    branch = Organization.objects.get(code="2101")
    group = Organization.objects.get(code="2101-1")
    top = Organization.objects.get(code="2000")
    assert branch.name.endswith("（更名）")
    assert branch.parent == top and branch.depth == 1
    assert group.path.startswith(branch.path) and group.depth == 2
    assert not Organization.objects.subtree(Organization.objects.get(code="2100")).filter(
        code="2101-1").exists()


def test_title_rows_synonyms_and_columns_in_any_order(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [
        ["类别", "党组织名称", "编码", "上级党组织", "备注"],
        ["党委", "甲党委", "A1", None, "x"],
        ["党支部", "甲党委第一支部", "A11", "甲党委", None],
    ], title_rows=["XX党工委组织设置一览表", "（截至2026年9月30日）"])
    status, result = run_json("import_orgs", str(path))
    assert status == 0, result
    assert result["created"] == 2
    assert Organization.objects.get(code="A11").parent.code == "A1"
    assert any("备注" in w["message"] for w in result["warnings"])


def test_gbk_csv_is_read_without_asking(tmp_path):
    path = write_csv(tmp_path / "g.csv", [HEADER, ["G1", "某镇党委", "", "党委", "农村"]],
                     encoding="gb18030")
    status, result = run_json("import_orgs", str(path))
    assert status == 0 and result["created"] == 1
    assert Organization.objects.get(code="G1").name == "某镇党委"


@pytest.mark.parametrize(
    ("rows", "row", "column", "fragment"),
    [
        ([["C1", "甲", "C2", "党委", ""], ["C2", "乙", "C1", "党委", ""]], 2, "上级组织编码", "循环"),
        ([["C1", "甲", "NOPE", "党委", ""]], 2, "上级组织编码", "找不到上级组织"),
        ([["B1", "甲支部", "", "党支部", ""], ["B2", "乙支部", "B1", "党支部", ""]], 3,
         "上级组织编码", "支部不能再下设支部"),
        ([["P1", "甲党委", "", "党委", ""], ["G1", "小组", "P1", "党小组", ""]], 3,
         "上级组织编码", "党小组必须隶属于党支部"),
        ([["D1", "甲", "", "党委", ""], ["D1", "乙", "", "党委", ""]], 3, "组织编码", "重复"),
        ([["E1", "甲", "", "党小队", ""]], 2, "组织类别", "党支部"),
        ([["E2", "", "", "党委", ""]], 2, "组织名称", "不能为空"),
        ([["E3" * 11, "甲", "", "党委", ""]], 2, "组织编码", "20"),
    ],
)
def test_bad_trees_are_refused_with_row_numbers_and_nothing_is_written(
    tmp_path, rows, row, column, fragment
):
    path = write_xlsx(tmp_path / "bad.xlsx", [HEADER, *rows])
    status, result = run_json("import_orgs", str(path))
    assert status == 1
    assert Organization.objects.count() == 0
    assert any(
        e["row"] == row and e["column"] == column and fragment in e["message"]
        for e in result["errors"]
    ), result["errors"]


def test_branch_under_existing_branch_is_refused(tmp_path):
    run_json("import_orgs", str(SAMPLE))
    path = write_xlsx(tmp_path / "b.xlsx", [HEADER, ["2101-9", "新支部", "2101", "党支部", ""]])
    status, result = run_json("import_orgs", str(path))
    assert status == 1
    assert result["errors"][0]["row"] == 2
    assert not Organization.objects.filter(code="2101-9").exists()


def test_turning_a_branch_with_groups_into_a_committee_is_refused(tmp_path):
    run_json("import_orgs", str(SAMPLE))
    path = write_xlsx(tmp_path / "k.xlsx", [HEADER, ["2101", "示例第一社区党支部", "2100", "党委", ""]])
    status, result = run_json("import_orgs", str(path))
    assert status == 1
    assert "党小组" in result["errors"][0]["message"]


def test_org_option_limits_the_file_to_that_subtree(tmp_path):
    run_json("import_orgs", str(SAMPLE))
    path = write_xlsx(tmp_path / "s.xlsx", [
        HEADER,
        ["2103", "示例第三社区党支部", "", "党支部", "社区"],   # blank parent = the target
        ["2200", "改名", "2000", "联合党支部", ""],               # outside 2100
    ])
    status, result = run_json("import_orgs", str(path), "--org", "2100")
    assert status == 1
    assert result["errors"][0]["row"] == 3
    path.unlink()
    write_xlsx(path, [HEADER, ["2103", "示例第三社区党支部", "", "党支部", "社区"]])
    status, result = run_json("import_orgs", str(path), "--org", "2100")
    assert status == 0
    assert Organization.objects.get(code="2103").parent.code == "2100"


def test_files_that_cannot_be_read_exit_2_with_a_sentence(tmp_path):
    pdf = tmp_path / "orgs.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    status, out, err = run_command("import_orgs", str(pdf))
    assert status == 2
    assert "PDF" in err and "Traceback" not in err
    status, result = run_json("import_orgs", str(pdf))
    assert status == 2 and "PDF" in result["error"]
    status, out, err = run_command("import_orgs", str(tmp_path / "missing.xlsx"))
    assert status == 2 and "无法打开" in err
    status, out, err = run_command("import_orgs", str(SAMPLE), "--org", "9999")
    assert status == 2 and "9999" in err


def test_import_is_audited(tmp_path):
    run_json("import_orgs", str(SAMPLE))
    entry = AuditLog.objects.get(action="org.import")
    assert entry.detail["created"] == 6


def test_errors_name_a_wrapped_header_on_one_line(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", [
        ["组织\n编码", "组织名称", "上级组织编码", "组织类别"],
        ["W1", "甲", "", "党小队"],
    ])
    status, result = run_json("import_orgs", str(path))
    assert status == 1
    assert result["errors"][0]["column"] == "组织类别"
    path = write_xlsx(tmp_path / "w2.xlsx", [
        ["组织编码", "组织名称", "上级组织编码", "组织\n类别"],
        ["W1", "甲", "", "党小队"],
    ])
    status, result = run_json("import_orgs", str(path))
    assert result["errors"][0]["column"] == "组织类别"
