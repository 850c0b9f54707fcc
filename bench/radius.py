#!/usr/bin/env python
"""RADIUS benchmark (issue 5): PAP Access-Requests per second against a real FreeRADIUS.

Loads N logins (default 100,000) into a scratch PostgreSQL database ``enlace_bench_radius``
(created and migrated like the test database; logins bulk-loaded with COPY and projected into
FreeRADIUS's tables by ``enlace.radius.projection``), then measures PAP Access-Request throughput
and p50/p99 latency with concurrent clients against three set-ups of Debian's FreeRADIUS 3.2:

(a) Enlace's configuration (deploy/freeradius) with the Redis copy kept by ``manage.py
    radius_cache`` (started here on the bench database; ``--no-copy`` without it): Simultaneous-Use
    checked, every authentication logged to radpostauth in batches; ``--with-sql`` adds (a1), the
    same configuration reading PostgreSQL on every request (before/after in one run);
(b) FreeRADIUS's stock SQL configuration (stock sites-available/default, stock sql module and
    queries, with its synchronous post-auth INSERT) on the same users copied into a scratch
    database ``enlace_bench_radius_stock`` with the stock schema;
(c) the same users in the stock ``files`` module, no database: the ceiling.

The load generator is one Python process: C UDP sockets (C "concentrators", one request in flight
each, a new request as soon as the answer arrives), every request a new Access-Request for a
random login. It reports the CPU used by FreeRADIUS, PostgreSQL and itself, so the bottleneck
shows. "logged" tells whether every answered request is in radpostauth (for (a), also how long
after the run the log caught up).

Goal on the 2-core machine: (a) ≥ 2,000 auth/s with p99 ≤ 20 ms while every authentication is
logged, beating (b).

The storm drill (``--nas`` concentrators) prints, per phase, the packets answered per second, their
answer times, the rows per second into radacct and the CPU of radiusd, PostgreSQL, the accounting
loader (``manage.py radius_acct_loader``, started beside (a) as ``radius_server`` does), radius_cache,
redis-server and this load generator.

Usage: ``python bench/radius.py [--quick] [-n N] [--duration S] [--repeat R] [-c CONCURRENCY]
[--threads T] [--only a,b,c] [--keep] [--reuse]``; ``--repeat 3`` lets the set-ups take turns three
times and keeps each one's best window (other work on the machine skews single windows). Needs
PostgreSQL (DATABASE_URL=postgres://…) and FreeRADIUS (``freeradius``, ``freeradius-postgresql``);
on SQLite it says so and exits 0. Figures seen: docs/radius.md.

This file is the entry point; the parts live beside it: ``radius_data.py`` (loading the logins),
``radius_setups.py`` (the FreeRADIUS set-ups), ``radius_load.py`` (the load generator and the CPU
per authentication) and ``radius_storm.py`` (the storm drill and accounting).
"""

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench.radius_data import (  # noqa: E402
    DB_NAME,
    STOCK_DB_NAME,
    _pg_params,
    _stock_loaded,
    load_enlace,
    load_stock_database,
    password,
    username,
)
from bench.radius_load import block_probe, logged_note, measure, wait_logged  # noqa: E402
from bench.radius_setups import (  # noqa: E402
    LABELS,
    _drop_copy,
    setup_files,
    setup_ours,
    setup_stock,
    start_loader,
)
from bench.radius_storm import STORM_PREFIX, storm_drill  # noqa: E402
from enlace.radius.management.commands.radius_server import find_binary, stock_dir  # noqa: E402
from enlace.radius.models import Login  # noqa: E402

