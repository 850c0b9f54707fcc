#!/usr/bin/env python
"""FreeRADIUS's CPU per packet for variants of Enlace's configuration (issue 21).

Runs set-up (a) of ``bench/radius.py`` (Enlace's configuration, Redis copy, accounting loader) on
an existing bench database once per configuration directory given, in alternating rounds, and
prints per variant the authentications and Interim-Updates answered per second and the CPU of
radiusd (process time from ``/proc``) per packet — the figure to compare when a change of the
configuration (policy, linelog, threads…) is meant to make a packet cheaper. The loads are those
of ``bench/radius.py``: 12 concentrators sending random Access-Requests, then 48 sending one
Interim-Update per login.

Usage: ``BENCH_RADIUS_DB=radius_bench DATABASE_URL=postgres://…/radius_bench python
bench/radius_cpu.py [--config NAME=DIR …] [--threads 8,4] [--rounds 3] [--duration 5]
[--perf FILE]`` — the database must hold the bench's logins (``bench/radius.py --keep``);
without ``--config`` it measures deploy/freeradius. ``--perf`` records radiusd with ``perf record
--call-graph=dwarf`` during the first window of ``--perf-phase`` (``perf report -i FILE``).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.radius_data import DB_NAME  # noqa: E402
from bench.radius_load import _machine_ticks, _ticks, generate_load  # noqa: E402
from bench.radius_setups import _drop_copy, setup_ours, start_copy, start_loader  # noqa: E402
from bench.radius_storm import STORM_PREFIX, _wait_copy_sessions, storm, wait_radacct  # noqa: E402
from enlace.radius.management.commands.radius_server import CONFIG_DIR, find_binary  # noqa: E402
from enlace.radius.models import Login  # noqa: E402


def window(setup, run, *, perf: str | None = None) -> dict:
    """radiusd's CPU (ms) per packet while ``run()`` sends packets; ``run`` returns the count."""
    hz = os.sysconf("SC_CLK_TCK")
    pid = setup.server.process.pid
    recorder = None
    if perf:
        recorder = subprocess.Popen(  # noqa: S603
            ["perf", "record", "--call-graph=dwarf,8192", "-F", "400", "-q", "-o", perf, "-p", str(pid)],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
    before, machine, wall = _ticks([pid]), _machine_ticks(), time.perf_counter()
    packets = run()
    wall = time.perf_counter() - wall
    cpu = (_ticks([pid]) - before) / hz
    busy, total = (a - b for a, b in zip(_machine_ticks(), machine, strict=True))
    if recorder:
        recorder.send_signal(2)
        recorder.wait(60)
    return {
        "rate": packets / wall,
        "ms_per_packet": cpu / packets * 1000 if packets else 0,
        "busy": busy / total * 100,
    }


def forget_sessions(setup, opts) -> None:
    """Delete the sessions the Interim-Updates opened (they would count against Simultaneous-Use)
    and wait until the copy's counts follow."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM radacct WHERE acctsessionid LIKE '{STORM_PREFIX}%'")  # noqa: S608
    _wait_copy_sessions(setup, opts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", action="append", default=[], help="NAME=DIR, a configuration to measure")
    parser.add_argument("--threads", default="8", help="FreeRADIUS threads, e.g. 8,4 (each one a variant)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; the median is printed")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds of each authentication window")
    parser.add_argument("--interims", type=int, default=20_000, help="Interim-Updates per accounting window")
    parser.add_argument("-c", "--concurrency", type=int, default=12)
    parser.add_argument("--nas", type=int, default=48)
    parser.add_argument(
        "--redis-url", default=os.environ.get("RADIUS_REDIS_URL") or "redis://127.0.0.1:6379/11"
    )
    parser.add_argument("--perf", default=None, help="perf.data file of the first window of --perf-phase")
    parser.add_argument("--perf-phase", choices=("auth", "interim"), default="auth")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql" or not find_binary():
        print("RADIUS CPU bench skipped: it needs PostgreSQL and FreeRADIUS.")
        return 0
    if connection.settings_dict["NAME"] != DB_NAME:
        raise SystemExit(f"DATABASE_URL must name the bench database {DB_NAME} (BENCH_RADIUS_DB)")
    n = Login.objects.count()
    configs = [tuple(c.split("=", 1)) for c in args.config] or [("deploy/freeradius", str(CONFIG_DIR))]
    variants = [
        (f"{name}, {t} threads", path, int(t)) for name, path in configs for t in args.threads.split(",")
    ]
    work = Path(tempfile.mkdtemp(prefix="enlace-bench-radius-cpu-"))
    opts = SimpleNamespace(n=n, no_copy=False, redis_url=args.redis_url, threads=8, config=None)
    copy, _redis_pid = start_copy(opts, work)
    forget_sessions(SimpleNamespace(dbname=DB_NAME), opts)
    results = {label: [] for label, _path, _threads in variants}
    perf = args.perf
    try:
        for rnd in range(args.rounds):
            for k, (label, path, threads) in enumerate(variants):
                opts.threads = threads
                setup = setup_ours(opts, find_binary(), work / f"r{rnd}v{k}", config=path, copy_running=True)
                setup.server.start(timeout=120)
                start_loader(setup)
                try:
                    auth = window(
                        setup,
                        lambda setup=setup: generate_load(
                            setup.port,
                            concurrency=args.concurrency,
                            duration=args.duration,
                            warmup=1,
                            users=n,
                        )["answered"],
                        perf=perf if args.perf_phase == "auth" else None,
                    )
                    acct = window(
                        setup,
                        lambda setup=setup: storm(setup, args.interims, concurrency=args.nas, interim=True)[
                            "acct"
                        ],
                        perf=perf if args.perf_phase == "interim" else None,
                    )
                    perf = None
                    if any((setup.loader_state / "spool" / "accounting-batch").iterdir()):
                        wait_radacct(setup, args.interims, interim=True, timeout=120)
                finally:
                    setup.server.stop()
                    setup.loader.terminate()
                    setup.loader.wait(30)
                    forget_sessions(setup, opts)
                results[label].append((auth, acct))
                print(
                    f"  round {rnd + 1} {label}: auth {auth['rate']:,.0f}/s {auth['ms_per_packet']:.3f} ms; "
                    f"interim {acct['rate']:,.0f}/s {acct['ms_per_packet']:.3f} ms; machine busy "
                    f"{auth['busy']:.0f}/{acct['busy']:.0f}%; load {os.getloadavg()[0]:.1f}",
                    file=sys.stderr,
                )
    finally:
        copy.terminate()
        copy.wait(30)
        _drop_copy(opts)
        shutil.rmtree(work, ignore_errors=True)
    print(f"radiusd CPU per packet (median of {args.rounds} rounds), {n:,} logins, Redis copy")
    print(f"{'variant':<40}  {'auth/s':>7}  {'ms/auth':>8}  {'interim/s':>9}  {'ms/interim':>10}")
    for label, rows in results.items():

        def median(values):
            values = sorted(values)
            return values[len(values) // 2]

        print(
            f"{label:<40}  {median(a['rate'] for a, _ in rows):>7,.0f}  "
            f"{median(a['ms_per_packet'] for a, _ in rows):>8.3f}  "
            f"{median(b['rate'] for _, b in rows):>9,.0f}  {median(b['ms_per_packet'] for _, b in rows):>10.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
