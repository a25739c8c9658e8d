from branches.actions import repair_codes
from core.cli import PortalCommand


class Command(PortalCommand):
    help = "把含有不允许字符（如“/”）的组织编码改为安全编码（字母、数字、-、_、.），逐条记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **options):
        mapping = repair_codes(by=None)
        lines = [f"{old} → {new}" for old, new in mapping.items()] or ["没有需要修复的组织编码。"]
        self.emit({"repaired": mapping}, options["json"], "\n".join(lines))
