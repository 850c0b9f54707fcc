"""Disconnect-Request and CoA-Request (RFC 5176) to the concentrators (SPEC L-12, issue 5 item 7:
blocking a login that is online sends a Disconnect/CoA request to its NAS).

``services.queue_disconnect`` writes one ``DisconnectRequest`` row per open session and, after
commit, the Celery task ``enlace.radius.tasks.send_disconnect`` calls ``send_request``, which:

1. claims the row with a conditional UPDATE (``pending`` → ``sending``): a second call, a
   redelivered message or a second worker finds nothing to claim and sends nothing;
2. finds the concentrator by the session's NAS IP (the ``Nas`` record: its secret and CoA port);
   no concentrator registered with that IP → status ``error`` with a clear detail;
3. sends a Disconnect-Request (code 40) or a CoA-Request (code 43, with the login's current
   Mikrotik-Rate-Limit, read from its group in ``radgroupreply``; when that group has none the
   request goes as a Disconnect-Request and the row says so) carrying NAS-IP-Address, User-Name,
   Acct-Session-Id and Framed-IP-Address when known, signed with the shared secret (Request
   Authenticator and Message-Authenticator), over UDP with a short timeout;
4. records the answer on the row — ``ack``, ``nak`` (with the Error-Cause) or, after the task's
   retries, ``timeout`` — and writes it to the contract history, in one transaction with the
   final status, so a result is written once.

A timeout puts the row back to ``pending`` and asks the task to retry (``max_retries`` of the
task, 3); the last attempt without an answer is final. A row left in ``sending`` by a worker that
died mid-request is not sent again (no double send): ``reset_stuck``, run by the beat task
``close_stale_sessions``, marks it ``error`` after an hour so that an operator sees it.

The timeout of one attempt is ``settings.RADIUS_COA_TIMEOUT`` (seconds, default 3); the first
retry waits ``settings.RADIUS_COA_RETRY_DELAY`` (default: the task's 5 s), each next one twice as
long.
"""

from __future__ import annotations

import datetime
import functools
import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from pyrad import packet as rp
from pyrad.dictionary import Dictionary

from enlace.core import context

from . import projection
from .freeradius import RadGroupReply
from .models import DisconnectRequest, Login, Nas

logger = logging.getLogger(__name__)

DICTIONARY_PATH = Path(__file__).with_name("dictionary")
DEFAULT_TIMEOUT = 3.0

Status = DisconnectRequest.Status
Kind = DisconnectRequest.Kind

#: Request code per kind, and the answers that mean yes / no.
REQUEST_CODES = {Kind.DISCONNECT: rp.DisconnectRequest, Kind.COA: rp.CoARequest}
ACK_CODES = {rp.DisconnectACK, rp.CoAACK}
NAK_CODES = {rp.DisconnectNAK, rp.CoANAK}
PACKET_NAMES = {rp.DisconnectRequest: "Disconnect-Request", rp.CoARequest: "CoA-Request"}


@functools.cache
def dictionary() -> Dictionary:
    """Enlace's RADIUS dictionary (``enlace/radius/dictionary``), loaded once per process."""
    return Dictionary(str(DICTIONARY_PATH))


def coa_timeout() -> float:
    return float(getattr(settings, "RADIUS_COA_TIMEOUT", DEFAULT_TIMEOUT))


@functools.cache
def error_causes() -> dict[str, int]:
    """Error-Cause names of the dictionary → their numbers (RFC 5176 section 3.5)."""
    values = dictionary().attributes["Error-Cause"].values
    return {name: int.from_bytes(raw, "big") for raw, name in values.backward.items()}


@dataclass
class Result:
    status: str
    detail: str = ""


class NoAnswer(Exception):
    """No valid answer within the timeout."""


# --- Claiming and finishing ----------------------------------------------------------------


def claim(request_id: int) -> bool:
    """``pending`` → ``sending``, only if still pending: exactly one caller wins."""
    claimed = DisconnectRequest.objects.filter(pk=request_id, status=Status.PENDING).update(
        status=Status.SENDING, attempts=F("attempts") + 1
    )
    return claimed == 1


def _release_for_retry(request_id: int, detail: str) -> None:
    DisconnectRequest.objects.filter(pk=request_id, status=Status.SENDING).update(
        status=Status.PENDING, detail=detail
    )


def _finish(request: DisconnectRequest, result: Result, *, nas: Nas | None) -> bool:
    """Record the final result and its history entry, once (``sending`` → final)."""
    with transaction.atomic():
        done = DisconnectRequest.objects.filter(pk=request.pk, status=Status.SENDING).update(
            status=result.status, detail=result.detail[:2000], finished_at=timezone.now()
        )
        if not done:
            return False
        request.status, request.detail = result.status, result.detail
        if request.contract_id:
            _write_history(request, result, nas=nas)
    return True


