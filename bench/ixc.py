#!/usr/bin/env python
"""IXC benchmark (issue 20): import an IXC database, then list it through the webservice.

1. Fills an IXC-shaped database (tests/ixc/ixc_schema.sql) on a MariaDB server — the machine's
   (127.0.0.1:3306, root) by default — with N customers, each with a contract, a login and 12
   months of receivables (11 paid, the last open);
2. creates a scratch Enlace database (``enlace_bench_ixc``, or $IXC_BENCH_DATABASE, on the
   PostgreSQL server of DATABASE_URL, or a SQLite file under $ENLACE_VAR_DIR), migrates it and
   runs the import (``import_all``, what ``manage.py import_ixc --mysql`` runs) — wall and CPU
   seconds per table (this process's), the CPU of the PostgreSQL backend serving the import and
   of the MariaDB server (read from /proc), and the projection to 100,000 customers: at this
   run's wall, and the floor a quiet 2-core machine would give (the busier of the importer's CPU
   and the database servers' CPU);
3. bulk-inserts 200,000 accounting sessions (``radacct``, which FreeRADIUS writes itself) and lists
   them through ``/webservice/v1/radacct`` with ``rp=200000``: the rows are counted as they stream
   (the run fails if the count is not ``rp``), with the peak of Python memory allocated while the
   answer streams (tracemalloc) and the process's peak RSS (sampled from /proc).

Usage: ``python bench/ixc.py [-n N] [--list-rows R] [--list-only] [--mysql-port P] [--keep]``;
default 5,000 customers (the goal is 100,000 in ≤ 10 minutes on the 2-core machine).
"""

import argparse
import base64
import datetime
import os
import platform
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

from bench.data import SICOOB_WALLET, bench_cpf  # noqa: E402

django.setup()

import pymysql  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from tqdm import tqdm  # noqa: E402

from enlace.core import context  # noqa: E402
from enlace.core.models import Branch, City, PaymentCondition, Wallet  # noqa: E402
from enlace.ixc.importer.runner import import_all, make_run  # noqa: E402
from enlace.ixc.importer.sources import MysqlSource  # noqa: E402
from enlace.ixc.webservice.auth import webservice_token_create  # noqa: E402

SCHEMA = (ROOT / "tests" / "ixc" / "ixc_schema.sql").read_text()
DATABASE = os.environ.get("IXC_BENCH_DATABASE", "enlace_bench_ixc")
BATCH = 2000


def rss_kb() -> int:
    """The process's resident set size now (Linux /proc), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """The highest RSS seen while the listing runs (sampled every 20 ms)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = rss_kb()
        self._stop_event = threading.Event()

    def run(self):
        while not self._stop_event.wait(0.02):
            self.peak = max(self.peak, rss_kb())

    def stop(self):
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, rss_kb())


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (0 when unreadable)."""
    if not pid:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_pid() -> int | None:
    """The PostgreSQL backend serving this connection (its CPU is the import's work in the
    database: COPY, indexes, constraints); None on SQLite (the database runs in this process)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def mariadb_pid(args) -> int | None:
    """The MariaDB server's process when it runs on this machine (its CPU: reading IXC's rows; it
    may include other clients of that server)."""
    if args.mysql_host not in ("127.0.0.1", "localhost"):
        return None
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() in ("mariadbd", "mysqld"):
                return int(stat.parent.name)
        except OSError:
            continue
    return None


