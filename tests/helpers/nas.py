"""A NAS stand-in: what a concentrator (MikroTik, accel-ppp…) does with Disconnect-Request and
CoA-Request (RFC 5176), on a free loopback UDP port. It stands in for the router, which is outside
the project (ARCHITECTURE rule 9).

``nas_standin`` answers every valid request with an ACK by default; a test sets
``nas_standin.mode`` to ``"nak"`` (with ``error_cause``) or ``"silent"`` (no answer). Every packet
received is recorded in ``nas_standin.packets`` with its attributes decoded and whether its Request
Authenticator and Message-Authenticator are right for the shared secret — a packet that fails
either is recorded but not answered, as a real NAS does.

``coa_nas`` registers the stand-in as a concentrator of ``branch_a`` (IP 127.0.0.1, CoA port = the
stand-in's port, same secret), so Enlace's CoA client reaches it through the ``Nas`` record only.
"""

from __future__ import annotations

import datetime
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from pyrad import packet as rp

from enlace.radius.coa import dictionary
from enlace.radius.freeradius import RadAcct

SECRET = "s3gredo-do-nas"


def open_session(
    username: str,
    *,
    session_id: str | None = None,
    nas_ip: str = "127.0.0.1",
    ip: str | None = "100.64.0.10",
    start: datetime.datetime | None = None,
    update: datetime.datetime | None = None,
    stop: datetime.datetime | None = None,
    **extra,
) -> RadAcct:
    """A ``radacct`` row as FreeRADIUS's accounting Start (and Interim-Update / Stop) writes it."""
    start = start or timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
    values = {
        "acctsessionid": session_id or uuid.uuid4().hex[:8].upper(),
        "acctuniqueid": uuid.uuid4().hex,
        "username": username,
        "nasipaddress": nas_ip,
        "nasportid": "pppoe-1",
        "nasporttype": "Ethernet",
        "acctstarttime": start,
        "acctupdatetime": update,
        "acctstoptime": stop,
        "acctauthentic": "RADIUS",
        "acctinputoctets": 0,
        "acctoutputoctets": 0,
        "callingstationid": "AA:BB:CC:DD:EE:01",
        "servicetype": "Framed-User",
        "framedprotocol": "PPP",
        "framedipaddress": ip,
    }
    values.update(extra)
    return RadAcct.objects.create(**values)


@dataclass
class Received:
    code: int
    attributes: dict[str, list]
    authenticator_ok: bool
    message_authenticator: bool | None  # None: the packet had none
    answered: int | None = None  # code of the answer sent, None when silent

    @property
    def valid(self) -> bool:
        return self.authenticator_ok and self.message_authenticator is not False

    def get(self, name: str):
        values = self.attributes.get(name) or [None]
        return values[0]


@dataclass
class NasStandIn:
    secret: str = SECRET
    mode: str = "ack"  # "ack", "nak" or "silent"
    error_cause: int = 503  # Session-Context-Not-Found
    reply_secret: str | None = None  # sign answers with another secret (a misconfigured NAS)
    packets: list[Received] = field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((self.host, 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="nas-standin", daemon=True)
        self._thread.start()

    # -- server ---------------------------------------------------------------------------

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                self._handle(data, peer)
            except Exception as exc:  # keep serving; the test sees the packet missing
                print(f"nas stand-in: {exc!r}")

    def _handle(self, data: bytes, peer):
        pkt = rp.CoAPacket(secret=self.secret.encode(), dict=dictionary(), packet=data)
        authenticator_ok = pkt.VerifyCoARequest()
        message_authenticator = None
        if pkt.message_authenticator:
            message_authenticator = pkt.verify_message_authenticator()
        attributes = {}
        for key in pkt.keys():  # noqa: SIM118  (pyrad's keys() decodes the names)
            if key == 80 or key == "Message-Authenticator":
                continue
            attributes[key if isinstance(key, str) else str(key)] = list(pkt[key])
        received = Received(pkt.code, attributes, authenticator_ok, message_authenticator)
        if received.valid and self.mode != "silent":
            reply = pkt.CreateReply()
            if self.mode == "nak":
                reply.code = rp.DisconnectNAK if pkt.code == rp.DisconnectRequest else rp.CoANAK
                reply.AddAttribute("Error-Cause", self._cause_name())
            if self.reply_secret is not None:
                reply.secret = self.reply_secret.encode()
            reply.add_message_authenticator()
            self._sock.sendto(reply.ReplyPacket(), peer)
            received.answered = reply.code
        with self._lock:
            self.packets.append(received)

    def _cause_name(self):
        values = dictionary().attributes["Error-Cause"].values
        for raw, name in values.backward.items():
            if int.from_bytes(raw, "big") == self.error_cause:
                return name
        raise ValueError(f"unknown Error-Cause {self.error_cause}")

    # -- test helpers -----------------------------------------------------------------------

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.packets) >= count:
                    return list(self.packets)
            time.sleep(0.01)
        with self._lock:
            return list(self.packets)

    def clear(self):
        with self._lock:
            self.packets.clear()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


@pytest.fixture
def nas_standin():
    standin = NasStandIn()
    try:
        yield standin
    finally:
        standin.close()


@pytest.fixture
def coa_timeout(settings):
    """Short CoA timeouts so that the no-answer tests stay fast — but long enough that a loaded CI
    machine (parallel workers, a browser) still gets the stand-in's answer in time."""
    settings.RADIUS_COA_TIMEOUT = 1.5
    return settings.RADIUS_COA_TIMEOUT


@pytest.fixture
def coa_nas(db, nas_standin, branch_a, coa_timeout):
    """The stand-in registered as a concentrator (the only way Enlace finds its address)."""
    from enlace.radius import services
    from enlace.radius.models import Nas

    return services.nas_save(
        Nas(
            name="Concentrador Teste",
            ip=nas_standin.host,
            secret=nas_standin.secret,
            type="mikrotik",
            coa_port=nas_standin.port,
            branch=branch_a,
        ),
        actor=None,
    )
