"""Official formats (interfaces.md §6): the 党员信息采集表 and the 党组织 sheet, ready to paste into
the 全国党员管理信息系统.

The header is the first row (no title above it), every value is text except 序号: IDs, phones and
dates (YYYY-MM-DD) stay exactly as stored, yes/no is 是/否, and tabular.writer guards every text
cell against formulas. Full ID numbers only for roles that may reveal them; each member export is
audited with its organization.
"""
from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.utils import timezone

from accounts.models import audit
from branches.models import Organization
from members.models import Member
from members.validation import CATEGORY_LABELS
from tabular.values import mask_birth_date, mask_id_number
from tabular.writer import Column, new_workbook, write_sheet

MEMBER_SHEET = "党员信息采集表"
ORG_SHEET = "党组织信息"
EXPORT_OFFICIAL = "member.export_official"
STATUS_LABELS = dict(Member.Status.choices)


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


MEMBER_COLUMNS = [
    (Column("序号", 6, "int"), None),  # the row's number, filled in when writing
    (Column("姓名", 10), lambda m: m.name),
    (Column("所在党支部", 26), lambda m: m.branch.name),
    (Column("公民身份号码", 22), lambda m: m.id_number),
    (Column("性别", 6), lambda m: m.sex),
    (Column("民族", 8), lambda m: m.ethnicity),
    (Column("出生日期", 12), lambda m: _day(m.birth_date)),
    (Column("学历", 10), lambda m: m.education),
    (Column("人员类别", 10), lambda m: CATEGORY_LABELS[m.category]),
    (Column("加入党组织日期", 14), lambda m: _day(m.joined_on)),
    (Column("转为正式党员日期", 16), lambda m: _day(m.confirmed_on)),
    (Column("工作岗位", 24), lambda m: m.work_unit),
    (Column("手机号码", 14), lambda m: m.phone),
    (Column("固定电话", 14), lambda m: m.landline),
    (Column("家庭住址", 28), lambda m: m.home_address),
    (Column("党籍状态", 10), lambda m: STATUS_LABELS[m.status]),
    (Column("是否为失联党员", 14), lambda m: _yes_no(m.is_lost_contact)),
    (Column("失去联系日期", 14), lambda m: _day(m.lost_contact_on)),
    (Column("是否为流动党员", 14), lambda m: _yes_no(m.is_mobile)),
    (Column("外出流向", 20), lambda m: m.mobile_destination),
    (Column("备注", 24), lambda m: m.remarks),
]
MEMBER_HEADERS = tuple(column.header for column, _ in MEMBER_COLUMNS)
ID_COLUMN = MEMBER_HEADERS.index("公民身份号码")
BIRTH_COLUMN = MEMBER_HEADERS.index("出生日期")

ORG_COLUMNS = [
    Column("组织编码", 14), Column("全称", 30), Column("简称", 16), Column("组织类别", 12),
    Column("成立日期", 12), Column("党员人数", 10, "int"), Column("书记", 10),
    Column("单位性质", 14), Column("上级党组织全称", 30),
]
ORG_HEADERS = tuple(column.header for column in ORG_COLUMNS)


def roster(org: Organization):
    """The subtree's roster (正常 and 停止党籍), in the order of the tree and then by name."""
    return (
        Member.objects.in_subtree(org).on_roster().select_related("branch")
        .order_by("branch__path", "name", "pk")
    )


def member_rows(members, *, masked: bool):
    for number, member in enumerate(members, 1):
        row = [number] + [getter(member) or None for _, getter in MEMBER_COLUMNS[1:]]
        if masked:
            row[ID_COLUMN] = mask_id_number(member.id_number)
            row[BIRTH_COLUMN] = mask_birth_date(member.birth_date)
        yield row


def write_members(members, output, *, masked: bool) -> None:
    """The 党员信息采集表 of `members` (a queryset, streamed) as an xlsx file or file object."""
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(MEMBER_SHEET)
    write_sheet(sheet, [column for column, _ in MEMBER_COLUMNS],
                member_rows(members.iterator(chunk_size=2000), masked=masked))
    workbook.save(output)


def export_members(org: Organization, output, *, by, masked: bool) -> int:
    """Write the roster of `org`'s subtree in the official format and audit it."""
    members = roster(org)
    count = members.count()
    write_members(members, output, masked=masked)
    audit(by, EXPORT_OFFICIAL, organization=org, target=f"{org.name} {count} 人", count=count,
          masked=masked)
    return count


def organizations(org: Organization) -> list[Organization]:
    """The subtree's party organizations existing today (党小组 are not organizations of the
    national system's 党组织 records), each with `member_count`: 正常 members of its subtree."""
    today = timezone.localdate()
    orgs = list(
        Organization.objects.subtree(org).exclude(kind=Organization.Kind.GROUP)
        .existing_on(today).select_related("parent").order_by("path")
    )
    per_branch = (
        Member.objects.in_subtree(org).active().values("branch__path").annotate(n=Count("id"))
        .order_by()
    )
    totals: Counter[str] = Counter()
    for row in per_branch:
        path = row["branch__path"]
        for end in range(len(org.path), len(path) + 1):
            if path[end - 1:end] == "/":
                totals[path[:end]] += row["n"]
    for o in orgs:
        o.member_count = totals[o.path]
    return orgs


def write_organizations(orgs: list[Organization], output) -> None:
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet(ORG_SHEET)
    rows = (
        [o.code, o.name, o.short_name, o.get_kind_display(), _day(o.founded_on), o.member_count,
         o.secretary_name, o.get_sector_display(), o.parent.name if o.parent_id else None]
        for o in orgs
    )
    write_sheet(sheet, ORG_COLUMNS, ([None if v == "" else v for v in row] for row in rows))
    workbook.save(output)


def export_organizations(org: Organization, output) -> int:
    orgs = organizations(org)
    write_organizations(orgs, output)
    return len(orgs)
