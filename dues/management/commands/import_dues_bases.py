"""python manage.py import_dues_bases FILE --org CODE --from YYYY-MM [--json]  (interfaces.md §5.2)"""
from core.cli import ImportCommand
from core.importing import ImportCannotRun
from core.quarters import Month
from dues.importer import BaseImporter


class Command(ImportCommand):
    help = "导入党员的人员类型和党费缴纳基数（自 --from 月份起适用，interfaces.md §5.2）。"
    importer_kind = "dues_bases"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--from", dest="from_month", metavar="YYYY-MM", required=True)

    def make_importer(self, organization, options):
        try:
            month = Month.parse(options["from_month"])
        except ValueError as exc:
            raise ImportCannotRun(f"--from {exc}") from exc
        return BaseImporter(organization=organization, user=None, from_month=month)
