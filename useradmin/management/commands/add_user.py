
from django.core.exceptions import ValidationError

from accounts.actions import grant_role
from accounts.models import Role
from branches.models import Organization
from core.cli import PortalCommand


class Command(PortalCommand):
    help = "创建用户（如不存在）并授予角色：staff 组织部管理员，org_admin 党组织管理员，secretary 支部书记，auditor 审计。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.Kind.values)
        parser.add_argument("--org", metavar="CODE")
        parser.add_argument("--password", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        import json

        org = None
        if options["org"]:
            org = Organization.objects.filter(code=options["org"].strip()).first()
            if org is None:
                return self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", options["json"])
        try:
            user, role, created = grant_role(
                options["username"], options["role"], org, password=options["password"]
            )
        except ValidationError as exc:
            return self.refuse(exc.messages[0], options["json"])
        if options["json"]:
            self.stdout.write(json.dumps(
                {"username": user.username, "created": created, "role": role.kind,
                 "org": org.code if org else None},
                ensure_ascii=False,
            ))
        else:
            verb = "已创建用户" if created else "已更新用户"
            self.stdout.write(f"{verb} {user.username}，角色：{role}")
