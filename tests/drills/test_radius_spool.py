"""Fault drill: the web application is stopped and the database is unreachable for RADIUS.

No Django process serves anything here: FreeRADIUS (the project's configuration, a real server)
talks to the database directly. A small TCP proxy stands between FreeRADIUS's primary connections
(accounting and the post-auth log) and PostgreSQL — and the accounting loader's, which applies the
accounting lines on PostgreSQL; the authorize reads go straight to the database, as to a read
replica. With the proxy stopped, logins keep being authenticated, Accounting-Requests are answered
and kept on disk; once the proxy is back, they reach radacct (and radpostauth) exactly once.
"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from django.db import connection

from enlace.radius import services
from enlace.radius.freeradius import RadAcct, RadPostAuth
from enlace.radius.management.commands.radius_server import CONFIG_DIR, find_binary, stock_problem
from tests.conftest import require_service
from tests.drills.conftest import wait_for
from tests.helpers.freeradius import ACCEPT, FreeRadius

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL-only drill: FreeRADIUS reaches SQLite as a file, there is no connection to cut",
    ),
]

PASSWORD = "Segredo123abc"


class TcpProxy:
    """Forwards a loopback port to PostgreSQL; ``stop()`` closes the port and cuts every
    connection (the database is unreachable), ``start()`` opens the same port again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
            self.listener.close()
            self.listener = None
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def cut_off(transactional_db, tmp_path, branch_a, admin_user):
    """A FreeRADIUS whose primary database connections go through a ``TcpProxy``."""
    binary = find_binary()
    if not binary or not (CONFIG_DIR / "radiusd.conf").exists():
        require_service("FreeRADIUS", "no freeradius binary or configuration")
    problem = stock_problem("postgresql")
    if problem:
        require_service("FreeRADIUS", problem)
    db = dict(connection.settings_dict)
    proxy = TcpProxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    proxy.start()
    server = FreeRadius(
        binary, {**db, "HOST": "127.0.0.1", "PORT": proxy.port}, tmp_path / "radius", read_db=db
    )
    try:
        server.start_with_test_nas()
        yield server, proxy
    finally:
        server.stop()
        proxy.stop()


def sessions(session_id: str) -> list[RadAcct]:
    return list(RadAcct.objects.filter(acctsessionid=session_id))


def test_database_unreachable_accounting_is_spooled_and_reaches_radacct_once(
    cut_off, admin_user, active_contract
):
    server, proxy = cut_off
    login = services.login_create(
        actor=admin_user, contract=active_contract, username="drill@fibra.com.br", password=PASSWORD
    )
    services.login_update(actor=admin_user, login=login, simultaneous_use=3)
    nas = server.client()
    try:
        assert nas.pap(login.username, PASSWORD).code == ACCEPT
        nas.accounting(login.username, "Start", "drill-1", NAS_Port_Id="ether1")
        (first,) = sessions("drill-1")
        assert first.online

        proxy.stop()  # the database is unreachable for accounting and the log

        assert nas.pap(login.username, PASSWORD).code == ACCEPT  # authentication goes on
        nas.accounting(
            login.username, "Stop", "drill-1", wait=False, NAS_Port_Id="ether1", Acct_Session_Time=30
        )
        nas.accounting(login.username, "Start", "drill-2", wait=False, NAS_Port_Id="ether2")
        # Both were answered (SendPacket returned) and wait on disk; radacct has not changed.
        assert any(server.acct_spool.iterdir())
        assert [s.online for s in sessions("drill-1")] == [True] and sessions("drill-2") == []

        proxy.start()  # the database is back
        server.wait_accounting_logged(timeout=90)
        server.wait_postauth_logged(timeout=90)
    finally:
        nas.close()

    (stopped,) = sessions("drill-1")
    (second,) = sessions("drill-2")
    assert not stopped.online and stopped.acctsessiontime == 30
    assert second.online
    assert RadAcct.objects.filter(username=login.username).count() == 2
    wait_for(
        lambda: RadPostAuth.objects.filter(username=login.username).count() >= 2,
        timeout=30,
        what="the post-auth log",
    )
    assert list(RadPostAuth.objects.filter(username=login.username).values_list("reply", flat=True)) == [
        "Access-Accept",
        "Access-Accept",
    ]
