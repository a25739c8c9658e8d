"""The yearly requirements (组织生活会, 民主评议党员) beside the quarterly ones: versions in force by
year, exemptions, and the yearly figure per branch on the year page."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditLog
from activities.models import Meeting
from branches.models import Organization
from core.registry import site
from cycle import actions, yearly
from cycle.models import YearlyExemption, YearlyRequirement
from tests.activities.conftest import record_meeting
from tests.factories import make_member, make_org

D = datetime.date
TODAY = datetime.date.today()
THIS_YEAR = TODAY.year
YEAR = THIS_YEAR - 1  # a year that is over
NOVEMBER = D(YEAR, 11, 20)
pytestmark = pytest.mark.django_db

LIFE, REVIEW = "life_meeting", "democratic_review"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def figure_of(branch, year=YEAR):
    return {f.branch.code: f for f in yearly.figures(branch.parent, year).branches}[branch.code]


def hold(org, by, *kinds, day=NOVEMBER, submit=True):
    return record_meeting(org, by, kinds=kinds, day=day, submit=submit, topic="年度会议")


def hold_in_group(group, by, *kinds, day=NOVEMBER):
    """A 组织生活会 on a 党小组's record: the meeting form refuses it today, but records kept
    before that rule (and ledgers imported from them) hold some."""
    meeting = hold(group.parent, by, *kinds, day=day)
    Meeting.objects.filter(pk=meeting.pk).update(organization=group)
    return meeting


@pytest.fixture
def members(district):
    return [make_member(district.b1, name="甲一支"), make_member(district.b2, name="乙二支")]


# ------------------------------------------------------------------------- the figure

def test_both_meetings_in_one_sitting_meet_both_requirements(district, personas, members):
    hold(district.b1, personas.secretary, LIFE, REVIEW)

    found = yearly.figures(district.c1, YEAR)

    b1, b2 = found.branches
    assert (b1.applicable, b1.met, b1.exempt, b1.compliant) == (2, 2, 0, True)
    assert (b2.applicable, b2.met, b2.compliant) == (2, 0, False)
    assert found.summary() == {"branches": 2, "compliant_branches": 1, "compliance_rate": 0.5}
    assert b1.as_json()["requirements"][LIFE] == {"times": 1, "held": 1, "met": True}


def test_a_life_meeting_held_in_the_party_group_counts_for_its_branch(district, personas, members):
    hold_in_group(district.g1, personas.secretary, LIFE)
    hold(district.b1, personas.secretary, REVIEW)

    assert figure_of(district.b1).compliant


def test_a_draft_and_a_meeting_of_another_year_do_not_count(district, personas, members):
    hold(district.b1, personas.secretary, LIFE, REVIEW, submit=False)
    hold(district.b1, personas.secretary, LIFE, REVIEW, day=D(YEAR + 1, 1, 1))
    hold(district.b1, personas.secretary, LIFE, REVIEW, day=D(YEAR - 1, 12, 31))

    figure = figure_of(district.b1)
    assert [r.held for r in figure.requirements] == [0, 0] and not figure.compliant


def test_the_last_day_of_the_year_counts(district, personas, members):
    hold(district.b1, personas.secretary, LIFE, REVIEW, day=D(YEAR, 12, 31))

    assert figure_of(district.b1).compliant


def test_a_branch_founded_mid_year_is_counted_and_one_dissolved_or_founded_later_is_not(
        district, personas):
    K = Organization.Kind
    young = make_org("1103", "年中新建党支部", K.BRANCH, district.c1, founded_on=D(YEAR, 7, 1))
    make_org("1104", "年内撤销党支部", K.BRANCH, district.c1, dissolved_on=D(YEAR, 12, 31))
    make_org("1105", "次年成立党支部", K.BRANCH, district.c1, founded_on=D(YEAR + 1, 1, 1))
    hold(young, personas.staff, LIFE, REVIEW, day=D(YEAR, 12, 1))

    codes = [f.branch.code for f in yearly.figures(district.c1, YEAR).branches]

    assert codes == ["1101", "1102", "1103"]
    assert figure_of(young).compliant


# ------------------------------------------------------------------------- rule versions

def test_a_version_changes_the_requirement_from_its_year_and_earlier_years_keep_theirs(
        district, personas, members):
    YearlyRequirement.objects.create(key=LIFE, effective_from=YEAR, times=2)
    YearlyRequirement.objects.create(key=REVIEW, effective_from=YEAR, enabled=False)
    for year in (YEAR - 1, YEAR):
        hold(district.b1, personas.secretary, LIFE, REVIEW, day=D(year, 12, 1))

    before, after = figure_of(district.b1, YEAR - 1), figure_of(district.b1, YEAR)

    assert before.compliant and before.applicable == 2
    assert [(r.times, r.held, r.met) for r in after.requirements] == [(2, 1, False), (0, 1, False)]
    assert after.applicable == 1 and not after.compliant
    assert after.as_json()["requirements"][REVIEW] is None  # off: not applicable


def test_staff_save_a_version_from_this_year_and_a_past_year_is_refused(district, personas):
    actions.save_yearly_requirement(key=LIFE, effective_from=THIS_YEAR + 1, enabled=True, times=2,
                                    by=personas.staff)

    assert yearly.rules_in_force(THIS_YEAR)[LIFE].times == 1
    assert yearly.rules_in_force(THIS_YEAR + 1)[LIFE].times == 2
    assert AuditLog.objects.filter(action=actions.YEARLY_REQUIREMENT_SAVED).count() == 1
    with pytest.raises(ValidationError, match="不能修改已经过去的年度"):
        actions.save_yearly_requirement(key=LIFE, effective_from=THIS_YEAR - 1, enabled=True,
                                        times=1, by=personas.staff)
    with pytest.raises(PermissionDenied):
        actions.save_yearly_requirement(key=LIFE, effective_from=THIS_YEAR, enabled=True, times=1,
                                        by=personas.admin)


def test_the_data_migration_holds_the_first_versions():
    rows = set(YearlyRequirement.objects.filter(effective_from=2000)
               .values_list("key", "enabled", "times"))
    assert rows == {(LIFE, True, 1), (REVIEW, True, 1)}


# ------------------------------------------------------------------------- exemptions

def test_an_exempted_requirement_is_not_applicable_and_all_exempts_the_whole_year(
        district, personas, members):
    hold(district.b1, personas.secretary, LIFE)
    actions.add_yearly_exemption(district.b1, year=YEAR, key=REVIEW, reason="年中合并", by=personas.admin)
    actions.add_yearly_exemption(district.b2, year=YEAR, key="", reason="正在撤销", by=personas.admin)

    b1, b2 = figure_of(district.b1), figure_of(district.b2)

    assert (b1.applicable, b1.met, b1.exempt, b1.compliant) == (1, 1, 1, True)
    assert (b2.applicable, b2.met, b2.exempt, b2.compliant) == (0, 0, 2, True)
    assert figure_of(district.b1, YEAR + 1).exempt == 0  # one year only


def test_exemptions_are_the_upper_levels_and_need_a_reason(district, personas):
    with pytest.raises(PermissionDenied):
        actions.add_yearly_exemption(district.b1, year=YEAR, key="", reason="自己豁免",
                                     by=personas.secretary)
    with pytest.raises(ValidationError, match="请填写豁免原因"):
        actions.add_yearly_exemption(district.b1, year=YEAR, key="", reason=" ", by=personas.admin)
    with pytest.raises(ValidationError, match="只能为党支部设置豁免"):
        actions.add_yearly_exemption(district.c1, year=YEAR, key="", reason="原因", by=personas.staff)
    exemption = actions.add_yearly_exemption(district.b1, year=YEAR, key=LIFE, reason="原因",
                                             by=personas.admin)
    with pytest.raises(PermissionDenied):
        actions.remove_yearly_exemption(exemption, by=personas.secretary)
    actions.remove_yearly_exemption(exemption, by=personas.admin)
    assert not YearlyExemption.objects.exists()
    assert AuditLog.objects.filter(action__startswith="cycle.yearly_exemption").count() == 2


def test_the_audit_log_names_the_new_events_in_chinese():
    labels = site().audit_labels
    assert labels[actions.YEARLY_REQUIREMENT_SAVED] == "修改年度考核要求"
    assert labels[actions.YEARLY_EXEMPTION_ADDED] == "添加年度要求豁免"
    assert labels[actions.INFLOW_ATTENDANCE_RECORDED] == "登记流入党员列席"


# ------------------------------------------------------------------------- the pages

def test_the_branch_year_page_shows_its_yearly_figure(district, personas, members):
    hold_in_group(district.g1, personas.secretary, LIFE)
    client = client_for(personas.secretary)

    text = client.get(reverse("cycle:year"), {"org": "1101", "year": YEAR}).content.decode()

    card = text[text.index('id="yearly-figure"'):]
    card = card[:card.index("</div>")]
    assert "达标" in card and "应 1 次" in card and "2 / 1 / 0 项" in card
    assert "年度达标</dt><dd><span class=\"badge badge-bad\">否" in card


def test_the_upper_page_counts_compliant_branches_and_the_rate(district, personas, members):
    hold(district.b1, personas.secretary, LIFE, REVIEW)
    client = client_for(personas.admin)

    text = client.get(reverse("cycle:year"), {"org": "1100", "year": YEAR}).content.decode()

    assert "年度要求达标的党支部 <strong>1</strong> 个（共 2 个），年度达标率 <strong>50.0%</strong>" in text


def test_staff_change_the_requirement_on_the_page_and_bad_input_is_said_in_chinese(
        district, personas):
    client = client_for(personas.staff)
    url = reverse("cycle:yearly-requirements")

    response = client.post(url, {"key": LIFE, "effective_from": THIS_YEAR, "times": 0,
                                 "enabled": "on"})
    assert "每年次数应为 1 至 12 次" in response.content.decode()
    response = client.post(url, {"key": LIFE, "effective_from": THIS_YEAR - 1, "times": 1})
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(url, {"key": LIFE, "effective_from": THIS_YEAR, "times": 2,
                                 "enabled": "on"}, follow=True)
    assert f"自{THIS_YEAR}年起生效" in response.content.decode()
    assert YearlyRequirement.objects.filter(effective_from=THIS_YEAR, times=2, key=LIFE).exists()
    assert client_for(personas.admin).get(url).status_code == 403


def test_an_upper_level_exempts_a_branch_on_the_page(district, personas):
    client = client_for(personas.admin)
    url = reverse("cycle:yearly-exemptions")

    response = client.post(url, {"branch": "1101", "year": THIS_YEAR, "key": "", "reason": "新成立"},
                           follow=True)

    assert f"已为第一社区第一党支部设置{THIS_YEAR}年的豁免" in response.content.decode()
    assert "全部年度要求" in response.content.decode()
    response = client.post(url, {"branch": "1201", "year": THIS_YEAR, "key": "", "reason": "越权"})
    assert response.status_code == 404
    assert client_for(personas.secretary).get(url).status_code == 403


def test_a_branch_that_did_not_exist_on_12_31_has_no_yearly_figure_on_its_page(district, personas):
    make_org("1106", "当年撤销党支部", Organization.Kind.BRANCH, district.c1, dissolved_on=D(YEAR, 6, 30))
    client = client_for(personas.staff)

    text = client.get(reverse("cycle:year"), {"org": "1106", "year": YEAR}).content.decode()

    assert f"该党支部在 {YEAR} 年 12 月 31 日不存在" in text
    assert client.get(reverse("cycle:evaluations"), {"org": "1106", "year": YEAR}).status_code == 200
