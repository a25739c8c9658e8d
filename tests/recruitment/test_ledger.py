"""The ledger import (interfaces.md §4.1): rows, errors, members made, re-imports unchanged."""
import datetime

import pytest

from members.models import Member
from recruitment.models import Applicant, Step, Violation
from tests.factories import make_member
from tests.recruitment.builders import (
    HEADER,
    check,
    import_ledger,
    ledger_file,
    new_id,
    row,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_row_makes_a_person_with_their_steps_and_a_reimport_changes_nothing(district, tmp_path):
    pid = new_id()
    path = ledger_file(tmp_path, [row(pid, applied="2025-01-10", talk="2025-02-01",
                                      activist="2025-03-01", mentors="张三、李四")])

    status, result = import_ledger(path)

    assert status == 0
    assert set(result) == {"created", "updated", "unchanged", "skipped", "errors", "warnings"}
    assert (result["created"], result["errors"]) == (1, [])
    person = Applicant.objects.get(id_number=pid)
    assert person.stage == "activist" and person.branch == district.b1
    assert dict(person.steps.values_list("step", "date")) == {
        "applied": D(2025, 1, 10), "talk": D(2025, 2, 1), "activist": D(2025, 3, 1),
        "mentors": D(2025, 3, 1)}
    assert list(person.people.values_list("name", flat=True)) == ["张三", "李四"]
    assert import_ledger(path)[1]["unchanged"] == 1
    assert Applicant.objects.count() == 1 and Step.objects.count() == 4


def test_a_later_file_updates_the_same_person_and_a_blank_cell_keeps_the_step(district, tmp_path):
    pid = new_id()
    import_ledger(ledger_file(tmp_path, [row(pid, talk="2025-02-01")]))

    status, result = import_ledger(ledger_file(tmp_path, [row(pid, talk=None,
                                                               activist="2025-04-01")]))

    assert (status, result["updated"], result["created"]) == (0, 1, 0)
    person = Applicant.objects.get(id_number=pid)
    assert person.stage == "activist"
    assert person.steps.get(step="talk").date == D(2025, 2, 1)


@pytest.mark.parametrize("dates, later, earlier", [
    ({"talk": "2025-01-09"}, "谈话日期", "申请入党日期"),
    ({"talk": "2025-02-01", "activist": "2025-01-31"}, "确定积极分子日期", "谈话日期"),
    ({"activist": "2025-03-01", "candidate": "2025-02-28"}, "确定发展对象日期", "确定积极分子日期"),
    ({"candidate": "2026-03-01", "congress": "2026-02-01"}, "支部大会讨论日期", "确定发展对象日期"),
    ({"congress": "2026-05-01", "approval": "2026-04-30"}, "上级党委审批日期", "支部大会讨论日期"),
    ({"congress": "2026-05-01", "approval": "2026-06-01", "oath": "2026-05-31"}, "入党宣誓日期",
     "上级党委审批日期"),
    ({"activist": "2025-01-09"}, "确定积极分子日期", "申请入党日期"),  # a gap: the one before it
])
def test_a_date_out_of_order_is_a_row_error_naming_both_columns(district, tmp_path, dates, later,
                                                                 earlier):
    path = ledger_file(tmp_path, [row(new_id(), applied="2025-01-10", **dates)])

    status, result = import_ledger(path)

    assert status == 1
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(2, later)]
    assert earlier in result["errors"][0]["message"] and later in result["errors"][0]["message"]
    assert not Applicant.objects.exists()


def test_the_same_day_twice_is_in_order(district, tmp_path):
    path = ledger_file(tmp_path, [row(new_id(), applied="2025-01-10", talk="2025-01-10")])
    assert import_ledger(path)[0] == 0


