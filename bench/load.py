#!/usr/bin/env python
"""Load benchmark (issue 22): a working day's load on the whole stack, measured.

Loads a mid-size ISP (``bench/loaddata.py``: N customers, default 100,000, each with a contract, a
login, 12 monthly invoices and their payments, sessions and tickets) with COPY into a scratch
PostgreSQL database (``enlace_load`` on the server of DATABASE_URL; ``enlace_load_quick`` with
``--quick``), or reuses it (``--reuse``, when the counts match). Serves it as in production —
gunicorn 3 workers × 2 threads (gthread), DEBUG off, Redis cache, one Celery worker — and drives it
with Locust (``bench/locustfile.py``: 40 % operators, 20 % API clients, 40 % subscribers, 1–5 s of
think time) at 10, 25 and 50 users, one step after the other. Prints per step: req/s,
p50/p95/p99, errors, 5xx, how busy the machine was and the CPU of gunicorn, PostgreSQL, the worker
and Locust; then the 10 slowest endpoints of the last step and the integrity checks (no 5xx, no
duplicate ticket protocol, no invoice paid twice, every double-clicked settlement one 201 and one
400).

Goals (2-core machine, 100,000 customers): at 50 users p95 ≤ 300 ms, p99 ≤ 800 ms, 0 errors, the
machine ≤ 60 % busy; ``--saturate`` adds steps of 50 more users until p95 passes 1 s: ≥ 60 req/s
of this mix before it does.

Usage: ``python bench/load.py [-n N] [--quick] [--reuse] [--steps 10,25,50] [--step-seconds 60]
[--saturate] [--drop]``. The scratch database is kept for ``--reuse`` (``--drop`` drops it).
"""

import argparse
import csv
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

VENV_BIN = Path(sys.executable).parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
GOALS = {"users": 50, "p95": 300, "p99": 800, "busy": 60, "saturation_rps": 60, "saturation_p95": 1000}
HZ = os.sysconf("SC_CLK_TCK")
SPAWN_RATE = 5  # Locust users started per second at the start of a step
#: operations.md's PostgreSQL settings that a database can carry (ALTER DATABASE … SET).
DATABASE_SETTINGS = {
    "work_mem": "16MB",
    "random_page_cost": "1.1",
    "effective_cache_size": "3GB",
    "effective_io_concurrency": "200",
}


# --- Processes and CPU ---------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def ticks(pids) -> dict[int, int]:
    """utime + stime (clock ticks) of each live pid."""
    result = {}
    for pid in pids:
        fields = _stat(pid)
        if fields:
            result[pid] = int(fields[11]) + int(fields[12])
    return result


