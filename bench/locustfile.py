"""Locust users of the load bench (issue 22): a working day at a mid-size ISP.

Weights: 40 % operators (25 Atendimento + 15 Financeiro), 20 % API clients, 40 % subscribers on the
portal; 1–5 s of think time between pages. Requests are named by endpoint pattern (``[id]`` for
an id) so that Locust's table groups them. Run by ``bench/load.py``, which passes through the
environment:

- ``LOAD_CUSTOMERS`` — customers in the data set (n);
- ``LOAD_FIRST_CUSTOMER`` — primary key of the first customer (customer i is first + i), and
  ``LOAD_FIRST_CONTRACT`` the same for contracts;
- ``LOAD_RESULTS`` — where to write the double-click and ticket tallies (JSON) when Locust quits.

Each Locust user has an IP address of its own, sent in ``X-Forwarded-For`` (the server trusts one
proxy, as behind nginx): the staff and portal lockouts count by address, and 40 people do not
share one.

By hand: ``LOAD_CUSTOMERS=2000 LOAD_FIRST_CUSTOMER=1 .venv/bin/locust -f bench/locustfile.py
--host http://127.0.0.1:8000`` against a server on a database loaded by ``bench/load.py``.
"""

import datetime
import itertools
import json
import os
import random
import re
import sys
from collections import Counter
from pathlib import Path

import gevent
from locust import FastHttpUser, SequentialTaskSet, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadset  # noqa: E402
from bench.data import bench_cpf  # noqa: E402

