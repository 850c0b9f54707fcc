#!/usr/bin/env python
"""Messaging benchmark (issue 18): the régua de cobrança's daily run and e-mail sending.

Creates a scratch database (``enlace_bench_messaging`` on the PostgreSQL server of DATABASE_URL, or
a SQLite file under $ENLACE_VAR_DIR), migrates it fresh (which creates the default régua) and
bulk-loads N customers with an e-mail address and one open invoice each, spread over the default
rules' invoice events: a quarter issued today, a quarter due in 3 days, a quarter due today, a
quarter 1 day overdue (each with a linha digitável and a PIX copia e cola). Then it measures:

(a) the daily run (``messaging.services.daily_run``): every due message rendered from its rule's
    templates and queued (the issue e-mails of the invoices issued today, the reminders, the due-day
    and overdue e-mails);
(b) the same run again, which queues nothing (the unique constraint and the per-chunk check);
(c) sending M queued e-mails (no attachment) to a local SMTP server (aiosmtpd on a loopback port)
    with one worker (``messaging.delivery.deliver`` in this process: a few SMTP connections in
    flight, ``MESSAGING_SMTP_CONNECTIONS``);
(d) sending K issue e-mails with the boleto PDF rendered and attached.

Goals (issue 18): (a) ≤ 60 s for 100,000 invoices; (c) ≥ 200 e-mails/s. Each step prints its wall
and CPU seconds, the wall time spent waiting on the database and the statements per 1,000 messages
(``BENCH_PROFILE=1`` adds a cProfile of each step on stderr).

Usage: ``python bench/messaging.py [-n N] [-m M] [-k K] [--keep]``; defaults N = 100,000 on
PostgreSQL (10,000 on SQLite), M = 5,000, K = 300.
"""

import argparse
import cProfile
import datetime
import os
import platform
import pstats
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from bench.data import SICOOB_WALLET, bench_cpf  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from enlace.billing.models import Invoice  # noqa: E402
from enlace.core import context  # noqa: E402
from enlace.core.models import Branch, City, Wallet  # noqa: E402
from enlace.customers.models import Customer  # noqa: E402
from enlace.messaging import delivery  # noqa: E402
from enlace.messaging.models import Event, Message, MessageStatus  # noqa: E402
from enlace.messaging.services import daily_run  # noqa: E402

DIGITABLE = "75691306980101234560700000100016116630000012990"
PIX = (
    "00020101021226580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865406"
    "129.905802BR5914ENLACE TELECOM6009SAO PAULO62070503***6304ABCD"
)


