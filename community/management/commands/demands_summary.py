"""python manage.py demands_summary QUARTER --org CODE [--json]  (interfaces.md §9)"""
from branches.models import Organization
from community.figures import LABELS, summarize
from core.cli import PortalCommand
from core.quarters import Quarter


class Command(PortalCommand):
    help = "群众诉求的受理、办结、按时办结率、满意率和超期未办结数，按承办党组织和合计（interfaces.md §9）。"

    def add_arguments(self, parser):
        parser.add_argument("quarter", metavar="QUARTER")
        parser.add_argument("--org", metavar="CODE", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        try:
            quarter = Quarter.parse(options["quarter"].strip())
        except ValueError as exc:
            self.refuse(str(exc), as_json)
        org = Organization.objects.filter(code=(options["org"] or "").strip()).first()
        if org is None:
            self.refuse(f"找不到组织编码为 {options['org']} 的党组织。", as_json)
        found = summarize(org, quarter)
        self.emit(found.as_json(), as_json, _text(found))


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2%}"
    return str(value)


def _line(figures: dict) -> str:
    return "，".join(f"{LABELS[key]} {_shown(value)}" for key, value in figures.items())


def _text(found) -> str:
    lines = [f"{found.organization.name}（{found.organization.code}）{found.quarter.label}群众诉求："]
    lines += [f"  {row.code} {row.name}：{_line(row.figures())}" for row in found.rows]
    lines.append(f"合计：{_line(found.total)}")
    return "\n".join(lines)