#: Re-exported: bench/loaddata.py names its logins with these.
__all__ = ["main", "password", "username"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=None, help="logins to load (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5,000 logins, 3 s per set-up")
    parser.add_argument("--duration", type=float, default=None, help="measured seconds per window")
    parser.add_argument("--warmup", type=float, default=None, help="seconds sent before measuring")
    parser.add_argument("--repeat", type=int, default=1, help="windows per set-up, alternating; best kept")
    parser.add_argument("-c", "--concurrency", type=int, default=12, help="requests in flight")
    parser.add_argument("--threads", type=int, default=8, help="FreeRADIUS threads of set-up (a)")
    parser.add_argument("--only", default="a,b,c", help="set-ups to run, e.g. a or a,b")
    parser.add_argument("--config", default=None, help="configuration of (a) (default deploy/freeradius)")
    parser.add_argument("--drain-timeout", type=float, default=300, help="seconds to wait for the log")
    parser.add_argument(
        "--compare-config",
        default=None,
        help="also run set-up (a0): another configuration directory of ours (e.g. the previous one)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("RADIUS_REDIS_URL") or "redis://127.0.0.1:6379/11",
        help="Redis of (a)'s copy (manage.py radius_cache runs on the bench database)",
    )
    parser.add_argument("--no-copy", action="store_true", help="(a) without the Redis copy")
    parser.add_argument(
        "--with-sql",
        action="store_true",
        help="also run set-up (a1): the same configuration without the Redis copy (before/after)",
    )
    parser.add_argument("--nas", type=int, default=48, help="concentrators of the storm drill")
    parser.add_argument("--no-storm", action="store_true", help="skip the storm drill and accounting")
    parser.add_argument("--no-block", action="store_true", help="skip the block-while-loaded probe")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--reuse", action="store_true", help="reuse kept scratch databases (no load)")
    args = parser.parse_args(argv)
    args.n = args.n or (5_000 if args.quick else 100_000)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 2.0)
    only = set(args.only.replace(" ", "").split(","))

    if connection.vendor != "postgresql":
        print("RADIUS bench skipped: it needs PostgreSQL (DATABASE_URL=postgres://…).")
        return 0
    binary = find_binary()
    if not binary:
        print(
            "RADIUS bench skipped: FreeRADIUS is not installed (apt-get install freeradius freeradius-postgresql)."
        )
        return 0
    stock = stock_dir()
    version = subprocess.run([binary, "-v"], capture_output=True, text=True).stdout.splitlines()[0]  # noqa: S603

    setup_test_environment()
    settings.DEBUG = False
    original_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DB_NAME
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.reuse)
    pg_version = _server_version()  # asked now: the scratch database is gone when the table prints
    loaded = None
    setups, failed = [], []
    work = Path(tempfile.mkdtemp(prefix="enlace-bench-radius-"))
    try:
        present = Login.objects.count()
        if present and present != args.n:
            raise SystemExit(f"{DB_NAME} holds {present:,} logins, not {args.n:,}: run without --reuse")
        if not present:
            loaded = load_enlace(args.n)
        load_s = time.perf_counter() - started
        with connection.cursor() as cursor:  # sessions left open by an interrupted storm drill
            cursor.execute(f"DELETE FROM radacct WHERE acctsessionid LIKE '{STORM_PREFIX}%'")  # noqa: S608
        if "b" in only and not (args.reuse and _stock_loaded(args.n)):
            load_stock_database(stock)
        makers = {
            "a0": lambda: setup_ours(args, binary, work, config=args.compare_config, key="a0"),
            "a": lambda: setup_ours(args, binary, work),
            "a1": lambda: setup_ours(args, binary, work, key="a1", copy=False),
            "b": lambda: setup_stock(args, binary, work, stock),
            "c": lambda: setup_files(args, binary, work, stock),
        }
        if args.compare_config:
            only.add("a0")
        if args.with_sql:
            only.add("a1")
        for key in ("a0", "a1", "a", "b", "c"):
            if key in only:
                try:
                    setup = makers[key]()
                    setup.server.start(timeout=120)
                    setups.append(setup)
                    if setup.loader_state:
                        start_loader(setup)
                except Exception as exc:  # the other set-ups still run
                    failed.append((key, f"FAILED: {type(exc).__name__}: {exc}"[:300]))
        # The set-ups take turns, so that the load of other processes on the machine falls on
        # all of them alike; (a)'s log catches up before the next turn.
        for _round in range(args.repeat):
            for setup in setups:
                setup.windows.append(measure(setup, args))
                if setup.spool:
                    setup.lags.append(wait_logged(setup, args.drain_timeout))
        block_note = ""
        ours = [setup for setup in setups if setup.key == "a"]
        if ours and not args.no_block:
            block_note = block_probe(ours[0], args)
        storms = {}
        if not args.no_storm:
            for setup in setups:
                if setup.acct_port:
                    storms[setup.key] = storm_drill(setup, args)
                    if setup.spool:
                        wait_logged(setup, args.drain_timeout)
        notes = {setup.key: logged_note(setup, args) for setup in setups}
    finally:
        for setup in setups:
            setup.server.stop()
            if setup.loader:
                setup.loader.terminate()
                setup.loader.wait(30)
            if setup.copy_process:
                setup.copy_process.terminate()
                setup.copy_process.wait(30)
                _drop_copy(args)
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
            with psycopg.connect(**_pg_params("postgres"), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {STOCK_DB_NAME}")
        teardown_test_environment()

    print(
        f"Enlace RADIUS bench — {version}, PostgreSQL {pg_version} ({DB_NAME}), {args.n:,} logins"
        + (f" (loaded with the database in {load_s:.0f} s)" if loaded else " (reused)")
        + f", {os.cpu_count()} CPUs, Python {platform.python_version()}; PAP, {args.concurrency} requests "
        f"in flight, {args.duration:g} s measured after {args.warmup:g} s"
        + (f", best of {args.repeat} alternating windows" if args.repeat > 1 else "")
        + f"; FreeRADIUS (a): {args.threads} threads"
    )
    labels = {key: label.format(config=args.compare_config) for key, label in LABELS.items()}
    name_w = max(len(v) for v in labels.values())
    print(f"{'set-up':<{name_w}}  {'auth/s':>7}  {'p50 ms':>7}  {'p99 ms':>7}  logged / note")
    print("-" * (name_w + 60))
    for key, message in failed:
        print(f"{labels[key]:<{name_w}}  {'-':>7}  {'-':>7}  {'-':>7}  {message}")
    for setup in setups:
        best = max(setup.windows, key=lambda w: w["rate"])
        problems = []
        not_accepted = sum(w["reject"] + w["other"] for w in setup.windows)
        timeouts = sum(w["timeout"] for w in setup.windows)
        if not_accepted:
            problems.append(f"{not_accepted} not accepted")
        if timeouts:
            problems.append(f"{timeouts} timeouts")
        if len(setup.windows) > 1:
            problems.append("windows: " + " / ".join(f"{w['rate']:,.0f}" for w in setup.windows) + " auth/s")
        note = f"{notes[setup.key]}; {best['cpu']}" + (f"; {'; '.join(problems)}" if problems else "")
        print(
            f"{setup.label:<{name_w}}  {best['rate']:>7,.0f}  {best['p50']:>7.2f}  {best['p99']:>7.2f}  {note}"
        )
    if storms:
        print()
        print(
            f"Storm drill: {args.n:,} logins, {args.nas} concentrators, one packet in flight each "
            "(Access-Request then Accounting-Start per login; then one Interim-Update per login)"
        )
        print(
            f"{'set-up':<{name_w}}  {'auth+start pkt/s':>16}  {'all online s':>12}  {'interim pkt/s':>13}  "
            f"{'interim in radacct s':>20}  retransmissions / notes"
        )
        print("-" * (name_w + 110))
        for setup in setups:
            result = storms.get(setup.key)
            if not result:
                continue
            start, interim = result["start"], result["interim"]
            notes_s = (
                f"{start['retransmissions'] + interim['retransmissions']:,} retransmissions; "
                f"{start['reject']} rejected; {start['rows']:,} sessions and {interim['rows']:,} with the "
                f"interim counters in radacct; answered in {start['elapsed']:.1f} s + {interim['elapsed']:.1f} s; "
                f"{start['rows_per_s']:,.0f} + {interim['rows_per_s']:,.0f} rows/s into radacct; answer p99 "
                f"auth {start['auth_p99']:.1f}, Start {start['acct_p99']:.1f}, interim {interim['acct_p99']:.1f} ms"
            )
            print(
                f"{setup.label:<{name_w}}  {start['rate']:>16,.0f}  {start['online']:>12.1f}  "
                f"{interim['rate']:>13,.0f}  {interim['online']:>20.1f}  {notes_s}"
            )
    if block_note:
        print()
        print(f"Block while loaded ((a), contract of login 0 blocked through contract_block): {block_note}")
    return 1 if failed else 0


def _server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


if __name__ == "__main__":
    sys.exit(main())
