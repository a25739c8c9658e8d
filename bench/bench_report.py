"""How fast are one quarter's §3 figures for a whole city, against one hand-written SQL GROUP BY?

Runs on a PostgreSQL database holding `seed_demo --scale city` data (about 5,000 organizations,
150,000 members, four quarters of meetings, ~2 million attendance rows). If the database is
empty, the script seeds it first with `manage.py seed_demo --scale city` (several minutes).
In the same run it times, median of --repeat after one warm-up:

1. reports.figures.compute_figures(root, quarter): the ORM aggregates + pandas shaping;
2. one hand-written SQL statement computing the same per-branch figures (members, full members,
   meeting counts by type × month × holding organization, members present), fetched into Python;
3. the whole job as the Celery task runs it (figures, stored rows, workbook, current version);
4. the dashboard page answering from the stored result (Django test client, staff user).

It checks that (1) and (2) agree branch by branch and prints the ratio (1)/(2).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city .venv/bin/python bench/bench_report.py
    .venv/bin/python bench/bench_report.py --quarter 2026Q2 --repeat 5

The database is written to only by seeding, by the stored report versions of step 3 and by a
"bench-staff" user for step 4.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_city"

HAND_SQL = """
WITH br AS (
    SELECT id FROM branches_organization
    WHERE path LIKE %(prefix)s AND kind IN ('branch', 'joint_branch', 'temporary_branch')
      AND (founded_on IS NULL OR founded_on <= %(end)s)
      AND (dissolved_on IS NULL OR dissolved_on > %(end)s)
),
mem AS (
    SELECT ms.branch_id,
           count(DISTINCT ms.member_id) AS members,
           count(DISTINCT ms.member_id) FILTER (
               WHERE m.category = 'full' AND (m.confirmed_on IS NULL OR m.confirmed_on <= %(end)s)
           ) AS full_members
    FROM members_membership ms JOIN members_member m ON m.id = ms.member_id
    WHERE ms.branch_id IN (SELECT id FROM br)
      AND ms.started_on <= %(end)s AND (ms.ended_on IS NULL OR ms.ended_on > %(end)s)
    GROUP BY ms.branch_id
),
counted AS (
    SELECT id, branch_id, organization_id, date FROM activities_meeting
    WHERE status = 'submitted' AND date BETWEEN %(start)s AND %(end)s
      AND branch_id IN (SELECT id FROM br)
),
kinds AS (
    SELECT c.branch_id,
           json_agg(json_build_array(c.organization_id, c.kind, c.month, c.n)) AS counts
    FROM (
        SELECT counted.branch_id, counted.organization_id, k.kind,
               extract(month FROM counted.date)::int AS month, count(*) AS n
        FROM counted JOIN activities_meetingkind k ON k.meeting_id = counted.id
        GROUP BY 1, 2, 3, 4
    ) c
    GROUP BY c.branch_id
),
att AS (
    SELECT counted.branch_id, count(DISTINCT a.member_id) AS attended
    FROM activities_attendance a
    JOIN counted ON counted.id = a.meeting_id
    JOIN members_membership ms ON ms.member_id = a.member_id AND ms.branch_id = counted.branch_id
         AND ms.started_on <= %(end)s AND (ms.ended_on IS NULL OR ms.ended_on > %(end)s)
    WHERE a.status = 'present'
    GROUP BY counted.branch_id
)
SELECT br.id, coalesce(mem.members, 0), coalesce(mem.full_members, 0),
       coalesce(att.attended, 0), kinds.counts
