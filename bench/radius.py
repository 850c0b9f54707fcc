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
"""

import argparse
import hashlib
import os
import platform
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from tqdm import tqdm  # noqa: E402

from enlace.contracts.models import Plan  # noqa: E402
from enlace.contracts.services import contract_activate, contract_create, plan_save  # noqa: E402
from enlace.core.models import Branch, City, PaymentCondition, Wallet  # noqa: E402
from enlace.customers.services import customer_create  # noqa: E402
from enlace.radius import projection, services  # noqa: E402
from enlace.radius.freeradius import RadCheck, RadGroupReply, RadReply, RadUserGroup  # noqa: E402
from enlace.radius.management.commands.radius_server import (  # noqa: E402
    CONFIG_DIR,
    find_binary,
    freeradius_argv,
    prepare_state_dir,
    server_environment,
    start_acct_loader,
    stock_dir,
)
from enlace.radius.models import Login, Nas  # noqa: E402
from enlace.radius.postauth_loader import PostAuthLoader  # noqa: E402

SECRET = "testing123"  # noqa: S105 — the stock clients.conf secret of 127.0.0.1, used by all three set-ups
#: Scratch databases (BENCH_RADIUS_DB names others, e.g. one per engineer on a shared server).
DB_NAME = os.environ.get("BENCH_RADIUS_DB") or "enlace_bench_radius"
STOCK_DB_NAME = f"{DB_NAME}_stock"
CONTRACTS = 20
SEED = 5


# --- Data ---------------------------------------------------------------------------------


def username(i: int) -> str:
    return f"cliente{i:06d}@fibra.net.br"


def password(i: int) -> str:
    return hashlib.blake2b(f"{SEED}-{i}".encode(), digest_size=6).hexdigest()


def _cpf(base: str) -> str:
    total = sum(int(d) * w for d, w in zip(base, range(10, 1, -1), strict=True))
    d1 = (total * 10 % 11) % 10
    total = sum(int(d) * w for d, w in zip(base + str(d1), range(11, 1, -1), strict=True))
    return base + str(d1) + str((total * 10 % 11) % 10)


def _login_columns():
    fields = [f for f in Login._meta.concrete_fields if not f.primary_key]
    return fields


def load_enlace(n: int) -> dict:
    """Branch, plans, contracts (through the services), one NAS, then ``n`` logins by COPY and
    their FreeRADIUS rows computed by ``projection.login_rows``. Returns what was loaded."""
    admin = get_user_model().objects.create_superuser("bench", "bench@example.net", None)
    city = City.objects.get(code=3550308)
    branch = Branch.objects.create(name="Bench", legal_name="Bench Ltda", cnpj="11222333000181", city=city)
    wallet = Wallet.objects.create(
        name="Carteira",
        branch=branch,
        bank_code="756",
        agency="3069",
        account="12345",
        account_digit="6",
        carteira="1",
        convenio="123456",
        cnab_layout="240",
    )
    condition = PaymentCondition.objects.create(name="À vista", instalments=1)
    speeds = [(100_000, 50_000, None), (300_000, 150_000, None), (500_000, 250_000, (600_000, 300_000))]
    plans = []
    for k, (down, up, burst) in enumerate(speeds):
        extra = {"burst_download_kbps": burst[0], "burst_upload_kbps": burst[1]} if burst else {}
        plans.append(
            plan_save(
                Plan(
                    name=f"Fibra {down // 1000}",
                    branch=branch,
                    type="I",
                    price=Decimal("99.90") + k,
                    download_kbps=down,
                    upload_kbps=up,
                    address_list="clientes",
                    **extra,
                ),
                actor=admin,
            )
        )
    contracts = []
    for k in range(CONTRACTS):
        customer = customer_create(
            actor=admin,
            name=f"Cliente Bench {k}",
            person_type="F",
            cpf_cnpj=_cpf(f"{100000000 + k * 7919:09d}"),
            branch=branch,
        )
        contract = contract_create(
            actor=admin,
            customer=customer,
            branch=branch,
            plan=plans[k % len(plans)],
            type="I",
            due_day=10,
            wallet=wallet,
            payment_condition=condition,
            first_billing_date=datetime(2026, 12, 10).date(),
        )
        contracts.append(contract_activate(actor=admin, contract=contract))
    services.nas_save(Nas(name="Bench NAS", ip="127.0.0.1", secret=SECRET, branch=branch), actor=admin)

    fields = _login_columns()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = datetime.now(UTC)
    rows = {"radcheck": [], "radreply": [], "radusergroup": []}
    bar = tqdm(total=n, unit=" logins", desc="loading logins", file=sys.stderr)
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY radius_login ({columns}) FROM STDIN") as copy:
        for i in range(n):
            contract = contracts[i % CONTRACTS]
            login = Login(
                customer_id=contract.customer_id,
                contract=contract,
                branch_id=branch.pk,
                plan_id=contract.plan_id,
                username=username(i),
                password=password(i),
                created_at=now,
            )
            if i % 10 == 3:  # "Senha MD5"
                login.password_md5 = True
                login.password = projection.md5_hex(password(i))
            if i % 10 == 5:
                login.fixed_ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
            elif i % 10 in (6, 7, 8):
                login.nas_pool = "pppoe-clientes"
            copy.write_row([f.get_db_prep_save(getattr(login, f.attname), connection) for f in fields])
            for table, table_rows in projection.login_rows(login, address=None).items():
                rows[table].extend(table_rows)
            if i % 5000 == 4999:
                bar.update(5000)
    bar.update(n - bar.n)
    bar.close()
    with raw.cursor() as cursor:
        for table, cols in (
            ("radcheck", "username, attribute, op, value"),
            ("radreply", "username, attribute, op, value"),
            ("radusergroup", "username, groupname, priority"),
        ):
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
        # Session history: closed sessions of the last month, as a live radacct holds.
        rnd = random.Random(SEED)
        start = now - timedelta(days=30)
        with cursor.copy(
            "COPY radacct (acctsessionid, acctuniqueid, username, nasipaddress, acctstarttime, "
            "acctupdatetime, acctstoptime, acctsessiontime, acctinputoctets, acctoutputoctets, "
            "acctterminatecause, framedipaddress) FROM STDIN"
        ) as copy:
            for k in range(n):
                begin = start + timedelta(seconds=rnd.randrange(29 * 86400))
                seconds = rnd.randrange(60, 86400)
                copy.write_row(
                    (
                        f"{k:08x}",
                        hashlib.md5(str(k).encode(), usedforsecurity=False).hexdigest(),
                        username(rnd.randrange(n)),
                        "127.0.0.1",
                        begin,
                        begin + timedelta(seconds=seconds),
                        begin + timedelta(seconds=seconds),
                        seconds,
                        rnd.randrange(10**9),
                        rnd.randrange(10**10),
                        "User-Request",
                        f"100.64.{k >> 8 & 255}.{k & 255}",
                    )
                )
        cursor.execute("ANALYZE")
    return {"logins": n, "radcheck": len(rows["radcheck"]), "radreply": len(rows["radreply"])}


# --- The stock set-ups ------------------------------------------------------------------------


def _pg_params(name: str) -> dict:
    db = connection.settings_dict
    params = {"dbname": name, "user": db.get("USER") or None, "host": db.get("HOST") or None}
    if db.get("PORT"):
        params["port"] = db["PORT"]
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return {k: v for k, v in params.items() if v is not None}


def load_stock_database(stock_dir: str) -> None:
    """A scratch database with FreeRADIUS's stock PostgreSQL schema and Enlace's users copied in."""
    with psycopg.connect(**_pg_params("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {STOCK_DB_NAME}")
        admin.execute(f"CREATE DATABASE {STOCK_DB_NAME}")
    schema = Path(stock_dir, "mods-config/sql/main/postgresql/schema.sql").read_text()
    tables = {
        "radcheck": "username, attribute, op, value",
        "radreply": "username, attribute, op, value",
        "radgroupcheck": "groupname, attribute, op, value",
        "radgroupreply": "groupname, attribute, op, value",
        "radusergroup": "username, groupname, priority",
    }
    with (
        psycopg.connect(**_pg_params(STOCK_DB_NAME), autocommit=True) as stock,
        psycopg.connect(**_pg_params(connection.settings_dict["NAME"]), autocommit=True) as ours,
    ):
        stock.execute(schema)
        for table, cols in tables.items():
            with (
                ours.cursor().copy(f"COPY (SELECT {cols} FROM {table} ORDER BY id) TO STDOUT") as out,  # noqa: S608
                stock.cursor().copy(f"COPY {table} ({cols}) FROM STDIN") as into,
            ):
                for data in out:
                    into.write(data)
        stock.execute("ANALYZE")


def _strip_listen_sections(text: str) -> str:
    """Remove the ``listen { … }`` sections of a virtual server file (comments kept)."""
    out, depth, skipping = [], 0, False
    for line in text.splitlines(keepends=True):
        code = line.split("#", 1)[0]
        if not skipping and re.match(r"^\s*listen\s*\{", code):
            skipping, depth = True, 0
        if skipping:
            depth += code.count("{") - code.count("}")
            if depth <= 0:
                skipping = False
            continue
        out.append(line)
    return "".join(out)


def stock_config(
    stock_dir: str, target: Path, *, auth_port: int, sql: bool, users: Path | None, acct_port: int = 0
) -> Path:
    """A copy of Debian's stock configuration, changed only where it must be to run here: paths
    under ``target``, listeners on 127.0.0.1 and the bench's port, no user switch; with ``sql`` the
    stock sql module enabled on the scratch database; with ``users`` the files module's
    ``authorize`` replaced."""
    shutil.copytree(stock_dir, target, symlinks=True)
    conf = target / "radiusd.conf"
    text = conf.read_text()
    text = re.sub(r"(?m)^raddbdir = .*$", f"raddbdir = {target}", text)
    text = re.sub(r"(?m)^logdir = .*$", f"logdir = {target}/log", text)
    text = re.sub(r"(?m)^run_dir = .*$", f"run_dir = {target}/run", text)
    text = re.sub(r"(?m)^(\s*)(user|group) = freerad", r"\1#\2 = freerad", text)
    conf.write_text(text)
    for site in ("default", "inner-tunnel"):
        path = target / "sites-available" / site
        path.write_text(_strip_listen_sections(path.read_text()))
    (target / "sites-enabled" / "bench-listen").write_text(
        f"listen {{\n\ttype = auth\n\tipaddr = 127.0.0.1\n\tport = {auth_port}\n\tvirtual_server = default\n}}\n"
        + (
            f"listen {{\n\ttype = acct\n\tipaddr = 127.0.0.1\n\tport = {acct_port}\n\tvirtual_server = default\n}}\n"
            if acct_port
            else ""
        )
    )
    if sql:
        path = target / "mods-available" / "sql"
        db = connection.settings_dict
        text = path.read_text()
        text = re.sub(r'(?m)^(\s*)driver = "rlm_sql_null"', r'\1driver = "rlm_sql_postgresql"', text)
        text = re.sub(r'(?m)^(\s*)dialect = "sqlite"', r'\1dialect = "postgresql"', text)
        text = re.sub(r'(?m)^(\s*)radius_db = "radius"', rf'\1radius_db = "{STOCK_DB_NAME}"', text)
        text = re.sub(
            r'(?m)^(\s*)#\s*server = "localhost"', rf'\1server = "{db.get("HOST") or "localhost"}"', text
        )
        text = re.sub(r"(?m)^(\s*)#\s*port = 3306", rf"\1port = {db.get('PORT') or 5432}", text)
        text = re.sub(r'(?m)^(\s*)#\s*login = "radius"', rf'\1login = "{db.get("USER") or "postgres"}"', text)
        if db.get("PASSWORD"):
            text = re.sub(r'(?m)^(\s*)#\s*password = "radpass"', rf'\1password = "{db["PASSWORD"]}"', text)
        path.write_text(text)
        (target / "mods-enabled" / "sql").symlink_to("../mods-available/sql")
    if users:
        shutil.copy(users, target / "mods-config" / "files" / "authorize")
    (target / "log").mkdir(exist_ok=True)
    (target / "run").mkdir(exist_ok=True)
    return target


def write_users_file(path: Path) -> None:
    """The same logins, their plan's rate limit and their addresses, as a ``files`` users file."""
    reply = {}
    for group, attribute, value in RadGroupReply.objects.values_list("groupname", "attribute", "value"):
        reply.setdefault(group, []).append((attribute, value))
    groups = dict(RadUserGroup.objects.values_list("username", "groupname"))
    replies = {}
    for user, attribute, value in RadReply.objects.values_list("username", "attribute", "value"):
        replies.setdefault(user, []).append((attribute, value))
    with path.open("w") as f:
        for user, attribute, value in RadCheck.objects.filter(
            attribute__in=["Cleartext-Password", "MD5-Password"]
        ).values_list("username", "attribute", "value"):
            items = replies.get(user, []) + reply.get(groups.get(user), [])
            f.write(f'"{user}"\t{attribute} := "{value}"\n')
            if items:
                f.write(",\n".join(f'\t{a} := "{v}"' for a, v in items) + "\n")
            f.write("\n")


