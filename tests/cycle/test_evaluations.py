"""民主评议党员 (interfaces.md §10): import_evaluations refuses what the rules forbid, and
evaluation_summary counts on the roster of 12-31."""
import datetime

import pytest

from cycle.models import Evaluation
from tests.factories import make_member
from tests.helpers import run_json, write_xlsx

D = datetime.date
pytestmark = pytest.mark.django_db
HEADER = ["序号", "姓名", "公民身份号码", "评议结果", "处理意见", "理由"]


def ratings_file(tmp_path, rows, name="评议.xlsx"):
    body = [[i + 1, *row] for i, row in enumerate(rows)]
    return write_xlsx(tmp_path / name, [HEADER, *body], title_rows=["2025年度民主评议党员结果"])


def row(member, result, follow_up=None, reason=None):
    return [member.name, member.id_number, result, follow_up, reason]


def import_ratings(path, org="1100", year="2025"):
    return run_json("import_evaluations", str(path), "--org", org, "--year", year)


def members(branch, n, prefix="党员"):
    return [make_member(branch, name=f"{prefix}{chr(0x4e00 + i)}") for i in range(n)]


def test_ratings_are_imported_and_a_reimport_changes_nothing(district, tmp_path):
    people = members(district.b1, 6)
    path = ratings_file(tmp_path, [row(people[0], "优秀"), row(people[1], "优秀"),
                                   row(people[2], "合格"), row(people[3], "基本合格"),
                                   row(people[4], "不合格", "限期改正", "长期不参加组织生活"),
                                   row(people[5], "合格")])
    status, result = import_ratings(path)  # 6 rated: ⌊6 / 3⌋ = 2 优秀 allowed
    assert (status, result["created"], result["errors"]) == (0, 6, []), result
    assert import_ratings(path)[1]["unchanged"] == 6
    assert Evaluation.objects.get(member=people[4]).follow_up == "correct"


def test_more_excellent_than_a_third_refuses_the_first_row_over_the_limit(district, tmp_path):
    people = members(district.b1, 7)
    rows = [row(people[0], "优秀"), row(people[1], "优秀"), row(people[2], "优秀"),
            *(row(p, "合格") for p in people[3:])]
    status, result = import_ratings(ratings_file(tmp_path, rows))

    assert status == 1 and Evaluation.objects.count() == 0
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(5, "评议结果")]
    assert "参加评定 7 人，优秀最多 2 人" in result["errors"][0]["message"]


def test_the_limit_is_per_branch(district, tmp_path):
    first, second = members(district.b1, 3, "甲"), members(district.b2, 3, "乙")
    rows = [row(first[0], "优秀"), row(first[1], "合格"), row(first[2], "合格"),
            row(second[0], "优秀"), row(second[1], "合格"), row(second[2], "合格")]
    status, result = import_ratings(ratings_file(tmp_path, rows))
    assert (status, result["created"]) == (0, 6), result


def test_a_probationary_member_takes_part_but_is_not_rated(district, tmp_path):
    full = members(district.b1, 2)
    probationary = make_member(district.b1, name="预备甲", category="probationary",
                               joined=D(2025, 7, 1))
    confirmed_later = make_member(district.b1, name="转正乙", joined=D(2025, 3, 1),
                                  confirmed_on=D(2026, 3, 1))
    rows = [row(full[0], "合格"), row(probationary, "合格"), row(confirmed_later, "合格")]
    status, result = import_ratings(ratings_file(tmp_path, rows))

    assert status == 1 and Evaluation.objects.count() == 0
    errors = {e["row"]: e["message"] for e in result["errors"]}
    assert set(errors) == {4, 5}
    assert "预备党员参加民主评议，但不评定等次" in errors[4]


def test_unqualified_needs_a_follow_up_and_a_reason(district, tmp_path):
    a, b = members(district.b1, 2)
    rows = [row(a, "不合格", None, "理由"), row(b, "不合格", "劝退", None)]
    status, result = import_ratings(ratings_file(tmp_path, rows))

    assert status == 1
    assert {(e["row"], e["column"]) for e in result["errors"]} == {(3, "处理意见"), (4, "理由")}
    assert all("不合格" in e["message"] for e in result["errors"])


def test_members_outside_the_subtree_and_unknown_values_are_row_errors(district, tmp_path):
    inside = members(district.b1, 1)[0]
    outside = make_member(district.b3, name="外支部")
    rows = [row(inside, "很好"), row(outside, "合格"), [inside.name, inside.id_number, "合格", "批评", None]]
    status, result = import_ratings(ratings_file(tmp_path, rows))
    assert status == 1
    messages = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert "不是可选的值" in messages[(3, "评议结果")]
    assert "第一社区党委的党员中没有此公民身份号码" in messages[(4, "公民身份号码")]
    assert "处理意见" in messages[(5, "处理意见")]


def test_bad_arguments_cannot_run(district, tmp_path):
    path = ratings_file(tmp_path, [])
    assert import_ratings(path, org="nope")[0] == 2
    assert import_ratings(path, year="2999")[0] == 2


def test_summary_counts_the_roster_of_12_31_and_names_nobody(district, tmp_path):
    people = members(district.b1, 6)
    make_member(district.b1, name="预备丙", category="probationary", joined=D(2025, 9, 1))
    make_member(district.b1, name="新来", since=D(2026, 1, 1))  # joined the branch after the year
    left = make_member(district.b2, name="年底转走", until=D(2025, 12, 31))  # gone on 12-31
    import_ratings(ratings_file(tmp_path, [row(people[0], "优秀"), row(people[1], "合格"),
                                           row(people[2], "不合格", "除名", "理由")]))

    status, result = run_json("evaluation_summary", "2025", "--org", "1100")

    assert status == 0
    assert result["year"] == 2025 and result["org"] == "1100"
    by_code = {b["code"]: b for b in result["branches"]}
    assert by_code["1101"] == {"code": "1101", "members": 7, "rated": 3, "excellent": 1,
                               "qualified": 1, "basically_qualified": 0, "unqualified": 1,
                               "not_rated": 4}
    assert by_code["1102"]["members"] == 0 and left.name not in str(result)
    assert result["summary"] == {"members": 7, "rated": 3, "excellent": 1, "qualified": 1,
                                 "basically_qualified": 0, "unqualified": 1, "not_rated": 4}
    assert people[0].name not in str(result)
