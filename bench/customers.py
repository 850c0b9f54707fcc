#!/usr/bin/env python
"""Customer registry benchmark (issue 3, SPEC C-6): search and customer page at scale.

Creates a scratch database (``enlace_bench_customers`` on the server of DATABASE_URL, or a SQLite
file under $ENLACE_VAR_DIR), bulk-loads N customers with a progress bar (PostgreSQL: COPY, with the
search indexes built after the load), then prints p50/p95/p99 of:

- search by a name fragment (20 fragments, common and rare; accent-free, lower-case as typed),
- search by CPF (with the mask) and by mobile phone (digits),
- rendering the customer page (ms and SQL queries),
- the top bar's global search (issue 19: every provider, names, CPFs and phones mixed; goal p95 ≤
  100 ms at 1,000,000 customers), the dashboard's refresh task and the home page reading its cache
  (goal ≤ 300 ms),

each through the code the screens use (``selectors.customer_list`` first page of 25 rows; the
page through Django's test client). Goals on PostgreSQL at 1,000,000 customers: search p95 ≤ 50 ms;
customer page ≤ 150 ms with ≤ 20 queries.

Usage: ``python bench/customers.py [-n N] [--repeat R] [--keep]``; default N is 1,000,000 on
PostgreSQL and 50,000 on SQLite.
"""

import argparse
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402
from tqdm import tqdm  # noqa: E402

from enlace.core.models import Branch, City  # noqa: E402
from enlace.customers import selectors  # noqa: E402
from enlace.customers.models import Customer  # noqa: E402
from enlace.customers.validators import fold  # noqa: E402

FIRST = [
    "João",
    "José",
    "Maria",
    "Ana",
    "Antônio",
    "Francisco",
    "Carlos",
    "Paulo",
    "Pedro",
    "Lucas",
    "Luiz",
    "Marcos",
    "Luís",
    "Gabriel",
    "Rafael",
    "Daniel",
    "Marcelo",
    "Bruno",
    "Eduardo",
    "Felipe",
    "Raimundo",
    "Rodrigo",
    "Manoel",
    "Mateus",
    "André",
    "Fernando",
    "Fábio",
    "Leonardo",
    "Gustavo",
    "Guilherme",
    "Francisca",
    "Antônia",
    "Adriana",
    "Juliana",
    "Márcia",
    "Fernanda",
    "Patrícia",
    "Aline",
    "Sandra",
    "Camila",
    "Amanda",
    "Bruna",
    "Jéssica",
    "Letícia",
    "Júlia",
    "Luciana",
    "Vanessa",
    "Mariana",
    "Gabriela",
    "Vera",
    "Vitória",
    "Larissa",
    "Cláudia",
    "Beatriz",
    "Luana",
    "Rita",
    "Sônia",
    "Renata",
    "Eliane",
    "Conceição",
    "Joaquim",
    "Sebastião",
    "Benedito",
    "Thiago",
    "Caio",
    "Heitor",
    "Otávio",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Araújo",
    "Pinto",
    "Conceição",
    "Batista",
    "Moura",
    "Cavalcanti",
    "Monteiro",
    "Correia",
    "Campos",
    "Brandão",
    "Queiroz",
    "Figueiredo",
    "Magalhães",
    "Assunção",
    "Guimarães",
    "Xavier",
    "Valadares",
    "Zanetti",
    "Quintela",
]
STREETS = [
    "Rua das Flores",
    "Avenida Brasil",
    "Rua São João",
    "Rua Sete de Setembro",
    "Avenida Paulista",
    "Rua XV de Novembro",
    "Rua Dom Pedro II",
    "Travessa da Paz",
    "Rua Tiradentes",
    "Rua do Comércio",
]
NEIGHBOURHOODS = [
    "Centro",
    "Jardim América",
    "Vila Nova",
    "Boa Vista",
    "São José",
    "Santa Cruz",
    "Industrial",
]

# Fragments an operator types: common ones (match many rows) and rare ones.
FRAGMENTS = [
    "silva",
    "maria",
    "jo",
    "ana",
    "sant",
    "olive",
    "conceicao",
    "souza",
    "marc",
    "fer",
    "joao silva",
    "maria santos",
    "valad",
    "zanet",
    "quintel",
    "heitor",
    "otav",
    "brand",
    "gui",
    "xav",
]


