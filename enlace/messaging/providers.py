"""SMS / WhatsApp providers: one interface, two adapters, chosen by ``MESSAGING_PROVIDER``.

- ``twilio``: Twilio's Programmable Messaging REST API. ``POST {MESSAGING_TWILIO_API_URL}/2010-04-01/
  Accounts/{AccountSid}/Messages.json`` (HTTP basic auth ``AccountSid:AuthToken``, form fields
  ``To``, ``From``, ``Body``, ``StatusCallback``); a WhatsApp message prefixes both numbers with
  ``whatsapp:``. The answer (201) is the message resource, whose ``sid`` is kept as the provider id.
  Twilio then POSTs the status (``MessageSid``, ``MessageStatus``: queued, sent, delivered,
  undelivered, failed, read) to the callback, signed in ``X-Twilio-Signature`` (base64 HMAC-SHA1,
  keyed with the auth token, of the callback's URL followed by each POST parameter's name and value
  in name order).
- ``webhook``: a generic JSON webhook for any gateway (Z-API, Evolution API, an in-house relay):
  ``POST MESSAGING_WEBHOOK_URL`` with ``{"id", "channel", "to", "text", "callback_url"}`` and
  ``Authorization: Bearer MESSAGING_WEBHOOK_TOKEN``; a 2xx answer may carry ``{"id": ...}`` (the
  provider id). Status callbacks: ``POST`` ``{"id", "status": "sent"|"delivered"|"failed", "error"}``
  with the same bearer token.

A 4xx answer (other than 429) is permanent: the message fails at once. A 5xx, 429 or a connection
error is retried with backoff.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.urls import reverse

from .models import Channel, MessageStatus

TIMEOUT = 10


class ProviderError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def e164(phone: str) -> str:
    """A Brazilian number as stored (DDD + number) in E.164: ``+5511987654321``."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.startswith("+"):
        return "+" + digits
    return "+55" + digits


def callback_url(name: str) -> str:
    base = (getattr(settings, "MESSAGING_CALLBACK_BASE_URL", "") or "").rstrip("/")
    return f"{base}{reverse(name)}" if base else ""


def _post(url: str, data: bytes, headers: dict) -> dict:
    if not url.startswith(("http://", "https://")):
        raise ProviderError(f"not an HTTP URL: {url!r}", permanent=True)
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - URL from settings
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:500].decode(errors="replace")
        permanent = 400 <= exc.code < 500 and exc.code != 429
        raise ProviderError(f"HTTP {exc.code}: {detail}", permanent=permanent) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ProviderError(str(getattr(exc, "reason", exc))) from exc
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {}


class Provider:
    name = ""

    def send(self, message) -> str:
        """Hand ``message`` (a ``Message``) to the provider; its id there, or ``ProviderError``."""
        raise NotImplementedError

    def status_of(self, value: str) -> str | None:
        """Our status for a callback's status value (``None``: no change)."""
        raise NotImplementedError


class TwilioProvider(Provider):
    name = "twilio"
    STATUSES = {
        "sent": MessageStatus.SENT,
        "delivered": MessageStatus.DELIVERED,
        "read": MessageStatus.DELIVERED,
        "undelivered": MessageStatus.FAILED,
        "failed": MessageStatus.FAILED,
    }

    def __init__(self):
        self.sid = settings.MESSAGING_TWILIO_ACCOUNT_SID
        self.token = settings.MESSAGING_TWILIO_AUTH_TOKEN
        self.api = settings.MESSAGING_TWILIO_API_URL.rstrip("/")

    def send(self, message) -> str:
        if message.channel == Channel.WHATSAPP:
            sender, to = settings.MESSAGING_TWILIO_WHATSAPP_FROM, f"whatsapp:{e164(message.recipient)}"
            sender = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"
        else:
            sender, to = settings.MESSAGING_TWILIO_FROM, e164(message.recipient)
        fields = {"To": to, "From": sender, "Body": message.text}
        if url := callback_url("messaging:callback_twilio"):
            fields["StatusCallback"] = url
        auth = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        answer = _post(
            f"{self.api}/2010-04-01/Accounts/{self.sid}/Messages.json",
            urllib.parse.urlencode(fields).encode(),
            {"Authorization": f"Basic {auth}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.get("status") == "failed" or not answer.get("sid"):
            raise ProviderError(answer.get("message") or "Twilio refused the message", permanent=True)
        return str(answer["sid"])

    def signature(self, url: str, params: dict) -> str:
        payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
        digest = hmac.new(self.token.encode(), payload.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def verify(self, url: str, params: dict, signature: str) -> bool:
        return bool(self.token) and hmac.compare_digest(self.signature(url, params), signature or "")

    def status_of(self, value: str) -> str | None:
        return self.STATUSES.get((value or "").lower())


class WebhookProvider(Provider):
    name = "webhook"
    STATUSES = {
        "sent": MessageStatus.SENT,
        "delivered": MessageStatus.DELIVERED,
        "read": MessageStatus.DELIVERED,
        "failed": MessageStatus.FAILED,
    }

    def __init__(self):
        self.url = settings.MESSAGING_WEBHOOK_URL
        self.token = settings.MESSAGING_WEBHOOK_TOKEN

    def send(self, message) -> str:
        body = {
            "id": message.pk,
            "channel": message.channel,
            "to": e164(message.recipient),
            "text": message.text,
            "callback_url": callback_url("messaging:callback_webhook"),
        }
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        answer = _post(self.url, json.dumps(body).encode(), headers)
        return str(answer.get("id") or answer.get("messageId") or message.pk)

    def verify(self, header: str) -> bool:
        return bool(self.token) and hmac.compare_digest(header or "", f"Bearer {self.token}")

    def status_of(self, value: str) -> str | None:
        return self.STATUSES.get((value or "").lower())


PROVIDERS = {"twilio": TwilioProvider, "webhook": WebhookProvider}


def get_provider() -> Provider | None:
    """The configured provider, or ``None`` (SMS and WhatsApp are then not queued)."""
    name = getattr(settings, "MESSAGING_PROVIDER", "")
    cls = PROVIDERS.get(name)
    return cls() if cls else None
