#!/usr/bin/env python
"""Finance benchmark (issue 6, SPEC F-3, F-4, F-5, F-6): the billing run and the bank return import
at scale.

Creates a scratch database (``enlace_bench_billing`` on the PostgreSQL server of DATABASE_URL, or a
SQLite file under $ENLACE_VAR_DIR for a smoke run), migrates it fresh and bulk-loads N active
contracts with a progress bar (PostgreSQL: COPY) — one customer each, over six wallets of six banks
(Sicoob, Banco do Brasil, Itaú, Bradesco, Caixa, Sicredi), each with a PIX key; most contracts
were billed the month before (their invoice of the previous period is loaded too), a few are new
and get a pro-rata first invoice. Then it measures, each through the code operators use:

(a) the billing run of the next period over every contract (``billing_run_start_and_execute``: boleto and PIX
    computed for every invoice) — seconds and peak memory (RSS growth during the step, sampled);
(b) a second run for the same period, which creates nothing;
(c) the import of a CNAB 240 return file of 10,000 payments (built with ``build_cnab240`` for
    invoices of the run: full, partial and late payments) through ``cnab_import``.

(d) the remittance files of every new invoice of the run, one per wallet (``remittance_generate``,
    issue 16), after the customers got an address;
(e) the bank's returns confirming those registrations (occurrence 02) through ``cnab_import``.

Goals at 100,000 contracts on the 2-core machine (issue 6): (a) ≤ 20 s with memory bounded (it
never loads every contract: ≤ 256 MB of growth), (b) ≤ 5 s, (c) ≤ 5 s; issue 16: (d) ≤ 5 s,
(e) ≤ 10 s, both reading and writing in chunks (``--tracemalloc`` prints the Python heap peak).

Before each step it waits while another benchmark is measuring (a ``freeradius`` or ``radclient``
process exists): this machine has 2 cores.

Usage: ``python bench/billing.py [-n N] [--quick] [--keep] [--tracemalloc]``; default N is
100,000 on PostgreSQL (``--quick`` and SQLite: 5,000).
"""

import argparse
import ctypes
import datetime
import gc
import os
import platform
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from bench.data import bench_cpf  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from enlace.billing.cnab import SyntheticRecord, build_cnab240, build_cnab400, nosso_numero_for  # noqa: E402
from enlace.billing.models import Invoice, InvoiceKind, InvoiceStatus, WalletSequence  # noqa: E402
from enlace.billing.services.imports import cnab_import  # noqa: E402
from enlace.billing.services.runs import CHUNK, billing_run_start_and_execute  # noqa: E402
from enlace.contracts.models import AccessStatus, Contract, ContractStatus, Plan  # noqa: E402
from enlace.core import context  # noqa: E402
from enlace.core.models import Branch, City, PaymentCondition, Wallet  # noqa: E402
from enlace.customers.models import Customer  # noqa: E402

PERIOD = "2026-12"
PREVIOUS = "2026-11"
DUE_DAYS = (5, 10, 15, 20, 25)
CNAB_PAYMENTS = 10_000
MEMORY_BOUND_MB = 256

#: (bank, agency, account, account digit, carteira, convênio, PIX key) — one wallet each
WALLETS = [
    ("756", "3069", "12345", "6", "1", "123456", "123e4567-e12b-12d1-a456-426655440000"),
    ("001", "1234", "12345", "0", "17", "1449957", "financeiro@enlace.net.br"),
    ("341", "1234", "12345", "1", "109", "", "11222333000181"),
    ("237", "1234", "1234567", "0", "09", "4567890", "+5511999998888"),  # convênio: Bradesco company code
    ("104", "1234", "12345", "0", "1", "123456", "7d9f0335-8dcc-4054-9bf9-0dbd61a36690"),
    ("748", "1234.01", "12345", "0", "1", "12345", "cobranca@enlace.net.br"),
]

FIRST = ["Maria", "José", "Ana", "João", "Antônio", "Francisca", "Carlos", "Paulo", "Luíza", "Pedro"]
LAST = ["Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima"]


# --- Measuring ----------------------------------------------------------------------------------


