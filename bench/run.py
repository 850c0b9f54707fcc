#!/usr/bin/env python
"""Enlace benchmarks (`make bench`): each measures one piece on this machine and prints a table.

Runs against a scratch database created and migrated like the test database — SQLite under
$ENLACE_VAR_DIR by default, or a database named ``enlace_bench`` on the server of DATABASE_URL —
so development data is never touched. See docs/bench.md for what each row means.

Usage: ``python bench/run.py [-k SUBSTRING] [--scale FACTOR]``. Adding a benchmark: write a function
``def bench_xxx(r: Runner)`` below, decorate it with ``@bench`` and time its work with
``with r.measure(name, n): ...``.
"""

import argparse
import os
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from enlace.core import context  # noqa: E402
from enlace.core.models import Branch, City, Department  # noqa: E402
from enlace.core.services import object_save  # noqa: E402


@dataclass
class Row:
    name: str
    n: int
    seconds: float
    note: str = ""


class Runner:
    def __init__(self, scale: float):
        self.scale = scale
        self.rows: list[Row] = []

    def n(self, base: int) -> int:
        return max(1, int(base * self.scale))

    @contextmanager
    def measure(self, name: str, n: int, note: str = ""):
        start = time.perf_counter()
        yield
        self.rows.append(Row(name, n, time.perf_counter() - start, note))

    def skip(self, name: str, why: str):
        self.rows.append(Row(name, 0, 0.0, f"skipped: {why}"))


BENCHES = []


def bench(fn):
    BENCHES.append(fn)
    return fn


# --- Benchmarks -----------------------------------------------------------------------------


@bench
def bench_audit_trail_writes(r: Runner):
    """object_save: validation + INSERT/UPDATE + one ObjectChange row, each in its own transaction."""
    admin = get_user_model().objects.get(username="bench")
    n = r.n(300)
    with context.acting_as(admin, source="command"):
        with r.measure("audit trail: object_save create (department)", n):
            for i in range(n):
                object_save(Department(name=f"Setor {i:05d}"), actor=admin)
        branch = Branch.objects.get(cnpj="11222333000181")
        with r.measure("audit trail: object_save update (branch)", n):
            for i in range(n):
                branch.phone = f"16{30000000 + i:08d}"
                object_save(branch, actor=admin)


@bench
def bench_city_list_page(r: Runner):
    """The city list (all 5,570 IBGE municipalities, paginated) rendered by the Django test client."""
    try:
        url = reverse("core:city_list")
    except NoReverseMatch:
        r.skip("city list page", "no URL named core:city_list")
        return
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    total = City.objects.count()
    last_page = max(1, (total + 49) // 50)
    cases = [
        ("city list: first page", url),
        (f"city list: page {last_page}", f"{url}?page={last_page}"),
        ("city list: search 'são'", f"{url}?q=s%C3%A3o"),
        ("city list: filter state MG", f"{url}?state=MG"),
    ]
    for name, target in cases:
        first = client.get(target)
        if first.status_code != 200:
            r.skip(name, f"HTTP {first.status_code} for {target}")
            continue
        n = r.n(20)
        with r.measure(name, n, note=f"{total} cities, {len(first.content) // 1024} KiB"):
            for _ in range(n):
                client.get(target)


# --- Scratch database and report ------------------------------------------------------------


def _use_scratch_database():
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test["NAME"] = str(Path(settings.VAR_DIR) / "bench.sqlite3")
    else:
        test["NAME"] = "enlace_bench"
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _fixtures():
    get_user_model().objects.create_superuser("bench", "bench@example.net", None)
    with context.acting_as(None, source="command"):
        object_save(
            Branch(
                name="Bench",
                legal_name="Bench Ltda",
                cnpj="11222333000181",
                city=City.objects.get(code=3550308),
            ),
            actor=None,
        )


def _print(rows: list[Row], header: str):
    print(header)
    name_w = max(len("benchmark"), *(len(r.name) for r in rows))
    print(f"{'benchmark':<{name_w}}  {'n':>6}  {'total s':>8}  {'per op ms':>9}  {'ops/s':>8}  note")
    print("-" * (name_w + 44))
    for r in rows:
        if r.n == 0:
            print(f"{r.name:<{name_w}}  {'-':>6}  {'-':>8}  {'-':>9}  {'-':>8}  {r.note}")
            continue
        per_ms = r.seconds / r.n * 1000
        ops = r.n / r.seconds if r.seconds else float("inf")
        print(f"{r.name:<{name_w}}  {r.n:>6}  {r.seconds:>8.2f}  {per_ms:>9.2f}  {ops:>8.1f}  {r.note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-k", dest="only", default="", help="run only benchmarks whose function name contains this"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every n by this (e.g. 0.1 for a smoke run)"
    )
    args = parser.parse_args(argv)

    setup_test_environment()
    started = time.perf_counter()
    original_name = connection.settings_dict["NAME"]
    db_name = _use_scratch_database()
    try:
        migrate_s = time.perf_counter() - started
        _fixtures()
        runner = Runner(args.scale)
        failed = 0
        for fn in BENCHES:
            if args.only in fn.__name__:
                try:
                    fn(runner)
                except Exception as exc:  # one broken benchmark must not hide the others' figures
                    failed += 1
                    runner.rows.append(Row(fn.__name__, 0, 0.0, f"FAILED: {type(exc).__name__}: {exc}"))
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)
        teardown_test_environment()
    header = (
        f"Enlace bench — {connection.vendor} ({db_name}), Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; scratch database created and migrated in {migrate_s:.1f} s"
    )
    _print(runner.rows, header)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
