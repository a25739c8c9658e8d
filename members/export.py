"""Roster export: the §1.2 columns with the import's headers plus 所在党支部编码.

A full export re-imports with every row unchanged; it holds full ID numbers, so only roles that
may change the organization get it, and every export is audited. Read-only roles get a masked
export, which cannot be re-imported.
"""
from __future__ import annotations

from django.utils import timezone

from accounts.models import audit
from members.models import Member
from members.validation import CATEGORY_LABELS
from tabular.values import mask_birth_date, mask_id_number
from tabular.writer import Column, new_workbook, write_sheet

STATUS_LABELS = dict(Member.Status.choices)

COLUMNS = [
    (Column("姓名", 10), lambda m: m.name),
    (Column("公民身份号码", 22), lambda m: m.id_number),
    (Column("性别", 6), lambda m: m.sex),
    (Column("民族", 8), lambda m: m.ethnicity),
    (Column("出生日期", 12, "date"), lambda m: m.birth_date),
    (Column("学历", 10), lambda m: m.education),
    (Column("人员类别", 10), lambda m: CATEGORY_LABELS[m.category]),
    (Column("入党日期", 12, "date"), lambda m: m.joined_on),
    (Column("转正日期", 12, "date"), lambda m: m.confirmed_on),
    (Column("工作单位及职务", 24), lambda m: m.work_unit),
    (Column("联系电话", 14), lambda m: m.phone),
    (Column("所在党支部", 24), lambda m: m.branch.name),
    (Column("所在党支部编码", 14), lambda m: m.branch.code),
    (Column("所在党小组", 24), lambda m: m.group.name if m.group_id else None),
    (Column("党籍状态", 10), lambda m: STATUS_LABELS[m.status]),
    (Column("是否流动党员", 10), lambda m: "是" if m.is_mobile else "否"),
    (Column("外出流向", 20), lambda m: m.mobile_destination),
]
ID_COLUMN = 1
BIRTH_COLUMN = 4


def roster_rows(members, *, masked: bool):
    for member in members:
        row = [getter(member) or None for _, getter in COLUMNS]
        if masked:
            row[ID_COLUMN] = mask_id_number(member.id_number)
            row[BIRTH_COLUMN] = mask_birth_date(member.birth_date)
        yield row


def write_roster(members, output, *, title: str, masked: bool) -> None:
    """Write members (a queryset, streamed) as an xlsx workbook to a path or a file object."""
    workbook = new_workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    notes = ["公民身份号码已隐去中间 8 位、出生日期只显示年份：此文件不能用于重新导入。"] if masked else None
    members = members.select_related("branch", "group").order_by("branch__path", "name", "pk")
    write_sheet(
        sheet,
        [column for column, _ in COLUMNS],
        roster_rows(members.iterator(chunk_size=2000), masked=masked),
        title=title,
        notes=notes,
    )
    workbook.save(output)


def export_roster(members, output, *, org, by, masked: bool, filters: dict | None = None) -> int:
    """Write the roster of `org` (already scoped and filtered by the caller) and audit it."""
    count = members.count()
    day = timezone.localdate()
    write_roster(members, output, title=f"{org.name}党员花名册（导出于{day:%Y年%m月%d日}）", masked=masked)
    audit(
        by, "member.export", organization=org, target=f"{org.name} {count} 人",
        count=count, masked=masked, filter=filters or {},
    )
    return count