N = int(os.environ.get("LOAD_CUSTOMERS", "2000"))
FIRST = int(os.environ.get("LOAD_FIRST_CUSTOMER", "1"))
FIRST_CONTRACT = int(os.environ.get("LOAD_FIRST_CONTRACT", "1"))
PAGES = max(1, -(-N // 50))  # API pages of 50
CUSTOMER_TABS = ["contracts", "finance", "logins", "tickets", "history"]
HTMX = {"HX-Request": "true"}
INVOICE_LINK = re.compile(r"/portal/invoices/(\d+)/")

_addresses = itertools.count(1)
_accounts: dict[str, itertools.count] = {}
results = {"double_clicks": Counter(), "double_click_statuses": Counter(), "protocols": []}


def set_header(client, name: str, value: str) -> None:
    """A header every later request of this user sends (FastHttpUser: geventhttpclient, a few
    times less CPU per request than python-requests — the load generator shares the 2 cores)."""
    client.client.default_headers[name] = value


def cookie(client, name: str) -> str:
    return next((c.value for c in client.cookiejar if c.name == name), "")


def next_address() -> str:
    k = next(_addresses)
    return f"10.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}"


def next_account(prefix: str, count: int) -> int:
    """1..count, round robin per prefix (more Locust users than accounts share them)."""
    counter = _accounts.setdefault(prefix, itertools.count())
    return next(counter) % count + 1


def random_customer() -> tuple[int, int]:
    """(index, primary key) of a random customer."""
    i = random.randrange(N)
    return i, FIRST + i


def month_range(today: datetime.date, back: int = 0) -> tuple[str, str]:
    year, month = today.year, today.month - back
    while month < 1:
        year, month = year - 1, month + 12
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return first.isoformat(), last.isoformat()


class Staff(FastHttpUser):
    """An operator logged in through the login form (CSRF), with a session for the day."""

    abstract = True
    wait_time = between(1, 5)
    prefix = ""

    def on_start(self):
        set_header(self.client, "X-Forwarded-For", next_address())
        username = loadset.operator_username(
            self.prefix, next_account(self.prefix, loadset.OPERATORS_PER_ROLE)
        )
        self.client.get("/login/", name="/login/")
        with self.client.post(
            "/login/",
            data={
                "username": username,
                "password": loadset.OPERATOR_PASSWORD,
                "csrfmiddlewaretoken": cookie(self.client, "csrftoken"),
            },
            name="/login/ [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{username} not logged in: HTTP {response.status_code}")
        self.client.get("/", name="/ (home)")

    def api_headers(self) -> dict:
        return {"X-CSRFToken": cookie(self.client, "csrftoken"), "Referer": self.host + "/"}

    def search(self):
        if random.random() < 0.6:
            self.client.get(
                "/customers/",
                params={"q": random.choice(loadset.NAME_FRAGMENTS)},
                name="/customers/?q=[name]",
            )
        else:
            cpf = bench_cpf(random.randrange(N))
            masked = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
            self.client.get("/customers/", params={"q": masked}, name="/customers/?q=[cpf]")

    def open_customer(self, tabs: list[str]) -> int:
        """The customer page, the tab it loads (HTMX), then ``tabs`` after a look at each."""
        _i, pk = random_customer()
        self.client.get(f"/customers/{pk}/", name="/customers/[id]/")
        self.client.get(f"/customers/{pk}/tab/customer/", headers=HTMX, name="/customers/[id]/tab/customer/")
        for tab in tabs:
            self.wait()
            self.client.get(f"/customers/{pk}/tab/{tab}/", headers=HTMX, name=f"/customers/[id]/tab/{tab}/")
        return pk


class Attendant(Staff):
    """Atendimento: finds customers, looks at their tabs, works the ticket list, opens a ticket now
    and then (through the API, with the session)."""

    weight = 25
    prefix = "atendimento"
    subjects: list[int] = []

    def on_start(self):
        super().on_start()
        response = self.client.get("/api/v1/subjects/", name="/api/v1/subjects/ [session]")
        if response.ok:
            self.subjects = [row["id"] for row in response.json().get("results", [])]

    @task(5)
    def search_customer(self):
        self.search()

    @task(5)
    def customer_tabs(self):
        self.open_customer(random.sample(CUSTOMER_TABS, 2))

    @task(3)
    def tickets(self):
        params = random.choice([{}, {"status": "N"}, {"status": "EP"}])
        self.client.get("/tickets/", params=params, name="/tickets/?status" if params else "/tickets/")

    @task(1)
    def open_ticket(self):
        if not self.subjects:
            return
        _i, pk = random_customer()
        with self.client.post(
            "/api/v1/tickets/",
            json={
                "customer": pk,
                "subject": random.choice(self.subjects),
                "description": "Cliente ligou: sem conexão.",
            },
            headers=self.api_headers(),
            name="/api/v1/tickets/ [POST]",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                results["protocols"].append(response.json().get("protocol"))
            else:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")


class FinanceOperator(Staff):
    """Financeiro: receivables with filters, the customer's finance tab, and now and then a
    settlement — posted twice at once, as a double click does."""

    weight = 15
    prefix = "financeiro"

    @task(5)
    def receivables(self):
        today = datetime.date.today()
        if random.random() < 0.5:
            after, before = month_range(today)
            name = "/invoices/?status&due_date (month)"
        else:
            after, before = month_range(today, back=random.randint(1, 3))[0], today.isoformat()
            name = "/invoices/?status&due_date (overdue)"
        params = {"status": "A", "due_date_after": after, "due_date_before": before}
        self.client.get("/invoices/", params=params, name=name)

    @task(2)
    def search_customer(self):
        self.search()

    @task(3)
    def customer_finance(self):
        self.open_customer(["finance"])

    @task(1)
    def settle_double_click(self):
        _i, pk = random_customer()
        response = self.client.get(
            "/api/v1/invoices/",
            params={"customer": pk, "status": "A"},
            name="/api/v1/invoices/?customer&status [session]",
        )
        rows = response.json().get("results", []) if response.ok else []
        if not rows:
            return
        invoice = rows[0]["id"]
        self.wait()
        statuses = []

        def post():
            with self.client.post(
                "/api/v1/payments/",
                json={"invoice": invoice, "method": "D"},
                headers=self.api_headers(),
                name="/api/v1/payments/ [POST, double click]",
                catch_response=True,
            ) as answer:
                statuses.append(answer.status_code)
                if answer.status_code in (201, 400):
                    answer.success()  # judged as a pair below
                else:
                    answer.failure(f"HTTP {answer.status_code}: {answer.text[:200]}")

        gevent.joinall([gevent.spawn(post), gevent.spawn(post)])
        outcome = "+".join(str(s) for s in sorted(statuses))
        results["double_clicks"][outcome] += 1
        for status in statuses:
            results["double_click_statuses"][status] += 1
        if outcome != "201+400":
            events.request.fire(
                request_type="CHECK",
                name="double-click settlement: one 201 and one 400",
                response_time=0,
                response_length=0,
                exception=AssertionError(f"invoice {invoice}: {outcome}"),
                context={},
            )


class ApiClient(FastHttpUser):
    """An integration with a DRF token: pages through lists, filters invoices, reads one object."""

    weight = 20
    wait_time = between(1, 5)

    def on_start(self):
        k = next_account("api", loadset.API_CLIENTS)
        set_header(self.client, "Authorization", f"Token {loadset.api_token(k)}")
        set_header(self.client, "X-Forwarded-For", next_address())

    @task(3)
    def customers(self):
        self.client.get(
            "/api/v1/customers/", params={"page": random.randint(1, PAGES)}, name="/api/v1/customers/?page"
        )

    @task(2)
    def contracts(self):
        self.client.get(
            "/api/v1/contracts/", params={"page": random.randint(1, PAGES)}, name="/api/v1/contracts/?page"
        )

    @task(2)
    def logins(self):
        self.client.get(
            "/api/v1/logins/", params={"page": random.randint(1, PAGES)}, name="/api/v1/logins/?page"
        )

    @task(3)
    def invoices(self):
        after, before = month_range(datetime.date.today(), back=random.randint(0, 2))
        params = {"status": random.choice(["A", "R"]), "due_date_after": after, "due_date_before": before}
        name = "/api/v1/invoices/?status&due_date&page"
        response = self.client.get("/api/v1/invoices/", params=params, name=name)
        following = response.json().get("next") if response.ok else None
        if following and random.random() < 0.5:  # and the next page, as a sync does
            self.client.get(following, name=name)

    @task(2)
    def one_object(self):
        i, pk = random_customer()
        if random.random() < 0.5:
            self.client.get(f"/api/v1/customers/{pk}/", name="/api/v1/customers/[id]/")
        else:
            self.client.get(f"/api/v1/contracts/{FIRST_CONTRACT + i}/", name="/api/v1/contracts/[id]/")


class PortalVisit(SequentialTaskSet):
    """A subscriber's visit: log in, home, invoices, the PIX of an open invoice, log out."""

    invoice = None

    def csrf(self) -> str:
        return cookie(self.client, "csrftoken")

    @task
    def login(self):
        i, _pk = random_customer()
        self.client.get("/portal/login/", name="/portal/login/")
        with self.client.post(
            "/portal/login/",
            data={
                "login": loadset.portal_login(i),
                "password": loadset.PORTAL_PASSWORD,
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="/portal/login/ [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"portal login {loadset.portal_login(i)}: HTTP {response.status_code}")
                self.interrupt(reschedule=False)

    @task
    def home(self):
        self.client.get("/portal/", name="/portal/")

    @task
    def invoices(self):
        response = self.client.get("/portal/invoices/", name="/portal/invoices/")
        found = INVOICE_LINK.findall(response.text) if response.ok else []
        self.invoice = found[0] if found else None

    @task
    def pix(self):
        if self.invoice:
            self.client.get(f"/portal/invoices/{self.invoice}/", name="/portal/invoices/[id]/")
            self.client.get(f"/portal/invoices/{self.invoice}/pix.png", name="/portal/invoices/[id]/pix.png")

    @task
    def logout(self):
        self.client.post(
            "/portal/logout/", data={"csrfmiddlewaretoken": self.csrf()}, name="/portal/logout/ [POST]"
        )


class Subscriber(FastHttpUser):
    weight = 40
    wait_time = between(1, 5)
    tasks = [PortalVisit]

    def on_start(self):
        set_header(self.client, "X-Forwarded-For", next_address())


@events.quitting.add_listener
def write_results(environment, **kwargs):
    path = os.environ.get("LOAD_RESULTS")
    if path:
        data = {
            "double_clicks": dict(results["double_clicks"]),
            "double_click_statuses": {str(k): v for k, v in results["double_click_statuses"].items()},
            "protocols": results["protocols"],
        }
        Path(path).write_text(json.dumps(data))