def _write_history(request: DisconnectRequest, result: Result, *, nas: Nas | None) -> None:
    from enlace.contracts.models import ContractHistory
    from enlace.contracts.services import history_add

    code = REQUEST_CODES.get(request.kind, rp.DisconnectRequest)
    answer = {
        Status.ACK: "ACK",
        Status.NAK: "NAK",
        Status.TIMEOUT: _("no answer"),
        Status.ERROR: _("not sent"),
    }.get(result.status, result.status)
    text = _("%(packet)s to NAS %(nas)s for session %(session)s of login %(login)s: %(answer)s") % {
        "packet": PACKET_NAMES[code],
        "nas": nas or request.nas_ip,
        "session": request.session_id,
        "login": request.username,
        "answer": answer,
    }
    if result.detail:
        text += f" ({result.detail})"
    if request.reason:
        text += " — " + request.reason
    kind = ContractHistory.Kind.NETWORK
    ctx = context.current()
    if ctx.user is None and ctx.source == "system":
        with context.acting_as(None, source="task"):
            history_add(actor=None, contract=request.contract, kind=kind, text=text)
    else:
        history_add(actor=None, contract=request.contract, kind=kind, text=text)


# --- Sending -------------------------------------------------------------------------------


def send_request(request_id: int, task=None) -> str:
    """Send one queued request and record its answer; returns the row's status afterwards.

    ``task`` is the bound Celery task: a timeout then retries through it (``task.retry``, with a
    growing countdown) until its ``max_retries``; run eagerly (no broker) the retries happen at
    once, in this call. Without a task (or called directly) one attempt is final. Never raises for
    a NAS problem (it is recorded on the row); only the task's ``Retry`` propagates.
    """
    if not claim(request_id):
        return _status_of(request_id)
    request = DisconnectRequest.objects.select_related("contract").get(pk=request_id)
    nas = Nas.objects.filter(ip=request.nas_ip).first()
    retries = (task.request.retries or 0) if _is_task(task) else 0
    while True:
        result = _attempt(request, nas)
        if result.status != Status.TIMEOUT or not _is_task(task) or retries >= (task.max_retries or 0):
            break
        _release_for_retry(request.pk, result.detail)
        if not task.request.is_eager:
            raise task.retry(countdown=_retry_delay(task))
        # Eager (no broker): Celery would re-raise the Retry to the caller; retry here instead.
        retries += 1
        if not claim(request.pk):
            return _status_of(request.pk)
    if result.status == Status.TIMEOUT:
        result.detail = _("no answer after %(count)s attempt(s) of %(seconds)s s") % {
            "count": DisconnectRequest.objects.filter(pk=request.pk).values_list("attempts", flat=True)[0],
            "seconds": f"{coa_timeout():g}",
        } + (f"; {result.detail}" if "secret" in result.detail else "")
    _finish(request, result, nas=nas)
    return result.status


def _status_of(request_id: int) -> str:
    status = DisconnectRequest.objects.filter(pk=request_id).values_list("status", flat=True).first()
    logger.info("disconnect request %s not claimed (status %s)", request_id, status)
    return status or "missing"


def _attempt(request: DisconnectRequest, nas: Nas | None) -> Result:
    try:
        return _send(request, nas)
    except Exception as exc:  # a bug or an unusable record: recorded, never left in "sending"
        logger.exception("disconnect request %s failed", request.pk)
        return Result(Status.ERROR, _("Unexpected error: %(error)s") % {"error": exc})


def _is_task(task) -> bool:
    return task is not None and not getattr(task.request, "called_directly", True)


def _retry_delay(task) -> float:
    """5 s, 10 s, 20 s … (doubling with each retry); the base is ``settings.RADIUS_COA_RETRY_DELAY``
    or the task's ``default_retry_delay``."""
    base = getattr(settings, "RADIUS_COA_RETRY_DELAY", None)
    base = task.default_retry_delay if base is None else float(base)
    return base * 2 ** (task.request.retries or 0)