@pytest.mark.parametrize("applied, ok", [("2025-05-19", False), ("2025-05-20", True)])
def test_min_age_is_eighteen_full_years_on_the_application_day(district, tmp_path, applied, ok):
    pid = new_id(birth=D(2007, 5, 20))
    status, result = import_ledger(ledger_file(tmp_path, [row(pid, applied=applied)]))
    assert status == (0 if ok else 1)
    if not ok:
        assert result["errors"][0]["column"] == "申请入党日期"
        assert "18" in result["errors"][0]["message"]


def test_min_age_for_a_leap_day_birth(district, tmp_path):
    pid = new_id(birth=D(2008, 2, 29))
    assert import_ledger(ledger_file(tmp_path, [row(pid, applied="2026-02-27")]))[0] == 1
    assert import_ledger(ledger_file(tmp_path, [row(pid, applied="2026-02-28")]))[0] == 0


def test_a_missing_application_date_is_a_row_error(district, tmp_path):
    status, result = import_ledger(ledger_file(tmp_path, [row(new_id(), applied=None)]))
    assert status == 1 and result["errors"][0]["column"] == "申请入党日期"


def test_month_only_dates_are_the_first_with_one_warning(district, tmp_path):
    pid = new_id()
    path = ledger_file(tmp_path, [row(pid, applied="2025.1", activist="2025年3月"),
                                  row(new_id(), applied="2025-02")])

    status, result = import_ledger(path)

    assert status == 0 and result["created"] == 2
    assert Applicant.objects.get(id_number=pid).steps.get(step="activist").date == D(2025, 3, 1)
    warned = {w["column"]: w["message"] for w in result["warnings"]}
    assert "第 2、3 行" in warned["申请入党日期"] and "第 2 行" in warned["确定积极分子日期"]


def test_approval_makes_the_probationary_member_since_the_branch_congress(district, tmp_path):
    pid = new_id()
    path = ledger_file(tmp_path, [row(pid, applied="2023-01-10", talk="2023-02-01",
                                      activist="2023-03-01", candidate="2024-03-01", hours=24,
                                      congress="2024-06-01", approval="2024-07-15",
                                      oath="2024-07-20")])

    status, result = import_ledger(path)

    assert (status, result["created"]) == (0, 1)
    member = Member.objects.get(id_number=pid)
    assert (member.category, member.joined_on, member.branch) == ("probationary", D(2024, 6, 1),
                                                                  district.b1)
    assert Applicant.objects.get(id_number=pid).member == member
    assert import_ledger(path)[1]["unchanged"] == 1
    assert Member.objects.count() == 1


def test_approval_finds_the_member_already_on_the_roster(district, tmp_path):
    member = make_member(district.b1, name="赵预备", category="probationary",
                         joined=D(2025, 6, 1))
    path = ledger_file(tmp_path, [row(member.id_number, name="赵预备", applied="2023-01-10",
                                      activist="2023-03-01", candidate="2024-03-01", hours=30,
                                      congress="2025-06-01", approval="2025-07-01")])

    assert import_ledger(path)[0] == 0
    assert Applicant.objects.get().member == member and Member.objects.count() == 1


def test_approval_for_a_member_of_another_branch_is_a_transfer_error(district, tmp_path):
    member = make_member(district.b3, name="周外支", category="probationary", joined=D(2025, 6, 1))
    path = ledger_file(tmp_path, [row(member.id_number, name="周外支", applied="2023-01-10",
                                      congress="2025-06-01", approval="2025-07-01")])
    status, result = import_ledger(path)
    assert status == 1 and "组织关系转接" in result["errors"][0]["message"]


def test_approval_without_the_congress_date_is_a_row_error(district, tmp_path):
    path = ledger_file(tmp_path, [row(new_id(), applied="2023-01-10", approval="2025-07-01")])
    status, result = import_ledger(path)
    assert status == 1 and result["errors"][0]["column"] == "支部大会讨论日期"


def test_a_member_is_not_an_applicant(district, tmp_path):
    member = make_member(district.b1, name="老党员")
    status, result = import_ledger(ledger_file(tmp_path, [row(member.id_number, name="老党员")]))
    assert status == 1 and "已是党员" in result["errors"][0]["message"]


