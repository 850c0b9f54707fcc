"""The load bench's data set (issue 22), written with COPY into the scratch database Django is
connected to: a mid-size ISP's working data.

Per customer: one active contract, one RADIUS login, 12 monthly invoices (the 11 months before the
current one paid, each with its payment — except 3 % who left the last one unpaid and are in
"Financeiro em atraso" — and the current month's open invoice made by the real billing run, with
its boleto and PIX), 3 closed accounting sessions and, for 85 %, an open one; 0.3 tickets per
customer over the last 180 days. Reference rows (branches, plans, wallets, subjects, operators of
every role, API clients with DRF tokens) go through the ORM.

Generators are reused: customers from ``bench/customers.py`` (``generate``, its search indexes
built after the load), branches, plans and the six wallets from ``bench/billing.py``
(``reference_data``), RADIUS user names and passwords from ``bench/radius.py``. Passwords are
hashed once with the configured hasher (``make_password``: PBKDF2 today, Argon2 if the settings
switch) and the same hash is copied to every account: hashing 100,000 passwords would take hours,
while logging in costs the same as with distinct hashes.

PostgreSQL only (COPY through psycopg 3). ``load(n)`` returns the seconds per part.
"""

import datetime
import hashlib
import random
import sys
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from tqdm import tqdm

from bench import billing as billing_bench
from bench import customers as customers_bench
from bench import loadset
from bench import radius as radius_bench
from enlace.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment, PaymentMethod, WalletSequence
from enlace.billing.services.common import YEARLY_BANKS, sicredi_yearly_number  # noqa: E402
from enlace.billing.services.invoices import invoice_fill_charges
from enlace.billing.services.runs import billing_run_start_and_execute
from enlace.contracts.models import AccessStatus, Contract, ContractStatus
from enlace.core import context
from enlace.core.models import Branch, City, Department
from enlace.customers.models import Customer
from enlace.radius.freeradius import RadAcct
from enlace.radius.models import Login
from enlace.support.models import ProtocolCounter, Subject, Ticket

SEED = 22
CHUNK = 5000
NAS_IP = "10.0.0.1"
PAYMENT_METHODS = [PaymentMethod.BOLETO] * 6 + [PaymentMethod.PIX] * 3 + [PaymentMethod.CASH]
SUBJECTS = [
    # name, default department, description, visible in the portal, share of tickets
    ("Sem conexão", "Suporte técnico", "Cliente sem acesso à internet", True, 35),
    ("Lentidão", "Suporte técnico", "Conexão lenta", True, 25),
    ("Segunda via de boleto", "Financeiro", "Pedido de segunda via", True, 20),
    ("Mudança de endereço", "Comercial", "Mudança do endereço de instalação", False, 10),
    ("Cancelamento", "Comercial", "Pedido de cancelamento", False, 10),
]


# --- COPY helpers ---------------------------------------------------------------------------


def _fields(model, *, with_pk: bool):
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


class Copy:
    """``with Copy(Model) as write: write({attname: value, ...})`` — COPY into the model's table;
    missing values take the field's default (``created_at`` = now), or NULL/empty."""

    def __init__(self, model, *, with_pk: bool = True):
        self.fields = _fields(model, with_pk=with_pk)
        now = timezone.now()
        self.defaults = {}
        for f in self.fields:
            if f.attname in ("created_at", "updated_at"):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            else:
                self.defaults[f.attname] = None if f.null or f.primary_key else ""
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
        self.names = [f.attname for f in self.fields]

    def __enter__(self):
        connection.ensure_connection()
        self._cursor = connection.connection.cursor()
        self._cm = self._cursor.copy(self.sql)
        copy = self._cm.__enter__()
        defaults, names = self.defaults, self.names

        def write(row: dict):
            merged = {**defaults, **row}
            copy.write_row([merged[name] for name in names])

        return write

    def __exit__(self, *exc):
        try:
            self._cm.__exit__(*exc)
        finally:
            self._cursor.close()
        return False


