"""Are subtree queries on the materialized path cheap at 10,000 organizations, and how do they
compare with a recursive CTE over parent_id?

Builds a throw-away database (PostgreSQL: a new database on the server, dropped at the end;
SQLite: a temporary file), migrates it, generates ~10,000 organizations with the demo generator
(demo.base, no members), grants one user three org_admin roles, then times each query both
ways in the same run (median of --repeat, after one warm-up) and checks both return the same rows.

    .venv/bin/python bench/bench_tree.py                       # PostgreSQL and SQLite
    .venv/bin/python bench/bench_tree.py --backend postgresql --orgs 10000 --repeat 50

PostgreSQL is reached through BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
only the database this script creates is written to, then dropped.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    backends = ("postgresql", "sqlite") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run_backend(backend, args.orgs, args.repeat)


def run_backend(backend: str, orgs: int, repeat: int) -> None:
    """Each backend in its own process: Django is configured once per process."""
    env = dict(os.environ)
    if backend == "postgresql":
        server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER)
        name = f"bench_tree_{os.getpid()}"
        _admin(server, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + name
        try:
            _child(env, orgs, repeat)
        finally:
            _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        with tempfile.TemporaryDirectory() as folder:
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench_tree.sqlite3"
            _child(env, orgs, repeat)


def _admin(server_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(server_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(statement)


def _child(env: dict, orgs: int, repeat: int) -> None:
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    subprocess.run(
        [sys.executable, __file__, "--child", str(orgs), str(repeat)], env=env, check=True, cwd=ROOT
    )


# ---------------------------------------------------------------------------------------------
# In the child process: Django configured for the throw-away database.


def child(orgs: int, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    started = time.perf_counter()
    user, nodes, total = build_tree(orgs)
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n== {connection.vendor} {connection.Database.__name__} "
          f"{'.'.join(map(str, connection.Database.sqlite_version_info)) if connection.vendor == 'sqlite' else connection.pg_version}"
          f": {total} organizations (migrate {migrated:.1f} s, generate {built:.1f} s), "
          f"median of {repeat}")
    rows = [measure(*case, repeat) for case in cases(user, nodes)]
    headers = ("ORM path", "SQL LIKE", "SQL range", "SQL CTE")
    print(f"| {'query (ms, median)':<46} | {'rows':>5} | " + " | ".join(f"{h:>9}" for h in headers) + " |")
    print(f"|{'-' * 48}|{'-' * 7}|" + "|".join("-" * 11 for _ in headers) + "|")
    for label, size, times in rows:
        cells = " | ".join(f"{t:>9.2f}" if t is not None else f"{'–':>9}" for t in times)
        print(f"| {label:<46} | {size:>5} | {cells} |")
    if connection.vendor == "sqlite":
        for name, where in (("LIKE", "path LIKE '0000001/%'"),
                            ("range", "path >= '0000001/' AND path < '00000010'")):
            plan = connection.cursor().execute(
                f"EXPLAIN QUERY PLAN SELECT count(*) FROM branches_organization WHERE {where}"
            ).fetchall()
            print(f"SQLite plan for {name}: {plan[-1][-1]}")


def build_tree(target: int):
    from accounts.actions import grant_role
    from branches.models import Organization
    from demo.base import CITY, Counts, DemoPlan

    shape = replace(CITY, streets=1, members=False, meetings=False)
    one_street = DemoPlan(shape, seed=1)
    one_street.plan_organizations()
    streets = max(1, round(target / len(one_street.orgs)))
    plan = DemoPlan(replace(shape, streets=streets), seed=1)
    plan.plan_organizations()
    plan.write(Counts(), lambda _name: None)
    K = Organization.Kind
    roots = list(Organization.objects.filter(parent__isnull=True).order_by("code"))
    middle = roots[len(roots) // 2]
    committees = list(
        Organization.objects.subtree(middle).filter(kind=K.COMMITTEE).order_by("code")
    )
    biggest = max(committees, key=lambda c: Organization.objects.subtree(c).count())
    granted = [
        Organization.objects.subtree(roots[1]).filter(kind=K.COMMITTEE).order_by("code")[2],
        Organization.objects.subtree(roots[len(roots) // 3]).filter(kind=K.GENERAL_BRANCH)
        .order_by("code")[1],
        biggest,
    ]
    for org in granted:
        user, _, _ = grant_role("bench-admin", "org_admin", org)
    deep = Organization.objects.filter(kind=K.GROUP).order_by("-depth", "code").first()
    return user, {"root": middle, "committee": biggest, "deep": deep}, Organization.objects.count()


def cases(user, nodes):
    """(label, ORM on the path, the path's SQL by hand with LIKE, with a range, recursive CTE)."""
    from django.db import connection

    from accounts.models import Role
    from branches.models import Organization

    table = Organization._meta.db_table
    branch_kinds = [str(k) for k in Organization.BRANCH_KINDS]
    in_branches = f"kind IN ({', '.join(['%s'] * len(branch_kinds))})"
    read_kinds = [str(k) for k in Role.READ_KINDS]
    in_read = f"kind IN ({', '.join(['%s'] * len(read_kinds))})"
    subtree_cte = (
        f"WITH RECURSIVE sub(id) AS (SELECT id FROM {table} WHERE id = %s "
        f"UNION ALL SELECT o.id FROM {table} o JOIN sub ON o.parent_id = sub.id) "
    )

    def sql(statement, params):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def like(path):
        return "path LIKE %s", [path + "%"]

    def prefix_range(path):
        # Every descendant's path lies in [path, path with its final "/" replaced by "0").
        return "path >= %s AND path < %s", [path, path[:-1] + "0"]

    def count_cases(org):
        def by_hand(condition):
            where, params = condition(org.path)
            return lambda: sql(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]

        return (
            lambda: Organization.objects.subtree(org).count(),
            by_hand(like),
            by_hand(prefix_range),
            lambda: sql(subtree_cte + "SELECT count(*) FROM sub", [org.pk])[0][0],
        )

    def branch_cases(org):
        def by_hand(condition):
            where, params = condition(org.path)
            return lambda: sorted(sql(
                f"SELECT id, code, name FROM {table} WHERE {where} AND {in_branches}",
                params + branch_kinds,
            ))

        return (
            lambda: sorted(Organization.objects.subtree(org).branches()
                           .values_list("id", "code", "name")),
            by_hand(like),
            by_hand(prefix_range),
            lambda: sorted(sql(
                subtree_cte + f"SELECT o.id, o.code, o.name FROM {table} o JOIN sub ON o.id = sub.id "
                f"WHERE o.{in_branches}", [org.pk, *branch_kinds]
            )),
        )

    def visible_orm():
        user._roles_cache = None  # Role.for_user caches per user object: count the role query
        return sorted(Organization.objects.visible_to(user).values_list("id", flat=True))

    def visible_by_hand(condition):
        def run():
            paths = [row[0] for row in sql(
                f"SELECT o.path FROM accounts_role r JOIN {table} o ON o.id = r.organization_id "
                f"WHERE r.user_id = %s AND r.{in_read}", [user.pk, *read_kinds]
            )]
            parts = [condition(p) for p in sorted(set(paths))]
            where = " OR ".join(f"({w})" for w, _ in parts)
            return sorted(r[0] for r in sql(f"SELECT id FROM {table} WHERE {where}",
                                            [v for _, params in parts for v in params]))
        return run

    def visible_cte():
        rows = sql(
            f"WITH RECURSIVE sub(id) AS (SELECT r.organization_id FROM accounts_role r "
            f"WHERE r.user_id = %s AND r.{in_read} "
            f"UNION SELECT o.id FROM {table} o JOIN sub ON o.parent_id = sub.id) "
            f"SELECT id FROM sub", [user.pk, *read_kinds]
        )
        return sorted(r[0] for r in rows)

    deep = nodes["deep"]
    ancestor_ids = deep.ancestor_ids()
    ancestors = (
        lambda: sorted(Organization.objects.filter(pk__in=deep.ancestor_ids())
                       .values_list("id", flat=True)),
        lambda: sorted(r[0] for r in sql(
            f"SELECT id FROM {table} WHERE id IN ({', '.join(['%s'] * len(ancestor_ids))})",
            ancestor_ids,
        )),
        None,
        lambda: sorted(r[0] for r in sql(
            f"WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM {table} WHERE id = %s "
            f"UNION ALL SELECT o.id, o.parent_id FROM {table} o JOIN up ON o.id = up.parent_id) "
            f"SELECT id FROM up WHERE id <> %s", [deep.pk, deep.pk]
        )),
    )
    root, committee = nodes["root"], nodes["committee"]
    return [
        (f"count under a 党工委 ({root.code})", *count_cases(root)),
        (f"count under a 党委 ({committee.code})", *count_cases(committee)),
        (f"branches under a 党委 ({committee.code})", *branch_cases(committee)),
        (f"branches under a 党工委 ({root.code})", *branch_cases(root)),
        ("visible_to, user with 3 roles (+ role query)", visible_orm, visible_by_hand(like),
         visible_by_hand(prefix_range), visible_cte),
        (f"ancestors of a 党小组 at depth {deep.depth}", *ancestors),
    ]


def measure(label, *functions_and_repeat):
    *functions, repeat = functions_and_repeat
    results = [fn() for fn in functions if fn is not None]  # warm-up; all must agree
    if any(result != results[0] for result in results):
        raise SystemExit(f"{label}: the methods disagree")
    size = results[0] if isinstance(results[0], int) else len(results[0])
    return label, size, [_median_ms(fn, repeat) if fn else None for fn in functions]


def _median_ms(fn, repeat) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
