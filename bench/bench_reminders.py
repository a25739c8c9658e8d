"""How long does the daily reminders job take for the city seed?

Runs on a PostgreSQL database (default bench_remind, created if missing). If it holds no
organizations, the script runs `seed_demo --scale city` (about 5,000 branches, 150,000 members,
their meetings and every app's demo data) and gives every organization record keepers: a 支部书记
for each branch, a 党组织管理员 for each organization above the branches, two 组织部 staff, all
with e-mail addresses. Then, on --on (default today), it times

1. `send_reminders --dry-run --json`: every registered kind's items, routed to their keepers;
2. the first real run: every item into the inboxes and one e-mail per user (Django's file
   backend, into a temporary folder, as the embedded run does);
3. the same day again: nothing is delivered (the idempotent rerun).

Goal: each ≤ 60 s.

    .venv/bin/python bench/bench_reminders.py
    .venv/bin/python bench/bench_reminders.py --database-url postgres://postgres@127.0.0.1:5432/x --on 2026-11-30
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_report import ensure_database  # noqa: E402 - the same helper, one copy

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_remind"


def seed_city() -> None:
    from django.core.management import call_command

    print("empty database: seed_demo --scale city …", flush=True)
    start = time.perf_counter()
    call_command("seed_demo", "--scale", "city", "--json")
    print(f"  seeded in {time.perf_counter() - start:.0f} s", flush=True)


def ensure_keepers() -> int:
    """A keeper with an e-mail address for every organization but the 党小组 (bulk, no hashing)."""
    from django.contrib.auth import get_user_model

    from accounts.models import Role
    from branches.models import Organization

    user_model = get_user_model()
    if user_model.objects.filter(username__startswith="bench-").exists():
        return Role.objects.count()
    orgs = list(Organization.objects.exclude(kind=Organization.Kind.GROUP).only("pk", "code", "kind"))
    users = user_model.objects.bulk_create([
        user_model(username=f"bench-{o.code}", email=f"bench-{o.code}@example.org",
                   password="!") for o in orgs
    ] + [user_model(username=f"bench-staff{i}", email=f"bench-staff{i}@example.org",
                    password="!") for i in (1, 2)])
    by_name = {u.username: u for u in users}
    roles = [Role(user=by_name[f"bench-{o.code}"], organization=o,
                  kind=Role.Kind.SECRETARY if o.is_branch else Role.Kind.ORG_ADMIN) for o in orgs]
    roles += [Role(user=by_name[f"bench-staff{i}"], kind=Role.Kind.STAFF) for i in (1, 2)]
    Role.objects.bulk_create(roles)
    return len(roles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--on", help="the job's day (default today)")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench_reminders.py measures PostgreSQL: give a postgres:// --database-url")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
    mail_dir = tempfile.mkdtemp(prefix="bench-mail-")
    os.environ["EMAIL_FILE_PATH"] = mail_dir
    os.environ.setdefault("CACHE_URL", "locmemcache://")
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from branches.models import Organization

    if not Organization.objects.exists():
        seed_city()
    roles = ensure_keepers()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # a copied or freshly seeded database may have no statistics
    on = datetime.date.fromisoformat(args.on) if args.on else datetime.date.today()
    run(on, roles, Path(mail_dir))


def run(on: datetime.date, roles: int, mail_dir: Path) -> None:
    from django.db import connection

    from branches.models import Organization
    from members.models import Member
    from reminders.actions import send_reminders
    from reminders.models import Reminder

    print(f"PostgreSQL {connection.pg_version // 10000}: "
          f"{Organization.objects.branches().count():,} branches, "
          f"{Member.objects.count():,} members, {roles:,} keeper roles; on {on}; "
          f"{Reminder.objects.count():,} reminders delivered before", flush=True)

    def timed(label, fn):
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        users = result["users"]
        items = sum(len(u["items"]) for u in users)
        print(f"{label:<38} {wall:7.1f} s wall ({cpu:.1f} s CPU here): {len(users):,} users, "
              f"{items:,} items, {len(json.dumps(result, ensure_ascii=False)) / 1e6:.1f} MB JSON "
              f"— goal ≤ 60 s {'met' if wall <= 60 else 'MISSED'}", flush=True)
        return wall

    from core.registry import site

    for kind in site().reminder_kinds:
        start = time.perf_counter()
        count = sum(1 for _ in kind.items(on))
        print(f"  kind {kind.key:<20} {time.perf_counter() - start:6.1f} s, {count:,} items",
              flush=True)
    timed("send_reminders --dry-run", lambda: send_reminders(on, dry_run=True))
    timed("send_reminders (first run)", lambda: send_reminders(on))
    timed("send_reminders (the same day again)", lambda: send_reminders(on))
    letters = sum(f.read_text().count("\nTo: ") + f.read_text().startswith("To: ")
                  for f in mail_dir.iterdir())
    print(f"letters written: {letters:,} in {len(list(mail_dir.iterdir())):,} files; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
