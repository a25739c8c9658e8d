"""Exports: the demands ledger in the import's columns (phones masked: a resident's number
leaves the portal only through an audited reveal) and the 双报到 register. Both audited."""
from __future__ import annotations

from django.utils import timezone

from accounts.models import audit
from community import actions
from community.importer import DemandImporter, RegistrationImporter
from tabular.writer import Column, new_workbook, write_sheet

_D = DemandImporter.fields
DEMAND_COLUMNS = [
    Column(_D["received_on"][0], 12, "date"), Column(_D["source"][0], 8),
    Column(_D["category"][0], 12), Column(_D["description"][0], 40),
    Column(_D["resident_name"][0], 10), Column(_D["resident_phone"][0], 16),
    Column(_D["received_by"][0], 24), Column(_D["handler"][0], 24),
    Column(_D["deadline"][0], 12, "date"), Column(_D["closed_on"][0], 12, "date"),
    Column(_D["visit"][0], 10), Column("状态", 10),
]
_R = RegistrationImporter.fields
REGISTRATION_COLUMNS = [
    Column(_R["name"][0], 10), Column("所在党支部", 24), Column(_R["community"][0], 24),
    Column(_R["registered_on"][0], 12, "date"), Column(_R["interests"][0], 24),
    Column("结束日期", 12, "date"), Column("本季度服务时长（小时）", 12, "float"),
]


def export_demands(demands, output, *, org, by) -> int:
    rows = [
        [d.received_on, d.get_source_display(), d.category, d.description, d.resident_name,
         d.masked_phone, d.received_by.code, d.handler.code, d.deadline, d.closed_on,
         d.get_visit_display() if d.visit else None, d.get_status_display()]
        for d in demands.order_by("received_on", "pk")
    ]
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "群众诉求台账"
    write_sheet(sheet, DEMAND_COLUMNS, rows,
                title=f"{org.name}群众诉求台账（导出于{timezone.localdate():%Y年%m月%d日}）",
                notes=["注：联系电话已隐去中间数字；如需完整号码，请在诉求页面点击“显示完整电话”（留痕）。"])
    workbook.save(output)
    audit(by, actions.DEMANDS_EXPORTED, organization=org, target=f"{org.name} {len(rows)} 件",
          count=len(rows))
    return len(rows)


def export_registrations(registrations, output, *, org, by, quarter) -> int:
    rows = [
        [r.member.name, r.member.branch.name, r.community.name, r.registered_on, r.interests,
         r.ended_on, float(r.hours) if r.hours is not None else 0.0]
        for r in registrations
    ]
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "双报到名册"
    write_sheet(sheet, REGISTRATION_COLUMNS, rows,
                title=f"{org.name}在职党员双报到名册（{quarter.label}）")
    workbook.save(output)
    audit(by, actions.REGISTRATIONS_EXPORTED, organization=org,
          target=f"{org.name} {len(rows)} 人", count=len(rows))
    return len(rows)
