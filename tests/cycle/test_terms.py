"""Committees and their terms (interfaces.md §10): import_committees and committee_terms, on the
boundary days."""
import datetime

import pytest

from branches.models import Organization
from cycle.models import Committee
from tests.factories import make_member, make_org
from tests.helpers import run_json, write_xlsx

D = datetime.date
pytestmark = pytest.mark.django_db
HEADER = ["组织编码", "选举日期", "届期（年）", "书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员"]


def committees_file(tmp_path, rows, name="班子.xlsx"):
    return write_xlsx(tmp_path / name, [HEADER, *rows], title_rows=["各党组织委员会（班子）情况"])


def terms_on(day, org="1000"):
    status, result = run_json("committee_terms", "--org", org, "--on", day)
    assert status == 0
    return {row["code"]: row for row in result["organizations"]}


def test_a_community_branch_elected_2021_06_30_is_due_2026_06_30_and_flagged_from_new_year(district, tmp_path):
    make_member(district.b1, name="王书记")
    status, result = run_json("import_committees", str(committees_file(
        tmp_path, [["1101", "2021-06-30", None, "王书记", None, None, None, None, None]])))
    assert (status, result["created"], result["errors"]) == (0, 1, [])

    expected = {"code": "1101", "elected_on": "2021-06-30", "term_years": 5, "due_on": "2026-06-30"}
    assert terms_on("2025-12-31")["1101"] == {**expected, "status": "ok"}
    assert terms_on("2026-01-01")["1101"] == {**expected, "status": "ending"}
    assert terms_on("2026-06-30")["1101"] == {**expected, "status": "ending"}
    assert terms_on("2026-07-01")["1101"] == {**expected, "status": "overdue"}


def test_term_length_follows_kind_and_sector_unless_the_file_gives_it(district, tmp_path):
    office = make_org("1103", "机关党支部", Organization.Kind.BRANCH, district.c1, sector="government")
    general = make_org("1104", "社区党总支", Organization.Kind.GENERAL_BRANCH, district.c1,
                       sector="community")
    temporary = make_org("1105", "临时党支部", Organization.Kind.TEMPORARY_BRANCH, district.c1)
    rows = [
        ["1000", "2022-03-15", None, "甲", None, None, None, None, None],  # 党工委: 5
        ["1100", "2022-03-15", None, "乙", None, None, None, None, None],  # 党委: 5
        [office.code, "2022-03-15", None, None, None, None, None, None, None],  # 机关支部: 3
        [general.code, "2022-03-15", None, "丙", None, None, None, None, None],  # 党总支: 3
        ["1102", "2022-03-15", "3", None, None, None, None, None, None],  # given: 3
    ]
    status, result = run_json("import_committees", str(committees_file(tmp_path, rows)), "--org", "1000")
    assert (status, result["created"]) == (0, 5), result

    found = terms_on("2024-02-29")
    assert {code: found[code]["term_years"] for code in found if found[code]["status"] != "none"} == {
        "1000": 5, "1100": 5, office.code: 3, general.code: 3, "1102": 3}
    assert found[office.code]["due_on"] == "2025-03-15"
    assert found["1101"] == {"code": "1101", "elected_on": None, "term_years": None,
                             "due_on": None, "status": "none"}
    assert temporary.code not in found and "1101-1" not in found  # no committees there


def test_a_leap_day_election_is_due_on_the_last_day_of_february(district, tmp_path):
    run_json("import_committees", str(committees_file(
        tmp_path, [["1100", "2024-02-29", None, "乙", None, None, None, None, None]])))
    assert terms_on("2029-02-28")["1100"]["due_on"] == "2029-02-28"
    assert terms_on("2029-03-01")["1100"]["status"] == "overdue"


def test_a_later_election_starts_the_next_committee_and_keeps_the_chain(district, tmp_path):
    make_member(district.b1, name="王书记")
    make_member(district.b1, name="李书记")
    first = committees_file(tmp_path, [["1101", "2019-05-10", None, "王书记", None, None, None, None, None]],
                            name="a.xlsx")
    run_json("import_committees", str(first))
    second = committees_file(tmp_path, [["1101", "2024-05-10", None, "李书记", "王书记", None, None, None, None]],
                             name="b.xlsx")
    status, result = run_json("import_committees", str(second))
    assert (status, result["created"]) == (0, 1)

    assert run_json("import_committees", str(second))[1]["unchanged"] == 1
    latest = Committee.objects.get(organization=district.b1, elected_on=D(2024, 5, 10))
    assert latest.previous.elected_on == D(2019, 5, 10)
    assert [s.name for s in latest.seats.all()] == ["李书记", "王书记"]
    assert terms_on("2024-01-01")["1101"]["elected_on"] == "2019-05-10"  # the one then in force
    assert terms_on("2026-12-01")["1101"]["due_on"] == "2029-05-10"
    district.b1.refresh_from_db()
    assert district.b1.committee_elected_on == D(2024, 5, 10)


def test_bad_rows_are_refused_with_their_reasons_and_nothing_is_written(district, tmp_path):
    rows = [
        ["9999", "2022-01-01", None, "甲", None, None, None, None, None],
        ["1201", "2022-01-01", None, "甲", None, None, None, None, None],  # outside --org 1100
        ["1101", "2022-01-01", None, "不在册", None, None, None, None, None],
        ["1102", None, None, None, None, None, None, None, None],
        ["1101-1", "2022-01-01", None, None, None, None, None, None, None],
        ["1100", "2022-01-01", "八", "乙", None, None, None, None, None],
    ]
    status, result = run_json("import_committees", str(committees_file(tmp_path, rows)), "--org", "1100")
    assert status == 1 and Committee.objects.count() == 0
    messages = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert "不存在" in messages[(3, "组织编码")]
    assert "不在第一社区党委范围内" in messages[(4, "组织编码")]
    assert "不是第一社区第一党支部的党员" in messages[(5, "书记")]
    assert "选举日期不能为空" in messages[(6, "选举日期")]
    assert "不设委员会" in messages[(7, "组织编码")]
    assert "届期" in messages[(8, "届期（年）")]


def test_unknown_organization_or_bad_date_cannot_run(district):
    assert run_json("committee_terms", "--org", "nope")[0] == 2
    assert run_json("committee_terms", "--org", "1000", "--on", "2026/13/01")[0] == 2
