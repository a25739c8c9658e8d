"""compile_report QUARTER [--org CODE] [--json] [--xlsx PATH]: the Celery job, in the foreground.

Without --org, each top-level organization gets its report. Every run stores a new version that
becomes current, exactly as a job started from the page would.
"""
import json
from pathlib import Path

from branches.models import Organization
from core.cli import PortalCommand
from core.quarters import Quarter
from reports import actions


class Command(PortalCommand):
    help = "编制季度报表（与后台任务相同的计算），存为新版本，可输出 JSON 或工作簿。"

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="季度，如 2026Q3")
        parser.add_argument("--org", help="党组织编码；不填则为每个最上级党组织各编一份")
        parser.add_argument("--json", action="store_true", help="输出 JSON（interfaces.md §3）")
        parser.add_argument("--xlsx", help="把工作簿另存到此路径")

    def handle(self, *args, **options):
        try:
            quarter = Quarter.parse(options["quarter"])
        except ValueError as exc:
            self.refuse(str(exc), options["json"])
        if options["org"]:
            org = Organization.objects.filter(code=options["org"].strip()).first()
            if org is None:
                self.refuse(f"找不到编码为 {options['org']} 的党组织。", options["json"])
            roots = [org]
        else:
            roots = list(Organization.objects.filter(parent__isnull=True).order_by("code"))
            if not roots:
                self.refuse("系统中还没有党组织，请先导入组织（import_orgs）。", options["json"])

        reports = []
        for org in roots:
            report = actions.request_report(
                org, quarter, by=None, enqueue=False, reuse_unfinished=False
            )
            report = actions.run_report(report.pk)
            if report is None or report.status != report.Status.DONE:
                self.refuse(f"{org.name} 的报表未能完成。", options["json"])
            reports.append(report)
        if options["xlsx"]:
            self._save_workbooks(reports, Path(options["xlsx"]), options["json"])

        if options["json"]:
            if len(reports) == 1:
                payload = reports[0].figures
            else:
                payload = {"quarter": str(quarter), "reports": [r.figures for r in reports]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        for report in reports:
            s = report.figures["summary"]
            self.stdout.write(
                f"{report.organization.name} {quarter.label}（第{report.version}版）："
                f"支部 {s['branches']} 个，全部达标 {s['compliant_branches']} 个；"
                f"完成率 {_pct(s['completion_rate'])}，覆盖率 {_pct(s['coverage'])}。"
            )

    def _save_workbooks(self, reports, path: Path, as_json: bool) -> None:
        for report in reports:
            target = path
            if len(reports) > 1:
                target = path.with_name(f"{path.stem}-{report.organization.code}{path.suffix}")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with report.workbook.open("rb") as source:
                    target.write_bytes(source.read())
            except OSError as exc:
                self.refuse(f"无法写入 {target}：{exc.strerror}", as_json)


def _pct(value):
    return "—" if value is None else f"{value:.2%}"
