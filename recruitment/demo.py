"""Demo data: a believable pipeline in every branch (core.registry demo_seeder).

About 2 newcomers per 10 members in the district (2 per 100 at city scale, where the roster's
~12,000 预备党员 bring the pipeline to about 15,000 people), spread over the stages; the
branch's 预备党员 of the roster get their recruitment record back to the 入党申请书; some people stall (a talk never held, an approval long awaited) and some break a rule
(a late talk, a 发展对象 named too early, too few 学时). Written in bulk through the ledger's
own writer (recruitment.actions.write_ledger_rows) and audited once.
"""
from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count

from accounts.models import audit
from branches.models import Organization
from core.quarters import add_months, add_years
from members.models import Member
from recruitment import actions, steps
from recruitment.models import Applicant, Involvement
from tabular.values import id_check_char

# Names and ID areas of the demo street (the demo app's own lists live above this floor).
SURNAMES = "王" * 5 + "李" * 5 + "张" * 4 + "刘" * 4 + "陈" * 3 + "杨" * 2 + "黄赵吴周徐孙马朱胡郭何林罗高"
MALE_GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀英桂兰玉红梅琳燕萍莉婷雪慧颖倩琴云洁丹玲"
LOCAL_AREAS = ("420106", "420106", "420102", "420103", "420111", "420115")

RATE = {"district": 0.2, "city": 0.02}  # newcomers per member on the roster
MIX = ((steps.APPLICANT, 35), (steps.ACTIVIST, 35), (steps.CANDIDATE, 30))


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class _Planner:
    def __init__(self, world):
        self.r = world.random
        self.today = world.today
        self.used = set(Member.objects.values_list("id_number", flat=True))
        self.used.update(Applicant.objects.values_list("id_number", flat=True))

    def name(self, male: bool) -> str:
        given = MALE_GIVEN if male else FEMALE_GIVEN
        return self.r.choice(SURNAMES) + "".join(
            self.r.choice(given) for _ in range(1 if self.r.random() < 0.3 else 2))

    def id_number(self, birth: datetime.date, male: bool) -> str:
        while True:
            first17 = f"{self.r.choice(LOCAL_AREAS)}{birth:%Y%m%d}{self.r.randrange(500) * 2 + male:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                return number

    def before(self, day: datetime.date, low: int, high: int) -> datetime.date:
        return day - _days(self.r.randint(low, high))

    def after(self, day: datetime.date, low: int, high: int) -> datetime.date:
        return min(day + _days(self.r.randint(low, high)), self.today)

    def pick(self, names: list[str]) -> list[str]:
        return self.r.sample(names, 2) if len(names) >= 2 else list(names)

    # -- one person ----------------------------------------------------------------------------
    def newcomer(self, branch_id: int, stage: str, names: list[str],
                 roll: float | None = None) -> actions.LedgerRow:
        """`roll` below 0.12 stalls the person; from 0.12 to 0.18 a rule is broken."""
        r, today = self.r, self.today
        male = r.random() < 0.55
        roll = r.random() if roll is None else roll
        dates: dict[str, datetime.date] = {}
        people = {}
        hours = None
        if stage == steps.APPLICANT:
            dates["applied"] = self.before(today, 45, 260) if roll < 0.12 else \
                self.before(today, 3, 150)
            if roll >= 0.12 and dates["applied"] + _days(20) <= today:
                late = 0.12 <= roll < 0.18
                dates["talk"] = self.after(dates["applied"], 35, 50) if late else \
                    self.after(dates["applied"], 5, 25)
        else:
            activist = self.before(today, 60, 360) if stage == steps.ACTIVIST else \
                self.before(today, 420, 760)
            if stage == steps.ACTIVIST and roll < 0.12:
                activist = self.before(today, 700, 1000)  # never developed
            dates["applied"] = activist - _days(r.randint(40, 200))
            dates["talk"] = dates["applied"] + _days(r.randint(5, 25))
            if 0.12 <= roll < 0.15:
                dates["talk"] = dates["applied"] + _days(r.randint(35, 60))
            dates["activist"] = activist
            people[Involvement.Role.MENTOR] = self.pick(names)
            if stage == steps.CANDIDATE:
                early = 0.15 <= roll < 0.18
                candidate = add_months(activist, 12) + _days(r.randint(-60, -10) if early else r.randint(0, 40))
                dates["candidate"] = min(candidate, today)
                people[Involvement.Role.SPONSOR] = self.pick(names)
                if r.random() < 0.6:
                    hours = str(r.choice((24, 24, 28, 32, 36)) if roll < 0.9 else 16)
                    congress = dates["candidate"] + _days(r.randint(60, 240))
                    if congress <= today:
                        dates["congress"] = congress  # waiting for the 上级党委审批
        birth = self._birth(dates["applied"])
        return self._row(branch_id, male, birth, stage, dates, hours, people, {"action": None})

    def history(self, member: dict, names: list[str]) -> actions.LedgerRow:
        """A roster 预备党员's record back to the application, consistent with the 入党日期."""
        r = self.r
        congress = member["joined_on"]
        candidate = congress - _days(r.randint(60, 200))
        activist = add_months(candidate, -12) - _days(r.randint(0, 40))
        applied = max(activist - _days(r.randint(40, 200)), add_years(member["birth_date"], 18))
        activist, candidate = max(activist, applied), max(candidate, applied)
        talk = min(applied + _days(r.randint(5, 25)), activist)
        approval = congress + _days(r.randint(15, 60))
        dates = {"applied": applied, "talk": talk, "activist": activist, "candidate": candidate,
                 "congress": congress}
        if approval <= self.today:
            dates["approval"] = approval
            oath = approval + _days(r.randint(3, 20))
            if oath <= self.today:
                dates["oath"] = oath
        people = {Involvement.Role.MENTOR: self.pick(names), Involvement.Role.SPONSOR: self.pick(names)}
        return actions.LedgerRow(
            id_number=member["id_number"], name=member["name"], sex=member["sex"],
            birth_date=member["birth_date"].isoformat(), branch_id=member["branch_id"],
            stage=steps.PROBATIONARY, applicant_id=None,
            dates={k: v.isoformat() for k, v in dates.items()},
            hours=str(r.choice((24, 28, 32))), people=people,
            member={"action": "link", "member_id": member["id"]},
        )

    def _birth(self, applied: datetime.date) -> datetime.date:
        age_days = self.r.randint(19 * 365, 45 * 365)
        return applied - _days(age_days)

    def _row(self, branch_id, male, birth, stage, dates, hours, people, member):
        return actions.LedgerRow(
            id_number=self.id_number(birth, male), name=self.name(male), sex="男" if male else "女",
            birth_date=birth.isoformat(), branch_id=branch_id, stage=stage, applicant_id=None,
            dates={k: v.isoformat() for k, v in dates.items()}, hours=hours, people=people,
            member=member,
        )


