"""python manage.py committee_terms --org CODE [--on YYYY-MM-DD] [--json]  (interfaces.md §10)"""
import datetime

from django.utils import timezone

from branches.models import Organization
from core.cli import PortalCommand
from cycle.queries import committee_terms
from cycle.rules import STATUS_LABELS


class Command(PortalCommand):
    help = "列出组织及其下级各党组织委员会的选举日期、届期、应换届日期和状态。"

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
        payload = committee_terms(org, on)
        lines = [f"{org.name}（{org.code}）各党组织委员会任期，截至 {on}："]
        for row in payload["organizations"]:
            if row["status"] == "none":
                lines.append(f"  {row['code']} {STATUS_LABELS['none']}")
            else:
                lines.append(f"  {row['code']} {row['elected_on']} 选举，届期 {row['term_years']} 年，"
                             f"应于 {row['due_on']} 换届：{STATUS_LABELS[row['status']]}")
        self.emit(payload, as_json, "\n".join(lines))