def build_packet(request: DisconnectRequest, nas: Nas) -> tuple[rp.CoAPacket, str]:
    """The Disconnect-Request or CoA-Request of ``request``, and a note on what was chosen.

    A CoA needs the new rate limit; when the login's group has none (e.g. it is now rejected or
    the login is gone) a Disconnect-Request is sent instead, so the router reconnects and gets
    whatever applies now."""
    note = ""
    code = REQUEST_CODES.get(request.kind, rp.DisconnectRequest)
    attributes = {"NAS-IP-Address": nas.ip, "User-Name": request.username}
    if request.session_id:
        attributes["Acct-Session-Id"] = request.session_id
    if request.framed_ip:
        attributes["Framed-IP-Address"] = request.framed_ip
    if code == rp.CoARequest:
        limit = current_rate_limit(request.login_id)
        if limit:
            attributes["Mikrotik-Rate-Limit"] = limit
        else:
            code = rp.DisconnectRequest
            note = _("no rate limit to apply, disconnected instead")
    pkt = rp.CoAPacket(code=code, secret=nas.secret.encode(), dict=dictionary(), message_authenticator=True)
    for name, value in attributes.items():
        pkt.AddAttribute(name, value)
    return pkt, note


def current_rate_limit(login_id: int | None) -> str:
    """The Mikrotik-Rate-Limit FreeRADIUS gives the login now: its group's, in ``radgroupreply``."""
    if not login_id:
        return ""
    login = Login.objects.select_related("contract", "plan").filter(pk=login_id).first()
    if login is None:
        return ""
    group = projection.login_group(login)
    return (
        RadGroupReply.objects.filter(groupname=group, attribute="Mikrotik-Rate-Limit")
        .values_list("value", flat=True)
        .first()
        or ""
    )


def _send(request: DisconnectRequest, nas: Nas | None) -> Result:
    if nas is None:
        return Result(
            Status.ERROR,
            _("No concentrator (NAS) is registered with IP %(ip)s; register it to disconnect its sessions.")
            % {"ip": request.nas_ip},
        )
    pkt, note = build_packet(request, nas)
    try:
        reply = exchange(pkt, (nas.ip, nas.coa_port), timeout=coa_timeout())
    except NoAnswer as exc:
        return Result(Status.TIMEOUT, str(exc))
    detail = [note] if note else []
    if pkt.code != REQUEST_CODES.get(request.kind):  # a CoA sent as a Disconnect (see build_packet)
        request.kind = Kind.DISCONNECT
        DisconnectRequest.objects.filter(pk=request.pk).update(kind=Kind.DISCONNECT)
    if reply.code in ACK_CODES:
        return Result(Status.ACK, "; ".join(detail))
    if reply.code in NAK_CODES:
        causes = [describe_error_cause(v) for v in reply.get("Error-Cause", [])]
        detail.insert(0, _("Error-Cause: %(cause)s") % {"cause": ", ".join(causes)} if causes else "")
        return Result(Status.NAK, "; ".join(d for d in detail if d))
    return Result(Status.ERROR, _("Unexpected answer code %(code)s.") % {"code": reply.code})


def describe_error_cause(value) -> str:
    if isinstance(value, str):
        return f"{value} ({error_causes().get(value, '?')})"
    return str(value)


def exchange(pkt: rp.CoAPacket, address: tuple[str, int], *, timeout: float) -> rp.Packet:
    """Send ``pkt`` once to ``address`` and wait up to ``timeout`` seconds for a valid answer (same
    id, Response Authenticator and Message-Authenticator right for the shared secret). Answers
    that fail the check are ignored, as RFC 5176 asks; ``NoAnswer`` says why nothing came."""
    raw = pkt.RequestPacket()
    bad = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)  # connected: only the NAS's datagrams arrive, ICMP errors surface
            sock.send(raw)
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                sock.settimeout(remaining)
                data = sock.recv(4096)
                try:
                    reply = pkt.CreateReply(packet=data)
                except rp.PacketError:
                    bad += 1
                    continue
                if pkt.VerifyReply(reply, data):
                    return reply
                bad += 1
        except TimeoutError:
            if bad:
                raise NoAnswer(
                    _("%(count)s answer(s) with a wrong authenticator — check the shared secret")
                    % {"count": bad}
                ) from None
            raise NoAnswer(_("no answer within %(seconds)s s") % {"seconds": f"{timeout:g}"}) from None
        except ConnectionRefusedError:
            raise NoAnswer(_("port %(port)s closed on the NAS") % {"port": address[1]}) from None
        except OSError as exc:
            raise NoAnswer(str(exc)) from None


def reset_stuck(*, older_than_seconds: int = 3600) -> int:
    """Rows left in ``sending`` (a worker died mid-request) are closed as ``error`` so an
    operator sees them; they are not sent again automatically (no double send)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return DisconnectRequest.objects.filter(status=Status.SENDING, created_at__lt=cutoff).update(
        status=Status.ERROR,
        detail=_("The worker stopped while sending; check the session and disconnect again."),
        finished_at=timezone.now(),
    )
