"""Demo data (core.registry demo_seeder): a season of residents' demands in the demo communities
and 在职党员 reporting to them.

Each community branch receives a few demands a month over the last 90 days: most closed on
time and visited (满意 mostly, a few 不满意, some of those reopened), some closed late, some
open past their deadline, a few dispatched to a neighbouring community branch. Members of the
机关, 事业单位 and 国有企业 branches report to a community (3 in 10; 1 in 20 at city scale), which
posts 服务岗位 and confirms the hours of those who claimed them. Written in bulk, audited once.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from accounts.models import audit
from branches.models import Organization
from community.actions import SEEDED
from community.models import (
    DEFAULT_DAYS,
    DeadlineRule,
    Demand,
    DemandStep,
    Registration,
    Service,
    ServicePost,
)
from members.models import Member

CATEGORIES = ("环境卫生", "物业管理", "设施维修", "矛盾纠纷", "民生保障", "政策咨询", "治安消防")
TEXTS = {
    "环境卫生": ("楼道堆放杂物影响通行", "小区垃圾清运不及时", "绿化带有积水蚊虫多"),
    "物业管理": ("物业收费标准不清楚", "电梯维保不到位", "地下车库照明不足"),
    "设施维修": ("单元门禁损坏", "路灯不亮", "健身器材松动"),
    "矛盾纠纷": ("楼上漏水邻里协商不成", "噪音扰民", "占用公共车位"),
    "民生保障": ("咨询高龄津贴申领", "独居老人需要上门探访", "残疾人证办理"),
    "政策咨询": ("咨询医保异地备案", "咨询子女入学政策", "咨询公租房申请"),
    "治安消防": ("楼道电动车充电隐患", "消防通道被占用", "小区监控损坏"),
}
SOURCES = [(Demand.Source.VISIT, 35), (Demand.Source.PHONE, 20), (Demand.Source.WALK_IN, 15),
           (Demand.Source.GRID, 20), (Demand.Source.HOTLINE, 10)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
TITLES = ("阿姨", "大爷", "先生", "女士")
POSTS = ("垃圾分类引导", "敬老院探访", "政策宣讲", "文明劝导", "社区义诊协助", "四点半课堂辅导")
WORKPLACES = (Organization.Sector.GOVERNMENT, Organization.Sector.INSTITUTION,
              Organization.Sector.STATE_ENTERPRISE)
PER_MONTH = {"district": (2, 5), "city": (0, 2)}
REPORT_RATE = {"district": 0.3, "city": 0.05}


def _weighted(r, pairs):
    total = sum(w for _, w in pairs)
    roll = r.uniform(0, total)
    for value, weight in pairs:
        roll -= weight
        if roll <= 0:
            return value
    return pairs[-1][0]


def seed(world) -> None:
    """A second run adds nothing."""
    if Demand.objects.exists() or Registration.objects.exists():
        world.say("服务群众：已有数据，跳过。")
        return
    communities = list(Organization.objects.branches().existing_on(world.today)
                       .filter(sector=Organization.Sector.COMMUNITY).order_by("path"))
    if not communities:
        world.say("服务群众：没有社区党支部，跳过。")
        return
    demands = _seed_demands(world, communities)
    registrations, hours = _seed_reporting(world, communities)
    audit(world.by, SEEDED, target=f"群众诉求 {demands} 件，双报到 {registrations} 人",
          demands=demands, registrations=registrations, hours=str(hours))
    world.say(f"服务群众：群众诉求 {demands} 件，双报到 {registrations} 人。")


def _seed_demands(world, communities) -> int:
    r, today = world.random, world.today
    days = dict(DeadlineRule.objects.values_list("category", "days"))
    siblings = defaultdict(list)
    for c in communities:
        siblings[c.parent_id].append(c)
    low, high = PER_MONTH.get(world.scale, PER_MONTH["district"])
    plans = []
    for community in communities:
        for _ in range(r.randint(low, high) * 3):
            category = r.choice(CATEGORIES)
            received = today - datetime.timedelta(days=r.randint(0, 90))
            limit = days.get(category, DEFAULT_DAYS)
            handler = community
            neighbours = [c for c in siblings[community.parent_id] if c.pk != community.pk]
            if neighbours and r.random() < 0.12:
                handler = r.choice(neighbours)
            plans.append(_outcome(r, today, community, handler, category, received, limit))
    created = Demand.objects.bulk_create([d for d, _ in plans], batch_size=2000)
    steps = []
    for demand, events in zip(created, (e for _, e in plans), strict=True):
        steps.extend(DemandStep(demand=demand, kind=kind, date=day, organization=org,
                                note=note, recorded_by=world.by if getattr(world.by, "pk", None)
                                else None)
                     for kind, day, org, note in events)
    DemandStep.objects.bulk_create(steps, batch_size=5000)
    return len(created)


def _outcome(r, today, community, handler, category, received, limit):
    """The demand as it stands today and the steps that brought it there."""
    deadline = received + datetime.timedelta(days=limit)
    demand = Demand(
        received_on=received, source=_weighted(r, SOURCES), category=category,
        description=r.choice(TEXTS[category]),
        resident_name=r.choice(SURNAMES) + r.choice(TITLES),
        resident_phone=f"1{r.choice('3578')}{r.randrange(10**9):09d}",
        received_by=community, handler=handler, deadline=deadline,
        status=Demand.Status.RECEIVED if handler == community else Demand.Status.DISPATCHED,
    )
    events = [(DemandStep.Kind.RECEIVED, received, community, "")]
    if handler != community:
        events.append((DemandStep.Kind.DISPATCHED, received, handler, "转相邻网格党支部办理"))
    roll = r.random()
    age = (today - received).days
    if age < 3 or roll > 0.93:  # recent, or left open (overdue once its deadline passes)
        return demand, events
    if roll < 0.8:
        closed = received + datetime.timedelta(days=r.randint(1, max(1, limit)))
    else:
        closed = deadline + datetime.timedelta(days=r.randint(1, 10))
    if closed > today:
        return demand, events
    demand.closed_on, demand.status = closed, Demand.Status.CLOSED
    events.append((DemandStep.Kind.CLOSED, closed, handler, "已办结"))
    visited = closed + datetime.timedelta(days=r.randint(1, 3))
    if visited > today or r.random() < 0.12:
        return demand, events
    result = _weighted(r, [(Demand.Visit.SATISFIED, 76), (Demand.Visit.BASIC, 18),
                           (Demand.Visit.UNSATISFIED, 6)])
    demand.visit, demand.visited_on, demand.status = result, visited, Demand.Status.VISITED
    events.append((DemandStep.Kind.VISITED, visited, None, Demand.Visit(result).label))
    if result == Demand.Visit.UNSATISFIED and r.random() < 0.6 and visited < today:
        reopened = visited + datetime.timedelta(days=1)
        demand.status, demand.reopened = Demand.Status.DISPATCHED, True
        demand.closed_on, demand.visit, demand.visited_on = None, "", None
        demand.deadline = reopened + datetime.timedelta(days=limit)
        events.append((DemandStep.Kind.REOPENED, reopened, handler, "群众不满意，重新办理"))
    elif age > 45 and r.random() < 0.5:
        demand.status = Demand.Status.ARCHIVED
        events.append((DemandStep.Kind.ARCHIVED, visited, None, ""))
    return demand, events


def _seed_reporting(world, communities) -> tuple[int, Decimal]:
    r, today = world.random, world.today
    rate = REPORT_RATE.get(world.scale, REPORT_RATE["district"])
    members = list(Member.objects.active().filter(branch__sector__in=WORKPLACES)
                   .values_list("pk", flat=True).order_by("pk"))
    chosen = [pk for pk in members if r.random() < rate]
    by = world.by if getattr(world.by, "pk", None) else None
    registrations = Registration.objects.bulk_create([
        Registration(member_id=pk, community=r.choice(communities),
                     registered_on=today - datetime.timedelta(days=r.randint(20, 400)),
                     interests=r.choice(POSTS), recorded_by=by)
        for pk in chosen], batch_size=5000)
    for community_id, member_ids in _by_community(registrations).items():
        Member.objects.filter(pk__in=member_ids).update(reporting_community_id=community_id)
    at = defaultdict(list)
    for reg in registrations:
        at[reg.community_id].append(reg)
    posts, services, hours = [], [], Decimal(0)
    for community in communities:
        if not at[community.pk]:
            continue
        for _ in range(3):
            posts.append(ServicePost(community=community, title=r.choice(POSTS),
                                     date=today - datetime.timedelta(days=r.randint(1, 80)),
                                     places=r.randint(2, 6), recorded_by=by))
    posts = ServicePost.objects.bulk_create(posts, batch_size=5000)
    for post in posts:
        takers = [g for g in at[post.community_id] if g.registered_on <= post.date]
        for reg in r.sample(takers, min(len(takers), post.places)):
            done = r.random() < 0.85
            spent = Decimal(r.choice(("1.5", "2.0", "2.5", "3.0", "4.0"))) if done else None
            hours += spent or 0
            services.append(Service(post=post, registration=reg, hours=spent,
                                    confirmed_on=min(post.date + datetime.timedelta(days=1), today)
                                    if done else None, confirmed_by=by if done else None))
    Service.objects.bulk_create(services, batch_size=5000)
    return len(registrations), hours


def _by_community(registrations) -> dict[int, list[int]]:
    found = defaultdict(list)
    for reg in registrations:
        found[reg.community_id].append(reg.member_id)
    return found
