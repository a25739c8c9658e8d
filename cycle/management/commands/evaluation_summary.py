"""python manage.py evaluation_summary YYYY --org CODE [--json]  (interfaces.md §10)"""
from branches.models import Organization
from core.cli import PortalCommand
from cycle.queries import evaluation_summary


class Command(PortalCommand):
    help = "按党支部统计一年的民主评议结果（只有人数，不列姓名）。"

    def add_arguments(self, parser):
        parser.add_argument("year", metavar="YYYY")
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        text = str(options["year"]).strip()
        if not (text.isdigit() and 1900 <= int(text) <= 9999):
            self.refuse(f"年度应为四位数字，如 2026，收到：{options['year']}", as_json)
        org = Organization.objects.filter(code=(options["org"] or "").strip()).first()
        if org is None:
            self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", as_json)
        payload = evaluation_summary(org, int(text))
        s = payload["summary"]
        lines = [f"{org.name}（{org.code}）{text}年度民主评议党员："]
        for row in payload["branches"]:
            lines.append(f"  {row['code']} 党员 {row['members']} 人，评定 {row['rated']} 人："
                         f"优秀 {row['excellent']}、合格 {row['qualified']}、基本合格 "
                         f"{row['basically_qualified']}、不合格 {row['unqualified']}；未评定等次 {row['not_rated']} 人")
        lines.append(f"合计：党员 {s['members']} 人，评定 {s['rated']} 人，优秀 {s['excellent']}，合格 "
                     f"{s['qualified']}，基本合格 {s['basically_qualified']}，不合格 {s['unqualified']}，"
                     f"未评定等次 {s['not_rated']}。")
        self.emit(payload, as_json, "\n".join(lines))
