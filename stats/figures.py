"""党内统计 for one year and one organization's subtree, from the recorded history (docs/metrics.md).

`membership_change(org, year)` is the year's change in membership of interfaces.md §6: members on
the roster (党籍 正常: a `Membership` period in force) on 12-31 of the year before and of the year,
and every period that opened or closed in between, classified by the event recorded with it.
`structure(org, year)` breaks the same two rosters down by sex, age, ethnicity, education, 党龄,
sector and category. The command, the page and the workbook format what these return.

A subtree is taken as it stands today (organizations moved during the year count where they are
now). Every count is of periods, and a member has at most one period in force on any day, so
start + joined + transferred_in + restored − died − left − transferred_out − stopped = end holds
whatever the data: each period that opened in the year is one inflow, each that closed one
outflow.
"""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Min, Q, Value, When
from django.utils import timezone

from branches.models import Organization
from core.quarters import add_years
from members.models import Member, MemberEvent, Membership

FIRST_YEAR = 1921  # the earliest year a statistic may ask about
INFLOWS = ("joined", "transferred_in", "restored")
OUTFLOWS = ("died", "left", "transferred_out", "stopped")
LABELS = {
    "start": "年初党员数",
    "joined": "发展党员",
    "transferred_in": "转入",
    "restored": "恢复党籍",
    "died": "去世",
    "left": "出党",
    "transferred_out": "转出",
    "stopped": "停止党籍",
    "end": "年末党员数",
}
E = MemberEvent.Kind
ENDING_KINDS = {E.SUSPENDED: "stopped", E.LEFT: "left", E.DECEASED: "died"}


@dataclass
class Change:
    """The year's change in membership of one subtree: exactly the keys of interfaces.md §6."""

    year: int
    org: str
    start: int = 0
    joined: int = 0
    transferred_in: int = 0
    restored: int = 0
    died: int = 0
    left: int = 0
    transferred_out: int = 0
    stopped: int = 0
    end: int = 0
    moved_inside: int = 0  # transfers between branches of the subtree: neither in nor out

    @property
    def inflow(self) -> int:
        return sum(getattr(self, key) for key in INFLOWS)

    @property
    def outflow(self) -> int:
        return sum(getattr(self, key) for key in OUTFLOWS)

    @property
    def balanced(self) -> bool:
        """start + in − out = end."""
        return self.start + self.inflow - self.outflow == self.end

    def as_json(self) -> dict:
        return {"year": self.year, "org": self.org,
                **{key: getattr(self, key) for key in LABELS}}


def parse_year(text) -> int:
    """A year from 1921 to this one, or ValueError with the sentence to show."""
    this_year = timezone.localdate().year
    text = str(text or "").strip()
    if not (text.isdigit() and len(text) == 4):
        raise ValueError(f"年份应为四位数字，如 {this_year}，收到：{text}")
    year = int(text)
    if not FIRST_YEAR <= year <= this_year:
        raise ValueError(f"年份应在 {FIRST_YEAR} 至 {this_year} 年之间，收到：{year}")
    return year