def reserve_ids(model, count: int) -> int:
    """Take ``count`` consecutive primary keys from the table's sequence; returns the first."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


def _bar(total: int, desc: str, unit: str):
    return tqdm(total=total, desc=f"{desc:<24}", unit=unit, unit_scale=True, file=sys.stderr, leave=True)


def months(today: datetime.date) -> list[tuple[int, int]]:
    """The (year, month) of the ``MONTHS`` periods ending with ``today``'s month, oldest first."""
    result, year, month = [], today.year, today.month
    for _ in range(loadset.MONTHS):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


# --- Reference rows (ORM) ---------------------------------------------------------------------


def reference_rows():
    """Branches, plans, payment condition and wallets (bench/billing.py), departments, subjects,
    operators of every role and the API clients with their tokens."""
    with context.acting_as(None, source="command"):
        admin, branches, plans, condition, wallets = billing_bench.reference_data()
        departments = {name: Department.objects.create(name=name) for name in {s[1] for s in SUBJECTS}}
        subjects = [
            (
                Subject.objects.create(
                    name=name,
                    default_department=departments[dept],
                    default_description=description,
                    portal_visible=portal,
                ),
                share,
            )
            for name, dept, description, portal, share in SUBJECTS
        ]
    password = make_password(loadset.OPERATOR_PASSWORD)  # hashed once (see the module docstring)
    user_model = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=[*loadset.ROLES.values(), loadset.API_ROLE])}
    accounts = [
        (loadset.operator_username(prefix, k), role)
        for prefix, role in loadset.ROLES.items()
        for k in range(1, loadset.OPERATORS_PER_ROLE + 1)
    ] + [(loadset.api_username(k), loadset.API_ROLE) for k in range(1, loadset.API_CLIENTS + 1)]
    users = user_model.objects.bulk_create(
        [
            user_model(username=name, password=password, first_name=name.capitalize(), is_active=True)
            for name, _role in accounts
        ]
    )
    through = user_model.groups.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=groups[role].pk)
            for u, (_name, role) in zip(users, accounts, strict=True)
        ]
    )
    by_name = {u.username: u for u in users}
    Token.objects.bulk_create(
        [
            Token(key=loadset.api_token(k), user=by_name[loadset.api_username(k)])
            for k in range(1, loadset.API_CLIENTS + 1)
        ]
    )
    attendants = [u.pk for u in users if u.username.startswith("atendimento")]
    return admin, branches, plans, condition, wallets, subjects, attendants


# --- Bulk tables (COPY) -------------------------------------------------------------------------


def load_customers(n: int, rnd: random.Random, branches) -> tuple[int, list[int]]:
    """Customers with ``bench/customers.py``'s generator, a portal login and the one password hash;
    returns the first primary key and each customer's branch."""
    branch_ids = [b.pk for b in branches]
    city_ids = list(City.objects.filter(state__abbr__in=["SP", "MG", "RJ"]).values_list("pk", flat=True))
    portal_hash = make_password(loadset.PORTAL_PASSWORD)
    indexes = customers_bench._search_indexes()
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    first = reserve_ids(Customer, n)
    branch_of = []
    bar = _bar(n, "customers", " rows")
    with Copy(Customer) as write:
        for i in range(n):
            row = customers_bench.generate(i, rnd, branch_ids, city_ids)
            branch_of.append(row["branch_id"])
            write(
                {
                    **row,
                    "id": first + i,
                    "portal_login": loadset.portal_login(i),
                    "portal_password": portal_hash,
                }
            )
            if i % CHUNK == CHUNK - 1:
                bar.update(CHUNK)
    bar.update(n - bar.n)
    bar.close()
    with connection.cursor() as cursor:
        for name, definition in indexes:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer {definition}")
    return first, branch_of


