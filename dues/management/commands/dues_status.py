"""python manage.py dues_status --org CODE --month YYYY-MM [--json]  (interfaces.md §5.3)"""
from branches.models import Organization
from core.cli import PortalCommand
from core.quarters import Month
from dues.queries import dues_status
from dues.rules import FLAG_TEXT


class Command(PortalCommand):
    help = "某月党费收缴情况：每名党员的应交、是否已交、连续未交月数和提示（interfaces.md §5.3）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--month", metavar="YYYY-MM", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        org = Organization.objects.filter(code=(options["org"] or "").strip()).first()
        if org is None:
            self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", as_json)
        try:
            month = Month.parse(options["month"])
        except ValueError as exc:
            self.refuse(str(exc), as_json)
        status = dues_status(org, month)
        self.emit(status.as_json(), as_json, _text(status))


def _text(status) -> str:
    s = status.summary
    lines = [f"{status.org.name}（{status.org.code}）{status.month.label}党费收缴情况："]
    for row in status.rows:
        paid = "—" if row.paid is None else ("已交" if row.paid else "未交")
        flag = f"；{FLAG_TEXT[row.flag]}" if row.flag else ""
        lines.append(f"  {row.branch_code} {row.name} 应交 {row.amount:.2f} 元 {paid}"
                     f"{f'，连续 {row.arrears_months} 个月未交' if row.arrears_months else ''}{flag}")
    rate = "—" if s.collection_rate is None else f"{s.collection_rate:.2%}"
    lines.append(f"合计：{s.members} 人，应交 {s.due:.2f} 元，实交 {s.collected:.2f} 元，"
                 f"收缴率 {rate}；连续3个月未交 {s.warn} 人，连续6个月未交 {s.lapse} 人。")
    return "\n".join(lines)
