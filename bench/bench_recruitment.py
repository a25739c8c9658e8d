"""How fast is `recruitment_check` for a whole city's pipeline, against one hand-written SQL?

Runs on a PostgreSQL database (default bench_recruit, created if missing). If it holds no
organizations, the script seeds the city's organizations and members (demo.base, city scale,
without meetings) and then the recruitment demo seeder at city scale (about 15,000 people in
the pipeline). In the same run it times, median of --repeat after one warm-up, interleaved:

1. what `recruitment_check --json` does for the whole city: recruitment.queries.check (one
   grouped ORM query pivoting the steps, the rules in Python) and the JSON text;
2. one hand-written SQL statement computing the same open deadlines (talk_within,
   approval_within, probation; PostgreSQL's date + interval clamps to the month's end like
   core.quarters.add_months) from the steps themselves, fetched into Python;
3. the same SQL reading the milestones the portal keeps on each person (no grouping of steps).

It checks that (1) and (2) list the same deadlines and prints the ratio (1)/(2).

    .venv/bin/python bench/bench_recruitment.py
    .venv/bin/python bench/bench_recruitment.py --database-url postgres://postgres@127.0.0.1:5432/x --repeat 7
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
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_report import ensure_database, interleaved  # noqa: E402 - the same helpers, one copy

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_recruit"

DEADLINES = """
SELECT id, 'talk_within', (applied + interval '1 month')::date FROM d
    WHERE applied IS NOT NULL AND talk IS NULL
UNION ALL
SELECT id, 'approval_within', (congress + interval '3 months')::date FROM d
    WHERE congress IS NOT NULL AND approval IS NULL
UNION ALL
SELECT id, 'probation',
       (coalesce(joined_on, congress) + make_interval(months => 11 + extension_months))::date FROM d
    WHERE stage = 'probationary' AND confirm_applied IS NULL
      AND coalesce(joined_on, congress) IS NOT NULL
"""
FROM_MILESTONES = """
WITH d AS (
    SELECT a.id, a.stage, a.extension_months, m.joined_on,
           (a.milestones->>'applied')::date AS applied, (a.milestones->>'talk')::date AS talk,
           (a.milestones->>'congress')::date AS congress,
           (a.milestones->>'approval')::date AS approval,
           (a.milestones->>'confirm_applied')::date AS confirm_applied
    FROM recruitment_applicant a
    JOIN branches_organization b ON b.id = a.branch_id
    LEFT JOIN members_member m ON m.id = a.member_id
    WHERE b.path LIKE %(prefix)s
      AND a.stage IN ('applicant', 'activist', 'candidate', 'probationary')
)
""" + DEADLINES
HAND_SQL = """
WITH d AS (
    SELECT a.id, a.stage, a.extension_months, m.joined_on,
           max(s.date) FILTER (WHERE s.step = 'applied') AS applied,
           max(s.date) FILTER (WHERE s.step = 'talk') AS talk,
           max(s.date) FILTER (WHERE s.step = 'congress') AS congress,
           max(s.date) FILTER (WHERE s.step = 'approval') AS approval,
           max(s.date) FILTER (WHERE s.step = 'confirm_applied') AS confirm_applied
    FROM recruitment_applicant a
    JOIN branches_organization b ON b.id = a.branch_id
    LEFT JOIN members_member m ON m.id = a.member_id
    LEFT JOIN recruitment_step s ON s.applicant_id = a.id
    WHERE b.path LIKE %(prefix)s
      AND a.stage IN ('applicant', 'activist', 'candidate', 'probationary')
    GROUP BY a.id, m.joined_on
)
""" + DEADLINES


def seed_city(today: datetime.date) -> None:
    from demo.base import CITY
    from demo.base import seed as seed_tree
    from recruitment.demo import seed as seed_pipeline

    print("empty database: seeding the city's organizations and members …", flush=True)
    seed_tree(replace(CITY, meetings=False), logins=False, report=print)
    print("… and the recruitment pipeline", flush=True)
    start = time.perf_counter()
    seed_pipeline(SimpleNamespace(scale="city", random=random.Random(2026), today=today, by=None,
                                  say=print))
    print(f"  recruitment seed: {time.perf_counter() - start:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--on", help="the check's day (default today)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench_recruitment.py measures PostgreSQL: give a postgres:// --database-url")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from branches.models import Organization

    on = datetime.date.fromisoformat(args.on) if args.on else datetime.date.today()
    if not Organization.objects.exists():
        seed_city(on)
    run(on, args.repeat)


def run(on: datetime.date, repeat: int) -> None:
    from django.db import connection

    from branches.models import Organization
    from members.models import Member
    from recruitment.models import Applicant, Step
    from recruitment.queries import check

    city = SimpleNamespace(path="", code="*")  # every organization: the whole city
    people = Applicant.objects.in_pipeline().count()
    print(f"PostgreSQL {connection.pg_version // 10000}: "
          f"{Organization.objects.count():,} organizations, {Member.objects.count():,} members, "
          f"{people:,} people in the pipeline, {Step.objects.count():,} steps; on {on}")

    def portal():
        found, summary = check(city, on)
        text = json.dumps({"org": city.code, "on": on.isoformat(),
                           "people": [p.as_json(full_id=True) for p in found],
                           "summary": summary}, ensure_ascii=False)
        return found, text

    def sql(statement):
        def fetch():
            with connection.cursor() as cursor:
                cursor.execute(statement, {"prefix": "%"})
                return cursor.fetchall()
        return fetch

    cpu = time.process_time()
    t_portal, t_hand, (ours, theirs) = interleaved(portal, sql(HAND_SQL), repeat)
    cpu = (time.process_time() - cpu) / (repeat + 1)  # this process's CPU, both sides, per round
    _, t_kept, (_, kept) = interleaved(portal, sql(FROM_MILESTONES), repeat)
    mine = {(p.id, d.rule, d.due) for p in ours[0] for d in p.evaluation.deadlines}
    sql = {(row[0], row[1], row[2]) for row in theirs}
    agree = "agree" if mine == sql else f"DISAGREE ({len(mine ^ sql)} differ)"
    print(f"recruitment_check (ORM pivot + rules + JSON): {t_portal:.3f} s median of {repeat} "
          f"({len(ours[0]):,} people, {len(mine):,} open deadlines, {len(ours[1]) / 1e6:.1f} MB JSON)")
    print(f"hand-written SQL of the same deadlines:        {t_hand:.3f} s median of {repeat} "
          f"({len(sql):,} rows)")
    same = "agree" if {(r[0], r[1], r[2]) for r in kept} == mine else "DISAGREE"
    print(f"the same SQL over the kept milestones:         {t_kept:.3f} s median of {repeat} ({same})")
    print(f"this process's CPU per round (portal + fetching the SQL's rows): {cpu:.3f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"ratio {t_portal / t_hand:.1f}x; deadlines {agree}; goal ≤ 1 s: "
          f"{'met' if t_portal <= 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