def fill_ixc(args, n: int) -> None:
    from tests.helpers.mariadb import split_sql

    conn = pymysql.connect(
        host=args.mysql_host, port=args.mysql_port, user="root", password="", autocommit=False
    )
    cur = conn.cursor()
    cur.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    cur.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
    cur.execute(f"USE {DATABASE}")
    for statement in split_sql(SCHEMA):
        cur.execute(statement)
    cur.execute("INSERT INTO filial VALUES (1, 'Bench Telecom', 'Matriz', '11.222.333/0001-81')")
    cur.execute("INSERT INTO cidade VALUES (1, 'SÃO PAULO', 'SP', '3550308')")
    cur.execute("INSERT INTO radgrupos VALUES (1, 'FIBRA_300M', '300M', '150M')")
    cur.execute("INSERT INTO vd_contratos VALUES (1, 'FIBRA 300', 99.90, 1, 'S')")
    today = datetime.date.today()
    months = [(today.replace(day=10) - datetime.timedelta(days=30 * k)) for k in range(11, -1, -1)]
    clients, contracts, logins, receivables = [], [], [], []
    receivable_id = 0
    for i in tqdm(range(1, n + 1), desc="IXC rows", unit=" customers"):
        cpf = bench_cpf(i)
        clients.append(
            (
                i,
                "F",
                f"Assinante {i:06d}",
                cpf,
                "Rua Bench",
                str(i),
                "Centro",
                "01001000",
                1,
                f"(11) 9{i % 10**8:08d}",
                1,
            )
        )
        contracts.append((i, i, 1, "FIBRA 300", "A", "A", "2024-01-10", "2024-01-10", 1, 10))
        logins.append((i, i, i, f"bench{i}@fibra", f"senha{i}", "N", "S", "N", "L"))
        for k, due in enumerate(months):
            receivable_id += 1
            paid = k < 11
            receivables.append(
                (
                    receivable_id,
                    i,
                    i,
                    due.isoformat(),
                    "99.90",
                    "0" if paid else "99.90",
                    "99.90" if paid else "0",
                    "R" if paid else "A",
                    str(receivable_id),
                    due.isoformat() if paid else None,
                    1,
                )
            )
        if len(clients) >= BATCH or i == n:
            cur.executemany(
                "INSERT INTO cliente (id, tipo_pessoa, razao, cnpj_cpf, endereco, numero, bairro, cep, cidade,"
                " telefone_celular, filial_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                clients,
            )
            cur.executemany(
                "INSERT INTO cliente_contrato (id, id_cliente, id_vd_contrato, contrato, status, status_internet,"
                " data, data_ativacao, id_filial, dia_fixo_vencimento) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                contracts,
            )
            cur.executemany(
                "INSERT INTO radusuarios (id, id_cliente, id_contrato, login, senha, senha_md5, ativo, online,"
                " autenticacao) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                logins,
            )
            cur.executemany(
                "INSERT INTO fn_areceber (id, id_cliente, id_contrato, data_vencimento, valor, valor_aberto,"
                " valor_recebido, status, nn_boleto, pagamento_data, filial_id)"
                " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                receivables,
            )
            conn.commit()
            clients, contracts, logins, receivables = [], [], [], []
    conn.close()


def one_login(user, branch, condition) -> None:
    from decimal import Decimal

    from enlace.contracts.models import Plan
    from enlace.contracts.services import contract_create, plan_save
    from enlace.customers.services import customer_create
    from enlace.radius.services import login_create

    with context.acting_as(user, source="command"):
        customer = customer_create(
            actor=user, name="Assinante", person_type="F", cpf_cnpj=bench_cpf(1), branch=branch
        )
        plan = plan_save(
            Plan(
                name="Fibra",
                branch=branch,
                type="I",
                price=Decimal("99.90"),
                download_kbps=1000,
                upload_kbps=1000,
            ),
            actor=user,
        )
        contract = contract_create(
            actor=user,
            customer=customer,
            branch=branch,
            plan=plan,
            type="I",
            due_day=10,
            wallet=Wallet.objects.get(branch=branch),
            payment_condition=condition,
            first_billing_date=datetime.date.today(),
        )
        login_create(actor=user, contract=contract, username="bench1@fibra", password="senha-bench")  # noqa: S106 - bench data