def load_contracts(n, rnd, first_customer, branch_of, plans, wallets, condition, start: datetime.date):
    """One active contract per customer, activated before the first billed month; the overdue
    ones (last month unpaid) are in "Financeiro em atraso". Returns the first primary key and
    each contract's (plan, wallet, due day, monthly amount, overdue)."""
    first = reserve_ids(Contract, n)
    wallets_of = {b: [w for w in wallets if w.branch_id == b] for b in set(branch_of)}
    terms = []
    bar = _bar(n, "contracts", " rows")
    with Copy(Contract) as write:
        for i in range(n):
            branch_id = branch_of[i]
            plan = rnd.choice(plans[branch_id])
            wallet = rnd.choice(wallets_of[branch_id])
            due_day = rnd.choice(billing_bench.DUE_DAYS)
            overdue = rnd.random() < loadset.OVERDUE_SHARE
            activation = start - datetime.timedelta(days=30 + rnd.randrange(1000))
            write(
                {
                    "id": first + i,
                    "customer_id": first_customer + i,
                    "branch_id": branch_id,
                    "plan_id": plan.pk,
                    "wallet_id": wallet.pk,
                    "payment_condition_id": condition.pk,
                    "status": ContractStatus.ACTIVE,
                    "access_status": AccessStatus.OVERDUE if overdue else AccessStatus.ACTIVE,
                    "activation_date": activation,
                    "signature_date": activation,
                    "contract_date": activation,
                    "due_day": due_day,
                    "first_billing_date": activation,
                }
            )
            terms.append((plan, wallet, due_day, plan.price, overdue))
            if i % CHUNK == CHUNK - 1:
                bar.update(CHUNK)
    bar.update(n - bar.n)
    bar.close()
    return first, terms


def load_invoices(n, rnd, first_customer, first_contract, branch_of, terms, periods) -> dict:
    """The months before the current one, month by month: the invoices (COPY), then the payments of
    the paid ones (COPY). The unpaid ones get their boleto and PIX (``invoice_fill_charges``)."""
    past = periods[:-1]
    first = reserve_ids(Invoice, n * len(past))
    numbers: dict[int | tuple[int, int], int] = {}
    bar = _bar(n * len(past), "invoices + payments", " inv")
    invoice_id = first
    for index, (year, month) in enumerate(past):
        last_month = index == len(past) - 1
        paid = []
        with Copy(Invoice) as write:
            for i in range(n):
                plan, wallet, due_day, amount, overdue = terms[i]
                due = datetime.date(year, month, due_day)
                issued = due - datetime.timedelta(days=10)
                if wallet.bank_code in YEARLY_BANKS:  # Sicredi: a sequence per year (YYBNNNNN)
                    key = (wallet.pk, issued.year)
                    numbers[key] = position = numbers.get(key, 0) + 1
                    number = sicredi_yearly_number(issued.year, position)
                else:
                    numbers[wallet.pk] = number = numbers.get(wallet.pk, 0) + 1
                row = {
                    "id": invoice_id,
                    "customer_id": first_customer + i,
                    "branch_id": branch_of[i],
                    "contract_id": first_contract + i,
                    "wallet_id": wallet.pk,
                    "kind": InvoiceKind.RECURRING,
                    "period": f"{year}-{month:02d}",
                    "description": f"Mensalidade {month:02d}/{year} — {plan.name}",
                    "issue_date": issued,
                    "due_date": due,
                    "amount": amount,
                    "nosso_numero": number,
                    "nosso_numero_display": str(number),
                    "created_at": timezone.make_aware(datetime.datetime.combine(due, datetime.time(3))),
                }
                if last_month and overdue:
                    invoice = Invoice(**{k: v for k, v in row.items() if k != "created_at"})
                    invoice.wallet = wallet
                    invoice_fill_charges(invoice)  # boleto and PIX, as the billing run computes them
                    row.update(
                        status=InvoiceStatus.OPEN,
                        barcode=invoice.barcode,
                        digitable_line=invoice.digitable_line,
                        nosso_numero_display=invoice.nosso_numero_display,
                        pix_txid=invoice.pix_txid,
                        pix_payload=invoice.pix_payload,
                    )
                else:
                    day = due + datetime.timedelta(days=rnd.randint(-6, 2))
                    row.update(status=InvoiceStatus.RECEIVED, paid_amount=amount, paid_date=day)
                    paid.append((invoice_id, day, amount))
                write(row)
                invoice_id += 1
                if i % CHUNK == CHUNK - 1:
                    bar.update(CHUNK)
        with Copy(Payment, with_pk=False) as write:
            for pk, day, amount in paid:
                write(
                    {
                        "invoice_id": pk,
                        "date": day,
                        "amount": amount,
                        "method": rnd.choice(PAYMENT_METHODS),
                        "created_at": timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))),
                    }
                )
        bar.update(n * (index + 1) - bar.n)
    bar.close()
    sequences: dict[int, WalletSequence] = {}
    for key, last in sorted(numbers.items(), key=lambda item: str(item[0])):
        if isinstance(key, tuple):  # the latest year of a yearly wallet wins
            pk, year = key
            if pk not in sequences or (sequences[pk].year or 0) < year:
                sequences[pk] = WalletSequence(wallet_id=pk, next_value=last + 1, year=year)
        else:
            sequences[key] = WalletSequence(wallet_id=key, next_value=last + 1)
    WalletSequence.objects.bulk_create(sequences.values())
    return numbers