# --- FreeRADIUS processes ---------------------------------------------------------------------


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, argv: list[str], env: dict, log: Path):
        self.argv, self.env, self.log = argv, env, log
        self.process = None

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our FreeRADIUS binary and configuration)
            self.argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log.exists() and "Ready to process requests" in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
        self.stop()
        raise RuntimeError(f"FreeRADIUS did not start ({' '.join(self.argv)}):\n{tail}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None


# --- Load generator ---------------------------------------------------------------------------


class Requests:
    """Access-Requests encoded here (RFC 2865), each with a fresh Request Authenticator, so that
    FreeRADIUS never mistakes one for a retransmission."""

    def __init__(self, n: int, secret: str, seed: int = 11):
        self.secret = secret.encode()
        self.rnd = random.Random(seed)
        self.n = n
        self.common = (
            self._attr(4, socket.inet_aton("127.0.0.1"))  # NAS-IP-Address
            + self._attr(6, struct.pack("!I", 2))  # Service-Type = Framed-User
            + self._attr(7, struct.pack("!I", 1))  # Framed-Protocol = PPP
            + self._attr(61, struct.pack("!I", 15))  # NAS-Port-Type = Ethernet
            + self._attr(30, b"pppoe-bench")  # Called-Station-Id
        )

    @staticmethod
    def _attr(kind: int, value: bytes) -> bytes:
        return bytes((kind, len(value) + 2)) + value

    def make(self, ident: int, i: int | None = None) -> bytes:
        if i is None:
            i = self.rnd.randrange(self.n)
        authenticator = self.rnd.randbytes(16)
        secret_hash = hashlib.md5(self.secret + authenticator, usedforsecurity=False).digest()
        clear = password(i).encode().ljust(16, b"\0")
        hidden = bytes(a ^ b for a, b in zip(clear, secret_hash, strict=True))
        mac = f"02:00:{i >> 24 & 255:02X}:{i >> 16 & 255:02X}:{i >> 8 & 255:02X}:{i & 255:02X}".encode()
        body = (
            self._attr(1, username(i).encode())
            + self._attr(2, hidden)
            + self.common
            + self._attr(5, struct.pack("!I", i & 0xFFFF))  # NAS-Port
            + self._attr(31, mac)  # Calling-Station-Id
        )
        return struct.pack("!BBH", 1, ident, 20 + len(body)) + authenticator + body


def generate_load(port: int, *, concurrency: int, duration: float, warmup: float, users: int) -> dict:
    """Closed loop: ``concurrency`` sockets, one request in flight each, for warm-up + duration
    seconds; latencies and answers are counted after the warm-up only."""
    requests = Requests(users, SECRET)
    poller = select.epoll()
    socks, state = {}, {}
    for _ in range(concurrency):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks[s.fileno()] = s
        poller.register(s.fileno(), select.EPOLLIN)
    latencies = array("d")
    counts = {"sent": 0, "accept": 0, "reject": 0, "other": 0, "timeout": 0, "answered": 0}
    begin = time.perf_counter()
    measure_from = begin + warmup
    end = measure_from + duration
    cpu_start = None

    def send(fd, now):
        ident = (state.get(fd, (0, -1))[1] + 1) & 0xFF
        socks[fd].send(requests.make(ident))
        state[fd] = (now, ident)
        counts["sent"] += 1

    now = time.perf_counter()
    for fd in socks:
        send(fd, now)
    last_sweep = now
    while state:
        events = poller.poll(0.05)
        now = time.perf_counter()
        if cpu_start is None and now >= measure_from:
            cpu_start = (time.process_time(), now)
            counts_at_start = dict(counts)
        for fd, _event in events:
            data = socks[fd].recv(4096)
            sent_at, ident = state.get(fd, (None, None))
            if sent_at is None or len(data) < 20 or data[1] != ident:
                continue
            counts["answered"] += 1
            if sent_at >= measure_from and now <= end:
                latencies.append(now - sent_at)
                code = data[0]
                counts["accept" if code == 2 else "reject" if code == 3 else "other"] += 1
            if now < end:
                send(fd, now)
            else:
                del state[fd]
        if now - last_sweep > 0.25:
            last_sweep = now
            for fd, (sent_at, _ident) in list(state.items()):
                if now - sent_at > 3:
                    counts["timeout"] += 1
                    if now < end:
                        send(fd, now)
                    else:
                        del state[fd]
    cpu = time.process_time() - cpu_start[0] if cpu_start else 0.0
    for s in socks.values():
        s.close()
    poller.close()
    measured = len(latencies)
    ordered = sorted(latencies)

    def pick(p):
        return (
            ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000 if ordered else 0
        )

    return {
        **counts,
        "measured": measured,
        "rate": measured / duration,
        "p50": pick(50),
        "p99": pick(99),
        "generator_cpu": cpu / duration,
        "sent_during_warmup": counts_at_start["sent"] if cpu_start else 0,
    }


# --- Storm drill and accounting ---------------------------------------------------------------

STORM_PREFIX = "storm-"


def accounting_request(secret: bytes, ident: int, i: int, status: int) -> bytes:
    """Accounting-Request (RFC 2866) of login ``i``: Start (1) or Interim-Update (3, with counters
    ``in = 1000 + i``, ``out = 2000 + i`` that the check reads back from radacct)."""
    attr = Requests._attr
    body = (
        attr(1, username(i).encode())
        + attr(40, struct.pack("!I", status))
        + attr(44, f"{STORM_PREFIX}{i:06d}".encode())
        + attr(4, socket.inet_aton("127.0.0.1"))
        + attr(5, struct.pack("!I", i & 0xFFFF))
        + attr(8, socket.inet_aton(f"100.{64 + (i >> 16 & 63)}.{i >> 8 & 255}.{i & 255}"))
        + attr(31, f"02:00:00:{i >> 16 & 255:02X}:{i >> 8 & 255:02X}:{i & 255:02X}".encode())
    )
    if status == 3:
        body += (
            attr(42, struct.pack("!I", 1000 + i))
            + attr(43, struct.pack("!I", 2000 + i))
            + attr(46, struct.pack("!I", 300))
        )
    head = struct.pack("!BBH", 4, ident, 20 + len(body))
    authenticator = hashlib.md5(head + b"\0" * 16 + body + secret, usedforsecurity=False).digest()
    return head + authenticator + body


def storm(setup: "Setup", n: int, *, concurrency: int, interim: bool = False, retry: float = 3.0) -> dict:
    """``concurrency`` concentrators, one packet in flight each, bring ``n`` logins online: an
    Access-Request, then on the Access-Accept an Accounting-Start (or, with ``interim``, only an
    Interim-Update per login). A packet unanswered after ``retry`` seconds is retransmitted as a
    NAS does (same identifier and authenticator)."""
    auth = ("127.0.0.1", setup.port)
    acct = ("127.0.0.1", setup.acct_port)
    requests = Requests(n, SECRET)
    secret = SECRET.encode()
    poller = select.epoll()
    socks, state = {}, {}
    todo = iter(range(n))
    counts = {"auth": 0, "acct": 0, "reject": 0, "retransmissions": 0, "gave_up": 0}
    latency = {"auth": array("d"), "acct": array("d")}
    for _ in range(concurrency):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        socks[sock.fileno()] = sock
        poller.register(sock.fileno(), select.EPOLLIN)
    idents = dict.fromkeys(socks, 0)

    def send(fd, i, stage, now):
        idents[fd] = ident = (idents[fd] + 1) & 0xFF
        if stage == "auth":
            data, dest = requests.make(ident, i), auth
        else:
            data, dest = accounting_request(secret, ident, i, 3 if interim else 1), acct
        socks[fd].sendto(data, dest)
        state[fd] = [i, stage, ident, now, data, dest, 0]

    def next_login(fd, now):
        i = next(todo, None)
        if i is None:
            state.pop(fd, None)
        else:
            send(fd, i, "acct" if interim else "auth", now)

    started = time.perf_counter()
    for fd in socks:
        next_login(fd, started)
    last_sweep = started
    while state:
        events = poller.poll(0.05)
        now = time.perf_counter()
        for fd, _event in events:
            data = socks[fd].recv(4096)
            current = state.get(fd)
            if not current or len(data) < 20 or data[1] != current[2]:
                continue
            i, stage = current[0], current[1]
            if not current[6]:  # answer time of packets not retransmitted
                latency[stage].append(now - current[3])
            if stage == "auth":
                counts["auth"] += 1
                if data[0] == 2:
                    send(fd, i, "acct", now)
                    continue
                counts["reject"] += 1
            else:
                counts["acct"] += 1
            next_login(fd, now)
        if now - last_sweep > 0.2:
            last_sweep = now
            for fd, current in list(state.items()):
                if now - current[3] > retry:
                    if current[6] >= 5:  # a NAS gives up after a few retransmissions
                        counts["gave_up"] += 1
                        next_login(fd, now)
                        continue
                    socks[fd].sendto(current[4], current[5])
                    current[3], current[6] = now, current[6] + 1
                    counts["retransmissions"] += 1
    elapsed = time.perf_counter() - started
    for sock in socks.values():
        sock.close()
    poller.close()
    packets = counts["auth"] + counts["acct"]
    pct = {}
    for stage, values in latency.items():
        ordered = sorted(values)
        for p in (50, 99):
            pct[f"{stage}_p{p}"] = ordered[int(p / 100 * (len(ordered) - 1))] * 1000 if ordered else 0.0
    return {**counts, **pct, "elapsed": elapsed, "rate": packets / elapsed if elapsed else 0}


def _storm_rows(dbname: str, *, interim: bool) -> int:
    where = f"acctsessionid LIKE '{STORM_PREFIX}%' AND acctstoptime IS NULL"
    if interim:
        where += " AND acctinputoctets >= 1000 AND acctoutputoctets = acctinputoctets + 1000"
    return _count(dbname, f"SELECT count(*) FROM radacct WHERE {where}")  # noqa: S608 (constants)


def wait_radacct(setup: "Setup", n: int, *, interim: bool, timeout: float) -> tuple[float, int]:
    """Seconds until ``n`` storm sessions (with the interim counters) are in radacct, and how many."""
    started = time.perf_counter()
    while True:
        rows = _storm_rows(setup.dbname, interim=interim)
        if rows >= n or time.perf_counter() - started > timeout:
            return time.perf_counter() - started, rows
        time.sleep(0.25)


def storm_drill(setup: "Setup", args) -> dict:
    """All logins online (auth + Accounting-Start) as fast as ``args.nas`` concentrators send,
    then an Interim-Update for each; what reached radacct, and when."""
    with psycopg.connect(**_pg_params(setup.dbname), autocommit=True) as conn:
        conn.execute(f"DELETE FROM radacct WHERE acctsessionid LIKE '{STORM_PREFIX}%'")  # noqa: S608
    if setup.copy_process:
        _wait_copy_sessions(setup, args)
    out = {}
    for phase, interim in (("start", False), ("interim", True)):
        if interim:
            # Statistics from before the storm make PostgreSQL plan the stock Interim-Update as a
            # walk of a whole partial index (50 ms a row). In production autovacuum analyzes radacct
            # soon after (migration radius 0006 lowers its threshold); the bench does not wait for it.
            with psycopg.connect(**_pg_params(setup.dbname), autocommit=True) as conn:
                conn.execute("ANALYZE radacct")
        cpu = StormCpu(setup)
        result = storm(setup, args.n, concurrency=args.nas, interim=interim)
        answered_cpu = cpu.split()
        lag, rows = wait_radacct(setup, args.n, interim=interim, timeout=args.drain_timeout)
        result["online"] = result["elapsed"] + lag
        result["rows"] = rows
        result["rows_per_s"] = rows / result["online"] if result["online"] else 0
        out[phase] = result
        print(f"  {setup.label} storm {phase}, CPU while answering: {answered_cpu}", file=sys.stderr)
        print(
            f"  {setup.label} storm {phase}: answer times p50/p99 "
            + (f"auth {result['auth_p50']:.1f}/{result['auth_p99']:.1f} ms, " if not interim else "")
            + f"accounting {result['acct_p50']:.1f}/{result['acct_p99']:.1f} ms; "
            f"{result['rows_per_s']:,.0f} rows/s into radacct (storm start to the last row)",
            file=sys.stderr,
        )
        print(
            f"  {setup.label} storm {phase}: {result['rate']:,.0f} packets/s answered, "
            f"{result['auth']:,} auth + {result['acct']:,} acct in {result['elapsed']:.1f} s, "
            f"{result['retransmissions']:,} retransmissions, {result['reject']} rejected, "
            f"{result['gave_up']} given up; {rows:,} of {args.n:,} in radacct after {result['online']:.1f} s",
            file=sys.stderr,
        )
    with psycopg.connect(**_pg_params(setup.dbname), autocommit=True) as conn:
        conn.execute(f"DELETE FROM radacct WHERE acctsessionid LIKE '{STORM_PREFIX}%'")  # noqa: S608
    return out


class StormCpu:
    """CPU of each process of a set-up (and of this load generator) from now to ``split()``."""

    def __init__(self, setup: "Setup"):
        self.pids = {
            "radiusd": [setup.server.process.pid],
            "postgres": _postgres_pids(setup.dbname),
            "loader": [setup.loader.pid] if setup.loader else [],
            "radius_cache": [setup.copy_process.pid] if setup.copy_process else [],
            "redis": [setup.redis_pid] if setup.redis_pid else [],
        }
        self.before = {name: _ticks(pids) for name, pids in self.pids.items()}
        self.client = time.process_time()
        self.machine = _machine_ticks()
        self.wall = time.perf_counter()

    def split(self) -> str:
        hz, wall = os.sysconf("SC_CLK_TCK"), time.perf_counter() - self.wall
        parts = [
            f"{name} {(_ticks(pids) - self.before[name]) / hz / wall * 100:.0f}%"
            for name, pids in self.pids.items()
            if pids
        ]
        parts.append(f"load generator {(time.process_time() - self.client) / wall * 100:.0f}%")
        busy, total = (a - b for a, b in zip(_machine_ticks(), self.machine, strict=True))
        return ", ".join(parts) + f"; machine busy {busy / total * 100:.0f}% of {os.cpu_count()} CPUs"


def _wait_copy_sessions(setup: "Setup", args, timeout: float = 120) -> None:
    """Wait until the copy's open-session counts have caught up with sessions just deleted (by
    an earlier drill on the same database): a login still counted would be refused."""
    import redis

    client = redis.Redis.from_url(args.redis_url)
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        counted = sum(1 for _ in client.scan_iter(match=f"{COPY_PREFIX}o:*", count=10000))
        if counted <= _count(
            setup.dbname, "SELECT count(DISTINCT username) FROM radacct WHERE acctstoptime IS NULL"
        ):
            return
        time.sleep(0.5)


def _spool_pending(spool: Path) -> bool:
    """Post-auth answers not in radpostauth yet: lines not loaded (batch) or spool files."""
    if spool.name == "postauth-batch":
        return PostAuthLoader(spool).pending()
    return any(spool.iterdir())


def block_probe(setup: "Setup", args) -> str:
    """While the load runs, block the contract of login 0 through Enlace's service and time the
    first Access-Request of that login sent after the commit (then unblock it)."""
    import threading

    from enlace.contracts.models import Contract
    from enlace.contracts.services import contract_block, contract_unblock

    admin = get_user_model().objects.get(username="bench")
    contract = Contract.objects.get(pk=Login.objects.get(username=username(0)).contract_id)
    load = threading.Thread(
        target=generate_load,
        args=(setup.port,),
        kwargs={"concurrency": args.concurrency, "duration": 3, "warmup": 0, "users": args.n},
    )
    load.start()
    time.sleep(1)
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect(("127.0.0.1", setup.port))
    probe.settimeout(5)
    requests = Requests(args.n, SECRET, seed=99)
    try:
        contract = contract_block(actor=admin, contract=contract, reason="bench")
        committed = time.perf_counter()
        code, sent_after, ident = None, 0.0, 0
        while code != 3 and time.perf_counter() - committed < 5:
            ident = (ident + 1) & 0xFF
            sent = time.perf_counter()
            probe.send(requests.make(ident, 0))
            try:
                data = probe.recv(4096)
            except TimeoutError:
                continue
            code, sent_after = data[0], sent - committed
        answered = time.perf_counter() - committed
    finally:
        contract_unblock(actor=admin, contract=contract, reason="bench")
        probe.close()
        load.join()
    if code != 3:
        return "a blocked login was NOT rejected within 5 s"
    return (
        f"the first Access-Request sent after the commit ({sent_after * 1000:.1f} ms after it) was "
        f"rejected; the reject reached the NAS {answered * 1000:.0f} ms after the commit "
        "(including FreeRADIUS's reject_delay of 1 s)"
    )


# --- CPU accounting ------------------------------------------------------------------------


def _ticks(pids) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _postgres_pids(dbname: str, application: str | None = None) -> list[int]:
    """The PostgreSQL backends serving ``dbname`` (FreeRADIUS keeps its connections open), plus
    the WAL writer: other databases on the same server are not counted. With ``application``
    (a LIKE pattern), only the backends whose application_name matches."""
    with psycopg.connect(**_pg_params(dbname), autocommit=True) as conn:
        if application:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
                (dbname, application),
            ).fetchall()
            return [pid for (pid,) in rows]
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE (datname = %s AND pid <> pg_backend_pid()) "
            "OR backend_type = 'walwriter'",
            (dbname,),
        ).fetchall()
    return [pid for (pid,) in rows]