def year_bounds(year: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(12-31 of the year before, 01-01, 12-31)."""
    return datetime.date(year - 1, 12, 31), datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def periods_under(org: Organization):
    return Membership.objects.filter(branch__path__startswith=org.path)


def membership_change(org: Organization, year: int) -> Change:
    """The year's start, end, and every inflow and outflow by cause (six queries)."""
    before, first, last = year_bounds(year)
    periods = periods_under(org)
    change = Change(year=year, org=org.code)
    change.start = periods.on(before).count()
    change.end = periods.on(last).count()
    opened = list(periods.filter(started_on__range=(first, last))
                  .values_list("member_id", "branch_id", "started_on", "member__joined_on"))
    closed = list(periods.filter(ended_on__range=(first, last))
                  .values_list("member_id", "branch_id", "ended_on"))
    members = {row[0] for row in opened} | {row[0] for row in closed}
    events = _events(members, first, last)
    first_start = dict(
        Membership.objects.filter(member_id__in={row[0] for row in opened})
        .values("member_id").annotate(first=Min("started_on")).values_list("member_id", "first")
    )
    inside = _inside(org)
    counts: Counter[str] = Counter()
    for member_id, branch_id, day, joined_on in opened:
        counts[_cause_of_opening(events[member_id, day], branch_id, inside,
                                 first_of_member=first_start.get(member_id) == day == joined_on)] += 1
    for member_id, branch_id, day in closed:
        counts[_cause_of_closing(events[member_id, day], branch_id, inside)] += 1
    for key in (*INFLOWS, *OUTFLOWS):
        setattr(change, key, counts[key])
    change.moved_inside = counts["inside"] // 2
    return change


def _events(member_ids, first, last) -> dict[tuple[int, datetime.date], list[dict]]:
    found: dict[tuple[int, datetime.date], list[dict]] = defaultdict(list)
    kinds = [E.TRANSFER_IN, E.TRANSFER_OUT, E.RESTORED, *ENDING_KINDS]
    rows = (
        MemberEvent.objects.filter(member_id__in=member_ids, date__range=(first, last),
                                   kind__in=kinds)
        .values("member_id", "date", "kind", "from_branch_id", "to_branch_id")
        .order_by("recorded_at", "pk")
    )
    for row in rows:
        found[row["member_id"], row["date"]].append(row)
    return found


def _inside(org: Organization):
    """A test of whether a branch id lies in the subtree, asking the database once."""
    ids = set(Organization.objects.subtree(org).values_list("pk", flat=True))
    return ids.__contains__


def _cause_of_opening(events, branch_id, inside, *, first_of_member: bool) -> str:
    """Why a period opened: a transfer in (or a move inside the subtree), 恢复党籍, or joining.

    Joining (发展) is the member's first period, starting on their 入党日期: how a new 预备党员
    enters the roster, whether recorded on the page, by the recruitment ledger or by an import.
    Any other unexplained opening (a member registered later than they joined) came from
    elsewhere and counts as 转入.
    """
    for event in events:
        if event["kind"] == E.TRANSFER_IN and event["to_branch_id"] == branch_id:
            return "inside" if inside(event["from_branch_id"]) else "transferred_in"
    if any(event["kind"] == E.RESTORED for event in events):
        return "restored"
    return "joined" if first_of_member else "transferred_in"


def _cause_of_closing(events, branch_id, inside) -> str:
    """Why a period closed: a transfer out (or a move inside), 停止党籍, 出党 or 去世.

    A period closed with no recorded cause (a hand correction) left the roster for somewhere
    else and counts as 转出.
    """
    for event in events:
        if event["kind"] == E.TRANSFER_OUT and event["from_branch_id"] == branch_id:
            return "inside" if inside(event["to_branch_id"]) else "transferred_out"
    for event in events:
        if event["kind"] in ENDING_KINDS:
            return ENDING_KINDS[event["kind"]]
    return "transferred_out"


# --- structure ------------------------------------------------------------------------------

AGE_BANDS = ((31, "30岁及以下"), (36, "31—35岁"), (41, "36—40岁"), (46, "41—45岁"),
             (51, "46—50岁"), (56, "51—55岁"), (61, "56—60岁"), (71, "61—70岁"),
             (None, "71岁及以上"))
PARTY_AGE_BANDS = ((5, "不满5年"), (10, "5—9年"), (20, "10—19年"), (30, "20—29年"),
                   (40, "30—39年"), (50, "40—49年"), (None, "50年及以上"))
PROBATIONARY = "预备党员（不计党龄）"
UNKNOWN = "未填写"
EDUCATION_BUCKETS = (  # first match wins; free text as offices type it
    ("研究生", ("研究生", "博士", "硕士")),
    ("大学本科", ("本科", "学士")),
    ("大学专科", ("专科", "大专", "高职")),
    ("中专", ("中专", "中技", "技校", "中等专业")),
    ("高中", ("高中", "职高")),
    ("初中及以下", ("初中", "小学", "文盲", "识字")),
)
EDUCATION_ORDER = [label for label, _ in EDUCATION_BUCKETS] + ["其他", UNKNOWN]
SECTOR_LABELS = dict(Organization.Sector.choices)
DIMENSIONS = {
    "sex": "性别",
    "age": "年龄",
    "ethnicity": "民族",
    "education": "学历",
    "party_age": "党龄",
    "sector": "单位性质",
    "category": "人员类别",
}


@dataclass
class Table:
    """One breakdown: rows (label, start, end) whose totals must equal the year's start and end."""

    key: str
    label: str
    rows: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return sum(row[1] for row in self.rows)

    @property
    def end(self) -> int:
        return sum(row[2] for row in self.rows)

    def checks(self, change: Change) -> bool:
        return self.start == change.start and self.end == change.end


def education_bucket(text: str) -> str:
    text = (text or "").strip()
    if not text:
        return UNKNOWN
    for label, words in EDUCATION_BUCKETS:
        if any(word in text for word in words):
            return label
    return "其他"


def _band(field_name: str, day: datetime.date, bands, *, offset: int = 0):
    """A CASE naming the band of `day − field` in full years: `field > day − n years` ⇔ < n."""
    whens = [When(**{f"{field_name}__gt": add_years(day, -(limit + offset))}, then=Value(label))
             for limit, label in bands if limit is not None]
    return whens, Value(bands[-1][1])


def _party_age(day: datetime.date):
    """党龄 counts from 转正 (a full member with no 转正日期: a year after joining)."""
    whens = [When(~_full_on(day), then=Value(PROBATIONARY))]
    for limit, label in PARTY_AGE_BANDS:
        if limit is None:
            break
        whens.append(When(
            Q(member__confirmed_on__gt=add_years(day, -limit))
            | Q(member__confirmed_on__isnull=True, member__joined_on__gt=add_years(day, -limit - 1)),
            then=Value(label)))
    return Case(*whens, default=Value(PARTY_AGE_BANDS[-1][1]), output_field=CharField())


def _full_on(day: datetime.date) -> Q:
    return Q(member__category=Member.Category.FULL) & (
        Q(member__confirmed_on__isnull=True) | Q(member__confirmed_on__lte=day))


def _breakdown(org: Organization, day: datetime.date) -> dict[str, Counter]:
    """The roster on `day` counted along every dimension (one GROUP BY in the database)."""
    age_whens, age_default = _band("member__birth_date", day, AGE_BANDS)
    grouped = (
        periods_under(org).on(day)
        .annotate(
            age=Case(*age_whens, default=age_default, output_field=CharField()),
            party_age=_party_age(day),
            category=Case(When(_full_on(day), then=Value("正式党员")), default=Value("预备党员"),
                          output_field=CharField()),
        )
        .values("member__sex", "member__ethnicity", "member__education", "branch__sector", "age",
                "party_age", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, Counter] = {key: Counter() for key in DIMENSIONS}
    for row in grouped:
        n = row["n"]
        counts["sex"][row["member__sex"] or UNKNOWN] += n
        counts["ethnicity"][row["member__ethnicity"] or UNKNOWN] += n
        counts["education"][education_bucket(row["member__education"])] += n
        counts["sector"][SECTOR_LABELS.get(row["branch__sector"], UNKNOWN)] += n
        counts["age"][row["age"]] += n
        counts["party_age"][row["party_age"]] += n
        counts["category"][row["category"]] += n
    return counts


def _order(key: str, labels: set[str]) -> list[str]:
    fixed = {
        "sex": ["男", "女"],
        "age": [label for _, label in AGE_BANDS],
        "party_age": [PROBATIONARY] + [label for _, label in PARTY_AGE_BANDS],
        "education": EDUCATION_ORDER,
        "sector": list(SECTOR_LABELS.values()),
        "category": ["正式党员", "预备党员"],
        "ethnicity": ["汉族"],
    }[key]
    rest = sorted(labels - set(fixed) - {UNKNOWN})
    ordered = [label for label in fixed if label in labels] + rest
    return ordered + ([UNKNOWN] if UNKNOWN in labels and UNKNOWN not in ordered else [])


def structure(org: Organization, year: int) -> list[Table]:
    """The structure tables of the roster at the year's start and end."""
    before, _first, last = year_bounds(year)
    at_start, at_end = _breakdown(org, before), _breakdown(org, last)
    tables = []
    for key, label in DIMENSIONS.items():
        labels = set(at_start[key]) | set(at_end[key])
        rows = [(name, at_start[key][name], at_end[key][name]) for name in _order(key, labels)]
        tables.append(Table(key, label, rows))
    return tables


@dataclass
class YearStats:
    organization: Organization
    change: Change
    tables: list[Table]

    @property
    def balanced(self) -> bool:
        return self.change.balanced and all(t.checks(self.change) for t in self.tables)


def year_stats(org: Organization, year: int) -> YearStats:
    return YearStats(org, membership_change(org, year), structure(org, year))
