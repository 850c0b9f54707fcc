"""A real SMTP server for the tests (aiosmtpd) on a free loopback port, that a test can stop and
start again on the same port (the mail server down, then back).

``smtp_server`` (function): the server, started, with Django's SMTP backend pointed at it;
``server.messages`` holds what it accepted (``email.message.Message`` objects).
"""

from __future__ import annotations

import email
import email.header
import email.message
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def _free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.host = "127.0.0.1"
        self.port = port or _free_tcp_port()
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self.controller is not None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def subjects(self) -> list[str]:
        with self.lock:
            return [
                str(email.header.make_header(email.header.decode_header(m["Subject"]))) for m in self.messages
            ]


@pytest.fixture
def smtp_server(settings):
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()
