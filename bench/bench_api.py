"""The API's member list for a 500-member branch, beside the roster page, under 50 concurrent clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api .venv/bin/python bench/bench_api.py
        [--clients 50] [--duration 60] [--workers 4] [--wait 2,8]

The database is created if missing and seeded once: a 党委 with a branch of 500 members (and a
few small branches beside it), and one secretary of that branch per client, each with a session
(the roster page) and an API token (the endpoint). gunicorn serves the portal on PostgreSQL;
each client is a thread that sends a request, waits for the answer, then thinks for a random
time in --wait seconds (a phone app or a script polling, not a tight loop). Three phases, one
after the other in the same run and with the same clients:

  api       GET /api/v1/members/?branch=B500              (token; one page of 50, as a phone lists)
  roster    GET /members/?org=B500                         (session; the roster page, 50 a page)
  api-all   GET /api/v1/members/?branch=B500&page_size=500 (token; the whole branch at once)

Prints requests, errors, median, p95, p99 (ms) and requests/s per phase, and whether the API's
p95 meets the target (≤ 100 ms, no errors).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BRANCH = "B500"
TARGET_P95_MS = 100

SEED = """
import datetime, json
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.actions import grant_role
from api.actions import issue_token
from branches.models import Organization, path_segment
from members.models import Member, Membership

def org(code, name, kind, parent=None):
    found = Organization.objects.filter(code=code).first()
    if found:
        return found
    o = Organization.objects.create(code=code, name=name, kind=kind, parent=parent, sector="community")
    o.path = (parent.path if parent else "") + path_segment(o.pk)
    o.depth = parent.depth + 1 if parent else 0
    o.save(update_fields=["path", "depth"])
    return o

def valid_id(n):
    body = f"110101{datetime.date(1960, 1, 1) + datetime.timedelta(days=n):%Y%m%d}{n % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]

top = org("B000", "基准测试党委", "committee")
big = org("B500", "基准测试五百人党支部", "branch", top)
for i in range(1, 6):
    small = org(f"B5{i:02d}", f"基准测试第{i}党支部", "branch", top)
if not Member.objects.filter(branch=big).exists():
    n = 0
    for branch, size in [(big, 500)] + [(o, 30) for o in Organization.objects.filter(code__startswith="B5").exclude(pk=big.pk)]:
        members = []
        for i in range(size):
            n += 1
            number = valid_id(n)
            members.append(Member(name=f"党员{n:04d}", id_number=number, sex="男" if int(number[16]) % 2 else "女",
                                  birth_date=datetime.date(1960, 1, 1) + datetime.timedelta(days=n),
                                  joined_on=datetime.date(2000, 7, 1), confirmed_on=datetime.date(2001, 7, 1),
                                  category="full", branch=branch, phone=f"138{n:08d}"))
        Member.objects.bulk_create(members)
        Membership.objects.bulk_create(Membership(member=m, branch=branch, started_on=m.joined_on) for m in members)
clients = []
for i in range(CLIENTS):
    user, _, _ = grant_role(f"bench_api_{i}", "secretary", big, password="Bench-pass-2026")
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    clients.append({"session": s.session_key, "token": issue_token(user, name="bench", by=None)[1]})
print(json.dumps(clients))
"""


ONE_AT_A_TIME = """
import json, statistics, time
from django.contrib.auth import get_user_model
from django.test import Client
from api.actions import issue_token
user = get_user_model().objects.get(username="bench_api_0")
token = issue_token(user, name="bench", by=None)[1]
out = {}
for name, path, with_token in PHASES:
    client = Client()
    if with_token:
        headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    else:
        client.force_login(user)
        headers = {}
    for _ in range(5):
        client.get(path, **headers)
    walls, started = [], time.process_time()
    for _ in range(30):
        began = time.perf_counter()
        assert client.get(path, **headers).status_code == 200
        walls.append((time.perf_counter() - began) * 1000)
    out[name] = {"wall": statistics.median(walls), "cpu": (time.process_time() - started) / 30 * 1000}
