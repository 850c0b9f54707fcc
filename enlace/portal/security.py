"""The portal's security primitives: the portal session (a cookie of its own backed by Django's
session store) and the password-reset token. The client IP is ``enlace.core.http.client_ip``.

See docs/portal.md for the model as a whole.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int

from enlace.customers.models import Customer

from .models import PortalSettings

#: The portal session's cookie: separate from the staff session (``sessionid``) so that a staff
#: login and a subscriber login in the same browser never see each other.
COOKIE_NAME = "enlace_portal"
COOKIE_PATH = "/portal/"
#: Session keys.
CUSTOMER_KEY = "portal_customer_id"
HASH_KEY = "portal_auth_hash"
SEEN_KEY = "portal_seen"
AUTO_KEY = "portal_auto"
CHANGE_KEY = "portal_must_change_password"
FLASH_KEY = "portal_flash"
#: An active session is written back at most this often (seconds) to slide its expiry.
TOUCH_EVERY = 60


# --- Portal session --------------------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_hash(customer: Customer) -> str:
    """Changes when the portal password changes: other sessions of the customer end then."""
    return salted_hmac("enlace.portal.session", customer.portal_password or "-").hexdigest()


def session_seconds(params: PortalSettings | None = None) -> int:
    params = params or PortalSettings.load()
    return int(params.portal_session_minutes) * 60


@dataclass
class PortalSession:
    """The portal session of one request (``request.portal``)."""

    store: object
    customer: Customer | None = None
    changed: bool = False
    ended: bool = False

    @property
    def must_change_password(self) -> bool:
        return bool(self.store.get(CHANGE_KEY))

    @property
    def automatic(self) -> bool:
        return bool(self.store.get(AUTO_KEY))

    def flash(self, level: str, text: str) -> None:
        self.store[FLASH_KEY] = [*self.store.get(FLASH_KEY, []), (level, str(text))]
        self.changed = True

    def pop_flash(self) -> list[tuple[str, str]]:
        items = self.store.pop(FLASH_KEY, [])
        if items:
            self.changed = True
        return items


def load_session(request) -> PortalSession:
    """The portal session named by the request's cookie, with its customer when it is valid: not
    expired (idle for less than the parameter), the customer active and the password unchanged."""
    cookie = request.COOKIES.get(COOKIE_NAME)
    store = _session_store()(cookie)
    portal = PortalSession(store=store)
    customer_id = store.get(CUSTOMER_KEY)
    if customer_id is None:
        # A cookie naming no data: the session expired in the store (or was deleted).
        portal.ended = bool(cookie) and not store.keys()
        return portal
    seen = store.get(SEEN_KEY, 0)
    customer = Customer.objects.filter(pk=customer_id, active=True, is_lead=False).first()
    if (
        time.time() - seen > session_seconds()
        or customer is None
        or not constant_time_compare(store.get(HASH_KEY, ""), session_hash(customer))
    ):
        store.flush()
        portal.ended = True
        return portal
    portal.customer = customer
    if time.time() - seen > TOUCH_EVERY:
        store[SEEN_KEY] = time.time()
        portal.changed = True
    return portal


def start_session(request, customer: Customer, *, automatic: bool = False, must_change: bool = False):
    """Log ``customer`` in: a new session key (the old session, if any, is deleted), a new CSRF
    token, the expiry from the parameter."""
    from django.middleware.csrf import rotate_token

    old = getattr(request, "portal", None)
    flash = []
    if old is not None:
        flash = old.store.get(FLASH_KEY, [])
        old.store.flush()
    store = _session_store()()
    store[CUSTOMER_KEY] = customer.pk
    store[HASH_KEY] = session_hash(customer)
    store[SEEN_KEY] = time.time()
    store[AUTO_KEY] = automatic
    store[CHANGE_KEY] = must_change
    if flash:
        store[FLASH_KEY] = flash
    request.portal = PortalSession(store=store, customer=customer, changed=True)
    rotate_token(request)
    return request.portal


def end_session(request) -> None:
    portal = getattr(request, "portal", None)
    if portal is not None:
        portal.store.flush()
        portal.customer = None
        portal.ended = True


def save_session(request, response):
    """Write the session (when it changed) and its cookie to ``response``."""
    portal = getattr(request, "portal", None)
    if portal is None:
        return response
    if portal.ended and not portal.changed:
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Lax")
        return response
    if not portal.changed:
        return response
    if portal.customer is None and not portal.store.keys():
        # Nothing left to keep (a flash message was shown): no empty session rows.
        if portal.store.session_key:
            portal.store.delete()
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Lax")
        return response
    seconds = session_seconds()
    portal.store.set_expiry(seconds)
    portal.store.save()
    response.set_cookie(
        COOKIE_NAME,
        portal.store.session_key,
        max_age=seconds,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


# --- Portal password ---------------------------------------------------------------------------


def check_portal_password(customer: Customer, raw_password: str) -> bool:
    """Whether ``raw_password`` is the customer's portal password. When it is and the stored hash
    is not the preferred hasher's (PBKDF2 from before Argon2id, or other Argon2 parameters), the
    hash is replaced: one UPDATE of that column, only if it is still the hash just checked (a
    password changed meanwhile wins). A rehash changes no data, so it writes no audit record and
    does not touch ``updated_at``; other portal sessions of the customer end, as after a password
    change (``session_hash``)."""
    encoded = customer.portal_password
    if not encoded:
        return False

    def upgrade(raw: str) -> None:
        rehashed = make_password(raw)
        if Customer.objects.filter(pk=customer.pk, portal_password=encoded).update(portal_password=rehashed):
            customer.portal_password = rehashed

    return check_password(raw_password, encoded, setter=upgrade)


# --- Password reset token ----------------------------------------------------------------------


class PortalTokenGenerator(PasswordResetTokenGenerator):
    """Password-reset links for the portal account of a customer.

    The hash covers the customer's id, portal password hash and active flag, so a link dies once it
    has been used (the password changes) or the customer is deactivated; it also expires after
    ``PORTAL_PASSWORD_RESET_MINUTES``.
    """

    key_salt = "enlace.portal.security.PortalTokenGenerator"

    def _make_hash_value(self, customer, timestamp):
        return f"{customer.pk}|{customer.portal_password}|{int(customer.active)}|{timestamp}"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        timeout = int(getattr(settings, "PORTAL_PASSWORD_RESET_MINUTES", 60)) * 60
        return 0 <= self._num_seconds(self._now()) - ts <= timeout


token_generator = PortalTokenGenerator()
