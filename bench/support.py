#!/usr/bin/env python
"""Support benchmark (issue 7, SPEC T-2): many operators opening tickets at the same time.

Creates a scratch database (``enlace_bench_support`` on the PostgreSQL server of DATABASE_URL, or a
SQLite file under $ENLACE_VAR_DIR for a smoke run), migrates it fresh, registers 200 customers and
two subjects — one plain (with an opening message, e-mailed to the customer) and one whose process
opens a service order — then lets 50 concurrent creators (threads, one database connection each)
open N tickets through ``support.services.ticket_create``, as the web form and the API do.

It prints the throughput and checks what the acceptance asks: zero duplicate protocols (among the
protocols handed back and in the table), every ticket saved, no creator failed.

Usage: ``python bench/support.py [-n N] [--creators C] [--quick] [--keep]``; default 5,000 tickets
by 50 creators on PostgreSQL (SQLite and ``--quick``: 500 by 10).
"""

import argparse
import os
import platform
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from bench.data import bench_cpf  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from tqdm import tqdm  # noqa: E402

from enlace.core import context  # noqa: E402
from enlace.core.models import Branch, City, Department  # noqa: E402
from enlace.customers.services import customer_create  # noqa: E402
from enlace.support import services  # noqa: E402
from enlace.support.models import Process, ProcessStep, ServiceOrder, Subject, Ticket  # noqa: E402

CUSTOMERS = 200
PROCESS_SHARE = 10  # every 10th ticket uses the subject with a process (opens a service order)


def reference_data():
    user = get_user_model().objects.create_superuser("bench", "bench@example.net", None)
    branch = Branch.objects.create(
        name="Matriz", legal_name="Bench Telecom", cnpj="11222333000181", city=City.objects.get(code=3550308)
    )
    support = Department.objects.create(name="Suporte")
    field = Department.objects.create(name="Campo")
    plain = Subject.objects.create(
        name="Sem conexão",
        default_department=support,
        default_description="Cliente sem acesso",
        default_opening_message="Recebemos seu atendimento.",
    )
    visit = Subject.objects.create(name="Visita", purpose="O", default_department=field)
    process = Process.objects.create(name="Instalação")
    ProcessStep.objects.create(process=process, order=1, subject=visit, department=field)
    ProcessStep.objects.create(process=process, order=2, subject=visit, department=field)
    with_process = Subject.objects.create(
        name="Instalação", default_department=support, default_process=process
    )
    customers = [
        customer_create(
            actor=user,
            name=f"Assinante {i}",
            person_type="F",
            cpf_cnpj=bench_cpf(i),
            branch=branch,
            email=f"assinante{i}@exemplo.com.br",
        )
        for i in range(CUSTOMERS)
    ]
    return user, customers, plain, with_process


def run(n: int, creators: int, user, customers, plain, with_process):
    per_creator = [n // creators + (1 if i < n % creators else 0) for i in range(creators)]
    protocols: list[list[str]] = [[] for _ in range(creators)]
    errors: list[str] = []
    bar = tqdm(total=n, unit=" tickets", desc=f"{creators} creators", file=sys.stderr)
    lock = threading.Lock()
    barrier = threading.Barrier(creators)

    def creator(index: int):
        try:
            with context.acting_as(user, source="command"):
                barrier.wait()
                for k in range(per_creator[index]):
                    number = index * per_creator[0] + k
                    subject = with_process if number % PROCESS_SHARE == 0 else plain
                    ticket = services.ticket_create(
                        actor=user,
                        customer=customers[number % len(customers)],
                        subject=subject,
                        description=f"Bench ticket {index}-{k}",
                    )
                    protocols[index].append(ticket.protocol)
                    with lock:
                        bar.update(1)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=creator, args=(i,)) for i in range(creators)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    bar.close()
    return seconds, [p for batch in protocols for p in batch], errors


def print_table(rows, header: str) -> None:
    print(header)
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  {'count':>7}  {'seconds':>8}  {'rate/s':>9}  {'ok?':<4}  note")
    print("-" * (width + 60))
    for step, count, seconds, ok, note in rows:
        rate = f"{count / seconds:>9,.0f}" if seconds else f"{'':>9}"
        secs = f"{seconds:>8.2f}" if seconds else f"{'':>8}"
        print(f"{step:<{width}}  {count:>7,}  {secs}  {rate}  {ok:<4}  {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=None, help="tickets to open (default 5,000; 500 on SQLite)")
    parser.add_argument(
        "--creators", type=int, default=None, help="concurrent creators (default 50; 10 on SQLite)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 500 tickets by 10 creators")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    small = args.quick or connection.vendor != "postgresql"
    n = args.n or (500 if small else 5_000)
    creators = args.creators or (10 if small else 50)

    setup_test_environment()  # e-mail copies go to the locmem outbox
    settings.DEBUG = False
    test = connection.settings_dict.setdefault("TEST", {})
    original_name = connection.settings_dict["NAME"]
    test["NAME"] = (
        str(Path(settings.VAR_DIR) / "bench_support.sqlite3")
        if connection.vendor == "sqlite"
        else "enlace_bench_support"
    )
    started = time.perf_counter()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        migrate_s = time.perf_counter() - started
        with context.acting_as(None, source="command"):
            user, customers, plain, with_process = reference_data()
        seconds, protocols, errors = run(n, creators, user, customers, plain, with_process)
        stored = list(Ticket.objects.values_list("protocol", flat=True))
        orders = list(ServiceOrder.objects.values_list("protocol", flat=True))
        duplicates = len(protocols) - len(set(protocols))
        stored_duplicates = len(stored) - len(set(stored))
        order_duplicates = len(orders) - len(set(orders))
        expected_orders = sum(1 for i in range(n) if i % PROCESS_SHARE == 0)
        rows = [
            (
                f"open tickets ({creators} concurrent creators)",
                len(protocols),
                seconds,
                "yes" if not errors and len(protocols) == n else "NO",
                f"{len(errors)} failed" + (f": {errors[0]}" if errors else ""),
            ),
            (
                "duplicate protocols (returned)",
                duplicates,
                0,
                "yes" if duplicates == 0 else "NO",
                "must be 0",
            ),
            (
                "tickets stored / distinct protocols",
                len(stored),
                0,
                "yes" if stored_duplicates == 0 and len(stored) == n else "NO",
                f"{len(set(stored)):,} distinct",
            ),
            (
                "service orders opened by the process",
                len(orders),
                0,
                "yes" if order_duplicates == 0 else "NO",
                f"{order_duplicates} duplicate protocols; ~{expected_orders:,} expected",
            ),
            ("e-mail copies (locmem)", len(mail.outbox), 0, "", "opening messages of the plain subject"),
        ]
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        teardown_test_environment()
    print_table(
        rows,
        f"Enlace support bench — {connection.vendor} ({db_name}), {n:,} tickets by {creators} creators, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; database created in {migrate_s:.1f} s",
    )
    return 1 if any(r[3] == "NO" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
