"""How fast are `dues_status` and the month's amounts for a whole city, against hand-written SQL?

Runs on a PostgreSQL database (default bench_dues, created if missing). If it holds no
organizations, the script seeds the city's organizations and members (demo.base, city scale,
without meetings) and the dues demo seeder with 12 months of bases and payments. In the same run
it times, median of --repeat after one warm-up, interleaved:

1. `dues_status --json` for the whole city and the last full month: dues.queries.dues_status (the
   month brought up to date for the members changed since the last read, then the month's rows
   and the arrears runs of the members in arrears) and the JSON text; once more, not in the
   median, as the first read after a rate change (every member's month re-synced);
2. one hand-written SQL statement of the same per-member figures (amount, paid, arrears run);
3. the month's amounts for the city: dues.book.sync of every member for that month (inputs
   loaded, the rule applied in Decimal, only changed rows written);
4. one hand-written SQL computing the same amounts from the bases with the default rates.

It checks that (1) and (2), and (3) and (4), agree, and prints the ratios.

    .venv/bin/python bench/bench_dues.py
    .venv/bin/python bench/bench_dues.py --database-url postgres://postgres@127.0.0.1:5432/x --repeat 5
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_report import ensure_database, interleaved  # noqa: E402 - the same helpers, one copy

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_dues"

STATUS_SQL = """
WITH scope AS (
    SELECT d.member_id, d.amount, d.paid FROM dues_due d
    JOIN branches_organization b ON b.id = d.branch_id
    WHERE d.month = %(month)s AND b.path LIKE %(prefix)s
), last_paid AS (
    SELECT d.member_id, max(d.month) AS month FROM dues_due d
    JOIN scope s ON s.member_id = d.member_id
    WHERE d.month <= %(month)s AND d.amount > 0 AND d.paid >= d.amount
    GROUP BY d.member_id
)
SELECT s.member_id, s.amount, s.paid,
       (SELECT count(*) FROM dues_due u
         WHERE u.member_id = s.member_id AND u.month <= %(month)s
           AND u.month > coalesce(l.month, DATE '1900-01-01')
           AND u.amount > 0 AND u.paid < u.amount) AS arrears
FROM scope s LEFT JOIN last_paid l ON l.member_id = s.member_id
"""
AMOUNTS_SQL = """
SELECT DISTINCT ON (b.member_id) b.member_id,
       CASE b.category
         WHEN 'employed' THEN round(b.base * CASE WHEN b.base <= 3000 THEN 0.005
              WHEN b.base <= 5000 THEN 0.01 WHEN b.base <= 10000 THEN 0.015 ELSE 0.02 END, 2)
         WHEN 'retired' THEN round(b.base * CASE WHEN b.base <= 5000 THEN 0.005 ELSE 0.01 END, 2)
         WHEN 'farmer' THEN coalesce(b.fixed_amount, 0.50)
         ELSE 0.20 END AS amount
FROM dues_duesbase b
JOIN members_membership ms ON ms.member_id = b.member_id
  AND ms.started_on <= %(end)s AND (ms.ended_on IS NULL OR ms.ended_on > %(start)s)
JOIN members_member m ON m.id = b.member_id AND m.joined_on <= %(end)s
WHERE b.effective_from <= %(start)s
ORDER BY b.member_id, b.effective_from DESC
"""


def seed_city(today: datetime.date) -> None:
    from demo.base import CITY
    from demo.base import seed as seed_tree
    from dues.demo import seed as seed_dues

    print("empty database: seeding the city's organizations and members …", flush=True)
    seed_tree(replace(CITY, meetings=False), logins=False, report=print)
    print("… and 12 months of dues", flush=True)
    start = time.perf_counter()
    seed_dues(SimpleNamespace(scale="city", random=random.Random(2026), today=today, by=None,
                              say=print, months=12))
    print(f"  dues seed: {time.perf_counter() - start:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench_dues.py measures PostgreSQL: give a postgres:// --database-url")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from branches.models import Organization

    today = datetime.date.today()
    if not Organization.objects.exists():
        seed_city(today)
    with connection.cursor() as cursor:
        # A seeded or copied database has no planner statistics and the seed's dead rows; a live
        # one has autovacuum.
        cursor.execute("VACUUM ANALYZE")
    run(today, args.repeat)


def run(today: datetime.date, repeat: int) -> None:
    from django.db import connection

    from core.quarters import Month
    from dues import book
    from dues.models import BookSync, Due, Payment
    from dues.queries import dues_status
    from members.models import Member

    month = Month.of(today) - 1
    city = SimpleNamespace(path="", code="*")  # every organization: the whole city
    print(f"PostgreSQL {connection.pg_version // 10000}: {Member.objects.count():,} members, "
          f"{Due.objects.count():,} member-months, {Payment.objects.count():,} payments; {month}")

    def portal_status():
        status = dues_status(city, month)
        return status, json.dumps(status.as_json(), ensure_ascii=False)

    def sql(statement, **params):
        def fetch():
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall()
        return fetch

    ids = list(Member.objects.values_list("pk", flat=True))

    def portal_amounts():
        book.sync(ids, [month])
        return dict(Due.objects.filter(month=month.start).values_list("member_id", "amount"))

    t_status, t_status_sql, (ours, theirs) = interleaved(
        portal_status, sql(STATUS_SQL, month=month.start, prefix="%"), repeat)
    mine = {(r.member_id, r.amount, r.paid_amount, r.arrears_months) for r in ours[0].rows}
    hand = {(r[0], Decimal(r[1]), Decimal(r[2]), r[3]) for r in theirs}
    print(f"dues_status (changes synced + 2 queries + JSON):    {t_status:.3f} s median of {repeat} "
          f"({len(mine):,} members, {len(ours[1]) / 1e6:.1f} MB JSON)")
    print(f"hand-written SQL of the same rows:                  {t_status_sql:.3f} s "
          f"({'agree' if mine == hand else f'DISAGREE ({len(mine ^ hand)} differ)'})")
    BookSync.objects.all().delete()  # as a rate change does: the next read re-syncs everyone
    start = time.perf_counter()
    portal_status()
    print(f"dues_status after a rate change (full sync), once:  {time.perf_counter() - start:.3f} s")
    t_amounts, t_amounts_sql, (ours_a, theirs_a) = interleaved(
        portal_amounts, sql(AMOUNTS_SQL, start=month.start, end=month.end), repeat)
    hand_a = {r[0]: Decimal(r[1]) for r in theirs_a}
    same = sum(1 for k, v in ours_a.items() if hand_a.get(k) == v)
    print(f"the month's amounts (book.sync, Decimal rule):      {t_amounts:.3f} s median of {repeat}")
    print(f"hand-written SQL of the same amounts:               {t_amounts_sql:.3f} s "
          f"({same:,} of {len(ours_a):,} agree; exemptions and transfers are the portal's only)")
    for label, value in (("dues_status", t_status), ("amounts", t_amounts)):
        print(f"goal ≤ 2 s for {label}: {'met' if value <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