def generate(i: int, rnd: random.Random, branch_ids, city_ids):
    name = f"{rnd.choice(FIRST)} {rnd.choice(FIRST) if rnd.random() < 0.3 else ''} {rnd.choice(LAST)} {rnd.choice(LAST)}"
    name = " ".join(name.split())
    cpf = bench_cpf(i)
    mobile = f"{rnd.choice((11, 19, 21, 31, 41, 51, 61, 71, 81, 85))}9{i % 10**8:08d}"
    street, number, hood = rnd.choice(STREETS), str(rnd.randint(1, 3000)), rnd.choice(NEIGHBOURHOODS)
    return {
        "name": name,
        "cpf_cnpj": cpf,
        "mobile_phone": mobile,
        "street": street,
        "number": number,
        "neighborhood": hood,
        "branch_id": rnd.choice(branch_ids),
        "city_id": rnd.choice(city_ids),
        "email": f"cliente{i}@exemplo.com.br",
        "search_name": f" {fold(name)}",
        "address_key": f"{fold(street)}|{number}|{fold(hood)}",
    }


def _columns():
    fields = [f for f in Customer._meta.concrete_fields if not f.primary_key]
    now = datetime.now(UTC)
    defaults = {}
    for f in fields:
        if f.attname in ("created_at", "updated_at"):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null else ""
    return fields, defaults


