"""100 concurrent users for 5 minutes against gunicorn on PostgreSQL, with the city-scale data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city .venv/bin/python bench/bench_load.py
        [--seed] [--users 100] [--duration 300] [--workers 5] [--wait 1,3] [--beside 2,8]

--seed builds the city-scale demo (seed_demo --scale city) in that database first (it must be
empty). Bench users (secretaries of random branches, admins of 党委, staff) get sessions created
directly, so password hashing is not part of the measured mix. Prints per page: requests,
failures, median, p95, p99 (ms), and the totals, then the pass/fail against the targets
(zero errors, p95 ≤ 300 ms).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(*args, env):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_sessions(env, secretaries: int, upper: int) -> list[dict]:
    code = f"""
import json, random
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.actions import grant_role
from branches.models import Organization
rng = random.Random(7)
branches = list(Organization.objects.branches().filter(members__isnull=False).distinct().values_list("code", flat=True)[:3000])
committees = list(Organization.objects.filter(kind__in=["committee", "general_branch"]).values_list("code", flat=True)[:500])
out = []
def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key
for i, code in enumerate(rng.sample(branches, {secretaries})):
    org = Organization.objects.get(code=code)
    user, _, _ = grant_role(f"bench_sec_{{i}}", "secretary", org, password="Bench-pass-2026")
    out.append({{"role": "secretary", "session": session_for(user), "org": code}})
for i, code in enumerate(rng.sample(committees, {upper} - 2)):
    org = Organization.objects.get(code=code)
    user, _, _ = grant_role(f"bench_admin_{{i}}", "org_admin", org, password="Bench-pass-2026")
    out.append({{"role": "org_admin", "session": session_for(user), "org": code}})
top = Organization.objects.filter(parent__isnull=True).first()
for i in range(2):
    user, _, _ = grant_role(f"bench_staff_{{i}}", "staff", None, password="Bench-pass-2026")
    out.append({{"role": "staff", "session": session_for(user), "org": top.code}})
print(json.dumps(out))
"""
    result = subprocess.run([PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"server did not start: {url}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=300)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8055)
    parser.add_argument("--wait", default="2,8",
                        help="think time between a user's clicks, min,max seconds (default 2,8)")
    parser.add_argument("--beside", default="2,8",
                        help="the mix run first in the same run, against the same server, to "
                             "compare with (default 2,8; 'none' for only --wait)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (city-scale data)")
    # As deployed (docs/deployment.md): PostgreSQL, and the cache on Redis, which every gunicorn
    # worker shares (a per-process cache would miss the other workers' invalidations).
    env = dict(os.environ, DEBUG="false", ALLOWED_HOSTS="127.0.0.1,localhost",
               DJANGO_SETTINGS_MODULE="portal.settings", CONN_MAX_AGE="600")
    env.setdefault("CACHE_URL", "redis://127.0.0.1:6379/3")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage("migrate", "--noinput", "-v0", env=env)
    if args.seed:
        manage("seed_demo", "--scale", "city", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    sessions = prepare_sessions(env, secretaries=int(args.users * 0.8),
                                upper=max(4, int(args.users * 0.2)))
    work = Path(tempfile.mkdtemp(prefix="bench_load_"))
    (work / "sessions.json").write_text(json.dumps(sessions))
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "portal.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env,
    )
    mixes = [args.wait] if args.beside == "none" else [args.beside, args.wait]
    results = []
    try:
        wait_for(f"http://127.0.0.1:{args.port}/accounts/login/")
        for n, wait in enumerate(mixes):
            results.append(run_mix(args, env, work, wait, f"mix{n}"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    for wait, elapsed, rows in results:
        report(args, wait, elapsed, rows)


def run_mix(args, env, work: Path, wait: str, name: str):
    """One locust run of `args.users` users with think time `wait`; the server stays up."""
    started = time.time()
    subprocess.run(
        [str(Path(PY).parent / "locust"), "-f", "bench/locustfile.py", "--headless",
         "-u", str(args.users), "-r", str(max(1, args.users // 10)),
         "-t", f"{args.duration}s", "--host", f"http://127.0.0.1:{args.port}",
         "--csv", str(work / name), "--only-summary", "--loglevel", "WARNING"],
        cwd=ROOT, env=dict(env, BENCH_SESSIONS=str(work / "sessions.json"), BENCH_WAIT=wait),
        check=False,
    )
    return wait, time.time() - started, list(csv.DictReader(open(work / f"{name}_stats.csv")))


def report(args, wait: str, elapsed: float, rows: list[dict]) -> None:
    print(f"\n{args.users} users, think time {wait} s, {args.duration} s "
          f"({elapsed:.0f} s wall), gunicorn {args.workers} workers, PostgreSQL")
    print(f"{'page':<18}{'requests':>10}{'failures':>10}{'median':>9}{'p95':>8}{'p99':>8}  (ms)")
    total = None
    for row in rows:
        line = (f"{row['Name']:<18}{row['Request Count']:>10}{row['Failure Count']:>10}"
                f"{row['50%']:>9}{row['95%']:>8}{row['99%']:>8}")
        print(line)
        if row["Name"] == "Aggregated":
            total = row
    if total:
        ok = int(total["Failure Count"]) == 0 and float(total["95%"]) <= 300
        print(f"targets (0 errors, p95 ≤ 300 ms): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    random.seed(1)
    main()