def test_all_or_nothing_unless_skip_invalid(district, tmp_path):
    good, bad = row(new_id()), row(new_id(), talk="2024-01-01")
    path = ledger_file(tmp_path, [good, bad])

    assert import_ledger(path)[0] == 1
    assert not Applicant.objects.exists()
    status, result = import_ledger(path, "1000", "--skip-invalid")
    assert (status, result["created"], result["skipped"]) == (0, 1, 1)
    assert [e["row"] for e in result["errors"]] == [3]


def test_dry_run_writes_nothing(district, tmp_path):
    status, result = import_ledger(ledger_file(tmp_path, [row(new_id())]), "1000", "--dry-run")
    assert (status, result["created"]) == (0, 1) and not Applicant.objects.exists()


def test_the_file_rules_of_section_one_hold(district, tmp_path):
    """A title row above the header, synonyms, unknown columns, a 合计 row, GBK CSV."""
    header = ["序号", "姓名", "身份证号", "培养党支部", "递交申请书日期", "党组织派人谈话日期", "备注"]
    pid = new_id()
    rows = [{"序号": 1, "姓名": "王 小明", "身份证号": pid, "培养党支部": "第一社区第一党支部",
             "递交申请书日期": "2025年1月10日", "党组织派人谈话日期": "2025/2/1", "备注": "x"},
            {"序号": "合计：1人"}]
    status, result = import_ledger(ledger_file(tmp_path, rows, header=header,
                                               title_rows=["XX党委发展党员工作台账"]))
    assert (status, result["created"]) == (0, 1), result
    assert any("备注" in w["message"] for w in result["warnings"])
    assert Applicant.objects.get(id_number=pid).name == "王小明"

    csv_path = tmp_path / "gbk.csv"
    from tests.members.builders import csv_bytes
    from tests.recruitment.builders import table
    csv_path.write_bytes(csv_bytes(table([row(new_id(), name="李华")]), encoding="gbk"))
    assert import_ledger(csv_path)[1]["created"] == 1


def test_a_numeric_id_cell_is_an_error_asking_for_text(district, tmp_path):
    path = ledger_file(tmp_path, [row(1.10101199505201e17)])
    status, result = import_ledger(path)
    assert status == 1 and result["errors"][0]["column"] == "公民身份号码"
    assert "文本" in result["errors"][0]["message"]


def test_a_branch_outside_the_target_is_a_row_error(district, tmp_path):
    status, result = import_ledger(ledger_file(tmp_path, [row(new_id(), branch="1201")]), "1100")
    assert status == 1 and result["errors"][0]["column"] == "所在党支部"


def test_an_unknown_org_exits_two(district, tmp_path):
    status, result = import_ledger(ledger_file(tmp_path, [row(new_id())]), "9999")
    assert status == 2 and "9999" in result["errors"][0]["message"]


def test_an_unreadable_file_exits_two(district, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"<html><body>not a workbook</body></html>")
    status, result = import_ledger(path)
    assert status == 2 and result["errors"][0]["message"]


def test_violations_are_recorded_on_import(district, tmp_path):
    pid = new_id()
    import_ledger(ledger_file(tmp_path, [row(pid, applied="2025-01-31", talk="2025-03-01",
                                             activist="2025-03-05", candidate="2026-03-04")]))

    assert set(Violation.objects.values_list("rule", flat=True)) == {"talk_within", "activist_min"}
    result = check(on="2026-04-01")[1]
    assert {v["rule"] for v in result["people"][0]["violations"]} == {"talk_within", "activist_min"}


def test_header_without_the_application_column_is_refused(district, tmp_path):
    header = [h for h in HEADER if h != "申请入党日期"]
    status, result = import_ledger(ledger_file(tmp_path, [row(new_id())], header=header))
    assert status == 2 and "申请入党日期" in result["errors"][0]["message"]
