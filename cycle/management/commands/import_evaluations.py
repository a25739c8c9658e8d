"""python manage.py import_evaluations FILE --org CODE --year YYYY [--json]  (interfaces.md §10)"""
from core.cli import ImportCommand
from core.registry import site


class Command(ImportCommand):
    help = "导入民主评议党员结果（.xlsx/.xls/.csv）：姓名、公民身份号码、评议结果、处理意见、理由。"
    importer_kind = "evaluations"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True, metavar="YYYY")

    def make_importer(self, organization, options):
        return site().importers.get(self.importer_kind).importer_class()(
            organization=organization, user=None, year=options["year"])
