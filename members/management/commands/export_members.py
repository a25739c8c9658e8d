"""python manage.py export_members --org CODE --xlsx PATH [--json]"""
import json

from branches.models import Organization
from core.cli import PortalCommand
from members.export import export_roster
from members.models import Member


class Command(PortalCommand):
    help = "导出党员花名册（含完整公民身份号码，可重新导入）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--xlsx", metavar="PATH", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        org = Organization.objects.filter(code=options["org"].strip()).first()
        if org is None:
            return self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", options["json"])
        members = Member.objects.in_subtree(org).on_roster()
        try:
            count = export_roster(members, options["xlsx"], org=org, by=None, masked=False)
        except OSError as exc:
            return self.refuse(f"无法写入文件 {options['xlsx']}：{exc.strerror}", options["json"])
        if options["json"]:
            self.stdout.write(json.dumps({"exported": count, "path": options["xlsx"]}, ensure_ascii=False))
        else:
            self.stdout.write(f"已导出 {count} 名党员到 {options['xlsx']}。")