@dataclass
class Setup:
    key: str
    label: str
    server: Server
    port: int
    dbname: str | None = None
    spool: Path | None = None
    acct_port: int = 0
    windows: list = field(default_factory=list)
    lags: list = field(default_factory=list)
    #: (a) with the Redis copy: the ``manage.py radius_cache`` process and redis-server's pid.
    copy_process: subprocess.Popen | None = None
    redis_pid: int | None = None
    #: Ours on PostgreSQL: the state directory whose accounting lines the loader applies, and it.
    loader_state: Path | None = None
    loader: subprocess.Popen | None = None


def measure(setup: Setup, args) -> dict:
    """One measured window against ``setup``, with the CPU its processes used."""
    hz = os.sysconf("SC_CLK_TCK")
    pg_pids = _postgres_pids(setup.dbname) if setup.dbname else []
    pg_before = {pid: _ticks([pid]) for pid in pg_pids}
    radius_before = _ticks([setup.server.process.pid])
    copy_pids = [setup.copy_process.pid] if setup.copy_process else []
    redis_pids = [setup.redis_pid] if setup.redis_pid else []
    copy_before, redis_before = _ticks(copy_pids), _ticks(redis_pids)
    machine_before = _machine_ticks()
    wall = time.perf_counter()
    result = generate_load(
        setup.port, concurrency=args.concurrency, duration=args.duration, warmup=args.warmup, users=args.n
    )
    wall = time.perf_counter() - wall
    radius_cpu = (_ticks([setup.server.process.pid]) - radius_before) / hz / wall
    copy_cpu = (_ticks(copy_pids) - copy_before) / hz / wall
    # redis-server may serve others on a shared machine: its whole CPU is counted (an upper bound).
    redis_cpu = (_ticks(redis_pids) - redis_before) / hz / wall
    # Backends opened during the run (a pool growing) count whole.
    pg_pids = set(pg_pids) | set(_postgres_pids(setup.dbname) if setup.dbname else [])
    pg_after = {pid: _ticks([pid]) for pid in pg_pids}
    pg_cpu = sum(after - pg_before.get(pid, 0) for pid, after in pg_after.items()) / hz / wall
    # The post-auth log's share (its backend names itself "... (sql_log)"), so the per-request
    # cost and the log's show apart.
    log_pids = _postgres_pids(setup.dbname, application="%(sql_log)%") if setup.dbname else []
    log_cpu = sum(pg_after.get(pid, 0) - pg_before.get(pid, 0) for pid in log_pids) / hz / wall
    busy, total = (a - b for a, b in zip(_machine_ticks(), machine_before, strict=True))
    total_cpu = radius_cpu + pg_cpu + redis_cpu + copy_cpu
    result["cpu_per_auth"] = total_cpu / result["rate"] * 1000 if result["rate"] else 0
    per_auth = {
        name: value / result["rate"] * 1000 if result["rate"] else 0
        for name, value in (("radiusd", radius_cpu), ("postgres", pg_cpu), ("redis", redis_cpu + copy_cpu))
    }
    result["cpu_split"] = per_auth
    result["cpu"] = (
        f"CPU: radiusd {radius_cpu * 100:.0f}% + postgres {pg_cpu * 100:.0f}% "
        f"(of which the post-auth log's INSERTs {log_cpu * 100:.0f}%)"
        + (
            f" + redis-server {redis_cpu * 100:.0f}% + radius_cache {copy_cpu * 100:.0f}%"
            if copy_pids
            else ""
        )
        + f" = {result['cpu_per_auth']:.3f} ms per auth (radiusd {per_auth['radiusd']:.3f}, "
        f"postgres {per_auth['postgres']:.3f}, redis {per_auth['redis']:.3f}); load generator {result['generator_cpu'] * 100:.0f}%; "
        f"whole machine busy {busy / total * 100:.0f}% of {os.cpu_count()} CPUs"
    )
    print(
        f"  {setup.label}: {result['rate']:,.0f} auth/s, p50 {result['p50']:.2f} ms, "
        f"p99 {result['p99']:.2f} ms, {result['accept']} accepted, {result['reject']} rejected, "
        f"{result['timeout']} timeouts; {result['cpu']}",
        file=sys.stderr,
    )
    return result


