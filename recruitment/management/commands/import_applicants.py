"""python manage.py import_applicants FILE --org CODE [--skip-invalid] [--dry-run] [--json]"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入发展党员工作台账（.xlsx/.xls/.csv）到指定党组织（interfaces.md §4.1）。"
    importer_kind = "applicants"
    supports_skip_invalid = True
    supports_dry_run = True
