"""A real FreeRADIUS for the tests, started with the project's configuration (deploy/freeradius)
against the test database of this pytest(-xdist) worker.

- ``freeradius`` (session): one server per worker, on free loopback ports, logs and post-auth
  spool in a temporary directory. FreeRADIUS loads its clients (the ``nas`` table) when it
  starts, so the fixture puts the test concentrator (``NAS_IP``, ``NAS_SECRET``) in that table,
  starts the server and takes the row out again: the database is left as it was.
- ``radius`` (function): the server, for a test that also registers that concentrator the way an
  operator does (``services.nas_save``). Its teardown waits until the post-auth log has been
  written, so no row of one test lands in the next one's database.

Tests that talk to FreeRADIUS use ``@pytest.mark.django_db(transaction=True)``: FreeRADIUS has
its own connections and sees only committed rows. Without the ``freeradius`` binary the tests are
skipped, or fail when ENLACE_REQUIRE_SERVICES is set (CI).

``RadiusClient`` sends PAP, CHAP, MS-CHAPv2 and accounting requests with pyrad.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from pyrad import packet
from pyrad.client import Client, Timeout
from pyrad.dictionary import Dictionary

from enlace.radius.acct_loader import AccountingLoader
from enlace.radius.freeradius import RadiusNas
from enlace.radius.management.commands.radius_server import (
    CONFIG_DIR,
    find_binary,
    freeradius_argv,
    prepare_state_dir,
    server_environment,
    start_acct_loader,
    stock_problem,
)

NAS_IP = "127.0.0.1"
NAS_SECRET = "enlace-test-secret"
DICTIONARY = Path(__file__).resolve().parents[2] / "enlace" / "radius" / "dictionary"
ACCEPT, REJECT = packet.AccessAccept, packet.AccessReject

__all__ = ["ACCEPT", "NAS_IP", "NAS_SECRET", "REJECT", "FreeRadius", "RadiusClient", "Timeout"]


def _free_udp_ports(count: int) -> list[int]:
    sockets, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


class FreeRadius:
    """One FreeRADIUS process with Enlace's configuration."""

    def __init__(
        self,
        binary: str,
        db: dict,
        state_dir: Path,
        *,
        read_db: dict | None = None,
        redis_url: str | None = None,
        redis_prefix: str | None = None,
    ):
        self.binary = binary
        self.redis_url = redis_url
        self.redis_prefix = redis_prefix
        self.db = db
        self.read_db = read_db
        self.state_dir = prepare_state_dir(state_dir)
        self.log = self.state_dir / "log" / "radius.log"
        self.process: subprocess.Popen | None = None
        #: The accounting loader (manage.py radius_acct_loader) on PostgreSQL, as radius_server starts it.
        self.loader: subprocess.Popen | None = None
        self.batch = False
        self.auth_port = self.acct_port = 0

    # --- Life cycle ---------------------------------------------------------------------

    def start(self, timeout: float = 20) -> None:
        last_error = ""
        for attempt in range(3):
            # A restart keeps the ports the clients know; a port taken meanwhile gets new ones.
            if attempt or not self.auth_port:
                self.auth_port, self.acct_port = _free_udp_ports(2)
            env = server_environment(
                self.db,
                read_db=self.read_db,
                state_dir=self.state_dir,
                auth_port=self.auth_port,
                acct_port=self.acct_port,
                threads=4,
                pool_start=1,
                reject_delay=0,
                redis_url=self.redis_url,
                redis_prefix=self.redis_prefix,
            )
            self.batch = env["ENLACE_RADIUS_ACCT"] == "batch"
            offset = self.log.stat().st_size if self.log.exists() else 0
            with (self.state_dir / "log" / "stderr.log").open("ab") as stderr:
                self.process = subprocess.Popen(
                    freeradius_argv(self.binary),
                    env={**os.environ, **env},
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=True,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                text = self._log_since(offset)
                if "Ready to process requests" in text:
                    if self.batch:
                        self.start_loader()
                    return
                if self.process.poll() is not None:
                    stderr = (self.state_dir / "log" / "stderr.log").read_text(errors="replace")
                    last_error = text[-3000:] + stderr[-2000:]
                    break
                time.sleep(0.05)
            else:
                last_error = f"not ready after {timeout} s:\n{self._log_since(offset)[-3000:]}"
            self.stop()
            if "Failed binding" not in last_error:
                break
        raise RuntimeError(f"FreeRADIUS did not start:\n{last_error}")

    def start_loader(self) -> None:
        """The accounting loader for this server's files, on this server's database."""
        with (self.state_dir / "log" / "loader.log").open("ab") as stderr:
            self.loader = start_acct_loader(
                self.state_dir,
                parent=self.process.pid,
                env={**os.environ, "DATABASE_URL": _database_url(self.db)},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )

    def stop_loader(self, sig: int = signal.SIGTERM) -> None:
        if self.loader and self.loader.poll() is None:
            self.loader.send_signal(sig)
            try:
                self.loader.wait(10)
            except subprocess.TimeoutExpired:
                self.loader.kill()
                self.loader.wait(5)
        self.loader = None

    def stop(self) -> None:
        self.stop_loader()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def start_with_test_nas(self) -> None:
        """Start with the test concentrator among the clients: its row is in the ``nas`` table while
        FreeRADIUS loads it (added and removed here when the test has not registered it)."""
        row = None
        if not RadiusNas.objects.filter(nasname=NAS_IP, secret=NAS_SECRET).exists():
            row = RadiusNas.objects.create(nasname=NAS_IP, shortname="tests", type="other", secret=NAS_SECRET)
        try:
            self.start()
        finally:
            if row is not None:
                RadiusNas.objects.filter(pk=row.pk).delete()

    def restart(self) -> None:
        """Stop and start again: FreeRADIUS reads the ``nas`` table (its clients) at start-up."""
        self.stop()
        self.start_with_test_nas()

    def _log_since(self, offset: int) -> str:
        if not self.log.exists():
            return ""
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def log_tail(self, chars: int = 4000) -> str:
        return self._log_since(0)[-chars:]

    # --- Post-auth log ------------------------------------------------------------------

    @property
    def spool(self) -> Path:
        return self.state_dir / "spool" / "postauth"

    @property
    def acct_spool(self) -> Path:
        """Where answered Accounting-Requests wait for radacct: the loader's lines (PostgreSQL) or
        the detail spools."""
        return self.state_dir / "spool" / ("accounting-batch" if self.batch else "accounting")

    def wait_postauth_logged(self, timeout: float = 15) -> None:
        """Wait until the post-auth spool is empty: every answered request is in radpostauth.
        The reader looks for new entries about once a second."""
        _wait_drained(self.spool, timeout, "post-auth")

    def wait_accounting_logged(self, timeout: float = 15) -> None:
        """Wait until the accounting spool is empty: every answered Accounting-Request is in
        radacct (the loader looks for new lines five times a second, sites/accounting-log for new
        entries about once a second)."""
        if not self.batch:
            _wait_drained(self.acct_spool, timeout, "accounting")
            return
        loader = AccountingLoader(self.acct_spool)
        deadline = time.monotonic() + timeout
        while loader.pending(connection):
            if time.monotonic() > deadline:
                raise AssertionError(f"accounting lines not applied after {timeout} s:\n{self.loader_log()}")
            time.sleep(0.05)

    def forget_accounting(self) -> None:
        """After a test: its accounting lines are applied; remove their files, or the loader would
        apply them again to the next test's database (whose position rows start empty)."""
        files = list(self.acct_spool.glob("acct-*.tsv")) if self.batch else []
        if not files:
            return
        self.wait_accounting_logged()
        self.stop_loader()
        for path in files:
            path.unlink(missing_ok=True)
        self.start_loader()

    def loader_log(self) -> str:
        path = self.state_dir / "log" / "loader.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    # --- Clients ------------------------------------------------------------------------

    def client(self, *, secret: str = NAS_SECRET, source: str = NAS_IP, **options) -> RadiusClient:
        return RadiusClient(self, secret=secret, source=source, **options)


def _database_url(db: dict) -> str:
    """DATABASE_URL of a Django PostgreSQL settings dict (the loader process opens the same one)."""
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"


def _wait_drained(spool: Path, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _spooled(spool):
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} spool not drained after {timeout} s: {_spooled(spool)}")


def _spooled(spool: Path) -> list[Path]:
    """Files waiting in a spool (the accounting spool has one directory per reader)."""
    return [p for p in spool.rglob("*") if p.is_file()] if spool.exists() else []


class RadiusClient:
    """A concentrator stand-in: Access-Request (PAP, CHAP, MS-CHAPv2) and Accounting-Request."""

    dictionary = None

    def __init__(self, server: FreeRadius, *, secret: str, source: str, timeout: float = 3, retries: int = 2):
        if RadiusClient.dictionary is None:
            RadiusClient.dictionary = Dictionary(str(DICTIONARY))
        self.client = Client(
            server="127.0.0.1",
            authport=server.auth_port,
            acctport=server.acct_port,
            secret=secret.encode(),
            dict=RadiusClient.dictionary,
            timeout=timeout,
            retries=retries,
        )
        self.client.bind((source, 0))
        self.source = source
        self.server = server

    def close(self) -> None:
        self.client._CloseSocket()

    def _request(self, username: str, attributes: dict):
        request = self.client.CreateAuthPacket(code=packet.AccessRequest, User_Name=username)
        request["NAS-IP-Address"] = self.source
        for name, value in attributes.items():
            request[name.replace("_", "-")] = value
        return request

    def pap(self, username: str, password: str, **attributes):
        request = self._request(username, attributes)
        request["User-Password"] = request.PwCrypt(password)
        return self.client.SendPacket(request)

    def chap(self, username: str, password: str, **attributes):
        request = self._request(username, attributes)
        chap_id = secrets.randbelow(256).to_bytes(1, "big")
        challenge = secrets.token_bytes(16)
        digest = hashlib.md5(chap_id + password.encode() + challenge, usedforsecurity=False).digest()
        request["CHAP-Password"] = chap_id + digest
        request["CHAP-Challenge"] = challenge
        return self.client.SendPacket(request)

    def mschapv2(self, username: str, password: str, **attributes):
        """MS-CHAPv2 (RFC 2759) as a PPP server sends it (RFC 2548). The reply of an accepted
        request carries MS-CHAP2-Success; ``reply.expected_success`` is what it must hold."""
        request = self._request(username, attributes)
        ident = secrets.randbelow(256)
        auth_challenge = secrets.token_bytes(16)
        peer_challenge = secrets.token_bytes(16)
        response = mschapv2_nt_response(auth_challenge, peer_challenge, username, password)
        request["MS-CHAP-Challenge"] = auth_challenge
        request["MS-CHAP2-Response"] = bytes([ident, 0]) + peer_challenge + bytes(8) + response
        reply = self.client.SendPacket(request)
        reply.expected_success = bytes([ident]) + mschapv2_authenticator_response(
            password, response, peer_challenge, auth_challenge, username
        )
        return reply

    def accounting(
        self, username: str | None, status: str, session_id: str, *, wait: bool = True, **attributes
    ):
        """Send an Accounting-Request; FreeRADIUS answers once it is in the accounting spool. With
        ``wait`` (the default) return only when the spool reader has written it into radacct."""
        request = self.client.CreateAcctPacket(Acct_Status_Type=status, Acct_Session_Id=session_id)
        if username is not None:
            request["User-Name"] = username
        request["NAS-IP-Address"] = self.source
        for name, value in attributes.items():
            request[name.replace("_", "-")] = value
        reply = self.client.SendPacket(request)
        if wait:
            self.server.wait_accounting_logged()
        return reply


# --- MS-CHAPv2 (RFC 2759) -----------------------------------------------------------------


def _md4(data: bytes) -> bytes:
    try:
        return hashlib.new("md4", data, usedforsecurity=False).digest()  # noqa: S324 (MS-CHAPv2 is MD4)
    except ValueError:  # OpenSSL 3 without the legacy provider
        from Crypto.Hash import MD4

        return MD4.new(data).digest()  # noqa: S303 (MS-CHAPv2 is MD4)


def _des_encrypt(key7: bytes, block: bytes) -> bytes:
    from Crypto.Cipher import DES

    bits = int.from_bytes(key7, "big")
    key8 = bytes(((bits >> (49 - 7 * i)) & 0x7F) << 1 for i in range(8))
    return DES.new(key8, DES.MODE_ECB).encrypt(block)  # noqa: S304 (MS-CHAPv2 is DES)


def _challenge_hash(peer_challenge: bytes, auth_challenge: bytes, username: str) -> bytes:
    return hashlib.sha1(peer_challenge + auth_challenge + username.encode(), usedforsecurity=False).digest()[
        :8
    ]


def mschapv2_nt_response(auth_challenge: bytes, peer_challenge: bytes, username: str, password: str) -> bytes:
    challenge = _challenge_hash(peer_challenge, auth_challenge, username)
    key = _md4(password.encode("utf-16-le")) + bytes(5)
    return b"".join(_des_encrypt(key[i : i + 7], challenge) for i in (0, 7, 14))


def mschapv2_authenticator_response(
    password: str, nt_response: bytes, peer_challenge: bytes, auth_challenge: bytes, username: str
) -> bytes:
    magic1 = b"Magic server to client signing constant"
    magic2 = b"Pad to make it do more than one iteration"
    hash_hash = _md4(_md4(password.encode("utf-16-le")))
    digest = hashlib.sha1(hash_hash + nt_response + magic1, usedforsecurity=False).digest()
    challenge = _challenge_hash(peer_challenge, auth_challenge, username)
    digest = hashlib.sha1(digest + challenge + magic2, usedforsecurity=False).digest()
    return b"S=" + digest.hex().upper().encode()


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def freeradius(django_db_setup, django_db_blocker, tmp_path_factory):
    from tests.conftest import require_service

    binary = find_binary()
    if not binary:
        require_service(
            "FreeRADIUS", "no freeradius binary (apt-get install freeradius freeradius-postgresql)"
        )
    if not (CONFIG_DIR / "radiusd.conf").exists():
        require_service("FreeRADIUS", f"no configuration in {CONFIG_DIR}")
    with django_db_blocker.unblock():
        db = dict(connection.settings_dict)
        problem = stock_problem("sqlite" if connection.vendor == "sqlite" else "postgresql")
        if problem:
            require_service("FreeRADIUS", problem)
        server = FreeRadius(binary, db, tmp_path_factory.mktemp("freeradius"))
        try:
            server.start_with_test_nas()
        finally:
            connection.close()
    yield server
    server.stop()


@pytest.fixture
def radius(freeradius, transactional_db, branch_a, admin_user):
    """The session's FreeRADIUS, with its concentrator registered through ``nas_save``."""
    from enlace.radius import services
    from enlace.radius.models import Nas

    services.nas_save(
        Nas(name="Concentrador de teste", ip=NAS_IP, secret=NAS_SECRET, type="mikrotik", branch=branch_a),
        actor=admin_user,
    )
    yield freeradius
    freeradius.wait_postauth_logged()
    freeradius.forget_accounting()
