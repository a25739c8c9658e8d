"""Demo and benchmark data: a believable street (街道) of party organizations, members and meetings.

One generator serves both scales: `DISTRICT` (one 街道党工委, ~190 party organizations, ~3,800
members, the demo logins) and `CITY` (26 streets, ~5,000 organizations, ~150,000 members, ~2
million attendance rows, for benchmarks). Everything is planned in memory with explicit ids
(paths, groups and attendance need no query) and written with one COPY per table on PostgreSQL,
or batched `executemany` elsewhere. Deterministic for a given seed and day.
"""
from __future__ import annotations

import datetime
import itertools
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from activities.models import Attendance, Meeting, MeetingEvent, MeetingKind
from branches.models import Organization, path_segment
from core.quarters import Quarter
from members.models import Member, MemberEvent, Membership
from tabular.values import id_check_char

K = Organization.Kind
S = Organization.Sector
MK = Meeting.Kind


@dataclass(frozen=True)
class Scale:
    """How much to build. Counts are per street (街道) unless said otherwise."""

    name: str
    streets: int
    villages: int
    communities: int
    enterprises: int  # 非公有制企业 with their own branch
    joint_branches: int  # 联合党支部 covering several small enterprises or social organizations
    social: int  # 社会组织 with their own branch
    size_factor: float = 1.0  # multiplies every branch's member count
    diligence: tuple[int, int, int] = (50, 32, 18)  # weights of diligent, fair, lax branches
    members: bool = True
    meetings: bool = True

    def shrunk(self, streets: int, size_factor: float | None = None) -> Scale:
        """A smaller run of the same shape (tests)."""
        return replace(
            self, streets=streets, size_factor=self.size_factor if size_factor is None else size_factor
        )


DISTRICT = Scale("district", streets=1, villages=12, communities=14, enterprises=38,
                 joint_branches=8, social=16, size_factor=1.25)
CITY = replace(DISTRICT, name="city", streets=26, size_factor=2.0, diligence=(30, 35, 35))
SCALES = {"district": DISTRICT, "city": CITY}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    target: str  # which organization of the first street: "top", "admin_org", "secretary_branch"


DEMO_LOGINS = (
    DemoLogin("zuzhibu", "Demo-2026-zzb", "staff", ""),
    DemoLogin("dangwei", "Demo-2026-dw-admin", "org_admin", "admin_org"),
    DemoLogin("shuji", "Demo-2026-sj-branch", "secretary", "secretary_branch"),
    DemoLogin("shenji", "Demo-2026-sj-audit", "auditor", "top"),
)

# ---------------------------------------------------------------------------------------------
# Word lists

STREETS = ("东湖", "西城", "南苑", "北关", "中山", "解放", "新华", "人民", "和平", "建设", "胜利",
           "长江", "青山", "白沙", "金桥", "龙泉", "凤凰", "桂园", "梅林", "莲花", "石门", "清河",
           "花园", "红星", "滨江", "天河", "云山", "望江", "柳湖", "丰收")
VILLAGES = ("王家庄", "李家湾", "杨柳", "河口", "高桥", "石桥", "新塘", "枫林", "马鞍山", "黄土岗",
            "柏树", "双井", "桃园", "荷叶塘", "大堰", "张家岭", "上湾", "下湾", "龙王庙", "青石",
            "白果", "三岔", "金竹", "梨花")
COMMUNITIES = ("幸福里", "翠苑", "阳光", "锦绣", "和谐", "康乐", "紫荆", "春晖", "明珠", "江南",
               "丽景", "华园", "水岸", "书香", "新村", "玉泉", "香樟", "文昌", "朝阳", "兴隆")
OFFICES = ("党政综合办公室", "党建工作办公室", "经济发展办公室", "社会事务办公室", "城市管理办公室",
           "平安建设办公室", "综合行政执法队", "退役军人服务站")
INSTITUTIONS = (("社区卫生服务中心", S.INSTITUTION), ("文化体育服务中心", S.INSTITUTION),
                ("便民服务中心", S.INSTITUTION), ("农业综合服务中心", S.INSTITUTION),
                ("中心小学", S.SCHOOL), ("中心幼儿园", S.SCHOOL))
BRANDS = ("华信", "恒通", "鑫源", "宏达", "金盛", "瑞丰", "中兴", "永安", "天成", "博远", "新锐",
          "汇丰", "佳美", "众诚", "长青", "立德", "万和", "九州", "德润", "聚力", "嘉禾", "明途",
          "联创", "星河", "卓越", "正通", "同心", "蓝海", "安泰", "百川", "润达", "晨光", "裕丰",
          "兴业", "海纳", "东升", "远航", "康达", "银河", "鼎盛", "华章", "信诚", "锦程", "绿源",
          "顺达", "国泰", "丰华", "广和", "宏图", "泰和")