def load_logins(n, first_customer, first_contract, branch_of, terms) -> None:
    """One PPPoE login per contract, named and with the password of ``bench/radius.py``."""
    first = reserve_ids(Login, n)
    bar = _bar(n, "logins", " rows")
    with Copy(Login) as write:
        for i in range(n):
            write(
                {
                    "id": first + i,
                    "customer_id": first_customer + i,
                    "contract_id": first_contract + i,
                    "branch_id": branch_of[i],
                    "plan_id": terms[i][0].pk,
                    "username": radius_bench.username(i),
                    "password": radius_bench.password(i),
                }
            )
            if i % CHUNK == CHUNK - 1:
                bar.update(CHUNK)
    bar.update(n - bar.n)
    bar.close()


def load_sessions(n, rnd, now: datetime.datetime) -> int:
    """``CLOSED_SESSIONS`` closed accounting sessions per login over the last 90 days, and an open
    one (started in the last 5 days, updated in the last 5 minutes) for the logins online now."""
    total = loadset.expected_counts(n)["sessions"]
    bar = _bar(total, "radacct sessions", " rows")
    written = 0
    with Copy(RadAcct, with_pk=False) as write:
        for i in range(n):
            user = radius_bench.username(i)
            mac = f"02:00:{(i >> 24) & 255:02X}:{(i >> 16) & 255:02X}:{(i >> 8) & 255:02X}:{i & 255:02X}"
            sessions = [(k, False) for k in range(loadset.CLOSED_SESSIONS)]
            if loadset.is_online(i):
                sessions.append((loadset.CLOSED_SESSIONS, True))
            for k, online in sessions:
                unique = hashlib.md5(f"{i}-{k}".encode()).hexdigest()  # noqa: S324 - an id
                if online:
                    start = now - datetime.timedelta(seconds=rnd.randrange(5 * 86400))
                    stop, update = None, now - datetime.timedelta(seconds=rnd.randrange(300))
                    seconds = int((update - start).total_seconds())
                    address = f"100.{64 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"
                else:
                    start = now - datetime.timedelta(days=5 + 28 * k, seconds=rnd.randrange(20 * 86400))
                    seconds = rnd.randrange(3600, 5 * 86400)
                    stop = update = start + datetime.timedelta(seconds=seconds)
                    address = None
                write(
                    {
                        "acctsessionid": f"{i:08X}{k:02d}",
                        "acctuniqueid": unique,
                        "username": user,
                        "nasipaddress": NAS_IP,
                        "nasportid": f"pppoe-{i % 4096}",
                        "nasporttype": "Ethernet",
                        "acctstarttime": start,
                        "acctupdatetime": update,
                        "acctstoptime": stop,
                        "acctinterval": 300,
                        "acctsessiontime": seconds,
                        "acctauthentic": "RADIUS",
                        "acctinputoctets": rnd.randrange(10**6, 10**11),
                        "acctoutputoctets": rnd.randrange(10**6, 10**10),
                        "calledstationid": "bras-01",
                        "callingstationid": mac,
                        "acctterminatecause": "" if online else rnd.choice(("User-Request", "Lost-Carrier")),
                        "servicetype": "Framed-User",
                        "framedprotocol": "PPP",
                        "framedipaddress": address,
                    }
                )
                written += 1
            if i % CHUNK == CHUNK - 1:
                bar.update(written - bar.n)
    bar.update(written - bar.n)
    bar.close()
    return written


