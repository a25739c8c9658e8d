"""python manage.py recruitment_check --org CODE [--on YYYY-MM-DD] [--json]  (interfaces.md §4.3)"""
import datetime

from django.utils import timezone

from branches.models import Organization
from core.cli import PortalCommand
from recruitment.pipeline import NEXT_LABELS, RULE_LABELS
from recruitment.queries import check


class Command(PortalCommand):
    help = "检查发展党员各环节的时限：下一步、已超期的时限和违反规则的记录（interfaces.md §4.3）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--on", metavar="YYYY-MM-DD")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        org = Organization.objects.filter(code=(options["org"] or "").strip()).first()
        if org is None:
            self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", as_json)
        on = timezone.localdate()
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"].strip())
            except ValueError:
                self.refuse(f"日期格式应为 YYYY-MM-DD，收到：{options['on']}", as_json)
        found, summary = check(org, on)
        payload = {
            "org": org.code, "on": on.isoformat(),
            "people": [p.as_json(full_id=True) for p in found],
            "summary": summary,
        }
        self.emit(payload, as_json, _text(org, on, found, summary))


def _text(org, on, found, summary) -> str:
    lines = [f"{org.name}（{org.code}）发展党员时限检查，截至 {on}："]
    for p in found:
        e = p.evaluation
        parts = [f"{p.branch_code} {p.name} {p.stage_label}"]
        if e.next:
            parts.append(f"下一步：{NEXT_LABELS[e.next.step]}"
                         + (f"（最早 {e.next.earliest}）" if e.next.earliest else "")
                         + (f"（限 {e.next.due} 前）" if e.next.due else ""))
        parts += [f"已超期：{RULE_LABELS[d.rule]} {d.due}" for d in e.overdue]
        parts += [f"违规：{v.message}" for v in e.violations]
        lines.append("  " + "；".join(parts))
    lines.append(
        f"合计：申请人 {summary['applicant']}，积极分子 {summary['activist']}，发展对象 "
        f"{summary['candidate']}，预备党员 {summary['probationary']}；超期 {summary['overdue']} 项，"
        f"违规 {summary['violations']} 项。")
    return "\n".join(lines)
