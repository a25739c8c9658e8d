from core.cli import ImportCommand


class Command(ImportCommand):
    help = "导入党组织（interfaces.md §1.1）：按组织编码新增或更新组织树。"
    importer_kind = "orgs"
    org_required = False

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--org", metavar="CODE", help="只允许文件改动该组织及其下级（留空为全区）"
        )