def load_tickets(n, rnd, first_customer, first_contract, branch_of, subjects, attendants, today) -> int:
    """``TICKETS_PER_CUSTOMER`` tickets per customer over the 180 days before today, with their
    protocols (day + a number) and the day counters ``next_protocol`` continues from."""
    count = loadset.expected_counts(n)["tickets"]
    population = [s for s, share in subjects for _ in range(share)]
    days = sorted(today - datetime.timedelta(days=1 + rnd.randrange(180)) for _ in range(count))
    counters: dict[datetime.date, int] = {}
    statuses = [Ticket.Status.SOLVED] * 85 + [Ticket.Status.CANCELLED] * 5
    statuses += [Ticket.Status.NEW] * 5 + [Ticket.Status.IN_PROGRESS] * 5
    bar = _bar(count, "tickets", " rows")
    with Copy(Ticket, with_pk=False) as write:
        for t, day in enumerate(days):
            counters[day] = number = counters.get(day, 0) + 1
            i = rnd.randrange(n)
            subject = rnd.choice(population)
            opened = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(8))
                + datetime.timedelta(seconds=rnd.randrange(36000))
            )
            status = rnd.choice(statuses)
            closed = status in (Ticket.Status.SOLVED, Ticket.Status.CANCELLED)
            write(
                {
                    "protocol": f"{day:%Y%m%d}{number:06d}",
                    "customer_id": first_customer + i,
                    "contract_id": first_contract + i,
                    "branch_id": branch_of[i],
                    "subject_id": subject.pk,
                    "subject_description": subject.default_description,
                    "description": f"{subject.default_description} (atendimento {t + 1})",
                    "department_id": subject.default_department_id,
                    "status": status,
                    "opened_at": opened,
                    "closed_at": opened + datetime.timedelta(hours=rnd.randint(1, 72)) if closed else None,
                    "opened_by_id": rnd.choice(attendants),
                }
            )
            if t % CHUNK == CHUNK - 1:
                bar.update(CHUNK)
    bar.update(count - bar.n)
    bar.close()
    ProtocolCounter.objects.bulk_create(
        [ProtocolCounter(kind="T", day=day, last=last) for day, last in counters.items()]
    )
    return count


# --- The whole data set ---------------------------------------------------------------------------


