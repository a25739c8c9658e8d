"""python manage.py api_token USERNAME [--name NAME] [--revoke-all] [--json]"""

from django.contrib.auth import get_user_model

from api import actions
from api.models import ApiToken
from core.cli import PortalCommand


class Command(PortalCommand):
    help = "为用户签发接口令牌（只显示一次）；--revoke-all 撤销该用户的全部令牌。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="令牌用途，如“统计脚本”")
        parser.add_argument("--revoke-all", action="store_true", help="撤销该用户的全部令牌")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            return self.refuse(f"找不到用户 {options['username']}。", as_json)
        if options["revoke_all"]:
            tokens = list(ApiToken.objects.active().filter(user=user))
            for token in tokens:
                actions.revoke_token(token, by=None)
            return self.emit({"revoked": len(tokens)}, as_json,
                             f"已撤销 {user.username} 的 {len(tokens)} 个令牌。")
        if not user.is_active:
            return self.refuse(f"用户 {user.username} 已停用，不能签发令牌。", as_json)
        _token, raw = actions.issue_token(user, name=options["name"], by=None)
        self.emit({"token": raw}, as_json,
                  f"{user.username} 的接口令牌（只显示这一次，请妥善保存）：\n{raw}")
