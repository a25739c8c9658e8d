"""party_stats (interfaces.md §6) on a year holding every kind of event, against hand counts.

The district (tests/factories.py): 党工委 1000 → 党委 1100 (支部 1101, 1102) and 党委 1200 (支部
1201). Every change goes through members.actions, as the pages record it.
"""
import datetime
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse

from members import actions
from members.models import Member
from stats.figures import membership_change, structure
from tests.factories import make_member, valid_id_number
from tests.helpers import run_command, run_json

D = datetime.date
KEYS = ["year", "org", "start", "joined", "transferred_in", "restored", "died", "left",
        "transferred_out", "stopped", "end"]


@pytest.fixture
def history(district, personas):
    """Members of 1100 at the end of 2024 and what happened to them in 2025 (and one 2026 move)."""
    d, by = district, personas.staff
    m = SimpleNamespace()
    m.a1, m.a2 = make_member(d.b1, name="甲一"), make_member(d.b1, name="甲二")
    m.a3 = make_member(d.b1, name="甲三", birth=D(1994, 12, 31), joined=D(2015, 7, 1))
    m.b1 = make_member(d.b2, name="乙一")
    m.p = make_member(d.b1, name="预备丙", category="probationary", joined=D(2024, 6, 1))
    m.p2 = make_member(d.b1, name="预备丁", category="probationary", joined=D(2024, 1, 10))
    m.c = make_member(d.b1, name="停后恢复", male=False)
    actions.suspend(m.c, on=D(2023, 5, 1), by=by)
    m.dd = make_member(d.b1, name="停后出党")
    actions.suspend(m.dd, on=D(2024, 3, 1), by=by)
    m.x = make_member(d.b3, name="外来戊")
    m.n2 = make_member(d.b2, name="新己", male=False, category="probationary", joined=D(2025, 7, 1))
    m.n3 = make_member(d.b1, name="新庚", category="probationary", joined=D(2025, 2, 1))

    # 2025
    actions.confirm(m.p2, on=D(2025, 1, 10), by=by)
    actions.leave(m.dd, on=D(2025, 2, 1), by=by)  # was not 正常: no outflow
    m.n1 = actions.create_member(
        {"name": "新辛", "id_number": valid_id_number(D(1990, 3, 3)), "category": "预备党员",
         "joined_on": "2025-03-01"}, branch=d.b1, by=by)
    actions.transfer_member(m.x, d.b1, on=D(2025, 4, 1), by=by)  # 1201 → 1101
    actions.transfer_member(m.a3, d.b2, on=D(2025, 5, 1), by=by)  # inside 1100
    actions.restore(m.c, on=D(2025, 6, 1), by=by)
    actions.transfer_member(m.n3, d.b3, on=D(2025, 6, 15), by=by)  # 1101 → 1201
    actions.decease(m.a1, on=D(2025, 8, 1), by=by)
    actions.leave(m.a2, on=D(2025, 9, 1), by=by)
    actions.transfer_member(m.b1, d.b3, on=D(2025, 10, 1), by=by)  # 1102 → 1201
    actions.suspend(m.p, on=D(2025, 11, 1), by=by)
    # 2026: not part of 2025
    actions.transfer_member(m.a3, d.b3, on=D(2026, 1, 15), by=by)
    return m


# Hand counts. 1100 starts 2025 with 甲一 甲二 甲三 乙一 预备丙 预备丁 (6); joins 新辛 新己 新庚; 外来戊
# comes from 1201; 停后恢复 is restored; 甲一 dies, 甲二 leaves; 乙一 and 新庚 go to 1201; 预备丙 is
# stopped; 甲三's move 1101 → 1102 stays inside. Ends with 甲三 预备丁 新辛 新己 外来戊 停后恢复 (6).
EXPECTED = {
    "1100": dict(start=6, joined=3, transferred_in=1, restored=1, died=1, left=1,
                 transferred_out=2, stopped=1, end=6),
    # 1101 alone: 甲三's move to 1102 is a 转出; 新己 joined 1102.
    "1101": dict(start=5, joined=2, transferred_in=1, restored=1, died=1, left=1,
                 transferred_out=2, stopped=1, end=4),
    "1102": dict(start=1, joined=1, transferred_in=1, restored=0, died=0, left=0,
                 transferred_out=1, stopped=0, end=2),
    "1201": dict(start=1, joined=0, transferred_in=2, restored=0, died=0, left=0,
                 transferred_out=1, stopped=0, end=2),
    # The whole 党工委: every transfer stays inside.
    "1000": dict(start=7, joined=3, transferred_in=0, restored=1, died=1, left=1,
                 transferred_out=0, stopped=1, end=8),
}


def identity(figures: dict) -> bool:
    return (figures["start"] + figures["joined"] + figures["transferred_in"] + figures["restored"]
            - figures["died"] - figures["left"] - figures["transferred_out"] - figures["stopped"]
            == figures["end"])


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_party_stats_matches_the_hand_counts_and_the_identity(code, history):
    status, figures = run_json("party_stats", "2025", "--org", code)

    assert status == 0
    assert list(figures) == KEYS
    assert figures == {"year": 2025, "org": code, **EXPECTED[code]}
    assert identity(figures)