def wait_logged(setup: Setup, timeout: float) -> float:
    """Seconds until the post-auth spool of ``setup`` is empty (every answer in radpostauth)."""
    started = time.perf_counter()
    while _spool_pending(setup.spool) and time.perf_counter() - started < timeout:
        time.sleep(0.1)
    return time.perf_counter() - started


def _count(dbname: str, sql: str) -> int:
    with psycopg.connect(**_pg_params(dbname), autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def _truncate_postauth(dbname: str) -> None:
    with psycopg.connect(**_pg_params(dbname), autocommit=True) as conn:
        conn.execute("TRUNCATE radpostauth")


# --- Set-ups ----------------------------------------------------------------------------------


def _bench_database_url() -> str:
    db = connection.settings_dict
    url = f"postgres://{db.get('USER') or 'postgres'}"
    url += f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return url + f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_loader(setup: Setup) -> None:
    """The accounting loader of ``setup`` (ours on PostgreSQL), as ``radius_server`` starts it."""
    setup.loader = start_acct_loader(
        setup.loader_state,
        parent=setup.server.process.pid,
        env={**os.environ, "DATABASE_URL": _bench_database_url()},
    )


def start_copy(args, state: Path) -> tuple[subprocess.Popen, int | None]:
    """``manage.py radius_cache`` on the bench database (a process of its own, so its CPU shows),
    once it has built the copy and set the heartbeat; and redis-server's pid."""
    import redis

    env = {
        **os.environ,
        "DATABASE_URL": _bench_database_url(),
        "RADIUS_REDIS_URL": args.redis_url,
        "RADIUS_REDIS_PREFIX": COPY_PREFIX,
        "RADIUS_STATE_DIR": str(state),
    }
    client = redis.Redis.from_url(args.redis_url)
    client.delete(f"{COPY_PREFIX}fresh")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "radius_cache"], env=env, stdin=subprocess.DEVNULL
    )
    while not client.exists(f"{COPY_PREFIX}fresh"):
        if process.poll() is not None or time.perf_counter() - started > 600:
            raise RuntimeError("radius_cache did not build the copy")
        time.sleep(0.2)
    print(
        f"  radius_cache: copy of {args.n:,} logins built in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return process, client.info("server").get("process_id")


def _drop_copy(args) -> None:
    import redis

    client = redis.Redis.from_url(args.redis_url)
    keys = list(client.scan_iter(match=f"{COPY_PREFIX}*", count=5000))
    for start in range(0, len(keys), 5000):
        client.delete(*keys[start : start + 5000])


def setup_ours(
    args, binary: str, work: Path, *, config: str | None = None, key: str = "a", copy: bool = True
) -> Setup:
    state = prepare_state_dir(work / f"ours-{key}")
    port, acct_port = _free_udp_port(), _free_udp_port()
    copy = copy and key == "a" and not args.no_copy
    env = server_environment(
        connection.settings_dict,
        state_dir=state,
        auth_port=port,
        acct_port=acct_port,
        threads=args.threads,
        pool_start=args.threads,
        statement_timeout_ms=2000,
        reject_delay=1,
        redis_url=args.redis_url if copy else None,
        redis_prefix=COPY_PREFIX,
    )
    _truncate_postauth(DB_NAME)
    argv = freeradius_argv(binary, config_dir=Path(config or args.config or CONFIG_DIR))
    server = Server(argv, {**os.environ, **env}, state / "log" / "radius.log")
    setup = Setup(
        key,
        LABELS[key].format(config=config),
        server,
        port,
        DB_NAME,
        state / "spool" / ("postauth-batch" if copy else "postauth"),
        acct_port=acct_port,
        loader_state=state if env["ENLACE_RADIUS_ACCT"] == "batch" else None,
    )
    if copy:
        setup.copy_process, setup.redis_pid = start_copy(args, state)
    return setup


COPY_PREFIX = "enlace-bench:radius:"
LABELS = {
    "a0": "(a0) previous Enlace config ({config})",
    "a": "(a) Enlace config (deploy/freeradius), Redis copy",
    "a1": "(a1) Enlace config, no Redis copy (PostgreSQL)",
    "b": "(b) stock SQL config, synchronous post-auth",
    "c": "(c) stock files module, no database",
}


def setup_stock(args, binary: str, work: Path, stock_dir: str) -> Setup:
    port, acct_port = _free_udp_port(), _free_udp_port()
    target = stock_config(
        stock_dir, work / "stock", auth_port=port, sql=True, users=None, acct_port=acct_port
    )
    _truncate_postauth(STOCK_DB_NAME)
    server = Server([binary, "-f", "-d", str(target)], dict(os.environ), target / "log" / "radius.log")
    return Setup(
        "b", "(b) stock SQL config, synchronous post-auth", server, port, STOCK_DB_NAME, acct_port=acct_port
    )


def setup_files(args, binary: str, work: Path, stock_dir: str) -> Setup:
    port = _free_udp_port()
    users = work / "users"
    write_users_file(users)
    target = stock_config(stock_dir, work / "files", auth_port=port, sql=False, users=users)
    server = Server([binary, "-f", "-d", str(target)], dict(os.environ), target / "log" / "radius.log")
    return Setup("c", "(c) stock files module, no database", server, port)


def logged_note(setup: Setup, args) -> str:
    answered = sum(w["answered"] for w in setup.windows)
    if setup.key == "c":
        return "no"
    logged = _count(setup.dbname, "SELECT count(*) FROM radpostauth")
    with_password = _count(setup.dbname, "SELECT count(*) FROM radpostauth WHERE coalesce(pass, '') <> ''")
    if setup.key in ("a", "a0", "a1"):
        pending = _spool_pending(setup.spool)
        lag = max(setup.lags) if setup.lags else 0
        note = (
            f"yes: {logged:,} of {answered:,} answered in radpostauth, at most {lag:.1f} s after a run"
            if logged >= answered and not pending
            else f"NO: {logged:,} of {answered:,} answered in radpostauth {args.drain_timeout:.0f} s after"
        )
    else:
        note = f"yes, before the answer: {logged:,} of {answered:,} in radpostauth"
    if with_password:
        note += f" ({with_password:,} rows with the password)"
    return note


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


def _stock_loaded(n: int) -> bool:
    try:
        return _count(STOCK_DB_NAME, "SELECT count(DISTINCT username) FROM radcheck") == n
    except psycopg.Error:
        return False


def _server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


if __name__ == "__main__":
    sys.exit(main())
