"""Demo data for the yearly cycle (core.registry demo_seeder): committees with their chains
(some terms ending, one overdue, some organizations with none recorded), last year's 民主评议
in most branches, the 流动党员 registers from the roster's 流动党员, a few 流入党员 and
introduction letters (out of and into the district, one expired without a 回执), a few yearly
exemptions with their reasons, and the 流入党员's 列席 at their branch's meetings.

Committees, ratings, registers and 列席 are bulk loads (one audit each); letters and exemptions
go through the actions one by one."""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q

from accounts.models import Role
from activities.models import Meeting
from branches.models import Organization
from core.quarters import add_months, add_years
from cycle import actions, evaluations
from cycle.models import (
    Committee,
    CommitteeSeat,
    Inflow,
    InflowAttendance,
    Outflow,
    YearlyRequirement,
)
from cycle.rules import COMMITTEE_KINDS, default_term_years, excellent_limit
from members.models import Member, Membership

POST_BY_LABEL = {label: value for value, label in CommitteeSeat.Post.choices}
PLACES = ("广东省深圳市南山区", "浙江省杭州市余杭区", "上海市浦东新区", "江苏省苏州市工业园区",
          "北京市海淀区", "湖北省武汉市东湖高新区")
OUTSIDE_ORGS = ("中共上海市浦东新区花木街道工作委员会", "中共杭州市余杭区五常街道委员会",
                "中共深圳市南山区粤海街道工作委员会")
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超"


def seed(world) -> None:
    if Committee.objects.exists():
        world.say("  委员会已存在，跳过。")
        return
    _committees(world)
    _evaluations(world)
    _registers(world)
    _letters(world)
    _exemptions(world)
    _inflow_attendance(world)


def _committees(world) -> None:
    r, today = world.random, world.today
    orgs = list(Organization.objects.filter(kind__in=COMMITTEE_KINDS, dissolved_on__isnull=True)
                .order_by("path"))
    seats_of: dict[int, list[actions.Seat]] = defaultdict(list)
    for branch_id, name, post in (Member.objects.active().exclude(party_post="")
                                  .values_list("branch_id", "name", "party_post")
                                  .order_by("branch_id", "id")):
        if post in POST_BY_LABEL:
            seats_of[branch_id].append(actions.Seat(POST_BY_LABEL[post], name))
    found, ending_done = [], False
    for org in orgs:
        years = default_term_years(org)
        if org.is_branch:
            if not (org.has_committee and org.committee_elected_on):
                continue
            elected = org.committee_elected_on
            if not ending_done and org.sector == Organization.Sector.COMMUNITY and elected < today - datetime.timedelta(days=400):
                elected = add_years(today + datetime.timedelta(days=90), -years)  # ends in 3 months
                ending_done = True
            seats = seats_of.get(org.pk) or [actions.Seat(CommitteeSeat.Post.SECRETARY, org.secretary_name or "书记")]
        else:
            if r.random() < 0.08:
                continue  # a few upper organizations have no committee recorded yet
            elected = today - datetime.timedelta(days=r.randint(60, 365 * years - 20))
            seats = [actions.Seat(CommitteeSeat.Post.SECRETARY, org.secretary_name or _name(r)),
                     actions.Seat(CommitteeSeat.Post.DEPUTY, _name(r)),
                     actions.Seat(CommitteeSeat.Post.ORGANIZATION, _name(r)),
                     actions.Seat(CommitteeSeat.Post.PUBLICITY, _name(r)),
                     actions.Seat(CommitteeSeat.Post.DISCIPLINE, _name(r))]
        elections = [(elected, None, seats)]
        if r.random() < 0.5:  # the committee before it, for the chain
            elections.append((add_years(elected, -years), None,
                              [actions.Seat(CommitteeSeat.Post.SECRETARY, _name(r))]))
        found.append((org, elections))
    count = actions.load_committees(found, by=world.by)
    world.say(f"  委员会 {count} 届")


def _name(r) -> str:
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))