INDUSTRIES = ("科技有限公司", "物流有限公司", "建筑工程有限公司", "食品有限公司", "电子有限公司",
              "商贸有限公司", "物业服务有限公司", "机械制造有限公司", "信息技术有限公司",
              "医药连锁有限公司", "餐饮管理有限公司", "新材料有限公司", "环保科技有限公司",
              "汽车销售服务有限公司", "文化传媒有限公司", "服装有限公司", "家居有限公司",
              "农业开发有限公司", "酒店管理有限公司", "印务有限公司", "软件有限公司",
              "装饰工程有限公司", "人力资源服务有限公司", "包装有限公司", "超市有限公司",
              "网络科技有限公司", "检测技术有限公司", "塑胶制品有限公司", "再生资源有限公司",
              "律师事务所")
SOCIAL_UNITS = ("养老服务中心", "社会工作服务站", "个体劳动者协会", "物业管理行业协会",
                "志愿者协会", "慈善会", "老年人协会", "商会", "青少年活动中心", "残疾人康复中心",
                "家政服务行业协会", "快递物流行业联合会", "餐饮行业协会", "调解协会",
                "心理健康服务中心", "书画协会", "红白理事会", "社区基金会", "民办培训学校",
                "乡贤理事会")
JOINT_AREAS = ("商贸城", "科技园", "创业街", "电商产业园", "建材市场", "美食街", "汽配城",
               "文创园", "小微企业园", "物流园")

SURNAMES = ("王" * 14 + "李" * 13 + "张" * 12 + "刘" * 10 + "陈" * 9 + "杨" * 6 + "黄" * 5 + "赵" * 5
            + "吴" * 4 + "周" * 4 + "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            + "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")
MALE_GIVEN = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志文兵东海亮成"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀英桂兰玉红梅琳燕萍莉婷雪慧颖倩琴云洁丹玲蓉凤佳怡欣悦瑶"
ETHNICITIES = ("汉族",) * 94 + ("回族", "满族", "土家族", "蒙古族", "壮族", "苗族")
EDUCATIONS = ("研究生", "大学本科", "大学本科", "大学本科", "大学专科", "大学专科", "中专",
              "高中", "高中", "初中")
OLD_EDUCATIONS = ("大学本科", "大学专科", "中专", "高中", "初中", "初中", "小学")
LOCAL_AREAS = ("420106", "420106", "420106", "420102", "420103", "420111", "420115")
OTHER_AREAS = ("110105", "310104", "440106", "510107", "430102", "411302", "421181", "362502")
DESTINATIONS = ("广东省深圳市", "广东省东莞市", "浙江省杭州市", "江苏省苏州市", "上海市",
                "北京市", "福建省厦门市")
LEAVE_REASONS = ("外出务工", "生病住院", "单位值班", "出差", "照顾家人", "参加培训", "外地就医",
                 "家中有事")
MOBILE_LEAVE_REASON = "外出流动，已通过线上方式学习"

THEME_TOPICS = ("走访慰问困难群众", "社区环境卫生大扫除", "学习《中国共产党支部工作条例（试行）》",
                "重温入党誓词", "参观革命传统教育基地", "垃圾分类宣传志愿服务", "为民办实事：排查安全隐患",
                "学习党的二十届四中全会精神", "开展“我为群众办实事”实践活动", "观看警示教育片",
                "党员承诺践诺亮身份", "防汛值守志愿服务", "文明城市创建志愿服务", "关爱独居老人")
CONGRESS_TOPICS = ("传达学习上级会议精神", "讨论本季度支部工作计划", "讨论发展党员事项",
                   "通报党费收缴情况", "研究部署主题教育工作", "听取支部委员会工作报告")
LECTURE_TITLES = ("坚定理想信念，践行初心使命", "学习党章，遵守党章", "以党建引领基层治理",
                  "弘扬伟大建党精神", "加强作风建设，密切联系群众", "严守纪律规矩，永葆清正廉洁",
                  "中国式现代化的本质要求")
COMMITTEE_TOPICS = ("研究本月支部工作安排", "研究党员教育管理事项", "讨论入党积极分子培养考察情况",
                    "研究困难党员帮扶事项", "研究党费收缴和使用", "讨论组织生活会准备工作")
GROUP_TOPICS = ("学习近期重要讲话精神", "交流学习体会", "讨论小组党员联系群众情况",
                "学习党纪学习教育读本", "开展批评与自我批评", "学习上级文件精神")
RETURN_COMMENT = "会议记录过于简单，请补充讨论情况和决议事项，并上传签到表照片后重新提交。"


# ---------------------------------------------------------------------------------------------
# The plan, in memory


@dataclass
class Node:
    id: int
    code: str
    name: str
    kind: str
    sector: str
    parent: Node | None
    path: str
    depth: int
    size: int = 0  # planned members (branches only)
    profile: str = "worker"  # which kind of people: worker, official, villager, retiree, …
    diligence: str = "diligent"
    children: int = 0
    groups: list[Node] = field(default_factory=list)
    member_rows: list = field(default_factory=list)  # (member id, joined_on, is_mobile, group id)
    committee: list[int] = field(default_factory=list)  # member ids
    full_count: int = 0
    has_committee: bool = False
    committee_elected_on: datetime.date | None = None
    secretary_name: str = ""
    recorder_name: str = ""
    contact_phone: str = ""
    founded_on: datetime.date | None = None
    no_committee_flag: bool = False


@dataclass
class Counts:
    organizations: int = 0
    groups: int = 0
    members: int = 0
    meetings: int = 0
    attendance: int = 0
    timings: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "organizations": self.organizations, "groups": self.groups, "members": self.members,
            "meetings": self.meetings, "attendance": self.attendance,
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
        }