def load(n: int, *, seed: int = SEED) -> dict[str, float]:
    """Load the data set for ``n`` customers; returns seconds per part (and ``total``)."""
    if connection.vendor != "postgresql":
        raise SystemExit("bench/loaddata.py loads with COPY: it needs PostgreSQL.")
    rnd = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    periods = months(today)
    start = datetime.date(*periods[0], 1)
    seconds: dict[str, float] = {}
    begun = mark = time.perf_counter()

    def lap(name):
        nonlocal mark
        seconds[name] = time.perf_counter() - mark
        mark = time.perf_counter()

    admin, branches, plans, condition, wallets, subjects, attendants = reference_rows()
    lap("reference rows (ORM)")
    first_customer, branch_of = load_customers(n, rnd, branches)
    lap("customers + search indexes")
    first_contract, terms = load_contracts(
        n, rnd, first_customer, branch_of, plans, wallets, condition, start
    )
    lap("contracts")
    load_logins(n, first_customer, first_contract, branch_of, terms)
    lap("logins")
    load_invoices(n, rnd, first_customer, first_contract, branch_of, terms, periods)
    lap(f"invoices + payments ({loadset.MONTHS - 1} months)")
    period = f"{periods[-1][0]}-{periods[-1][1]:02d}"
    bar = _bar(n, f"billing run {period}", " inv")
    with context.acting_as(admin, source="command"):
        run = billing_run_start_and_execute(actor=admin, period=period, progress=bar.update)
    bar.close()
    if run.errors or run.created != n:
        raise SystemExit(f"billing run {period}: {run.created} invoices, errors: {run.error_messages[:3]}")
    lap(f"billing run {period} (boleto + PIX)")
    load_sessions(n, rnd, now)
    lap("radacct sessions")
    load_tickets(n, rnd, first_customer, first_contract, branch_of, subjects, attendants, today)
    lap("tickets")
    print("VACUUM ANALYZE…", file=sys.stderr)
    # VACUUM too, not only ANALYZE: a production database has been vacuumed (visibility map set
    # for index-only scans, hint bits written); without it autovacuum would start on the freshly
    # loaded tables during the first measured step.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    lap("VACUUM ANALYZE")
    seconds["total"] = time.perf_counter() - begun
    return seconds


def counts() -> dict[str, int]:
    """What the scratch database holds, by the names of ``loadset.expected_counts``."""
    return {
        "customers": Customer.objects.count(),
        "contracts": Contract.objects.count(),
        "logins": Login.objects.count(),
        "recurring invoices": Invoice.objects.filter(kind=InvoiceKind.RECURRING).count(),
        "sessions": RadAcct.objects.count(),
        "tickets": Ticket.objects.count(),
    }


def holds_data_set(n: int) -> tuple[bool, dict[str, int]]:
    """Whether the database holds the data set of ``n`` customers (the load steps add tickets and
    payments, so those may be more)."""
    have, want = counts(), loadset.expected_counts(n)
    exact = ("customers", "contracts", "logins", "recurring invoices", "sessions")
    ok = all(have[k] == want[k] for k in exact) and have["tickets"] >= want["tickets"]
    return ok, have


def customer_range() -> tuple[int, int]:
    """(first, last) customer primary key: the Locust users pick customers in it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer")
        return cursor.fetchone()


def branch_count() -> int:
    return Branch.objects.count()


def rehash_passwords() -> bool:
    """Give a reused data set the passwords a fresh load would have: when its hashes were made by
    another hasher than today's default (a data set loaded before the switch to Argon2id), every
    subscriber and bench operator gets one hash of the known password made by the current hasher.
    Otherwise the first visit of each subscriber would pay for the old hasher and the upgrade, and
    the run would measure a one-off migration instead of a working day. Returns whether it did."""
    from django.contrib.auth.hashers import get_hasher, identify_hasher

    sample = Customer.objects.exclude(portal_password="").values_list("portal_password", flat=True).first()
    if not sample or identify_hasher(sample).algorithm == get_hasher("default").algorithm:
        return False
    Customer.objects.exclude(portal_password="").update(
        portal_password=make_password(loadset.PORTAL_PASSWORD)
    )
    names = [
        loadset.operator_username(prefix, k)
        for prefix in loadset.ROLES
        for k in range(1, loadset.OPERATORS_PER_ROLE + 1)
    ] + [loadset.api_username(k) for k in range(1, loadset.API_CLIENTS + 1)]
    get_user_model().objects.filter(username__in=names).update(
        password=make_password(loadset.OPERATOR_PASSWORD)
    )
    return True