class DbMeter:
    """Counts the statements sent to the database and the wall time spent waiting for them (an
    ``execute_wrapper``): the round trips and the server's share of a step's wall time."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0
        self.by_kind: dict[str, list] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds += spent
            self.queries += 1
            kind = " ".join(sql.split()[:3])[:60]
            entry = self.by_kind.setdefault(kind, [0, 0.0])
            entry[0] += 1
            entry[1] += spent

    def report(self, title: str) -> None:
        """Where the database time went, by statement kind (``BENCH_PROFILE=1``)."""
        print(f"database time of {title}:", file=sys.stderr)
        for kind, (count, spent) in sorted(self.by_kind.items(), key=lambda item: -item[1][1]):
            print(f"  {spent:8.2f} s {count:6} × {kind}", file=sys.stderr)


@dataclass
class Row:
    name: str
    n: int
    seconds: float
    goal: str = ""
    note: str = ""
    cpu: float = 0.0
    queries: int | None = None
    db_seconds: float = 0.0

    @classmethod
    def measured(cls, name, n, seconds, cpu, meter: DbMeter, goal="", note="") -> "Row":
        return cls(name, n, seconds, goal, note, cpu, meter.queries, meter.seconds)

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def load(n: int) -> None:
    sp = City.objects.get(code=3550308)
    branch = Branch.objects.create(
        name="Matriz", legal_name="Enlace Telecom Ltda", cnpj="11222333000181", city=sp
    )
    wallet = Wallet.objects.create(
        name="Carteira Sicoob",
        branch=branch,
        **SICOOB_WALLET,
        pix_key="financeiro@enlace.example",
    )
    today = timezone.localdate()
    offsets = [  # (issue date, due date) per event of the default régua
        (today, today + datetime.timedelta(days=10)),  # issued today
        (today - datetime.timedelta(days=20), today + datetime.timedelta(days=3)),  # reminder
        (today - datetime.timedelta(days=20), today),  # due today
        (today - datetime.timedelta(days=25), today - datetime.timedelta(days=1)),  # 1 day overdue
    ]
    bar = tqdm(total=2 * n, unit=" rows", desc="loading", file=sys.stderr)
    chunk = 5000
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        customers = Customer.objects.bulk_create(
            Customer(
                name=f"Assinante {i:06d}",
                person_type="F",
                cpf_cnpj=bench_cpf(i),
                branch=branch,
                email=f"assinante{i}@example.net",
                search_name=f"assinante {i:06d}",
            )
            for i in range(start, stop)
        )
        bar.update(len(customers))
        if connection.vendor != "postgresql":  # SQLite returns no ids from bulk_create
            customers = list(
                Customer.objects.filter(cpf_cnpj__in=[c.cpf_cnpj for c in customers]).order_by("pk")
            )
        invoices = []
        for i, customer in enumerate(customers, start=start):
            issue, due = offsets[i % 4]
            invoices.append(
                Invoice(
                    customer=customer,
                    branch=branch,
                    wallet=wallet,
                    kind="one-off",
                    issue_date=issue,
                    due_date=due,
                    amount=Decimal("129.90"),
                    nosso_numero=i + 1,
                    digitable_line=DIGITABLE,
                    pix_payload=PIX,
                    description="Mensalidade",
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=1000)
        bar.update(len(invoices))
    bar.close()


def bench(n: int, m: int, k: int) -> list[Row]:
    rows = []
    bar = tqdm(total=n, unit=" invoices", desc="daily run", file=sys.stderr)
    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    meter = DbMeter()
    started, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    with connection.execute_wrapper(meter):
        counts = daily_run(kick=False, progress=bar.update)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        meter.report("the daily run")
    bar.close()
    by_event = {
        e: Message.objects.filter(event=e).count()
        for e in (Event.ISSUED, Event.BEFORE_DUE, Event.DUE_TODAY, Event.OVERDUE)
    }
    rows.append(
        Row.measured(
            "daily run: render + queue",
            counts["queued"],
            seconds,
            cpu,
            meter,
            "≤ 60 s at 100,000",
            ", ".join(f"{e}: {c:,}" for e, c in by_event.items()),
        )
    )
    meter = DbMeter()
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(meter):
        again = daily_run(kick=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows.append(
        Row.measured(
            "daily run again (nothing new)", n, seconds, cpu, meter, note=f"queued {again['queued']}"
        )
    )

    # the SMTP server runs in a process of its own (aiosmtpd's Sink handler), as a real one would
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 10
        # hold everything, then release M plain e-mails and K with the boleto
        future = timezone.now() + datetime.timedelta(days=1)
        Message.objects.update(next_attempt_at=future)
        plain = list(
            Message.objects.filter(attach_boleto=False).order_by("pk").values_list("pk", flat=True)[:m]
        )
        with_pdf = list(
            Message.objects.filter(attach_boleto=True).order_by("pk").values_list("pk", flat=True)[:k]
        )
        for label, ids, goal in (
            ("send e-mails (text + HTML), one worker", plain, "≥ 200 e-mails/s"),
            ("send issue e-mails with the boleto PDF", with_pdf, ""),
        ):
            Message.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now())
            if profiler:
                profiler = cProfile.Profile()
                profiler.enable()
            meter = DbMeter()
            started, cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(meter):
                result = delivery.deliver()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            if profiler:
                profiler.disable()
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
                meter.report(label)
            note = f"retry {result['retry']}, failed {result['failed']}"
            row = Row.measured(label, result["sent"], seconds, cpu, meter, goal, note)
            rows.append(row)
        sent = Message.objects.filter(status=MessageStatus.SENT).count()
        rows.append(Row("messages marked sent", sent, 0.0))
    finally:
        server.terminate()
        server.wait(10)
    return rows


def print_table(rows: list[Row], header: str) -> None:
    print()
    print(header)
    print(
        f"{'step':45} {'n':>9} {'seconds':>9} {'per s':>9} {'CPU s':>7} {'DB s':>7} {'queries':>8}"
        f" {'q/1000':>7}  {'goal':18} note"
    )
    for row in rows:
        rate = f"{row.rate:9.0f}" if row.seconds else f"{'':9}"
        cpu = f"{row.cpu:7.2f}" if row.cpu else f"{'':7}"
        db = f"{row.db_seconds:7.2f}" if row.queries is not None else f"{'':7}"
        queries = f"{row.queries:8,}" if row.queries is not None else f"{'':8}"
        per_1000 = f"{1000 * row.queries / row.n:7.1f}" if row.queries is not None and row.n else f"{'':7}"
        print(
            f"{row.name:45} {row.n:9,} {row.seconds:9.2f} {rate} {cpu} {db} {queries} {per_1000}"
            f"  {row.goal:18} {row.note}"
        )
    print(
        "CPU s: this process's CPU time; DB s: wall time waiting on the database (its share, round trips"
        " included); q/1000: statements per 1,000 messages through Django's cursor (plus one COPY per"
        " chunk of 2,000 in the daily run, which the counter does not see). The machine is shared:"
        " wall time grows with its load."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=None, help="invoices (default 100,000; 10,000 on SQLite)")
    parser.add_argument("-m", type=int, default=5000, help="plain e-mails to send (default 5,000)")
    parser.add_argument("-k", type=int, default=300, help="e-mails with the boleto PDF to send (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    n = args.n or (100_000 if connection.vendor == "postgresql" else 10_000)
    settings.DEBUG = False
    test = connection.settings_dict.setdefault("TEST", {})
    original_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        test["NAME"] = str(Path(settings.VAR_DIR) / "bench_messaging.sqlite3")
    else:
        test["NAME"] = "enlace_bench_messaging"
    started = time.perf_counter()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        migrate_s = time.perf_counter() - started
        started = time.perf_counter()
        with context.acting_as(None, source="command"):
            load(n)
            rows = [Row("load: customers + invoices", 2 * n, time.perf_counter() - started)]
            rows += bench(n, args.m, args.k)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    print_table(
        rows,
        f"Enlace messaging bench — {connection.vendor} ({db_name}), {n:,} open invoices, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; database created in {migrate_s:.1f} s",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
