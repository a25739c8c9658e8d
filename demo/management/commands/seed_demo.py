import json
import sys

from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.db import connection

from branches.models import Organization
from demo.base import SCALES, demo_logins, seed
from demo.world import run_seeders


class Command(BaseCommand):
    help = (
        "生成演示数据：district（默认）为一个街道党工委，约 190 个党组织、3800 名党员、四个季度的"
        "会议记录和演示账号；city 为约 5000 个党组织、15 万名党员，供性能测试。"
        "各功能模块（发展党员、党费等）登记的演示数据随后生成。数据库中已有党组织时不做任何改动。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="district")
        parser.add_argument("--logins", action="store_true", help="只列出演示账号")
        parser.add_argument("--seed", type=int, default=2026, help="随机数种子（默认 2026）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        as_json = options["json"]
        if options["logins"]:
            return self._print_logins(as_json)
        if Organization.objects.exists():
            message = "数据库中已有党组织，未生成演示数据（seed_demo 只在空数据库上运行）。"
            if as_json:
                self.stdout.write(json.dumps({"seeded": False, "message": message}, ensure_ascii=False))
            else:
                self.stdout.write(message)
            return
        scale = SCALES[options["scale"]]
        if not as_json:
            self.stdout.write(f"正在生成演示数据（{scale.name}）…")
        try:
            counts = seed(scale, seed_value=options["seed"],
                          report=None if as_json else self.stdout.write)
            if scale.members:
                counts.timings.update(run_seeders(scale.name, seed_value=options["seed"],
                                                  say=None if as_json else self.stdout.write))
        except ValueError as exc:  # a model gained a required field the generator does not fill
            self.stderr.write(f"无法生成演示数据：{exc}")
            sys.exit(2)
        cache.clear()  # figures cached from an earlier database under the same ids
        if connection.vendor == "postgresql":
            # Planner statistics for the tables just filled: without them the first reads (the
            # dues book's check of a city's month, the reports) pick nested loops over 150,000
            # rows and take tens of seconds until autovacuum gets round to it.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if scale.name == "district":
            self._compile_past_reports()
        if as_json:
            self.stdout.write(json.dumps(
                {"seeded": True, "scale": scale.name, **counts.as_dict(), "logins": demo_logins()},
                ensure_ascii=False,
            ))
            return
        self.stdout.write(
            f"完成：党组织 {counts.organizations} 个（另有党小组 {counts.groups} 个），"
            f"党员 {counts.members} 名，会议记录 {counts.meetings} 条，出席记录 {counts.attendance} 条，"
            f"共用时 {sum(counts.timings.values()):.1f} 秒；已编制前三个季度的季度报表。"
        )
        self._print_logins(False)

    def _compile_past_reports(self) -> None:
        """Stored reports for the three finished quarters, so the dashboard shows a history."""
        from core.quarters import Quarter
        from reports.actions import request_report, run_report

        quarter = Quarter.current()
        for _ in range(3):
            quarter = quarter.previous()
            for root in Organization.objects.filter(parent__isnull=True):
                report = request_report(root, quarter, by=None, enqueue=False)
                run_report(report.pk)

    def _print_logins(self, as_json: bool) -> None:
        logins = demo_logins()
        if as_json:
            self.stdout.write(json.dumps({"logins": logins}, ensure_ascii=False))
            return
        if not logins:
            self.stdout.write("未找到演示账号（该数据库不是由 seed_demo 生成的）。")
            return
        self.stdout.write("演示账号（初始密码；登录地址 /accounts/login/）：")
        width = max(len(item["username"]) for item in logins)
        for item in logins:
            self.stdout.write(
                f"  {item['username']:<{width}}  {item['password']:<20}  {item['role']}  {item['scope']}"
            )