def _evaluations(world) -> None:
    """Last year's 民主评议 in about 95% of the branches, within the 优秀 limit."""
    r = world.random
    year = world.today.year - 1
    end = evaluations.year_end(year)
    by_branch: dict[int, list[Member]] = defaultdict(list)
    memberships = Membership.objects.on(end).select_related("member").order_by("branch_id", "member_id")
    for membership in memberships.iterator(chunk_size=5000):
        if membership.member.is_full_on(end):
            by_branch[membership.branch_id].append(membership.member)
    ratings = []
    for branch_id, people in by_branch.items():
        if r.random() < 0.05:
            continue
        excellent = min(excellent_limit(len(people)), round(len(people) * r.uniform(0.1, 0.3)))
        order = people[:]
        r.shuffle(order)
        for i, member in enumerate(order):
            if i < excellent:
                result = "excellent"
            elif r.random() < 0.03:
                result = "basically_qualified"
            elif r.random() < 0.003:
                ratings.append(evaluations.Rating(member, branch_id, "unqualified", "correct",
                                                  "无正当理由连续三个月不参加组织生活"))
                continue
            else:
                result = "qualified"
            ratings.append(evaluations.Rating(member, branch_id, result))
    target = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    counts = actions.import_evaluations(year, ratings, by=world.by, target=target)
    world.say(f"  {year}年度民主评议 {counts['created']} 人")


