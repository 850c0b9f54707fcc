"""RADIUS bench (``bench/radius.py``): the data — Enlace's logins loaded into the scratch
database, the stock schema's copy of them, and small database helpers."""

import hashlib
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from django.contrib.auth import get_user_model
from django.db import connection
from tqdm import tqdm

from bench.data import SICOOB_WALLET
from enlace.contracts.models import Plan
from enlace.contracts.services import contract_activate, contract_create, plan_save
from enlace.core.models import Branch, City, PaymentCondition, Wallet
from enlace.customers.services import customer_create
from enlace.radius import projection, services
from enlace.radius.freeradius import RadCheck, RadGroupReply, RadReply, RadUserGroup
from enlace.radius.models import Login, Nas

ROOT = Path(__file__).resolve().parent.parent


SECRET = "testing123"  # noqa: S105 — the stock clients.conf secret of 127.0.0.1, used by all three set-ups


#: Scratch databases (BENCH_RADIUS_DB names others, e.g. one per engineer on a shared server).
DB_NAME = os.environ.get("BENCH_RADIUS_DB") or "enlace_bench_radius"


STOCK_DB_NAME = f"{DB_NAME}_stock"


CONTRACTS = 20


SEED = 5


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
        **SICOOB_WALLET,
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


def _count(dbname: str, sql: str) -> int:
    with psycopg.connect(**_pg_params(dbname), autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def _truncate_postauth(dbname: str) -> None:
    with psycopg.connect(**_pg_params(dbname), autocommit=True) as conn:
        conn.execute("TRUNCATE radpostauth")


def _bench_database_url() -> str:
    db = connection.settings_dict
    url = f"postgres://{db.get('USER') or 'postgres'}"
    url += f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return url + f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


COPY_PREFIX = "enlace-bench:radius:"


def _stock_loaded(n: int) -> bool:
    try:
        return _count(STOCK_DB_NAME, "SELECT count(DISTINCT username) FROM radcheck") == n
    except psycopg.Error:
        return False
