"""python manage.py import_members FILE --org CODE [--skip-invalid] [--dry-run] [--json]"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入党员花名册（.xlsx/.xls/.csv）到指定党组织（interfaces.md §1.2）。"
    importer_kind = "members"
    supports_skip_invalid = True
    supports_dry_run = True
