"""python manage.py export_official --org CODE --xlsx PATH [--orgs-xlsx PATH] [--json]"""
import json

from branches.models import Organization
from core.cli import PortalCommand
from members import official


class Command(PortalCommand):
    help = "导出党员信息采集表（全国党员管理信息系统格式，含完整公民身份号码），可另导出党组织信息表。"

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--xlsx", metavar="PATH", required=True, help="党员信息采集表的路径")
        parser.add_argument("--orgs-xlsx", metavar="PATH", help="另把党组织信息表存到此路径")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        org = Organization.objects.filter(code=options["org"].strip()).first()
        if org is None:
            return self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", as_json)
        if org.is_group:
            return self.refuse("党小组不单独导出，请指定其所在党支部。", as_json)
        payload = {"org": org.code}
        try:
            # The command acts for the 组织部: full ID numbers, audited without a user.
            payload["exported"] = official.export_members(org, options["xlsx"], by=None,
                                                          masked=False)
            payload["path"] = options["xlsx"]
            if options["orgs_xlsx"]:
                payload["organizations"] = official.export_organizations(org, options["orgs_xlsx"])
                payload["orgs_path"] = options["orgs_xlsx"]
        except OSError as exc:
            return self.refuse(f"无法写入文件：{exc.filename or ''} {exc.strerror}", as_json)
        if as_json:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"已导出 {payload['exported']} 名党员到 {payload['path']}。")
        if "organizations" in payload:
            self.stdout.write(f"已导出 {payload['organizations']} 个党组织到 {payload['orgs_path']}。")
