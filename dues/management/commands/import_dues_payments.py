"""python manage.py import_dues_payments FILE --org CODE [--json]  (interfaces.md §5.2)"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入党费缴纳记录（缴费月份可为区间，如 2026-01至2026-03；interfaces.md §5.2）。"
    importer_kind = "dues_payments"
