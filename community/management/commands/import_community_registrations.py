"""python manage.py import_community_registrations FILE --org CODE [--skip-invalid] [--dry-run] [--json]"""
from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入在职党员到社区报到（双报到）名册；--org 为党员所在的党组织。"
    importer_kind = "community_registrations"
    supports_skip_invalid = True
    supports_dry_run = True
