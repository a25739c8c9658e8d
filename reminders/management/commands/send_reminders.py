"""python manage.py send_reminders [--on YYYY-MM-DD] [--dry-run] [--json]  (interfaces.md §8)"""
import datetime

from django.utils import timezone

from core.cli import PortalCommand
from reminders.actions import send_reminders


class Command(PortalCommand):
    help = ("把各模块到期和逾期的事项送到党组织记录人的站内提醒和邮箱（每日任务同此）；"
            "--dry-run 只列出将要送达的事项。")

    def add_arguments(self, parser):
        parser.add_argument("--on", metavar="YYYY-MM-DD")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        on = timezone.localdate()
        if options["on"]:
            try:
                on = datetime.date.fromisoformat(options["on"].strip())
            except ValueError:
                self.refuse(f"日期格式应为 YYYY-MM-DD，收到：{options['on']}", as_json)
        result = send_reminders(on, dry_run=options["dry_run"])
        self.emit(result, as_json, _text(result, dry_run=options["dry_run"]))


def _text(result, *, dry_run) -> str:
    verb = "将送达" if dry_run else "已送达"
    users = result["users"]
    lines = [f"{result['on']} 的提醒：{verb} {len(users)} 人，"
             f"{sum(len(u['items']) for u in users)} 项。" + ("（试运行，未写入）" if dry_run else "")]
    for user in users:
        lines.append(f"{user['username']}：")
        lines += [f"  [{i['kind']}] {i['org']} 期限 {i['due']}：{i['text']}" for i in user["items"]]
    return "\n".join(lines)