def load(n: int, seed: int = 3) -> float:
    rnd = random.Random(seed)
    branch_ids = list(Branch.objects.values_list("pk", flat=True))
    city_ids = list(City.objects.filter(state__abbr__in=["SP", "MG", "RJ"]).values_list("pk", flat=True))
    fields, defaults = _columns()
    started = time.perf_counter()
    bar = tqdm(total=n, unit=" customers", desc="loading", file=sys.stderr)
    if connection.vendor == "postgresql":
        indexes = _search_indexes()
        with connection.cursor() as cursor:
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY customers_customer ({columns}) FROM STDIN") as copy:
            for i in range(n):
                row = {**defaults, **generate(i, rnd, branch_ids, city_ids)}
                copy.write_row([row[f.attname] for f in fields])
                if i % 5000 == 4999:
                    bar.update(5000)
        bar.update(n - bar.n)
        bar.close()
        print("building search indexes…", file=sys.stderr)
        with connection.cursor() as cursor:
            for name, definition in indexes:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer {definition}")
            cursor.execute("ANALYZE customers_customer")
    else:
        batch = []
        for i in range(n):
            batch.append(Customer(**{**defaults, **generate(i, rnd, branch_ids, city_ids)}))
            if len(batch) == 5000:
                Customer.objects.bulk_create(batch)
                bar.update(len(batch))
                batch = []
        Customer.objects.bulk_create(batch)
        bar.update(len(batch))
        bar.close()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _search_indexes():
    from importlib import import_module

    return import_module("enlace.customers.migrations.0002_search_indexes").INDEXES


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples_ms)

    def pick(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return pick(50), pick(95), pick(99)


def timed(fn, repeat: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def run(n: int, repeat: int, detail: bool = False) -> list[tuple]:
    user = get_user_model().objects.get(username="bench")
    rows = []
    rnd = random.Random(11)
    total = Customer.objects.count()

    def first_page(text):
        return list(selectors.customer_list(user=user, search=text)[:25])

    # Warm-up (plans, caches) is not measured.
    for text in FRAGMENTS[:3]:
        first_page(text)

    samples, hits = [], []
    for text in FRAGMENTS:
        s, result = timed(lambda text=text: first_page(text), repeat)
        samples += s
        hits.append(len(result))
        if detail:
            print(
                f"  fragment {text!r}: median {sorted(s)[len(s) // 2]:.2f} ms, max {max(s):.2f} ms",
                file=sys.stderr,
            )
    rows.append(
        (
            "search: name fragment (20 fragments)",
            len(samples),
            *percentiles(samples),
            f"{sum(1 for h in hits if h)}/20 found rows",
        )
    )

    ids = [rnd.randrange(total) for _ in range(50)]
    cpfs = [bench_cpf(i) for i in ids]
    masked = [f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}" for c in cpfs]
    samples = []
    found = 0
    for cpf in masked:
        s, result = timed(lambda cpf=cpf: first_page(cpf), max(1, repeat // 2))
        samples += s
        found += bool(result)
    rows.append(("search: CPF with mask (50 CPFs)", len(samples), *percentiles(samples), f"{found}/50 found"))

    phones = list(
        Customer.objects.filter(
            pk__in=[
                Customer.objects.order_by("pk").values_list("pk", flat=True)[min(i, total - 1)]
                for i in ids[:10]
            ]
        ).values_list("mobile_phone", flat=True)
    )
    samples, found = [], 0
    for phone in phones:
        s, result = timed(lambda phone=phone: first_page(phone), repeat)
        samples += s
        found += bool(result)
    rows.append(
        (
            f"search: mobile phone digits ({len(phones)} phones)",
            len(samples),
            *percentiles(samples),
            f"{found}/{len(phones)} found",
        )
    )

    client = Client()
    client.force_login(user)
    pks = (
        list(Customer.objects.order_by("?").values_list("pk", flat=True)[:20])
        if total < 200_000
        else [
            Customer.objects.order_by("pk").values_list("pk", flat=True)[rnd.randrange(total)]
            for _ in range(20)
        ]
    )
    client.get(f"/customers/{pks[0]}/")
    samples, queries = [], []
    for pk in pks:
        for _ in range(max(1, repeat // 2)):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(f"/customers/{pk}/")
                samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            queries.append(len(ctx.captured_queries))
    rows.append(
        (
            "customer page (Cliente tab)",
            len(samples),
            *percentiles(samples),
            f"{max(queries)} SQL queries max, {len(response.content) // 1024} KiB",
        )
    )

    samples, queries = [], []
    for text in FRAGMENTS[:10]:
        for _ in range(max(1, repeat // 2)):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get("/customers/", {"q": text})
                samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            queries.append(len(ctx.captured_queries))
    rows.append(
        (
            "list page: search box (10 fragments)",
            len(samples),
            *percentiles(samples),
            f"{max(queries)} SQL queries max (count capped at 1,000)",
        )
    )

    # Issue 19: the top bar's global search (HTMX drop-down: every provider — customers, contracts,
    # logins, tickets, service orders, receivables) with names, unmasked CPFs and phones mixed.
    texts = [*FRAGMENTS[:10], *cpfs[:10], *phones[:5]]
    hx = {"HX-Request": "true", "HX-Target": "global-search-results"}
    client.get("/search/", {"q": texts[0]}, headers=hx)
    samples, queries = [], []
    for text in texts:
        for _ in range(max(1, repeat // 2)):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get("/search/", {"q": text}, headers=hx)
                samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            queries.append(len(ctx.captured_queries))
    rows.append(
        (
            f"global search, top bar ({len(texts)} texts)",
            len(samples),
            *percentiles(samples),
            f"{max(queries)} SQL queries max",
        )
    )

    # Issue 19: the dashboard — the task computing every figure, then the page reading the cache.
    from enlace.core import dashboard

    samples, _ = timed(dashboard.refresh, 1)
    rows.append(("dashboard refresh (task, every figure)", 1, *percentiles(samples), "per-branch aggregates"))
    client.get("/")
    samples, queries = [], []
    for _ in range(max(5, repeat)):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get("/")
            samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(ctx.captured_queries))
    rows.append(
        (
            "home page (dashboard, cached)",
            len(samples),
            *percentiles(samples),
            f"{max(queries)} SQL queries max",
        )
    )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=None, help="customers to load")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--detail", action="store_true", help="print the time of each name fragment")
    args = parser.parse_args(argv)

    setup_test_environment()
    settings.DEBUG = False
    test = connection.settings_dict.setdefault("TEST", {})
    original_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        test["NAME"] = str(Path(settings.VAR_DIR) / "bench_customers.sqlite3")
    else:
        test["NAME"] = "enlace_bench_customers"
    n = args.n or (1_000_000 if connection.vendor == "postgresql" else 50_000)
    started = time.perf_counter()
    db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        get_user_model().objects.create_superuser("bench", "bench@example.net", None)
        sp = City.objects.get(code=3550308)
        for i, cnpj in enumerate(("11222333000181", "11444777000161")):
            Branch.objects.create(name=f"Bench {i}", legal_name=f"Bench {i} Ltda", cnpj=cnpj, city=sp)
        migrate_s = time.perf_counter() - started
        load_s = load(n)
        rows = run(n, args.repeat, args.detail)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        teardown_test_environment()
    print(
        f"Enlace customers bench — {connection.vendor} ({db_name}), {n:,} customers, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs; database created in {migrate_s:.1f} s, "
        f"loaded in {load_s:.1f} s ({n / load_s:,.0f}/s)"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'n':>5}  {'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}  note")
    print("-" * (width + 44))
    for name, count, p50, p95, p99, note in rows:
        print(f"{name:<{width}}  {count:>5}  {p50:>8.2f}  {p95:>8.2f}  {p99:>8.2f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