def bench_import(args, rows, user, branch, condition):
    source = MysqlSource(host=args.mysql_host, port=args.mysql_port, database=DATABASE)
    run = make_run(actor=user, default_branch=branch, payment_condition=condition)
    bars = []
    db_pid, maria_pid = database_pid(), mariadb_pid(args)
    # The database server's CPU per table: read when a table starts (progress is called then).
    marks: list[tuple[str, float, float]] = []

    def progress(table, total):
        marks.append((table, process_cpu(db_pid), process_cpu(maria_pid)))
        bar = tqdm(total=total, desc=table, unit=" rows")
        bars.append(bar)
        return bar.update

    started, cpu = time.perf_counter(), time.process_time()
    db_cpu, maria_cpu = process_cpu(db_pid), process_cpu(maria_pid)
    with context.acting_as(user, source="command"):
        reports = import_all(source, run, progress=progress)
    import_s, import_cpu = time.perf_counter() - started, time.process_time() - cpu
    db_cpu, maria_cpu = process_cpu(db_pid) - db_cpu, process_cpu(maria_pid) - maria_cpu
    marks.append(("", process_cpu(db_pid), process_cpu(maria_pid)))
    table_db = {
        table: (db_next - db, maria_next - maria)
        for (table, db, maria), (_next, db_next, maria_next) in zip(marks, marks[1:], strict=False)
    }
    for bar in bars:
        bar.close()
    for r in reports:
        if r.read:
            db, maria = table_db.get(r.table, (0.0, 0.0))
            rows.append(
                (
                    f"import {r.table}",
                    r.read,
                    r.seconds,
                    r.cpu_seconds,
                    f"{r.created} created, {len(r.refused)} refused; PostgreSQL CPU {db:.1f} s, "
                    f"MariaDB CPU {maria:.1f} s",
                )
            )
    projected = import_s * 100_000 / args.n
    # On a quiet 2-core machine the wall time is at least the busier of the two cores' work: the
    # importer's CPU, or the database servers' CPU (they run beside it).
    quiet = max(import_cpu, db_cpu + maria_cpu) * 100_000 / args.n
    rows.append(
        (
            "import, all tables",
            args.n,
            import_s,
            import_cpu,
            f"{args.n} customers ({args.n * 15:,} IXC rows); PostgreSQL CPU {db_cpu:.1f} s, MariaDB CPU "
            f"{maria_cpu:.1f} s; 100,000 projected: {projected / 60:.1f} min at this wall, "
            f"importer CPU {import_cpu * 100_000 / args.n / 60:.1f} min, database CPU "
            f"{(db_cpu + maria_cpu) * 100_000 / args.n / 60:.1f} min (a quiet machine's floor: "
            f"{quiet / 60:.1f} min)",
        )
    )
    refused = [(r.table, r.refused[:3]) for r in reports if r.refused]

    return refused


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5_000, help="customers (default 5,000; the goal is 100,000)")
    parser.add_argument("--list-rows", type=int, default=200_000, help="rp of the listing (default 200,000)")
    parser.add_argument("--mysql-host", default="127.0.0.1")
    parser.add_argument("--mysql-port", type=int, default=3306)
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--list-only", action="store_true", help="skip the import: measure the listing only")
    args = parser.parse_args(argv)

    setup_test_environment()
    settings.DEBUG = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # no portal passwords here
    started = time.perf_counter()
    if not args.list_only:
        fill_ixc(args, args.n)
    fill_s = time.perf_counter() - started
    test = connection.settings_dict.setdefault("TEST", {})
    test["NAME"] = (
        str(Path(settings.VAR_DIR) / "bench_ixc.sqlite3") if connection.vendor == "sqlite" else DATABASE
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    rows = []
    try:
        user = get_user_model().objects.create_superuser("bench", "bench@example.net", None)
        branch = Branch.objects.create(
            name="Matriz",
            legal_name="Bench Telecom",
            cnpj="11222333000181",
            city=City.objects.get(code=3550308),
        )
        Wallet.objects.create(
            name="Carteira",
            branch=branch,
            **SICOOB_WALLET,
        )
        condition = PaymentCondition.objects.create(name="À vista", instalments=1)
        refused = []
        if not args.list_only:
            refused = bench_import(args, rows, user, branch, condition)

        # 200,000 accounting sessions of the imported logins (FreeRADIUS writes radacct itself, so
        # they are bulk-inserted here), listed through the webservice in one page.
        from django.utils import timezone

        from enlace.radius.freeradius import RadAcct
        from enlace.radius.models import Login

        if not Login.objects.exists():  # --list-only: one login of one customer owns the sessions
            one_login(user, branch, condition)
        usernames = list(Login.objects.values_list("username", flat=True))
        now = timezone.now()
        for first in range(0, args.list_rows, 10_000):
            RadAcct.objects.bulk_create(
                RadAcct(
                    acctsessionid=f"s{i}",
                    acctuniqueid=f"u{i}",
                    username=usernames[i % len(usernames)],
                    nasipaddress="10.0.0.1",
                    acctstarttime=now,
                    acctstoptime=now,
                    framedipaddress="100.64.0.1",
                    acctinputoctets=i,
                    acctoutputoctets=i,
                )
                for i in range(first, min(first + 10_000, args.list_rows))
            )
        credentials = webservice_token_create(user=user, actor=user)
        client = Client()
        auth = "Basic " + base64.b64encode(credentials.encode()).decode()
        # The listing: radacct (the table that holds 200,000 rows here), one page of rp rows. The
        # rows are counted as they stream; the process's peak RSS is sampled while it runs.
        rss_before = rss_kb()
        sampler = RssSampler()
        sampler.start()
        tracemalloc.start()
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post(
            "/webservice/v1/radacct",
            {"page": "1", "rp": str(args.list_rows)},
            HTTP_AUTHORIZATION=auth,
            HTTP_IXCSOFT="listar",
        )
        size = listed = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            listed += chunk.count(b'"radacctid": ')
        list_s, list_cpu = time.perf_counter() - started, time.process_time() - cpu
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sampler.stop()
        if listed != args.list_rows:
            raise SystemExit(f"the listing streamed {listed:,} rows, expected {args.list_rows:,}")
        rows.append(
            (
                f"webservice listing rp={args.list_rows:,}",
                listed,
                list_s,
                list_cpu,
                f"{size / 1e6:.1f} MB streamed; peak Python memory {peak / 1e6:.1f} MB; "
                f"RSS {rss_before / 1024:.0f} MB before, peak {sampler.peak / 1024:.0f} MB while listing",
            )
        )
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(test["NAME"], verbosity=0)
    print()
    print(
        f"IXC benchmark — {platform.node()}, {os.cpu_count()} cores, {connection.vendor}, "
        f"IXC rows filled in {fill_s:.1f} s"
    )
    print(f"{'what':<44}{'rows':>10}{'wall s':>10}{'CPU s':>10}{'rows/s':>10}  note")
    for name, n, seconds, cpu, note in rows:
        print(
            f"{name:<44}{n:>10,}{seconds:>10.1f}{cpu:>10.1f}{(n / seconds if seconds else 0):>10,.0f}  {note}"
        )
    for table, sample in refused:
        print(f"refused in {table}: {sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