def tree(root: int) -> list[int]:
    """``root`` and its children (gunicorn's master and workers, Celery's and its pool)."""
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == root:
                pids.append(int(entry.name))
    return pids


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def postgres_pids(dbname: str) -> list[int]:
    """The PostgreSQL backends of the scratch database and the server's own processes (WAL
    writer, checkpointer, background writer…); backends of other databases on the same server are
    not counted. This process's own connection is left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = %s OR datname IS NULL) AND pid <> pg_backend_pid()",
            [dbname],
        )
        return [pid for (pid,) in cursor.fetchall()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_ok(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "no Redis"
        return False


def scratch_url(dbname: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{dbname}"))


class Stack:
    """gunicorn (and a Celery worker) serving the scratch database, as docs/operations.md runs
    them, with the production settings listed in docs/bench.md."""

    def __init__(self, dbname: str, work: Path, redis_url: str | None):
        self.work = work
        self.port = free_port()
        self.host = f"http://127.0.0.1:{self.port}"
        self.access_log = work / "access.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": scratch_url(dbname),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "ENLACE_VAR_DIR": str(work / "var"),  # collected static files, media
            "TRUSTED_PROXY_COUNT": "1",  # as behind nginx: the Locust users' X-Forwarded-For
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            self.env.pop(name, None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
            self.env["CELERY_BROKER_URL"] = redis_url
        self.web = self.worker = None

    def start(self) -> None:
        (self.work / "var").mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        if "CELERY_BROKER_URL" in self.env:
            self.worker = subprocess.Popen(  # noqa: S603
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=open(self.work / "worker.log", "wb"),  # noqa: SIM115
                stderr=subprocess.STDOUT,
            )
        self.web = subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--threads",
                "2",
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
                "--keep-alive",
                "75",
                "--max-requests",
                "1000",
                "--max-requests-jitter",
                "100",
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                '%(s)s %(M)s "%(r)s"',
                "--forwarded-allow-ips",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.work / "gunicorn.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.web.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.work / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"{self.host}/login/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer /login/ within 90 s: see {self.work / 'gunicorn.log'}")

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.web, self.worker):
            if process:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


# --- Steps -----------------------------------------------------------------------------------------


@dataclass
class Step:
    users: int
    seconds: float = 0.0
    requests: int = 0
    failures: int = 0
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    errors_5xx: int = 0
    busy: float = 0.0
    cpu: dict = field(default_factory=dict)
    endpoints: list = field(default_factory=list)
    failure_lines: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def goal(self) -> str:
        if self.users != GOALS["users"]:
            return ""
        good = (
            self.p95 <= GOALS["p95"]
            and self.p99 <= GOALS["p99"]
            and self.failures == 0
            and self.errors_5xx == 0
            and self.busy <= GOALS["busy"]
        )
        return "yes" if good else "NO"


def _number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def read_stats(prefix: Path) -> tuple[dict, list[dict]]:
    """Locust's ``_stats.csv``: the aggregated row and the per-endpoint rows."""
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    total = next((r for r in rows if r["Name"] == "Aggregated"), {})
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def count_5xx(path: Path, offset: int) -> tuple[int, int]:
    """5xx answers in gunicorn's access log after ``offset``; returns (count, new offset)."""
    if not path.exists():
        return 0, offset
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    count = sum(1 for line in data.splitlines() if line[:1] == b"5")
    return count, offset + len(data)


