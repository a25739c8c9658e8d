"""python manage.py import_demands FILE --org CODE [--skip-invalid] [--dry-run] [--json]"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入群众诉求台账（.xlsx/.xls/.csv）到指定党组织（interfaces.md §9）。"
    importer_kind = "demands"
    supports_skip_invalid = True
    supports_dry_run = True
