"""python manage.py import_meetings FILE --org CODE [--dry-run] [--json]"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入历史三会一课台账（.xlsx/.xls/.csv）到指定党组织（interfaces.md §1.3）。"
    importer_kind = "meetings"
    supports_dry_run = True