def test_the_next_year_starts_where_the_year_ended(history, district):
    change = membership_change(district.c1, 2026)

    assert change.start == EXPECTED["1100"]["end"]
    assert (change.transferred_out, change.end) == (1, 5)  # 甲三 left for 1201 in January
    assert change.balanced


def test_a_move_inside_the_subtree_is_counted_as_such(history, district):
    assert membership_change(district.c1, 2025).moved_inside == 1
    assert membership_change(district.top, 2025).moved_inside == 4


def test_periods_opened_or_closed_without_a_recorded_cause_are_transfers(district):
    from members.models import Membership

    arrived = make_member(district.b1, name="后登记", since=D(2025, 3, 3))  # joined 2005
    gone = make_member(district.b1, name="手工改")
    Membership.objects.filter(member=gone).update(ended_on=D(2025, 5, 5))

    figures = membership_change(district.b1, 2025)

    assert (figures.start, figures.transferred_in, figures.transferred_out, figures.end) == (1, 1, 1, 1)
    assert figures.joined == 0 and figures.balanced
    assert Member.objects.filter(pk__in=[arrived.pk, gone.pk]).count() == 2


def test_structure_tables_break_down_the_start_and_end_rosters(history, district):
    change = membership_change(district.c1, 2025)
    tables = {t.key: t for t in structure(district.c1, 2025)}

    assert list(tables) == ["sex", "age", "ethnicity", "education", "party_age", "sector", "category"]
    for table in tables.values():
        assert table.checks(change), table.key
    assert tables["category"].rows == [("正式党员", 4, 4), ("预备党员", 2, 2)]
    assert tables["sex"].rows == [("男", 6, 4), ("女", 0, 2)]
    ages = {name: (start, end) for name, start, end in tables["age"].rows}
    assert ages["30岁及以下"] == (1, 0)  # 甲三 turns 31 on 12-31 …
    assert ages["31—35岁"] == (0, 2)  # … and joins 新辛 (born 1990-03-03)
    party_ages = {name: end for name, _start, end in tables["party_age"].rows}
    assert party_ages["预备党员（不计党龄）"] == 2 and party_ages["不满5年"] == 1  # 预备丁 confirmed 2025
    assert tables["sector"].rows == [("社区", 6, 6)]


def test_bad_arguments_exit_2_without_a_traceback(district):
    for args, words in ((["20x5", "--org", "1100"], "四位数字"),
                        (["2999", "--org", "1100"], "之间"),
                        (["2025", "--org", "nope"], "找不到")):
        status, out = run_json("party_stats", *args)
        assert status == 2 and words in out["error"]
    status, _out, err = run_command("party_stats", "2025", "--org", "nope")
    assert status == 2 and "找不到" in err


def test_the_page_shows_the_year_with_its_checks_and_the_workbook_holds_the_same(
        history, personas, client):
    client.force_login(personas.admin)

    page = client.get(reverse("stats:year"), {"org": "1100", "year": "2025"}).content.decode()

    assert "核对相符" in page and "核对不符" not in page
    assert "年初 6 + 增加 5 − 减少 5 = 年末 6" in page
    response = client.get(reverse("stats:year-workbook"), {"org": "1100", "year": "2025"})
    book = openpyxl.load_workbook(__import__("io").BytesIO(response.content))
    assert book.sheetnames == ["党员增减", "性别", "年龄", "民族", "学历", "党龄", "单位性质", "人员类别"]
    rows = {r[0]: r[1] for r in book["党员增减"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["年初党员数"] == 6 and rows["增加：发展党员"] == 3 and rows["年末党员数"] == 6
    assert rows["减少：转出"] == 2


@pytest.mark.parametrize("persona, status", [("secretary", 200), ("other_secretary", 404),
                                             ("auditor", 200), ("outsider", 404)])
def test_the_page_follows_the_scope(persona, status, history, personas, client):
    client.force_login(getattr(personas, persona))

    assert client.get(reverse("stats:year"), {"org": "1101", "year": "2025"}).status_code == status
    assert client.get(reverse("stats:year-workbook"), {"org": "1101"}).status_code == status


def test_a_year_out_of_range_falls_back_to_this_year(district, personas, client):
    client.force_login(personas.staff)

    for year in ("abc", "1800", "9999", ""):
        response = client.get(reverse("stats:year"), {"org": "1000", "year": year})
        assert response.status_code == 200
        assert response.context["year"] == datetime.date.today().year


def test_the_page_issues_the_same_queries_however_many_members_and_events(
        history, district, personas, client, django_assert_max_num_queries):
    client.force_login(personas.staff)
    params = {"org": "1000", "year": "2025"}
    client.get(reverse("stats:year"), params)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("stats:year"), params)
    for i in range(30):
        member = make_member(district.b2, name=f"增{i}", joined=D(2025, 3, 1), category="probationary")
        actions.transfer_member(member, district.b1, on=D(2025, 9, 1), by=personas.staff)

    with django_assert_max_num_queries(20) as many:
        client.get(reverse("stats:year"), params)

    assert len(many.captured_queries) == len(few.captured_queries)
