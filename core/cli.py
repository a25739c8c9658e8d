"""What every management command of interfaces.md §2 shares: --json output and exit status 2,
and the import commands' whole flow (read, plan, apply, report; exit 0/1/2)."""
import json
import sys

from django.apps import apps
from django.core.management.base import BaseCommand

from core.importing import (
    ImportCannotRun,
    ImportResult,
    RowError,
    apply_plan,
    dry_run_result,
    plan_file,
)
from core.registry import site
from tabular.reader import FileRejected


class PortalCommand(BaseCommand):
    """A command that prints one JSON object with --json and never shows a traceback for input."""

    def emit(self, payload: dict, as_json: bool, text: str) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False) if as_json else text)

    def refuse(self, message: str, as_json: bool, **payload) -> None:
        """Could not run (bad arguments, unreadable file, unknown organization): exit 2."""
        if as_json:
            self.stdout.write(json.dumps({**payload, "error": message}, ensure_ascii=False))
        else:
            self.stderr.write(message)
        sys.exit(2)


def find_organization(code: str):
    """The organization a command's --org names (the commands act for the 组织部: no scope).

    The model is looked up by its app label, as Django does for the user model, so the ground
    floor names no app module."""
    organization = apps.get_model("branches", "Organization")
    found = organization.objects.filter(code=code.strip()).first()
    if found is None:
        raise ImportCannotRun(f"找不到组织编码为 {code} 的党组织。")
    return found


class ImportCommand(PortalCommand):
    """Exit 0 done, 1 rejected for the data's reasons, 2 could not run. Never a traceback."""

    importer_kind = ""
    org_required = True
    supports_skip_invalid = False
    supports_dry_run = False

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")
        if self.org_required:
            parser.add_argument("--org", metavar="CODE", required=True)
        if self.supports_skip_invalid:
            parser.add_argument("--skip-invalid", action="store_true")
        if self.supports_dry_run:
            parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        try:
            org = None
            if options.get("org"):
                org = find_organization(options["org"])
            importer = self.make_importer(org, options)
            try:
                source = open(options["file"], "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise ImportCannotRun(f"无法打开文件 {options['file']}：{exc.strerror}") from exc
            with source:
                plan = plan_file(importer, source, options["file"])
            if options.get("dry_run"):
                result = dry_run_result(plan)
                status = 1 if result.errors else 0
            else:
                result = apply_plan(importer, plan, skip_invalid=options.get("skip_invalid", False))
                status = result.exit_status
        except (FileRejected, ImportCannotRun) as exc:
            self._fail(str(exc), as_json)
            return
        self._report(result, as_json, dry_run=bool(options.get("dry_run")))
        if status:
            sys.exit(status)

    def make_importer(self, organization, options):
        """The registered importer, acting for the 组织部 (a command has no user)."""
        return site().importers.get(self.importer_kind).importer_class()(
            organization=organization, user=None
        )

    def _report(self, result: ImportResult, as_json: bool, *, dry_run: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        for warning in result.warnings:
            where = f"第 {warning.row} 行 " if warning.row else ""
            self.stdout.write(f"提示：{where}{warning.column} {warning.message}".replace("  ", " "))
        for error in result.errors:
            self.stdout.write(f"错误：第 {error.row} 行【{error.column}】{error.message}")
        if result.errors and not result.written and not dry_run:
            self.stdout.write(f"有 {len(result.errors)} 处错误，未写入任何数据。")
        elif dry_run:
            self.stdout.write("试运行（未写入）：" + result.summary())
        else:
            self.stdout.write(result.summary())

    def _fail(self, message: str, as_json: bool) -> None:
        self.refuse(message, as_json, **ImportResult(errors=[RowError(None, "", message)]).as_json())