print(json.dumps(out))
"""


def ensure_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def manage(*args, env, capture=False):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True,
                          capture_output=capture, text=True)


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # the server answers (401 without a token)
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not start: {url}")


def run_phase(base: str, path: str, clients: list[dict], *, token: bool, duration: float,
              wait: tuple[float, float]) -> dict:
    """Every client sends, waits for the answer, thinks; latencies of the answered requests."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client(auth: dict, rng: random.Random) -> None:
        time.sleep(rng.uniform(0, wait[1]))  # clients start spread out, as people do
        while time.monotonic() < stop:
            request = urllib.request.Request(base + path)
            if token:
                request.add_header("Authorization", f"Token {auth['token']}")
            else:
                request.add_header("Cookie", f"sessionid={auth['session']}")
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = response.status == 200 and "/accounts/login/" not in response.url
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
            time.sleep(rng.uniform(*wait))

    threads = [threading.Thread(target=client, args=(auth, random.Random(i)))
               for i, auth in enumerate(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {"requests": len(latencies) + errors[0], "errors": errors[0],
            "median": statistics.median(latencies) if latencies else 0.0, "p95": pct(0.95),
            "p99": pct(0.99), "rate": (len(latencies) + errors[0]) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8061)
    parser.add_argument("--wait", default="2,8", help="think time, min,max seconds")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database, e.g. …/bench_api")
    wait = tuple(float(v) for v in args.wait.split(","))
    env = dict(os.environ, DEBUG="false", ALLOWED_HOSTS="127.0.0.1,localhost",
               DJANGO_SETTINGS_MODULE="portal.settings", CONN_MAX_AGE="600")
    ensure_database(url)
    manage("migrate", "--noinput", "-v0", env=env)
    seeded = manage("shell", "-c", SEED.replace("CLIENTS", str(args.clients)), env=env,
                    capture=True)


    clients = json.loads(seeded.stdout.strip().splitlines()[-1])
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "portal.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    phases = [("api", f"/api/v1/members/?branch={BRANCH}", True),
              ("roster", f"/members/?org={BRANCH}", False),
              ("api-all", f"/api/v1/members/?branch={BRANCH}&page_size=500", True)]
    results = {}
    try:
        wait_for(base + "/api/v1/")
        for _name, path, token in phases:  # warm each worker's connection and caches
            run_phase(base, path, clients[: args.workers * 2], token=token, duration=3,
                      wait=(0.05, 0.1))
        for name, path, token in phases:
            results[name] = run_phase(base, path, clients, token=token, duration=args.duration,
                                      wait=wait)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{args.clients} clients, think time {args.wait} s, {args.duration:.0f} s per phase, "
          f"gunicorn {args.workers} sync workers, PostgreSQL, branch of 500 members")
    print(f"{'phase':<10}{'requests':>10}{'errors':>8}{'req/s':>8}{'median':>9}{'p95':>8}{'p99':>8}  (ms)")
    for name, r in results.items():
        print(f"{name:<10}{r['requests']:>10}{r['errors']:>8}{r['rate']:>8.1f}{r['median']:>9.1f}"
              f"{r['p95']:>8.1f}{r['p99']:>8.1f}")
    alone = json.loads(manage(
        "shell", "-c", ONE_AT_A_TIME.replace("PHASES", repr(phases)), env=dict(env, ALLOWED_HOSTS="testserver"),
        capture=True).stdout.strip().splitlines()[-1])
    print("one request at a time, in-process (Django test client, 30 requests): "
          + "; ".join(f"{name} median {r['wall']:.1f} ms, CPU {r['cpu']:.1f} ms"
                      for name, r in alone.items()))
    load = os.getloadavg()
    print(f"load average during the run (1, 5, 15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    api = results["api"]
    ok = api["errors"] == 0 and api["p95"] <= TARGET_P95_MS
    print(f"target (API member list p95 ≤ {TARGET_P95_MS} ms, no errors): "
          f"{'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