FROM br
LEFT JOIN mem ON mem.branch_id = br.id
LEFT JOIN att ON att.branch_id = br.id
LEFT JOIN kinds ON kinds.branch_id = br.id
"""


def median_time(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm-up: caches, plans
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def interleaved(first, second, repeat: int):
    """Median times of two functions run alternately, so a busy machine slows both alike."""
    first(), second()  # warm-up
    times = ([], [])
    results = [None, None]
    for _ in range(repeat):
        for index, fn in enumerate((first, second)):
            start = time.perf_counter()
            results[index] = fn()
            times[index].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1]), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--quarter", help="default: the quarter with the most meetings")
    parser.add_argument("--org", default="*",
                        help="root organization code; default * = every organization (the city)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    if not args.database_url.startswith("postgres"):
        sys.exit("bench_report.py measures PostgreSQL: give a postgres:// --database-url")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    ensure_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from branches.models import Organization

    if not Organization.objects.exists():
        print("empty database: seeding with seed_demo --scale city …", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "seed_demo", "--scale", "city"],
            check=True, env=os.environ,
        )
    run(args)


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def default_quarter():
    from django.db.models import Count
    from django.db.models.functions import ExtractMonth, ExtractYear

    from activities.models import Meeting
    from core.quarters import Quarter

    rows = (
        Meeting.objects.final()
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("y", "m").annotate(n=Count("id")).order_by()
    )
    per_quarter: dict = {}
    for row in rows:
        q = Quarter(row["y"], (row["m"] - 1) // 3 + 1)
        per_quarter[q] = per_quarter.get(q, 0) + row["n"]
    return max(per_quarter, key=per_quarter.get)


def run(args) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.actions import grant_role
    from activities.models import Attendance, Meeting
    from branches.models import Organization
    from core.quarters import Quarter
    from members.models import Member
    from reports import actions
    from reports.figures import WholeTree, as_org, compute_figures

    quarter = Quarter.parse(args.quarter) if args.quarter else default_quarter()
    root = as_org(args.org)
    orgs = Organization.objects.subtree(root).count()
    members = Member.objects.in_subtree(root).count()
    attendance = Attendance.objects.filter(meeting__branch__path__startswith=root.path).count()
    quarter_attendance = Attendance.objects.filter(
        meeting__branch__path__startswith=root.path,
        meeting__date__range=(quarter.start, quarter.end),
    ).count()
    meetings = Meeting.objects.in_subtree(root).count()
    print(f"PostgreSQL {connection.pg_version // 10000}, root {root.code} {root.name}, quarter {quarter}")
    print(f"data: {orgs:,} organizations, {members:,} members, {meetings:,} meetings, "
          f"{attendance:,} attendance rows ({quarter_attendance:,} in {quarter})")

    def hand():
        params = {"prefix": root.path + "%", "start": quarter.start, "end": quarter.end}
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL, params)
            return cursor.fetchall()

    orm_time, sql_time, (figures, rows) = interleaved(
        lambda: compute_figures(root, quarter), hand, args.repeat
    )
    check_agreement(figures, rows)
    print(f"compute_figures (ORM aggregates + pandas): {orm_time:.3f} s median of {args.repeat}, "
          "interleaved with:")
    print(f"one hand-written SQL statement:            {sql_time:.3f} s median of {args.repeat}")
    print(f"ratio compute_figures / hand SQL:          {orm_time / sql_time:.2f}")
    s = figures.summary
    print(f"figures: {s['branches']:,} branches, completion {s['completion_rate']}, "
          f"coverage {s['coverage']}, compliance {s['compliance_rate']}")

    tops = (
        list(Organization.objects.filter(parent__isnull=True).order_by("path"))
        if isinstance(root, WholeTree) else [root]
    )

    def whole_job():
        """What compile_report QUARTER (no --org) or the beat job does: one report per root."""
        done = []
        for top in tops:
            report = actions.request_report(top, quarter, by=None, enqueue=False,
                                            reuse_unfinished=False)
            done.append(actions.run_report(report.pk))
        return done

    job_times = []
    for _ in range(max(1, min(args.repeat, 3))):
        start = time.perf_counter()
        reports = whole_job()
        job_times.append(time.perf_counter() - start)
    size = sum(r.workbook.size for r in reports) / 1024
    print(f"whole job, {len(tops)} report(s) (figures, rows, workbooks, current): "
          f"{statistics.median(job_times):.3f} s median of {len(job_times)} ({size:.0f} KiB of xlsx)")

    if isinstance(root, WholeTree):
        city_job(quarter, tops[0], repeat=max(1, min(args.repeat, 3)))

    setup_test_environment()
    user, _, _ = grant_role("bench-staff", "staff", None, password="Bench-pass-2026")
    client = Client()
    client.force_login(user)
    biggest = max(reports, key=lambda r: r.figures["summary"]["branches"]).organization
    url = f"/reports/?org={biggest.code}&quarter={quarter}"
    dash_time, response = median_time(lambda: client.get(url), max(args.repeat, 5))
    assert response.status_code == 200, response.status_code
    assert not response.context["board"].live
    print(f"dashboard of {biggest.code} from its stored result: {dash_time * 1000:.0f} ms median")


def city_job(quarter, holder, repeat: int) -> None:
    """The steps of one job over the whole city as a single report (figures, absent members,
    workbook, branch rows), timed step by step inside a transaction that is rolled back: the
    seed has 26 top organizations, so no stored report can hold the whole city."""
    from django.db import transaction

    from reports import actions
    from reports.figures import WholeTree, absent_members, compute_figures
    from reports.models import Report
    from reports.workbook import build_workbook

    steps: dict[str, list[float]] = {}

    def timed(name, fn):
        start = time.perf_counter()
        result = fn()
        steps.setdefault(name, []).append(time.perf_counter() - start)
        return result

    for _ in range(repeat):
        with transaction.atomic():
            report = Report.objects.create(organization=holder, quarter=str(quarter),
                                           version=10**6)
            figures = timed("figures", lambda: compute_figures(WholeTree(), quarter))
            absent = timed("absent members", lambda f=figures: absent_members(
                WholeTree(), quarter,
                branch_ids=[b.id for b in f.branches if b.members_attended < b.members],
            ))
            content = timed(
                "workbook",
                lambda f=figures, a=absent: build_workbook(f, a, organization=holder),
            )
            timed(
                "branch rows",
                lambda r=report, f=figures: actions.insert_rows(actions.branch_rows(r, f)),
            )
            transaction.set_rollback(True)
    medians = {name: statistics.median(times) for name, times in steps.items()}
    parts = ", ".join(f"{name} {value:.2f}" for name, value in medians.items())
    print(f"whole job for the city as one report: {sum(medians.values()):.3f} s "
          f"({parts}; medians of {repeat}; {len(content) / 1024:.0f} KiB of xlsx)")


def check_agreement(figures, rows) -> None:
    """The hand SQL and compute_figures must give the same per-branch numbers."""
    by_id = {b.id: b for b in figures.branches}
    assert len(rows) == len(by_id), (len(rows), len(by_id))
    for branch_id, members, full, attended, _counts in rows:
        b = by_id[branch_id]
        assert (b.members, b.full_members, b.members_attended) == (members, full, attended), b.code


if __name__ == "__main__":
    main()