def _running(names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` are running, matched exactly on the process name as ``pgrep -x`` does."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            name = (proc / "comm").read_text().strip()
        except OSError:
            continue
        if name in names:
            found.add(name)
    return found


def wait_until_quiet() -> None:
    """Another engineer measures RADIUS throughput on this 2-core machine: wait while a
    ``freeradius`` or ``radclient`` process exists."""
    while busy := _running(("freeradius", "radclient")):
        print(f"{' and '.join(sorted(busy))} running: waiting 30 s…", file=sys.stderr, flush=True)
        time.sleep(30)


def _trim() -> None:
    with suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Row:
    step: str
    count: int
    seconds: float
    peak_mb: float | None = None
    goal_s: float | None = None
    goal_mb: float | None = None
    note: str = ""

    @property
    def ok(self) -> str:
        if self.goal_s is None:
            return ""
        good = self.seconds <= self.goal_s and (self.goal_mb is None or (self.peak_mb or 0) <= self.goal_mb)
        return "yes" if good else "NO"

    @property
    def goal(self) -> str:
        if self.goal_s is None:
            return ""
        text = f"≤ {self.goal_s:g} s"
        return f"{text}, ≤ {self.goal_mb} MB" if self.goal_mb else text


class Step:
    """Times a block and samples the process's RSS (every 20 ms) for its peak growth; with
    ``--tracemalloc`` the peak of Python allocations instead (slower)."""

    use_tracemalloc = False

    def __init__(self):
        self.seconds = 0.0
        self.peak_mb = 0.0
        self.peak_rss_mb = 0.0

    @contextmanager
    def measure(self):
        wait_until_quiet()
        # give freed memory back first, so that what the step needs shows as growth
        gc.collect()
        _trim()
        start_rss = peak = rss_bytes()
        stop = threading.Event()

        def sample():
            nonlocal peak
            while not stop.wait(0.02):
                peak = max(peak, rss_bytes())

        sampler = threading.Thread(target=sample, daemon=True)
        if self.use_tracemalloc:
            tracemalloc.start()
        sampler.start()
        started = time.perf_counter()
        try:
            yield self
        finally:
            self.seconds = time.perf_counter() - started
            stop.set()
            sampler.join()
            peak = max(peak, rss_bytes())
            if self.use_tracemalloc:
                self.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
                tracemalloc.stop()
            else:
                self.peak_mb = (peak - start_rss) / 2**20
            self.peak_rss_mb = peak / 2**20


# --- Data -----------------------------------------------------------------------------------------


def reference_data():
    """Operator, two branches, plans, a payment condition and the six wallets."""
    user = get_user_model().objects.create_superuser("bench", "bench@example.net", None)
    sp = City.objects.get(code=3550308)
    branches = [
        Branch.objects.create(
            name="Matriz", legal_name="Enlace Telecom Ltda", cnpj="11222333000181", city=sp
        ),
        Branch.objects.create(
            name="Filial", legal_name="Enlace Telecom Filial Ltda", cnpj="11444777000161", city=sp
        ),
    ]
    plans = {}
    for branch in branches:
        plans[branch.pk] = [
            Plan.objects.create(
                name=name,
                branch=branch,
                type="I",
                price=Decimal(price),
                download_kbps=down,
                upload_kbps=down // 2,
                reduced_download_kbps=1_000,
                reduced_upload_kbps=512,
            )
            for name, price, down in (
                ("Fibra 300", "79.90", 300_000),
                ("Fibra 500", "99.90", 500_000),
                ("Fibra 1G", "149.90", 1_000_000),
            )
        ]
    condition = PaymentCondition.objects.create(name="À vista", instalments=1)
    wallets = []
    for i, (bank, agency, account, digit, carteira, convenio, key) in enumerate(WALLETS):
        wallets.append(
            Wallet.objects.create(
                name=f"Carteira {Wallet.SUPPORTED_BANKS[bank]}",
                branch=branches[i % 2],
                bank_code=bank,
                agency=agency,
                account=account,
                account_digit=digit,
                carteira=carteira,
                convenio=convenio,
                cnab_layout="240" if bank in ("756", "001", "104", "748") else "400",
                pix_key=key,
            )
        )
    return user, branches, plans, condition, wallets


def _defaults(model) -> tuple[list, dict]:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if f.attname in ("created_at", "updated_at"):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null else ""
    return fields, defaults


def _writer(model, fields):
    """A function writing one row (a dict by attname) into ``model``'s table: COPY on PostgreSQL,
    batched bulk_create elsewhere; ``close()`` flushes."""
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        cursor = connection.connection.cursor()
        copy_cm = cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN")
        copy = copy_cm.__enter__()

        def write(row):
            copy.write_row([row[f.attname] for f in fields])

        def close():
            copy_cm.__exit__(None, None, None)
            cursor.close()

        return write, close
    batch = []

    def write(row):
        batch.append(model(**row))
        if len(batch) == 5000:
            model.objects.bulk_create(batch)
            batch.clear()

    def close():
        model.objects.bulk_create(batch)

    return write, close


def load(n: int, wallets, plans, condition, branches, seed: int = 6) -> dict:
    """N customers with one active contract each, and the previous period's (paid) invoices of
    the contracts billed before."""
    rnd = random.Random(seed)
    bar = tqdm(total=3 * n, unit=" rows", desc="loading", file=sys.stderr)

    fields, defaults = _defaults(Customer)
    write, close = _writer(Customer, fields)
    for i in range(n):
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)} {rnd.choice(LAST)}"
        write(
            {
                **defaults,
                "name": name,
                "cpf_cnpj": bench_cpf(i),
                "branch_id": branches[i % 2].pk,
                "email": f"cliente{i}@exemplo.com.br",
                "mobile_phone": f"119{i % 10**8:08d}",
                "search_name": f" {name.lower()}",
            }
        )
        if i % 5000 == 4999:
            bar.update(5000)
    close()
    bar.update(n - bar.n)
    customer_ids = list(Customer.objects.order_by("pk").values_list("pk", "branch_id"))

    wallets_by_branch = {b.pk: [w for w in wallets if w.branch_id == b.pk] for b in branches}
    fields, defaults = _defaults(Contract)
    write, close = _writer(Contract, fields)
    new_contracts = 0
    for i, (customer_id, branch_id) in enumerate(customer_ids):
        plan = rnd.choice(plans[branch_id])
        wallet = rnd.choice(wallets_by_branch[branch_id])
        if rnd.random() < 0.05:  # new this month or last: pro-rata first invoice
            activation = datetime.date(2026, 11, 1) + datetime.timedelta(days=rnd.randrange(50))
            new_contracts += 1
        else:
            activation = datetime.date(2024, 1, 1) + datetime.timedelta(days=rnd.randrange(1000))
        roll = rnd.random()
        write(
            {
                **defaults,
                "customer_id": customer_id,
                "branch_id": branch_id,
                "plan_id": plan.pk,
                "wallet_id": wallet.pk,
                "payment_condition_id": condition.pk,
                "status": ContractStatus.ACTIVE,
                # 2 % in "Financeiro em atraso": their payment in the return file releases them
                "access_status": AccessStatus.OVERDUE if rnd.random() < 0.02 else AccessStatus.ACTIVE,
                "activation_date": activation,
                "signature_date": activation,
                "contract_date": activation,
                "due_day": rnd.choice(DUE_DAYS),
                "first_billing_date": min(activation, datetime.date(2026, 12, 1)),
                "price": Decimal("119.90") if roll < 0.03 else None,
                "discount": Decimal("10.00") if 0.03 <= roll < 0.05 else Decimal("0.00"),
            }
        )
        if i % 5000 == 4999:
            bar.update(5000)
    close()
    bar.update(2 * n - bar.n)

    # the previous period, billed and paid, for the contracts activated before it
    rows = list(  # read before the COPY starts: the connection is busy while it runs
        Contract.objects.filter(activation_date__lt=datetime.date(2026, 11, 1))
        .order_by("pk")
        .values_list(
            "pk", "customer_id", "branch_id", "wallet_id", "due_day", "plan__price", "price", "discount"
        )
    )
    fields, defaults = _defaults(Invoice)
    write, close = _writer(Invoice, fields)
    numbers = {w.pk: 0 for w in wallets}
    for i, (pk, customer_id, branch_id, wallet_id, due_day, plan_price, price, discount) in enumerate(rows):
        numbers[wallet_id] += 1
        due = datetime.date(2026, 11, due_day)
        amount = (price if price is not None else plan_price) - discount
        write(
            {
                **defaults,
                "customer_id": customer_id,
                "branch_id": branch_id,
                "contract_id": pk,
                "wallet_id": wallet_id,
                "kind": InvoiceKind.RECURRING,
                "period": PREVIOUS,
                "description": f"Monthly fee 11/2026 — {pk}",
                "issue_date": datetime.date(2026, 10, 27),
                "due_date": due,
                "amount": amount,
                "status": InvoiceStatus.RECEIVED,
                "paid_amount": amount,
                "paid_date": due,
                "nosso_numero": numbers[wallet_id],
                "nosso_numero_display": str(numbers[wallet_id]),
            }
        )
        if i % 5000 == 4999:
            bar.update(5000)
    close()
    bar.update(3 * n - bar.n)
    bar.close()
    WalletSequence.objects.bulk_create(
        [WalletSequence(wallet_id=pk, next_value=last + 1) for pk, last in numbers.items()]
    )
    if connection.vendor == "postgresql":
        # (not on SQLite: 3.40 answers the collection routine's range queries wrongly with the
        # statistics of the freshly loaded tables)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"new": new_contracts, "previous": sum(numbers.values())}


def cnab_file(wallet, limit: int) -> tuple[bytes, int]:
    """A CNAB 240 return file paying ``limit`` invoices of the run: 90 % in full on the due date,
    5 % partly, 5 % late with interest."""
    rnd = random.Random(240)
    invoices = list(
        Invoice.objects.filter(wallet=wallet, period=PERIOD)
        .order_by("pk")
        .values_list("nosso_numero", "amount", "due_date")[:limit]
    )
    records = []
    for number, amount, due in invoices:
        roll = rnd.random()
        if roll < 0.05:
            paid, interest, day = (amount / 2).quantize(Decimal("0.01")), Decimal("0.00"), due
        elif roll < 0.10:
            interest = (amount * Decimal("0.025")).quantize(Decimal("0.01"))
            paid, day = amount + interest, due + datetime.timedelta(days=5)
        else:
            paid, interest, day = amount, Decimal("0.00"), due
        records.append(
            SyntheticRecord(
                nosso_numero=nosso_numero_for(
                    "240", wallet.bank_code, number, agency=wallet.agency, account=wallet.account
                ),
                face_value=amount,
                paid_amount=paid,
                interest=interest,
                due_date=due,
                occurrence_date=day,
                credit_date=day + datetime.timedelta(days=1),
                bank_fee=Decimal("1.70"),
            )
        )
    data = build_cnab240(wallet.bank_code, records, agency=wallet.agency, account=wallet.account)
    return data, len(records)


# --- Steps --------------------------------------------------------------------------------------------


def bench(n: int, user, wallets) -> list[Row]:
    rows = []
    contracts = Contract.objects.count()

    step = Step()
    bar = tqdm(total=contracts, unit=" contracts", desc=f"billing run {PERIOD}", file=sys.stderr)
    with step.measure():
        run = billing_run_start_and_execute(actor=user, period=PERIOD, progress=bar.update)
    bar.close()
    assert run.errors == 0, run.error_messages[:5]
    made = Invoice.objects.filter(period=PERIOD)
    assert made.count() == run.created == contracts, (made.count(), run.created, contracts)
    assert not made.filter(barcode="").exists() and not made.filter(pix_payload="").exists()
    rows.append(
        Row(
            "(a) billing run (boleto + PIX per invoice)",
            run.created,
            step.seconds,
            step.peak_mb,
            20,
            MEMORY_BOUND_MB,
            f"R$ {run.amount:,.2f}; chunks of {CHUNK}; process peak RSS {step.peak_rss_mb:.0f} MB",
        )
    )

    step = Step()
    with step.measure():
        again = billing_run_start_and_execute(actor=user, period=PERIOD)
    assert again.created == 0 and Invoice.objects.filter(period=PERIOD).count() == contracts
    rows.append(
        Row(
            "(b) second run, same period",
            contracts,
            step.seconds,
            step.peak_mb,
            5,
            None,
            "0 invoices created",
        )
    )

    sicoob = next(w for w in wallets if w.bank_code == "756")
    started = time.perf_counter()
    data, payments = cnab_file(sicoob, CNAB_PAYMENTS)
    rows.append(
        Row(
            "build CNAB 240 file (build_cnab240)",
            payments,
            time.perf_counter() - started,
            note=f"{len(data) // 1024} KiB",
        )
    )

    # The release checks the import queues after its commit (one per paid contract in notice or
    # blocked) run in a worker; here Celery is eager, so they are held back and timed apart.
    from enlace.billing import tasks

    queued = []
    original = tasks.check_contract.delay
    tasks.check_contract.delay = queued.append
    step = Step()
    try:
        with tempfile.TemporaryDirectory() as media, step.measure():
            settings.MEDIA_ROOT = media
            with context.acting_as(user, source="command"):
                result = cnab_import(actor=user, wallet=sicoob, data=data, file_name="RETORNO-BENCH.RET")
    finally:
        tasks.check_contract.delay = original
    imp = result.cnab_import
    assert imp.settled == payments, (imp.settled, payments)
    partial = Invoice.objects.filter(pk__in=result.settled_invoices, status=InvoiceStatus.PARTIAL).count()
    rows.append(
        Row(
            "(c) CNAB 240 import (cnab_import)",
            imp.settled,
            step.seconds,
            step.peak_mb,
            5,
            None,
            f"R$ {imp.settled_amount:,.2f}; {partial} left partial; {len(queued)} release checks queued",
        )
    )

    rows.extend(bench_registration(user, wallets))

    from enlace.billing.services.collection import collection_check_contract

    step = Step()
    with step.measure():
        for contract_id in queued:
            collection_check_contract(contract_id)
    released = Contract.objects.filter(pk__in=queued, access_status=AccessStatus.ACTIVE).count()
    rows.append(
        Row(
            "release checks queued by the import (a worker's job)",
            len(queued),
            step.seconds,
            step.peak_mb,
            note=f"{released} contracts in notice got their access back",
        )
    )
    return rows


def registration_return(wallet, invoices) -> bytes:
    """The bank's return confirming the entry (occurrence 02) of ``invoices`` (nosso número list)
    as ``wallet``'s bank writes it."""
    layout = "240" if wallet.cnab_layout == "240" else "400"
    records = [
        SyntheticRecord(
            nosso_numero=nosso_numero_for(
                layout,
                wallet.bank_code,
                number,
                convenio=wallet.convenio,
                wallet=wallet.carteira,
                agency=wallet.agency,
                account=wallet.account,
            ),
            occurrence_code="02",
            face_value=amount,
        )
        for number, amount in invoices
    ]
    build = build_cnab240 if layout == "240" else build_cnab400
    digits = "".join(c for c in wallet.agency if c.isdigit())
    return build(
        wallet.bank_code, records, agency=digits[:5], account=wallet.account, convenio=wallet.convenio
    )


def bench_registration(user, wallets) -> list[Row]:
    """Issue 16: (d) the remittance files of every new invoice of the run (one file per wallet,
    ``remittance_generate``) and (e) the returns confirming their registration (``cnab_import``,
    occurrence 02). Peak memory as for the other steps (``--tracemalloc``: the Python heap)."""
    from enlace.billing.models import RegistrationStatus, RemittanceItem
    from enlace.billing.services.remittances import remittance_generate

    # Setup, not timed: the invoices of the previous period count as registered already, and every
    # customer gets the address the bank needs (the load leaves it blank).
    Invoice.objects.exclude(period=PERIOD).update(registration_status=RegistrationStatus.REGISTERED)
    Customer.objects.filter(cep="").update(
        cep="01001000", street="Praça da Sé", number="1", neighborhood="Sé", city_id=3550308
    )
    from enlace.billing.selectors import pending_entries

    expected = sum(pending_entries(wallet).count() for wallet in wallets)
    rows = []
    step = Step()
    files = []
    with tempfile.TemporaryDirectory() as media, step.measure():
        settings.MEDIA_ROOT = media
        for wallet in tqdm(wallets, desc="remittances", unit=" wallets", file=sys.stderr):
            result = remittance_generate(wallet=wallet, actor=user)
            if result.remittance is not None:
                files.append(result.remittance)
    titles = sum(f.title_count for f in files)
    assert titles == expected, (titles, expected)
    rows.append(
        Row(
            "(d) remittance files of the run (remittance_generate)",
            titles,
            step.seconds,
            step.peak_mb,
            5,
            None,
            f"{len(files)} files, {sum(f.size for f in files) // 1024:,} KiB",
        )
    )

    returns = []
    for wallet in wallets:
        numbers = list(
            RemittanceItem.objects.filter(remittance__wallet=wallet)
            .order_by("position")
            .values_list("invoice__nosso_numero", "invoice__amount")
        )
        returns.append((wallet, registration_return(wallet, numbers)))
    step = Step()
    with tempfile.TemporaryDirectory() as media, step.measure():
        settings.MEDIA_ROOT = media
        for wallet, data in tqdm(returns, desc="registration returns", unit=" files", file=sys.stderr):
            cnab_import(actor=user, wallet=wallet, data=data, file_name=f"REG-{wallet.pk}.RET")
    registered = Invoice.objects.filter(
        period=PERIOD, registration_status=RegistrationStatus.REGISTERED
    ).count()
    rows.append(
        Row(
            "(e) returns confirming registration (02)",
            registered,
            step.seconds,
            step.peak_mb,
            10,
            None,
            f"{len(returns)} files; {titles - registered} not matched",
        )
    )
    return rows


def print_table(rows: list[Row], header: str) -> None:
    print(header)
    width = max(len("step"), *(len(r.step) for r in rows))
    print(
        f"{'step':<{width}}  {'count':>7}  {'seconds':>8}  {'rate/s':>9}  {'peak MB':>8}  {'goal':<18}  {'ok?':<4}  note"
    )
    print("-" * (width + 80))
    for r in rows:
        rate = r.count / r.seconds if r.seconds else float("inf")
        peak = f"{r.peak_mb:8.1f}" if r.peak_mb is not None else f"{'':>8}"
        print(
            f"{r.step:<{width}}  {r.count:>7,}  {r.seconds:>8.2f}  {rate:>9,.0f}  {peak}  {r.goal:<18}  {r.ok:<4}  {r.note}"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-n", type=int, default=None, help="active contracts to load (default 100,000; 5,000 on SQLite)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run with 5,000 contracts")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="peak MB from tracemalloc (Python heap; slower)"
    )
    args = parser.parse_args(argv)
    n = args.n or (5_000 if args.quick or connection.vendor != "postgresql" else 100_000)
    Step.use_tracemalloc = args.tracemalloc

    wait_until_quiet()
    setup_test_environment()
    settings.DEBUG = False
    test = connection.settings_dict.setdefault("TEST", {})
    original_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        test["NAME"] = str(Path(settings.VAR_DIR) / "bench_billing.sqlite3")
    else:
        test["NAME"] = "enlace_bench_billing"
    started = time.perf_counter()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        migrate_s = time.perf_counter() - started
        with context.acting_as(None, source="command"):
            user, branches, plans, condition, wallets = reference_data()
        started = time.perf_counter()
        loaded = load(n, wallets, plans, condition, branches)
        load_row = Row(
            "load: customers + contracts + previous invoices (COPY)"
            if connection.vendor == "postgresql"
            else "load: customers + contracts + previous invoices",
            n,
            time.perf_counter() - started,
            note=f"{loaded['new']:,} new contracts (pro rata), {loaded['previous']:,} invoices of {PREVIOUS}",
        )
        with context.acting_as(user, source="command"):
            rows = [load_row, *bench(n, user, wallets)]
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        teardown_test_environment()
    memory = "tracemalloc peak" if args.tracemalloc else "RSS growth during the step"
    print_table(
        rows,
        f"Enlace finance bench — {connection.vendor} ({db_name}), {n:,} active contracts over "
        f"{len(WALLETS)} wallets, period {PERIOD}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"database created in {migrate_s:.1f} s; peak MB = {memory}"
        + ("; quick run: the goals are for 100,000 contracts" if n < 100_000 else ""),
    )
    failed = [r for r in rows if r.ok == "NO"]
    return 1 if failed and n >= 100_000 else 0


if __name__ == "__main__":
    sys.exit(main())
