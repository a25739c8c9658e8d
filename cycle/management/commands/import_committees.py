"""python manage.py import_committees FILE [--org CODE] [--json]  (interfaces.md §10)"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入党组织委员会（班子）：组织编码、选举日期、届期（年）、书记、副书记、各委员。"
    importer_kind = "committees"
    org_required = False

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--org", metavar="CODE")