def run_step(
    stack: Stack, users: int, seconds: int, dbname: str, env: dict, work: Path, tag: str = "step"
) -> Step:
    prefix = work / f"{tag}-{users:03d}"
    results = work / f"{tag}-{users:03d}.json"
    step = Step(users)
    # Users arrive at SPAWN_RATE a second (operators do not all log in within the same second); the
    # step is measured from the moment the last one has arrived: Locust's --reset-stats drops what
    # the ramp saw, and the CPU counters are read from then on.
    ramp = math.ceil(users / SPAWN_RATE)
    with open(work / f"locust-{tag}-{users:03d}.log", "wb") as log:
        locust = subprocess.Popen(  # noqa: S603 - Locust exits 1 when any request failed: read from the CSV
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                str(SPAWN_RATE),
                "--reset-stats",
                "--run-time",
                f"{seconds + ramp}s",
                "--host",
                stack.host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={**env, "LOAD_RESULTS": str(results)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(ramp)
        pg = postgres_pids(dbname)
        groups = {"gunicorn": tree(stack.web.pid), "worker": tree(stack.worker.pid) if stack.worker else []}
        before = {name: ticks(pids) for name, pids in groups.items()} | {"postgres": ticks(pg)}
        locust_before = ticks(tree(locust.pid))
        machine = machine_ticks()
        _, offset = count_5xx(stack.access_log, 0)
        started = time.perf_counter()
        locust_ticks = locust_before
        while locust.poll() is None:  # the last reading before Locust exits
            locust_ticks = ticks(tree(locust.pid)) or locust_ticks
            time.sleep(0.5)
    step.seconds = wall = time.perf_counter() - started
    step.cpu["locust"] = (
        sum(t - locust_before.get(pid, 0) for pid, t in locust_ticks.items()) / HZ / wall * 100
    )
    after = {
        name: ticks(tree(stack.web.pid) if name == "gunicorn" else pids) for name, pids in groups.items()
    }
    after["postgres"] = ticks(set(pg) | set(postgres_pids(dbname)))  # new backends count whole
    for name, now in after.items():
        used = sum(t - before[name].get(pid, 0) for pid, t in now.items())
        step.cpu[name] = used / HZ / wall * 100
    busy, total = (a - b for a, b in zip(machine_ticks(), machine, strict=True))
    step.busy = busy / total * 100 if total else 0.0
    step.errors_5xx, _ = count_5xx(stack.access_log, offset)
    total_row, endpoints = read_stats(prefix)
    step.requests = int(_number(total_row.get("Request Count")))
    step.failures = int(_number(total_row.get("Failure Count")))
    step.rps = _number(total_row.get("Requests/s"))
    step.p50, step.p95, step.p99 = (_number(total_row.get(k)) for k in ("50%", "95%", "99%"))
    step.endpoints = endpoints
    failures_csv = Path(f"{prefix}_failures.csv")
    if failures_csv.exists():
        with open(failures_csv, newline="") as f:
            step.failure_lines = [
                f"{r['Occurrences']}× {r['Method']} {r['Name']}: {r['Error']}" for r in csv.DictReader(f)
            ]
    if results.exists():
        step.extra = json.loads(results.read_text())
    return step


# --- Integrity -----------------------------------------------------------------------------------


def integrity(steps: list[Step], since) -> list[tuple[str, str, bool]]:
    """(check, figure, ok) after the run."""
    checks = []
    errors_5xx = sum(s.errors_5xx for s in steps)
    checks.append(("no 5xx answer (gunicorn access log)", f"{errors_5xx} answers 5xx", errors_5xx == 0))
    with connection.cursor() as cursor:
        for table, label in (("support_ticket", "ticket"), ("support_serviceorder", "service order")):
            cursor.execute(
                f"SELECT count(*) FROM (SELECT protocol FROM {table} GROUP BY protocol HAVING count(*) > 1) d"  # noqa: S608 - fixed names
            )
            dupes = cursor.fetchone()[0]
            checks.append((f"no duplicate {label} protocol (table)", f"{dupes} duplicated", dupes == 0))
        cursor.execute(
            "SELECT count(*) FROM (SELECT invoice_id FROM billing_payment WHERE created_at >= %s AND NOT reversed "
            "AND reversal_of_id IS NULL GROUP BY invoice_id HAVING count(*) > 1) d",
            [since],
        )
        twice = cursor.fetchone()[0]
    checks.append(("no invoice paid twice during the run", f"{twice} invoices", twice == 0))
    protocols = [p for s in steps for p in s.extra.get("protocols", [])]
    repeated = len(protocols) - len(set(protocols))
    checks.append(
        (
            "tickets opened: distinct protocols handed back",
            f"{len(protocols)} opened, {repeated} repeated",
            repeated == 0,
        )
    )
    pairs: dict[str, int] = {}
    for s in steps:
        for outcome, k in s.extra.get("double_clicks", {}).items():
            pairs[outcome] = pairs.get(outcome, 0) + k
    good = pairs.get("201+400", 0)
    detail = ", ".join(f"{k} × {o}" for o, k in sorted(pairs.items())) or "none"
    checks.append(("double-click settlements: one 201 and one 400 each", detail, good == sum(pairs.values())))
    return checks


# --- Report -----------------------------------------------------------------------------------------


def print_report(header: str, load_rows, steps: list[Step], checks, saturation: str) -> None:
    print(header)
    if load_rows:
        width = max(len(name) for name, _ in load_rows)
        print(f"\n{'load':<{width}}  {'seconds':>8}")
        for name, secs in load_rows:
            print(f"{name:<{width}}  {secs:>8.1f}")
    if not steps:  # --lists-only
        return
    print(
        f"\n{'users':>5}  {'req/s':>6}  {'p50 ms':>6}  {'p95 ms':>6}  {'p99 ms':>6}  {'requests':>8}  {'errors':>6}  "
        f"{'5xx':>4}  {'busy %':>6}  {'gunicorn %':>10}  {'postgres %':>10}  {'worker %':>8}  {'locust %':>8}  goal"
    )
    print("-" * 122)
    for s in steps:
        print(
            f"{s.users:>5}  {s.rps:>6.1f}  {s.p50:>6.0f}  {s.p95:>6.0f}  {s.p99:>6.0f}  {s.requests:>8}  {s.failures:>6}  "
            f"{s.errors_5xx:>4}  {s.busy:>6.0f}  {s.cpu.get('gunicorn', 0):>10.0f}  {s.cpu.get('postgres', 0):>10.0f}  "
            f"{s.cpu.get('worker', 0):>8.0f}  {s.cpu.get('locust', 0):>8.0f}  {s.goal}"
        )
    if saturation:
        print(saturation)
    last = steps[-1]
    slow = sorted(last.endpoints, key=lambda r: _number(r["95%"]), reverse=True)[:10]
    if slow:
        width = max(len(f"{r['Type']} {r['Name']}") for r in slow)
        print(f"\n10 slowest endpoints at {last.users} users (by p95)")
        print(
            f"{'endpoint':<{width}}  {'requests':>8}  {'p50 ms':>6}  {'p95 ms':>6}  {'p99 ms':>6}  {'max ms':>7}  {'errors':>6}"
        )
        for r in slow:
            print(
                f"{r['Type'] + ' ' + r['Name']:<{width}}  {r['Request Count']:>8}  {_number(r['50%']):>6.0f}  "
                f"{_number(r['95%']):>6.0f}  {_number(r['99%']):>6.0f}  {_number(r['Max Response Time']):>7.0f}  "
                f"{r['Failure Count']:>6}"
            )
    failures = [(s.users, line) for s in steps for line in s.failure_lines]
    if failures:
        print("\nerrors (Locust)")
        for users, line in failures[:20]:
            print(f"  {users} users: {line[:200]}")
    print("\nintegrity")
    width = max(len(c[0]) for c in checks)
    for name, figure, ok in checks:
        print(f"  {name:<{width}}  {'ok' if ok else 'FAILED':<6}  {figure}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=None, help="customers (default 100,000; --quick 2,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 customers, steps 5,10 of 20 s")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the scratch database when it holds the data set"
    )
    parser.add_argument("--steps", default=None, help="users per step, e.g. 10,25,50")
    parser.add_argument("--step-seconds", type=int, default=None, help="seconds per step (default 60)")
    parser.add_argument(
        "--warmup-seconds",
        type=int,
        default=None,
        help="unmeasured run of 5 users first (default 20; --quick 10)",
    )
    parser.add_argument("--saturate", action="store_true", help="then add 50 users a step until p95 > 1 s")
    parser.add_argument("--max-users", type=int, default=400, help="last step of --saturate")
    parser.add_argument("--database", default=None, help="scratch database (default enlace_load[_quick])")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help="cache and Celery broker (empty: none)")
    parser.add_argument("--drop", action="store_true", help="drop the scratch database at the end")
    parser.add_argument(
        "--lists",
        action="store_true",
        help="then time every staff list page with one user (bench/loadlists.py)",
    )
    parser.add_argument(
        "--lists-only", action="store_true", help="only the staff list pages, no Locust steps"
    )
    args = parser.parse_args(argv)
    n = args.n or (2_000 if args.quick else 100_000)
    steps_users = [
        int(u) for u in (args.steps or ("5,10" if args.quick else "10,25,50")).split(",") if u.strip()
    ]
    step_seconds = args.step_seconds or (20 if args.quick else 60)
    warmup = args.warmup_seconds if args.warmup_seconds is not None else (10 if args.quick else 20)
    dbname = args.database or ("enlace_load_quick" if args.quick else "enlace_load")

    if connection.vendor != "postgresql":
        print(
            "Load bench skipped: it needs PostgreSQL, as production (DATABASE_URL=postgres://…); "
            "SQLite is not measured under concurrent load."
        )
        return 0

    from bench import loaddata

    settings.DEBUG = False
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = dbname
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=args.reuse)
    load_rows = [("scratch database: create (or open) + migrate", time.perf_counter() - started)]
    reused, have = loaddata.holds_data_set(n)
    if args.reuse and not reused and have["customers"]:
        print(f"{dbname} does not hold the data set of {n:,} customers ({have}): run without --reuse.")
        return 1
    if not reused:
        seconds = loaddata.load(n)
        load_rows += [(name, secs) for name, secs in seconds.items()]
    else:
        started = time.perf_counter()
        if loaddata.rehash_passwords():
            load_rows.append(("passwords re-hashed with today's hasher", time.perf_counter() - started))
    first_customer, _last = loaddata.customer_range()
    with connection.cursor() as cursor:
        # The per-connection settings of operations.md's "Production defaults" for this database
        # (shared_buffers needs a restart of the server: the machine's own is used, and printed).
        for name, value in DATABASE_SETTINGS.items():
            cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(dbname)} SET {name} = '{value}'")
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM contracts_contract")
        first_contract = cursor.fetchone()[0]
        cursor.execute("SELECT now()")
        since = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
        size, version = cursor.fetchone()

    load_average = os.getloadavg()[0]
    redis_url = args.redis_url if args.redis_url and redis_ok(args.redis_url) else None
    work = Path(tempfile.mkdtemp(prefix="enlace-load-"))
    stack = Stack(dbname, work, redis_url)
    env = {
        **os.environ,
        "LOAD_CUSTOMERS": str(n),
        "LOAD_FIRST_CUSTOMER": str(first_customer),
        "LOAD_FIRST_CONTRACT": str(first_contract),
    }
    steps: list[Step] = []
    warm: list[Step] = []  # counted by the integrity checks, not in the table
    saturation = ""
    if args.lists_only:
        steps_users, warmup, args.saturate, args.lists = [], 0, False, True
    try:
        if steps_users:
            stack.start()
        if warmup:  # first requests of each worker (imports, templates, connections) are not measured
            print(f"warm-up: 5 users for {warmup} s…", file=sys.stderr, flush=True)
            warm.append(run_step(stack, 5, warmup, dbname, env, work, tag="warmup"))
        for users in steps_users:
            print(f"step: {users} users for {step_seconds} s…", file=sys.stderr, flush=True)
            steps.append(run_step(stack, users, step_seconds, dbname, env, work))
        if args.saturate:
            users = steps_users[-1]
            best = max(
                (s for s in steps if s.p95 <= GOALS["saturation_p95"]), key=lambda s: s.rps, default=None
            )
            while steps[-1].p95 <= GOALS["saturation_p95"] and users + 50 <= args.max_users:
                users += 50
                print(f"saturation step: {users} users for {step_seconds} s…", file=sys.stderr, flush=True)
                steps.append(run_step(stack, users, step_seconds, dbname, env, work))
                if steps[-1].p95 <= GOALS["saturation_p95"] and (best is None or steps[-1].rps > best.rps):
                    best = steps[-1]
            rps = best.rps if best else 0.0
            verdict = "yes" if rps >= GOALS["saturation_rps"] else "NO"
            saturation = (
                f"saturation: {rps:.1f} req/s with p95 ≤ 1 s (at {best.users if best else 0} users); "
                f"goal ≥ {GOALS['saturation_rps']} req/s: {verdict}"
            )
    finally:
        stack.stop()
    checks = integrity([*warm, *steps], since)
    failed = not all(ok for _name, _figure, ok in checks)
    missed = n >= 100_000 and any(s.goal == "NO" for s in steps)
    header = (
        f"Enlace load bench — {version.split(',')[0]} ({dbname}, {size}), {n:,} customers "
        + ("(reused)" if reused else "(loaded)")
        + f", Python {platform.python_version()}, {os.cpu_count()} CPUs; gunicorn 3 workers × 2 threads, "
        + (
            f"Redis cache + 1 Celery worker ({redis_url})"
            if redis_url
            else "no Redis: local cache, tasks eager"
        )
        + "; PostgreSQL "
        + ", ".join(f"{k} {v}" for k, v in DATABASE_SETTINGS.items())
        + f", shared_buffers {shared_buffers} (the server's)"
        + f"; users arrive {SPAWN_RATE}/s, {step_seconds} s measured per step after {warmup} s of warm-up"
        + "; CPU % = % of one CPU, busy % = of the "
        + f"whole machine; load average before the run {load_average:.1f}"
        + ("" if n >= 100_000 else "; the goals are for 100,000 customers")
        + (f"; logs kept in {work}" if failed or missed else "")
    )
    print_report(header, load_rows, steps, checks, saturation)
    if args.lists:  # after the report: the steps' figures are printed whatever happens here
        from bench import loadlists

        print("staff list pages with one user…", file=sys.stderr, flush=True)
        loadlists.print_table(loadlists.measure())
    if args.drop:
        connection.creation.destroy_test_db(original_name, verbosity=0)
    else:
        connection.close()
    if not failed and not missed:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed or missed or (n >= 100_000 and "NO" in saturation) else 0


if __name__ == "__main__":
    sys.exit(main())
