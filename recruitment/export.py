"""The ledger export: the §4.1 columns with the import's headers (and 所在党支部编码), so a full
export re-imports with every row unchanged. Full IDs only for those who keep the records; every
export is audited."""
from __future__ import annotations

from django.utils import timezone

from accounts.models import audit
from recruitment.actions import LEDGER_EXPORTED
from recruitment.importer import ApplicantImporter
from recruitment.models import Involvement
from recruitment.pipeline import progress_of, progress_rows
from tabular.values import mask_birth_date, mask_id_number
from tabular.writer import Column, new_workbook, write_sheet

_F = ApplicantImporter.fields
DATE_COLUMNS = ("applied", "talk", "activist", "candidate", "congress", "approval", "oath")
COLUMNS = [
    Column(_F["name"][0], 10), Column(_F["id_number"][0], 22), Column(_F["sex"][0], 6),
    Column(_F["birth_date"][0], 12, "date"), Column(_F["branch"][0], 24),
    Column(_F["branch_code"][0], 14),
    Column(_F["applied"][0], 12, "date"), Column(_F["talk"][0], 12, "date"),
    Column(_F["activist"][0], 12, "date"), Column(_F["mentors"][0], 16),
    Column(_F["candidate"][0], 12, "date"), Column(_F["sponsors"][0], 16),
    Column(_F["hours"][0], 10, "float"), Column(_F["congress"][0], 12, "date"),
    Column(_F["approval"][0], 12, "date"), Column(_F["oath"][0], 12, "date"),
]


def ledger_rows(applicants, *, masked: bool):
    rows = list(progress_rows(applicants.order_by()))
    names: dict[tuple[int, str], list[str]] = {}
    for applicant_id, role, name in Involvement.objects.filter(
            applicant_id__in=[r["id"] for r in rows]).order_by("position").values_list(
            "applicant_id", "role", "name"):
        names.setdefault((applicant_id, role), []).append(name)
    rows.sort(key=lambda r: (r["branch__code"], r["name"], r["id_number"]))
    sexes = dict(applicants.values_list("id", "sex"))
    for r in rows:
        p = progress_of(r)
        people = {role: "、".join(names.get((r["id"], role), [])) or None
                  for role in Involvement.Role.values}
        yield [
            r["name"], mask_id_number(r["id_number"]) if masked else r["id_number"], sexes[r["id"]],
            mask_birth_date(r["birth_date"]) if masked else r["birth_date"], r["branch__name"], r["branch__code"],
            p.applied, p.talk, p.activist, people[Involvement.Role.MENTOR], p.candidate,
            people[Involvement.Role.SPONSOR], float(p.hours) if p.hours is not None else None,
            p.congress, p.approval, p.oath,
        ]


def export_ledger(applicants, output, *, org, by, masked: bool) -> int:
    """Write the ledger of `applicants` (already scoped by the caller) and audit it."""
    count = applicants.count()
    day = timezone.localdate()
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "发展党员工作台账"
    notes = ["公民身份号码已隐去中间 8 位、出生日期只显示年份：此文件不能用于重新导入。"] if masked else None
    write_sheet(sheet, COLUMNS, ledger_rows(applicants, masked=masked),
                title=f"{org.name}发展党员工作台账（导出于{day:%Y年%m月%d日}）", notes=notes)
    workbook.save(output)
    audit(by, LEDGER_EXPORTED, organization=org, target=f"{org.name} {count} 人", count=count,
          masked=masked)
    return count