class DemoPlan:
    """Builds the organizations, members and meetings of `scale` in memory, then writes them."""

    def __init__(self, scale: Scale, *, seed: int = 2026, now: datetime.datetime | None = None):
        self.scale = scale
        self.seed = seed
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.rnd = random.Random(seed)
        self.orgs: list[Node] = []
        self.branches: list[Node] = []
        self.picks: dict[str, Node] = {}
        self.used_enterprises: set[str] = set()
        self.used_ids: set[str] = set()
        self.next_org_id = _next_id(Organization)
        self.next_member_id = _next_id(Member)
        self.next_meeting_id = _next_id(Meeting)
        self.member_rows: list[tuple] = []
        self.meeting_rows: list[tuple] = []
        self.meeting_kind_rows: list[tuple] = []
        self.meeting_event_rows: list[tuple] = []
        self.attendance_plan: list[tuple] = []

    # -- organizations ------------------------------------------------------------------------

    def org(self, name, kind, sector, parent=None, *, code=None, size=0, profile="worker") -> Node:
        if code is None:
            parent.children += 1
            n = parent.children
            if kind == K.GROUP:
                code = f"{parent.code}-{n}"
            elif parent.depth == 0:
                code = f"{parent.code[:-4]}{n + 10}00"
            elif parent.depth == 1:
                code = f"{parent.code[:-2]}{n:02d}"
            else:
                code = f"{parent.code}{n:02d}"
        pk = self.next_org_id
        self.next_org_id += 1
        node = Node(
            id=pk, code=code, name=name, kind=kind, sector=sector, parent=parent,
            path=(parent.path if parent else "") + path_segment(pk),
            depth=parent.depth + 1 if parent else 0,
            size=max(1, round(size * self.scale.size_factor)) if size else 0, profile=profile,
        )
        node.founded_on = self._founded(parent)
        if kind in Organization.UPPER_KINDS:
            node.secretary_name = self._name(self.rnd.random() < 0.7, self.rnd)
            node.contact_phone = f"027-{self.rnd.randrange(10**7, 10**8)}"
        self.orgs.append(node)
        if kind in Organization.BRANCH_KINDS:
            self.branches.append(node)
        return node

    def _founded(self, parent) -> datetime.date:
        low = parent.founded_on if parent and parent.founded_on else datetime.date(1985, 1, 1)
        high = self.today - datetime.timedelta(days=400)
        span = max(1, (high - low).days)
        return low + datetime.timedelta(days=self.rnd.randrange(span) // 3)

    def branch(self, name, sector, parent, low, high, profile="worker", kind=K.BRANCH) -> Node:
        return self.org(name, kind, sector, parent, size=self.rnd.randint(low, high), profile=profile)

    def plan_organizations(self) -> None:
        for k in range(self.scale.streets):
            prefix = "" if self.scale.streets == 1 else f"{k + 1:02d}"
            self._street(k, STREETS[k % len(STREETS)] + ("" if k < len(STREETS) else str(k)), prefix)
        for node in self.branches:
            if node.size >= 20:
                for n in range(2 if node.size < 40 else 3):
                    group = self.org(f"{node.name}第{'一二三四五'[n]}党小组", K.GROUP, node.sector, node)
                    node.groups.append(group)

    def _street(self, k: int, street: str, prefix: str) -> None:
        r = self.rnd
        s = self.scale
        top = self.org(f"{street}街道党工委", K.WORKING_COMMITTEE, S.GOVERNMENT, code=f"{prefix}1000")
        organs = self.org(f"{street}街道机关党委", K.COMMITTEE, S.GOVERNMENT, top)
        for office in OFFICES:
            self.branch(f"{street}街道{office}党支部", S.GOVERNMENT, organs, 8, 22, "official")
        retirees = self.branch(f"{street}街道离退休干部党支部", S.GOVERNMENT, organs, 38, 48, "retiree")
        self.org(f"{street}街道老旧小区改造项目临时党支部", K.TEMPORARY_BRANCH, S.GOVERNMENT,
                 organs, size=7, profile="official")

        public = self.org(f"{street}街道事业单位党总支", K.GENERAL_BRANCH, S.INSTITUTION, top)
        for unit, sector in INSTITUTIONS:
            self.branch(f"{street}街道{unit}党支部", sector, public, 9, 28, "official")

        for i in range(s.villages):
            name = f"{street}街道{VILLAGES[(k * 7 + i) % len(VILLAGES)]}村"
            size_class = ("large", "medium", "small")[i % 3]
            if size_class == "large":
                village = self.org(f"{name}党委", K.COMMITTEE, S.VILLAGE, top)
                for n in range(3):
                    self.branch(f"{name}第{'一二三'[n]}党支部", S.VILLAGE, village, 24, 40, "villager")
                self.branch(f"{name}老党员党支部", S.VILLAGE, village, 18, 30, "retiree")
                self.branch(f"{name}流动党员党支部", S.VILLAGE, village, 8, 16, "migrant")
            elif size_class == "medium":
                village = self.org(f"{name}党总支", K.GENERAL_BRANCH, S.VILLAGE, top)
                for n in range(3):
                    self.branch(f"{name}第{'一二三'[n]}党支部", S.VILLAGE, village, 15, 30, "villager")
            else:
                self.branch(f"{name}党支部", S.VILLAGE, top, 18, 34, "villager")

        for i in range(s.communities):
            name = f"{street}街道{COMMUNITIES[(k * 5 + i) % len(COMMUNITIES)]}社区"
            size_class = ("large", "medium", "small")[i % 3]
            if size_class == "large":
                community = self.org(f"{name}党委", K.COMMITTEE, S.COMMUNITY, top)
                grids = [self.branch(f"{name}第{'一二三'[n]}网格党支部", S.COMMUNITY, community,
                                     22, 36, "resident") for n in range(3)]
                self.branch(f"{name}离退休党员党支部", S.COMMUNITY, community, 30, 46, "retiree")
                if "admin_org" not in self.picks:
                    self.picks["admin_org"] = community
                    grids[0].size = max(grids[0].size, 26)
                    self.picks["secretary_branch"] = grids[0]
            elif size_class == "medium":
                community = self.org(f"{name}党总支", K.GENERAL_BRANCH, S.COMMUNITY, top)
                for n in range(2):
                    self.branch(f"{name}第{'一二'[n]}网格党支部", S.COMMUNITY, community,
                                14, 30, "resident")
                self.branch(f"{name}离退休党员党支部", S.COMMUNITY, community, 20, 36, "retiree")
            else:
                self.branch(f"{name}党支部", S.COMMUNITY, top, 15, 32, "resident")

        private = self.org(f"{street}街道非公有制经济组织综合党委", K.COMMITTEE,
                           S.PRIVATE_ENTERPRISE, top)
        big = self.org(f"{street}{self._enterprise()}党总支", K.GENERAL_BRANCH,
                       S.PRIVATE_ENTERPRISE, private)
        for unit in ("生产", "技术研发", "营销"):
            self.branch(f"{big.name[:-3]}{unit}党支部", S.PRIVATE_ENTERPRISE, big, 16, 30)
        for _ in range(s.enterprises):
            self.branch(f"{street}{self._enterprise()}党支部", S.PRIVATE_ENTERPRISE, private, 3, 13)
        for i in range(s.joint_branches):
            area = JOINT_AREAS[i % len(JOINT_AREAS)]
            self.branch(f"{street}{area}非公企业联合党支部", S.PRIVATE_ENTERPRISE, private, 5, 14,
                        kind=K.JOINT_BRANCH)

        social = self.org(f"{street}街道社会组织综合党委", K.COMMITTEE, S.SOCIAL, top)
        for unit in r.sample(SOCIAL_UNITS, min(s.social, len(SOCIAL_UNITS))):
            self.branch(f"{street}街道{unit}党支部", S.SOCIAL, social, 3, 8)
        for n in range(max(1, s.joint_branches // 2)):
            self.branch(f"{street}街道社会组织第{'一二三四五六七八九十'[n % 10]}联合党支部", S.SOCIAL,
                        social, 5, 11, kind=K.JOINT_BRANCH)

        state = self.org(f"{street}城市建设投资有限公司党总支", K.GENERAL_BRANCH,
                         S.STATE_ENTERPRISE, top)
        for unit in ("机关", "工程管理部", "资产运营部"):
            self.branch(f"{state.name[:-3]}{unit}党支部", S.STATE_ENTERPRISE, state, 10, 22)

        if k == 0:
            self.picks["top"] = top
            self.picks["over_fifty"] = retirees
            retirees.size = 56  # health flag: more than 50 members

    def _enterprise(self) -> str:
        for _ in range(50):
            name = self.rnd.choice(BRANDS) + self.rnd.choice(INDUSTRIES)
            if name not in self.used_enterprises:
                self.used_enterprises.add(name)
                return name
        return f"{self.rnd.choice(BRANDS)}{len(self.used_enterprises)}号{self.rnd.choice(INDUSTRIES)}"

    # -- members --------------------------------------------------------------------------------

    def plan_members(self) -> None:
        r = self.rnd
        today = self.today
        # Health flags worth seeing: < 3 full members, and >= 7 full members with no committee.
        few_full = next(b for b in self.branches if b.sector == S.SOCIAL and b.kind == K.BRANCH)
        few_full.size = 4
        no_committee = max(
            (b for b in self.branches if b.sector == S.PRIVATE_ENTERPRISE and b.kind == K.BRANCH),
            key=lambda b: (b.size < 20, b.size),
        )
        no_committee.no_committee_flag = True
        no_committee.size = max(no_committee.size, 12)
        for node in self.branches:
            probationary = [r.random() < 0.08 for _ in range(node.size)]
            if node is few_full:
                probationary = [False, False, True, True]
            if node is no_committee:
                probationary = [False] * node.size
            if node.full_count == 0 and node.size and all(probationary):
                probationary[0] = False
            # Full members first: the secretary and committee come from among them.
            for is_probationary in sorted(probationary):
                self._member(node, is_probationary, r, today)
            node.full_count = probationary.count(False)
            node.has_committee = node.full_count >= 7 and not node.no_committee_flag
            self._posts(node, r)
        expired = next((b for b in self.branches if b.sector == S.VILLAGE and b.has_committee), None)
        if expired:  # health flag: the committee's 5-year term has run out
            expired.committee_elected_on = today - datetime.timedelta(days=365 * 5 + 40)

    def _member(self, node: Node, probationary: bool, r: random.Random, today) -> None:
        male = r.random() < (0.62 if node.profile in ("villager", "official", "migrant") else 0.52)
        name = self._name(male, r)
        if probationary:
            joined = today - datetime.timedelta(days=r.randint(20, 350))
            birth = joined - datetime.timedelta(days=365 * r.randint(19, 38) + r.randint(0, 364))
        else:
            if node.profile == "retiree":
                birth = datetime.date(r.randint(1940, 1963), r.randint(1, 12), r.randint(1, 28))
            else:
                birth = datetime.date(r.randint(1962, 2003), r.randint(1, 12), r.randint(1, 28))
            latest = today - datetime.timedelta(days=400)
            earliest = birth + datetime.timedelta(days=365 * 18 + 5)
            if earliest > latest:
                birth = latest - datetime.timedelta(days=365 * 19)
                earliest = birth + datetime.timedelta(days=365 * 18 + 5)
            span = min((latest - earliest).days, 365 * 27)
            joined = earliest + datetime.timedelta(days=int(span * r.random() ** 1.3))
        id_number = self._id_number(birth, male, r)
        mobile = node.profile == "migrant" and r.random() < 0.8 or (
            node.profile == "villager" and r.random() < 0.04
        )
        member_id = self.next_member_id
        self.next_member_id += 1
        education = r.choice(OLD_EDUCATIONS if node.profile == "retiree" else EDUCATIONS)
        phone = f"1{r.choice('35789')}{r.randrange(10**9):09d}"
        self.member_rows.append((
            member_id, name, id_number, "男" if male else "女", r.choice(ETHNICITIES), birth,
            education, Member.Category.PROBATIONARY if probationary else Member.Category.FULL,
            joined, None if probationary else _add_year(joined), self._work_unit(node, r), phone,
            node.id, Member.Status.NORMAL, mobile, r.choice(DESTINATIONS) if mobile else "", "",
        ))
        node.member_rows.append([member_id, joined, mobile, None, name])

    @staticmethod
    def _name(male: bool, r: random.Random) -> str:
        given = MALE_GIVEN if male else FEMALE_GIVEN
        return r.choice(SURNAMES) + "".join(r.choice(given) for _ in range(1 if r.random() < 0.3 else 2))

    def _id_number(self, birth: datetime.date, male: bool, r: random.Random) -> str:
        while True:
            area = r.choice(LOCAL_AREAS) if r.random() < 0.85 else r.choice(OTHER_AREAS)
            sequence = r.randrange(500) * 2 + (1 if male else 0)
            first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _work_unit(self, node: Node, r: random.Random) -> str:
        unit = node.name.removesuffix("党支部").removesuffix("党总支")
        return {
            "official": f"{unit} 工作人员",
            "retiree": "退休",
            "villager": f"{unit.split('第')[0].removesuffix('老党员')} 村民",
            "migrant": "外出务工",
            "resident": r.choice(("社区居民", "个体经营户", "退休", "灵活就业")),
        }.get(node.profile, f"{unit.removesuffix('联合')} 职工")

    def _posts(self, node: Node, r: random.Random) -> None:
        """Secretary (and committee) from the full members; groups for the larger branches."""
        posts = ["书记"]
        if node.has_committee:
            posts += ["组织委员", "宣传委员"] + (["副书记", "纪检委员"] if node.full_count >= 15 else [])
            years = node.sector in (S.VILLAGE, S.COMMUNITY) and 5 or 3
            node.committee_elected_on = self.today - datetime.timedelta(
                days=r.randint(60, 365 * years - 60)
            )
        elif node.full_count >= 4:
            posts.append("组织委员")
        first_member_index = len(self.member_rows) - len(node.member_rows)
        for offset, post in enumerate(posts[: node.full_count]):
            index = first_member_index + offset
            row = self.member_rows[index]
            self.member_rows[index] = row[:-1] + (post,)
            if node.has_committee:
                node.committee.append(row[0])
        if node.member_rows:
            node.secretary_name = node.member_rows[0][4]
            node.contact_phone = self.member_rows[first_member_index][11]
            node.recorder_name = node.member_rows[1 if len(node.member_rows) > 1 else 0][4]
        if node.groups:
            for i, member in enumerate(node.member_rows):
                member[3] = node.groups[i % len(node.groups)].id

    # -- meetings -------------------------------------------------------------------------------

    def plan_meetings(self) -> None:
        r = self.rnd
        quarters = [Quarter.of(self.today)]
        for _ in range(3):
            quarters.insert(0, quarters[0].previous())
        secretary_branch = self.picks.get("secretary_branch")
        for node in self.branches:
            node.diligence = r.choices(("diligent", "fair", "lax"), self.scale.diligence)[0]
            if node is secretary_branch:
                node.diligence = "diligent"
            skip = {"diligent": 0.0, "fair": 0.15, "lax": 0.5}[node.diligence]
            present = {"diligent": 0.88, "fair": 0.78, "lax": 0.58}[node.diligence]
            everyone = node.member_rows
            committee_ids = set(node.committee)
            committee = [m for m in everyone if m[0] in committee_ids]
            for quarter in quarters:
                congress_month = r.choice(quarter.months)
                lecture_month = congress_month if node.diligence == "diligent" else r.choice(
                    quarter.months
                )
                for month in quarter.months:
                    day = r.randint(5, 25)
                    date = datetime.date(quarter.year, month, day)
                    kinds = []
                    if r.random() >= skip:
                        kinds.append(MK.THEME_DAY)
                    extra = []
                    for wanted, kind in ((congress_month, MK.PARTY_CONGRESS),
                                         (lecture_month, MK.PARTY_LECTURE)):
                        if month == wanted and r.random() >= skip:
                            (kinds if kinds and r.random() < 0.8 else extra).append(kind)
                    for sitting_kinds, offset in ((kinds, 0), (extra, 3)):
                        if sitting_kinds:
                            self._meeting(node, node, date + datetime.timedelta(days=offset),
                                          sitting_kinds, everyone, present)
                    if node.has_committee and r.random() >= skip:
                        self._meeting(node, node, datetime.date(quarter.year, month, r.randint(1, 10)),
                                      [MK.COMMITTEE], committee, present + 0.05)
                    for group in node.groups:
                        if r.random() >= skip:
                            members = [m for m in everyone if m[3] == group.id]
                            self._meeting(node, group,
                                          datetime.date(quarter.year, month, r.randint(8, 28)),
                                          [MK.GROUP_MEETING], members, present)
                    if month == 12 and node.diligence != "lax":
                        self._meeting(node, node, datetime.date(quarter.year, 12, r.randint(15, 28)),
                                      [MK.LIFE_MEETING, MK.DEMOCRATIC_REVIEW], everyone, present)
        self._return_one()

    def _meeting(self, branch: Node, org: Node, date, kinds, attendees, present_rate) -> None:
        if date > self.today or not attendees:
            return
        r = self.rnd
        meeting_id = self.next_meeting_id
        self.next_meeting_id += 1
        is_lecture = MK.PARTY_LECTURE in kinds
        if MK.PARTY_CONGRESS in kinds:
            topic = r.choice(CONGRESS_TOPICS)
        elif MK.COMMITTEE in kinds:
            topic = r.choice(COMMITTEE_TOPICS)
        elif MK.GROUP_MEETING in kinds:
            topic = r.choice(GROUP_TOPICS)
        elif MK.LIFE_MEETING in kinds:
            topic = f"{date.year}年度组织生活会暨民主评议党员"
        elif is_lecture:
            topic = "专题党课"
        else:
            topic = r.choice(THEME_TOPICS)
        if MK.THEME_DAY in kinds and MK.PARTY_CONGRESS in kinds:
            topic = f"主题党日：{topic}"
        lecture_title = r.choice(LECTURE_TITLES) if is_lecture else ""
        recent = (self.today - date).days <= 6
        status = Meeting.Status.DRAFT if recent and r.random() < 0.06 else Meeting.Status.SUBMITTED
        start = datetime.time(r.choice((9, 14, 15, 19)), r.choice((0, 30)))
        hours = 2 if is_lecture or len(kinds) > 1 else 1
        held = timezone.make_aware(datetime.datetime.combine(date, start))
        entered = held + datetime.timedelta(days=r.randint(0, 3), hours=3)
        entered = min(entered, self.now)
        submitted_at = entered if status == Meeting.Status.SUBMITTED else None
        # The upper level reads most records within days; the rest wait in its review queue.
        reviewed_at = None
        if submitted_at is not None and r.random() < 0.92:
            reviewed_at = submitted_at + datetime.timedelta(days=r.randint(1, 9), hours=r.randint(0, 6))
            if reviewed_at > self.now:
                reviewed_at = None
        place = {S.VILLAGE: "村党群服务中心会议室", S.COMMUNITY: "社区党群服务中心"}.get(
            branch.sector, "单位会议室"
        )
        self.meeting_rows.append((
            meeting_id, org.id, branch.id, status, date, start,
            datetime.time(start.hour + hours, start.minute), place, branch.secretary_name,
            branch.recorder_name, topic,
            f"一、{topic}；二、党员交流发言；三、{branch.secretary_name}作总结。",
            f"{branch.secretary_name}主持会议，围绕“{topic}”开展学习讨论，与会党员逐一发言。",
            "", branch.secretary_name if is_lecture else "", lecture_title,
            Decimal(hours if is_lecture else 0), "", submitted_at, entered, entered, reviewed_at,
        ))
        for kind in kinds:
            self.meeting_kind_rows.append((meeting_id, kind))
        if submitted_at:
            self.meeting_event_rows.append((meeting_id, MeetingEvent.Kind.SUBMITTED, "", submitted_at))
        if reviewed_at:
            self.meeting_event_rows.append((meeting_id, MeetingEvent.Kind.REVIEWED, "", reviewed_at))
        self.attendance_plan.append((meeting_id, date, attendees, present_rate))

    def _return_one(self) -> None:
        """One record returned for correction, in the demo secretary's branch if there is one."""
        branch = self.picks.get("secretary_branch") or (self.branches[0] if self.branches else None)
        if branch is None:
            return
        month_start = self.today.replace(day=1)
        for index in range(len(self.meeting_rows) - 1, -1, -1):
            row = self.meeting_rows[index]
            if row[2] == branch.id and row[4] < month_start and row[3] == Meeting.Status.SUBMITTED:
                self.meeting_rows[index] = (
                    row[:3] + (Meeting.Status.RETURNED,) + row[4:17] + (RETURN_COMMENT,)
                    + row[18:21] + (None,)
                )
                returned_at = min(row[18] + datetime.timedelta(days=2), self.now)
                self.meeting_event_rows = [
                    e for e in self.meeting_event_rows
                    if not (e[0] == row[0] and e[1] == MeetingEvent.Kind.REVIEWED)
                ]
                self.meeting_event_rows.append(
                    (row[0], MeetingEvent.Kind.RETURNED, RETURN_COMMENT, returned_at)
                )
                return

    def attendance_rows(self) -> Iterable[tuple]:
        r = random.Random(self.seed + 1)
        present, leave, absent = (Attendance.Status.PRESENT, Attendance.Status.LEAVE,
                                  Attendance.Status.ABSENT)
        for meeting_id, date, attendees, rate in self.attendance_plan:
            for member_id, joined, mobile, _group, _name in attendees:
                if joined > date:
                    continue
                x = r.random()
                if mobile:
                    if x < 0.3:
                        yield (meeting_id, member_id, present, "")
                    else:
                        yield (meeting_id, member_id, leave, MOBILE_LEAVE_REASON)
                elif x < rate:
                    yield (meeting_id, member_id, present, "")
                elif x < rate + (1 - rate) * 0.6:
                    yield (meeting_id, member_id, leave, LEAVE_REASONS[int(x * 997) % len(LEAVE_REASONS)])
                else:
                    yield (meeting_id, member_id, absent, "")

    # -- writing --------------------------------------------------------------------------------

    def write(self, counts: Counts, phase: Callable[[str], None]) -> None:
        insert_rows(Organization, (
            "id", "code", "name", "kind", "sector", "parent_id", "path", "depth", "founded_on",
            "secretary_name", "contact_name", "contact_phone", "has_committee",
            "committee_elected_on",
        ), (
            (n.id, n.code, n.name, n.kind, n.sector, n.parent.id if n.parent else None, n.path,
             n.depth, n.founded_on, n.secretary_name, n.secretary_name, n.contact_phone,
             n.has_committee, n.committee_elected_on)
            for n in self.orgs
        ))
        counts.organizations = sum(1 for n in self.orgs if n.kind != K.GROUP)
        counts.groups = len(self.orgs) - counts.organizations
        phase("organizations")
        if not self.scale.members:
            reset_sequences(Organization)
            return
        group_of = {m[0]: m[3] for n in self.branches for m in n.member_rows}
        insert_rows(Member, (
            "id", "name", "id_number", "sex", "ethnicity", "birth_date", "education", "category",
            "joined_on", "confirmed_on", "work_unit", "phone", "branch_id", "status", "is_mobile",
            "mobile_destination", "party_post", "group_id",
        ), (row + (group_of[row[0]],) for row in self.member_rows))
        insert_rows(Membership, ("member_id", "branch_id", "started_on"),
                    ((row[0], row[12], row[8]) for row in self.member_rows))
        insert_rows(MemberEvent, ("member_id", "kind", "date", "to_branch_id", "note", "detail"), (
            (row[0], MemberEvent.Kind.CREATED, row[8], row[12], "演示数据", '{"seed_demo": true}')
            for row in self.member_rows
        ))
        counts.members = len(self.member_rows)
        phase("members")
        if self.scale.meetings:
            insert_rows(Meeting, (
                "id", "organization_id", "branch_id", "status", "date", "start_time", "end_time",
                "place", "host", "recorder", "topic", "agenda", "minutes", "resolutions", "lecturer",
                "lecture_title", "study_hours", "review_comment", "submitted_at", "created_at",
                "updated_at", "reviewed_at",
            ), self.meeting_rows)
            insert_rows(MeetingKind, ("meeting_id", "kind"), self.meeting_kind_rows)
            insert_rows(MeetingEvent, ("meeting_id", "kind", "comment", "at"), self.meeting_event_rows)
            counts.meetings = len(self.meeting_rows)
            phase("meetings")
            counts.attendance = insert_rows(
                Attendance, ("meeting_id", "member_id", "status", "reason"), self.attendance_rows()
            )
            phase("attendance")
        reset_sequences(Organization, Member, Meeting)


# ---------------------------------------------------------------------------------------------
# Bulk writing without model instances


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _add_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def insert_rows(model, columns: tuple[str, ...], rows: Iterable[tuple], batch_size: int = 5000) -> int:
    """Insert plain tuples into `model`'s table; other columns get the model's defaults.

    One COPY on PostgreSQL; batched executemany elsewhere. Returns the number of rows. A new
    required field without a default (added by someone else) fails here with its name.
    """
    fields = {f.attname: f for f in model._meta.concrete_fields}
    now = timezone.now()
    extra_names, extra_values = [], []
    for name, f in fields.items():
        if name in columns or (f.primary_key and "id" not in columns and name == "id"):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default() or f.null or f.empty_strings_allowed:
            value = f.get_default()
        else:
            raise ValueError(f"{model.__name__}.{name} is required but seed_demo does not fill it")
        if isinstance(f, models.JSONField):
            value = json.dumps(value)
        extra_names.append(name)
        extra_values.append(value)
    names = list(columns) + extra_names
    tail = tuple(extra_values)
    table = connection.ops.quote_name(model._meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(fields[n].column) for n in names)
    converters = _converters([fields[n] for n in names])
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({column_sql}) FROM STDIN"
        ) as copy:
            for row in rows:
                full = row + tail
                if converters:
                    full = _convert(full, converters)
                copy.write_row(full)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({', '.join(['%s'] * len(names))})"
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(iterator, batch_size)):
            if converters:
                batch = [_convert(row + tail, converters) for row in batch]
            else:
                batch = [row + tail for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _converters(field_list) -> list[tuple[int, Callable]]:
    ops = connection.ops
    result = []
    for index, f in enumerate(field_list):
        if isinstance(f, models.JSONField):
            result.append((index, lambda v: v if isinstance(v, str) else json.dumps(v)))
        elif connection.vendor == "postgresql":
            continue
        elif isinstance(f, models.DateTimeField):
            result.append((index, ops.adapt_datetimefield_value))
        elif isinstance(f, models.DateField):
            result.append((index, ops.adapt_datefield_value))
        elif isinstance(f, models.TimeField):
            result.append((index, ops.adapt_timefield_value))
        elif isinstance(f, models.DecimalField):
            result.append((index, lambda v: None if v is None else str(v)))
    return result


def _convert(row: tuple, converters) -> tuple:
    values = list(row)
    for index, convert in converters:
        if values[index] is not None:
            values[index] = convert(values[index])
    return tuple(values)


def reset_sequences(*model_list) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# ---------------------------------------------------------------------------------------------
# Entry points


def seed(scale: Scale = DISTRICT, *, seed_value: int = 2026, logins: bool = True,
         report: Callable[[str], None] | None = None) -> Counts:
    """Build `scale` into an empty database in one transaction. Callers check emptiness first."""
    from accounts.models import audit

    counts = Counts()
    clock = [time.perf_counter()]

    def phase(name: str) -> None:
        now = time.perf_counter()
        counts.timings[name] = now - clock[0]
        clock[0] = now
        if report:
            report(f"  {name}: {counts.timings[name]:.1f} 秒")

    with transaction.atomic():
        plan = DemoPlan(scale, seed=seed_value)
        plan.plan_organizations()
        if scale.members:
            plan.plan_members()
        if scale.members and scale.meetings:
            plan.plan_meetings()
        phase("plan")
        plan.write(counts, phase)
        if logins and scale.members:
            create_logins(plan.picks)
        audit(None, "demo.seed", organization=None, target=f"seed_demo {scale.name}",
              **{k: v for k, v in counts.as_dict().items() if k != "timings"})
        phase("logins")
    phase("commit")  # PostgreSQL checks the deferred foreign keys here
    return counts


def create_logins(picks: dict[str, Node]) -> None:
    from accounts.actions import grant_role

    for login in DEMO_LOGINS:
        org = None
        if login.target:
            org = Organization.objects.get(pk=picks[login.target].id)
        grant_role(login.username, login.role, org, password=login.password)


def demo_logins() -> list[dict]:
    """The demo logins present in the database, with their initial passwords and scopes."""
    from accounts.models import Role

    result = []
    for login in DEMO_LOGINS:
        role = (
            Role.objects.filter(user__username=login.username, kind=login.role)
            .select_related("organization").first()
        )
        if role is None:
            continue
        result.append({
            "username": login.username, "password": login.password,
            "role": role.get_kind_display(),
            "scope": role.organization.name if role.organization_id else "全区",
            "org": role.organization.code if role.organization_id else None,
        })
    return result