def _weighted(r, mix) -> str:
    roll = r.randrange(sum(w for _, w in mix))
    for stage, weight in mix:
        if roll < weight:
            return stage
        roll -= weight
    return mix[-1][0]


def seed(world) -> None:
    """Plant the pipeline in every branch that has members; a second run adds nothing."""
    if Applicant.objects.exists():
        world.say("发展党员：已有数据，跳过。")
        return
    planner = _Planner(world)
    rate = RATE.get(world.scale, RATE["district"])
    sizes = dict(Member.objects.active().values("branch_id").annotate(n=Count("id"))
                 .values_list("branch_id", "n"))
    names: dict[int, list[str]] = defaultdict(list)
    for branch_id, name in Member.objects.active().filter(category=Member.Category.FULL) \
            .values_list("branch_id", "name").order_by("branch_id", "id"):
        if len(names[branch_id]) < 12:
            names[branch_id].append(name)
    probationary = defaultdict(list)
    for m in Member.objects.active().filter(category=Member.Category.PROBATIONARY).values(
            "id", "id_number", "name", "sex", "birth_date", "branch_id", "joined_on").order_by("id"):
        probationary[m["branch_id"]].append(m)
    rows = []
    branch_ids = Organization.objects.branches().filter(pk__in=sizes).order_by("path") \
        .values_list("pk", flat=True)
    for branch_id in branch_ids:
        count = int(sizes[branch_id] * rate + planner.r.random())
        for i in range(count):
            # in a branch of some size, one person stalls and one breaks a rule, at least
            stage, roll = _weighted(planner.r, MIX), None
            if count >= 4 and i < 2:
                stage, roll = (steps.APPLICANT, 0.05) if i == 0 else (steps.CANDIDATE, 0.16)
            rows.append(planner.newcomer(branch_id, stage, names[branch_id], roll))
        rows.extend(planner.history(m, names[branch_id]) for m in probationary[branch_id])
    with transaction.atomic():
        actions.write_ledger_rows(rows, by=world.by)
        audit(world.by, actions.SEEDED, target=f"发展党员演示数据 {len(rows)} 人", people=len(rows),
              scale=world.scale)
    world.say(f"发展党员：{len(rows)} 人（其中预备党员 {sum(len(v) for v in probationary.values())} 人）。")