def _registers(world) -> None:
    r, today = world.random, world.today
    outflows = []
    for member in Member.objects.active().filter(is_mobile=True).only(
            "id", "branch_id", "mobile_destination"):
        since = add_months(today, -r.randint(1, 30))
        outflows.append(Outflow(
            member=member, branch_id=member.branch_id,
            destination=member.mobile_destination or r.choice(PLACES), fixed_place=r.random() < 0.6,
            since=since, certificate_no=f"LD{since:%Y}{r.randrange(10**6):06d}",
            contact=f"1{r.randrange(3, 10)}{r.randrange(10**9):09d}"))
    branches = list(Organization.objects.branches().filter(
        sector=Organization.Sector.COMMUNITY, dissolved_on__isnull=True).values_list("pk", flat=True))
    inflows = []
    for branch_id in branches[: max(3, len(branches) // 10)]:
        since = add_months(today, -r.randint(1, 14))
        inflows.append(Inflow(branch_id=branch_id, name=_name(r), home_org=r.choice(OUTSIDE_ORGS),
                              since=since, certificate_no=f"LD{since:%Y}{r.randrange(10**6):06d}"))
    actions.load_registers(outflows, inflows, by=world.by)
    world.say(f"  流出党员 {len(outflows)} 人，流入党员 {len(inflows)} 人")


def _letters(world) -> None:
    """Letters out of the district (one expired without a 回执, one answered, one fresh), and a
    member who left last year and comes back on a letter from outside."""
    r, today = world.random, world.today
    candidates = list(Member.objects.active().filter(is_mobile=False, category=Member.Category.FULL)
                      .select_related("branch").order_by("id")[:400])
    r.shuffle(candidates)
    made = 0
    for days_ago, receipt in ((300, 15), (70, None), (20, 12), (5, None)):
        if not candidates:
            break
        member = candidates.pop()
        on = today - datetime.timedelta(days=days_ago)
        letter = actions.issue_letter_out(member, outside_org=r.choice(OUTSIDE_ORGS), on=on,
                                          dues_paid_to=f"{add_months(on, -1):%Y-%m}", by=world.by)
        if receipt is not None:
            actions.record_receipt(letter, on=on + datetime.timedelta(days=receipt), by=world.by)
        made += 1
        if days_ago == 300:
            back = (member, letter)
    if made:
        member, letter = back
        on = today - datetime.timedelta(days=30)
        data = {"name": member.name, "id_number": member.id_number, "sex": member.sex,
                "birth_date": member.birth_date.isoformat(), "category": "正式党员",
                "joined_on": member.joined_on.isoformat(),
                "confirmed_on": member.confirmed_on.isoformat() if member.confirmed_on else None,
                "phone": member.phone}
        actions.receive_letter_in(
            {k: v for k, v in data.items() if v}, branch=letter.from_branch,
            outside_org=letter.outside_org, number=f"外组介（{on:%Y}）{r.randint(10, 99)}号", on=on,
            dues_paid_to=f"{add_months(on, -1):%Y-%m}", by=world.by)
        made += 1
    world.say(f"  组织关系介绍信 {made} 份")


EXEMPTIONS = (  # (requirement, reason): "" is every yearly requirement
    ("", "年内撤并：党员人数少，已编入相邻党支部参加组织生活"),
    (YearlyRequirement.Key.LIFE_MEETING, "多数党员外出务工，经党委同意组织生活会延至春节党员返乡期间召开"),
    (YearlyRequirement.Key.DEMOCRATIC_REVIEW, "支部书记年内调整，经上级党组织同意民主评议党员顺延至次年一季度"),
)


def _exemptions(world) -> None:
    """This year's exemptions, three in each street: the smallest branch (merged away), the
    branch with most of its members away (流动党员), and one more whose secretary changed (not
    the demo secretary's branch, kept diligent)."""
    r, year = world.random, world.today.year
    sizes = {row["branch_id"]: (row["n"], row["away"]) for row in (
        Member.objects.active().values("branch_id").order_by()
        .annotate(n=Count("id"), away=Count("id", filter=Q(is_mobile=True))))}
    branches = [b for b in Organization.objects.branches().filter(dissolved_on__isnull=True)
                .order_by("path") if b.pk in sizes]
    logins = set(Role.objects.filter(organization__isnull=False).values_list("organization_id", flat=True))
    made = 0
    for root in Organization.objects.filter(parent__isnull=True).order_by("path"):
        mine = [b for b in branches if b.path.startswith(root.path)]
        if len(mine) < 3:
            continue
        merged = min(mine, key=lambda b: sizes[b.pk][0])
        away = max((b for b in mine if b is not merged and sizes[b.pk][1]),
                   key=lambda b: sizes[b.pk][1] / sizes[b.pk][0], default=None)
        changed = r.choice([b for b in mine if b not in (merged, away) and b.pk not in logins])
        for branch, (key, reason) in zip((merged, away, changed), EXEMPTIONS, strict=True):
            if branch is not None:
                actions.add_yearly_exemption(branch, year=year, key=key, reason=reason, by=world.by)
                made += 1
    world.say(f"  {year}年度要求豁免 {made} 个")


OPEN_KINDS = (Meeting.Kind.PARTY_CONGRESS, Meeting.Kind.PARTY_LECTURE, Meeting.Kind.THEME_DAY,
              Meeting.Kind.LIFE_MEETING, Meeting.Kind.DEMOCRATIC_REVIEW)  # not 支委会 or 党小组会


def _inflow_attendance(world) -> None:
    """In about two of three branches hosting 流入党员: each of them at every meeting of the
    branch open to all its members held while they were here, most of them 列席."""
    r = world.random
    hosting: dict[int, list[Inflow]] = defaultdict(list)
    for inflow in Inflow.objects.order_by("branch_id", "pk"):
        hosting[inflow.branch_id].append(inflow)
    recorded = [branch_id for branch_id in hosting if r.random() < 0.7] or list(hosting)[:1]
    meetings = (Meeting.objects.filter(organization_id__in=recorded, kinds__kind__in=OPEN_KINDS)
                .values_list("pk", "organization_id", "date").distinct().order_by("date", "pk"))
    rows = [InflowAttendance(meeting_id=meeting_id, inflow=inflow, present=r.random() < 0.8)
            for meeting_id, branch_id, day in meetings for inflow in hosting[branch_id]
            if inflow.since <= day and (inflow.left_on is None or day <= inflow.left_on)]
    count = actions.load_inflow_attendance(rows, by=world.by)
    world.say(f"  流入党员列席记录 {count} 人次")
