"""A real HTTP server standing in for an SMS/WhatsApp provider (stdlib ``http.server`` in a thread on
a free loopback port): it answers Twilio's ``POST /2010-04-01/Accounts/{sid}/Messages.json`` like
Twilio (201 and the message resource with its ``sid``) and any other ``POST`` like a generic JSON
webhook gateway (200 ``{"id": ...}``). ``server.requests`` holds what it received (path, headers,
parsed body); ``server.fail_with = 503`` (or 400 ...) makes it answer that status instead.

Fixtures: ``twilio_provider`` and ``webhook_provider`` point the settings at the server.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Handler(BaseHTTPRequestHandler):
    server: ProviderServer

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 (http.server's hook name)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = dict(urllib.parse.parse_qsl(raw.decode()))
        with self.server.lock:
            self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            fail = self.server.fail_with
            number = next(self.server.counter)
        if fail:
            self._answer(fail, {"code": fail, "message": "provider error"})
        elif "/Messages.json" in self.path:
            sid = f"SM{number:032x}"
            self._answer(
                201, {"sid": sid, "status": "queued", "to": body.get("To"), "body": body.get("Body")}
            )
        else:
            self._answer(200, {"id": f"wh-{number}"})

    def _answer(self, status: int, payload: dict):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ProviderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.fail_with: int | None = None
        self.counter = itertools.count(1)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()


@pytest.fixture
def provider_server():
    server = ProviderServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def twilio_provider(settings, provider_server):
    settings.MESSAGING_PROVIDER = "twilio"
    settings.MESSAGING_TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.MESSAGING_TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.MESSAGING_TWILIO_FROM = "+5511900000000"
    settings.MESSAGING_TWILIO_WHATSAPP_FROM = "whatsapp:+5511900000001"
    settings.MESSAGING_TWILIO_API_URL = provider_server.url
    settings.MESSAGING_CALLBACK_BASE_URL = "http://testserver"
    return provider_server


@pytest.fixture
def webhook_provider(settings, provider_server):
    settings.MESSAGING_PROVIDER = "webhook"
    settings.MESSAGING_WEBHOOK_URL = f"{provider_server.url}/send"
    settings.MESSAGING_WEBHOOK_TOKEN = "webhook-secret"
    settings.MESSAGING_CALLBACK_BASE_URL = "http://testserver"
    return provider_server
