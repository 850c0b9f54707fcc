"""Fixtures of the customer registry tests.

The online CEP provider never points at the internet here: by default at a closed port of
127.0.0.1 (the lookup then reports "unavailable" at once); tests that need answers start
``fake_viacep``, an HTTP server on 127.0.0.1 that answers like ViaCEP."""

import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from enlace.customers.models import CustomerSettings
from enlace.customers.services import customer_create


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeViaCep:
    def __init__(self):
        self.answers: dict[str, dict] = {}
        self.requests: list[str] = []
        self.delay = 0.0
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ws/{{cep}}/json/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                import time

                fake.requests.append(self.path)
                if fake.delay:
                    time.sleep(fake.delay)
                cep = self.path.split("/")[2]
                body = json.dumps(fake.answers.get(cep, {"erro": "true"})).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def fake_viacep(settings):
    fake = FakeViaCep()
    fake.thread.start()
    settings.CEP_PROVIDER_URL = fake.url
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def params(db):
    return CustomerSettings.load()


def set_params(**values):
    CustomerSettings.objects.filter(pk=CustomerSettings.load().pk).update(**values)


@pytest.fixture
def make_customer(admin_user, branch_a):
    counter = {"n": 0}

    def make(**data):
        counter["n"] += 1
        values = {"name": f"Cliente {counter['n']}", "branch": branch_a, "person_type": "F"}
        values.update(data)
        if "cpf_cnpj" not in values and values["person_type"] in ("F", "J") and not values.get("is_lead"):
            values["cpf_cnpj"] = valid_cpf(counter["n"] + 100)
        return customer_create(actor=admin_user, **values)

    return make


def cpf_check_digits(base9: str) -> str:
    total = sum(int(d) * w for d, w in zip(base9, range(10, 1, -1), strict=True))
    d1 = (total * 10 % 11) % 10
    total = sum(int(d) * w for d, w in zip(base9 + str(d1), range(11, 1, -1), strict=True))
    d2 = (total * 10 % 11) % 10
    return f"{d1}{d2}"


def valid_cpf(seed: int) -> str:
    base = f"{(seed * 7919 + 123456789) % 10**9:09d}"
    if len(set(base)) == 1:
        base = "123456780"
    return base + cpf_check_digits(base)


def cnpj_check_digits(base12: str) -> str:
    def value(ch):
        return ord(ch) - 48

    weights1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(value(c) * w for c, w in zip(base12, weights1, strict=True))
    d1 = 0 if total % 11 < 2 else 11 - total % 11
    weights2 = [6, *weights1]
    total = sum(value(c) * w for c, w in zip(base12 + str(d1), weights2, strict=True))
    d2 = 0 if total % 11 < 2 else 11 - total % 11
    return f"{d1}{d2}"
