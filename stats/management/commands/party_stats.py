"""python manage.py party_stats YEAR --org CODE [--json]: the year's change in membership (§6)."""
import json

from branches.models import Organization
from core.cli import PortalCommand
from stats.figures import LABELS, membership_change, parse_year


class Command(PortalCommand):
    help = "统计某年党员队伍的变化（年初、发展、转入、恢复、去世、出党、转出、停止党籍、年末）。"

    def add_arguments(self, parser):
        parser.add_argument("year", help="年份，如 2026")
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        try:
            year = parse_year(options["year"])
        except ValueError as exc:
            return self.refuse(str(exc), as_json)
        org = Organization.objects.filter(code=options["org"].strip()).first()
        if org is None:
            return self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", as_json)
        change = membership_change(org.branch if org.is_group else org, year)
        change.org = org.code
        if as_json:
            self.stdout.write(json.dumps(change.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(f"{org.name} {year} 年党员队伍变化：")
            for key, label in LABELS.items():
                self.stdout.write(f"  {label}：{getattr(change, key)}")
            if change.moved_inside:
                self.stdout.write(f"  （本组织内部转接 {change.moved_inside} 人次，不计入转入转出）")
