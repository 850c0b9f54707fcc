"""Writers of the subscriber portal: logging in (password, lockout by source IP, automatic
access), the portal password (first-access change, change, reset by e-mail link), and the
subscriber's own actions (trust unlock, tickets), which call the owning areas' services.

Every function takes the customer the portal session belongs to; none trusts an id typed by the
subscriber without scoping it to that customer first (``selectors``).
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from enlace.billing.services.collection import trust_unlock
from enlace.contracts.models import Contract
from enlace.core import context, mail
from enlace.core.exceptions import ApplicationError
from enlace.core.models import GeneralParameters, YesNoDefault
from enlace.core.validators import only_alnum
from enlace.customers.models import Customer

from . import selectors
from .models import PortalLoginFailure, PortalPasswordReset, PortalSettings
from .security import check_portal_password, token_generator

MIN_PASSWORD_LENGTH = 8
#: At most one password-reset e-mail per customer in this interval.
RESET_EMAIL_INTERVAL = datetime.timedelta(minutes=5)
#: Hash checked when no account matches, so a wrong login costs as much time as a wrong password.
_DUMMY_HASH_INPUT = "enlace-portal-no-such-account"  # noqa: S105 - not a credential
#: At most this many customers sharing a CPF/CNPJ are tried (the parameter may allow duplicates).
DOCUMENT_CANDIDATES = 5


# --- Lockout by source IP -------------------------------------------------------------------


def lockout_key(ip: str | None) -> str | None:
    """What the lockout counts by: the IPv4 address, or the /64 network of an IPv6 address (a
    subscriber line gets a whole /64 or more, so the next address must not be a fresh start)."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def lockout_until(ip: str | None, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the lockout of ``ip`` ends, if it is locked out now."""
    key = lockout_key(ip)
    if not key:
        return None
    now = now or timezone.now()
    return (
        PortalLoginFailure.objects.filter(ip=key, locked_until__gt=now)
        .values_list("locked_until", flat=True)
        .first()
    )


def login_attempt_claim(*, ip: str | None, login: str = "") -> datetime.datetime | None:
    """Count one password check from ``ip`` BEFORE it is made, under a row lock, and say whether it
    may be made: returns when the lockout ends if ``ip`` is locked out (nothing may be checked),
    ``None`` otherwise. Counting first means parallel attempts cannot all slip in before the first
    failure is written; the N-th attempt within the period (both from the parameters) is still
    checked and sets the lock, and a success clears the count (``login_failures_clear``)."""
    key = lockout_key(ip)
    if not key:
        return None
    params = PortalSettings.load()
    now = timezone.now()
    window = datetime.timedelta(minutes=params.portal_lockout_minutes)
    with transaction.atomic():
        record, created = PortalLoginFailure.objects.select_for_update().get_or_create(
            ip=key, defaults={"failures": 0, "first_failure_at": now, "last_failure_at": now}
        )
        if record.locked_until is not None and record.locked_until > now:
            return record.locked_until
        expired_lock = record.locked_until is not None and record.locked_until <= now
        if not created and (expired_lock or now - record.first_failure_at > window):
            record.failures = 0
            record.first_failure_at = now
            record.locked_until = None
        record.failures += 1
        record.last_failure_at = now
        record.last_login_tried = (login or "").strip()[:120]
        if record.failures >= params.portal_lockout_attempts:
            record.locked_until = now + window
        record.save()
    return None


def login_failures_clear(*, ip: str | None) -> None:
    key = lockout_key(ip)
    if key:
        PortalLoginFailure.objects.filter(ip=key).delete()


def _locked_out_error(until: datetime.datetime) -> str:
    return _("Too many failed attempts from your connection. Try again after %(time)s.") % {
        "time": timezone.localtime(until).strftime("%H:%M")
    }


def login_failures_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the records no longer needed (no lock in force and older than a day)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=1)
    deleted, _detail = (
        PortalLoginFailure.objects.filter(last_failure_at__lt=cutoff).exclude(locked_until__gt=now).delete()
    )
    return deleted


# --- Logging in ------------------------------------------------------------------------------


@dataclass
class LoginResult:
    customer: Customer | None = None
    error: str = ""
    code: str = ""
    locked_until: datetime.datetime | None = None


def _candidates(identifier: str, params: PortalSettings) -> list[Customer]:
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    by_login = list(Customer.objects.filter(portal_login=identifier)[:1])
    if by_login or not params.portal_login_by_document:
        return by_login
    document = only_alnum(identifier)
    if len(document) not in (11, 14):
        return []
    return list(Customer.objects.filter(cpf_cnpj=document).order_by("pk")[:DOCUMENT_CANDIDATES])


def portal_authenticate(*, identifier: str, password: str, ip: str | None) -> LoginResult:
    """P-1: the customer whose portal login (or CPF/CNPJ, when the parameter allows it) and
    password match — unless ``ip`` is locked out, in which case nothing is checked at all."""
    until = login_attempt_claim(ip=ip, login=identifier)
    if until is not None:
        return LoginResult(code="locked_out", locked_until=until, error=_locked_out_error(until))
    params = PortalSettings.load()
    matched = None
    candidates = [c for c in _candidates(identifier, params) if c.portal_password]
    if not candidates:
        make_password(_DUMMY_HASH_INPUT)  # same cost as a real check
    for customer in candidates:
        if check_portal_password(customer, password or ""):
            matched = customer
            break
    if matched is None:
        result = LoginResult(code="invalid", error=_("Wrong login or password."))
        result.locked_until = lockout_until(ip)
        return result
    login_failures_clear(ip=ip)
    if not matched.active or matched.is_lead:
        return LoginResult(
            code="inactive", error=_("This account is not active. Please contact us to use the portal.")
        )
    return LoginResult(customer=matched)


def auto_access_allowed(customer: Customer, params: PortalSettings | None = None) -> bool:
    """K-5: automatic access (no password, from the IP of one of the customer's own RADIUS sessions) is
    allowed when the customer says Sim, or Padrão with the global parameter on."""
    if customer.portal_auto_access == YesNoDefault.YES:
        return True
    if customer.portal_auto_access == YesNoDefault.DEFAULT:
        params = params or PortalSettings.load()
        return bool(params.portal_auto_access)
    return False


def portal_auto_authenticate(*, ip: str | None) -> Customer | None:
    """K-5: the customer whose login has an open accounting session with Framed-IP-Address ``ip``,
    when automatic access is allowed for them; ``None`` otherwise (also when the address is in
    open sessions of more than one customer)."""
    if not ip:
        return None
    customers = selectors.customers_online_at(ip)
    if len(customers) != 1:
        return None
    customer = customers[0]
    if not customer.active or customer.is_lead or not auto_access_allowed(customer):
        return None
    return customer


# --- The portal password ---------------------------------------------------------------------


def _check_new_password(password: str, confirmation: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            {
                "new_password1": [
                    _("The password must have at least %(count)d characters.")
                    % {"count": MIN_PASSWORD_LENGTH}
                ]
            }
        )
    if password != confirmation:
        raise ValidationError({"new_password2": [_("The two passwords do not match.")]})
    if password != password.strip():
        raise ValidationError({"new_password1": [_("The password may not start or end with a space.")]})


def portal_password_set(
    *,
    customer: Customer,
    password: str,
    confirmation: str,
    current_password: str | None = None,
    ip: str | None = None,
) -> Customer:
    """Set the customer's portal password (hashed) and clear "change password on first access".

    ``current_password`` is checked when given, counted by the same lockout as the login (from
    ``ip``): a session — perhaps opened by automatic access on a shared network — is not a way to
    guess the password. Only the two portal fields are written (with the audit trail), so a record
    that would fail a rule added since it was saved (e.g. a CPF now required) still lets its
    subscriber change their password.
    """
    if current_password is not None:
        until = login_attempt_claim(ip=ip, login=customer.portal_login or "")
        if until is not None:
            raise ValidationError({"old_password": [_locked_out_error(until)]})
        if not (customer.portal_password and check_password(current_password, customer.portal_password)):
            raise ValidationError({"old_password": [_("The current password is wrong.")]})
        login_failures_clear(ip=ip)
    _check_new_password(password, confirmation)
    ctx = context.current()
    with context.acting_as(None, source=ctx.source, request_id=ctx.request_id), transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        locked.portal_password = make_password(password)
        locked.portal_change_password = False
        locked.save(update_fields=["portal_password", "portal_change_password", "updated_at"])
    customer.portal_password = locked.portal_password
    customer.portal_change_password = False
    return customer


def portal_customer_for_reset(identifier: str) -> Customer | None:
    """The active customer a "forgot my password" request names (login or, when allowed, document),
    when it has an e-mail to send the link to."""
    params = PortalSettings.load()
    for customer in _candidates(identifier, params):
        if customer.active and not customer.is_lead and customer.emails:
            return customer
    return None


def portal_password_reset_send(*, identifier: str, base_url: str) -> bool:
    """E-mail a one-time password-reset link to the customer's e-mail address(es). Returns whether
    one was sent — for tests and logs only: the page says the same either way."""
    customer = portal_customer_for_reset(identifier)
    if customer is None:
        return False
    params = GeneralParameters.load()
    path = reverse(
        "portal:reset",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(customer.pk)),
            # The portal generator hashes a customer, not a user (PortalTokenGenerator).
            "token": token_generator.make_token(customer),  # type: ignore[arg-type]
        },
    )
    context_ = {
        "customer": customer,
        "company_name": params.company_name,
        "portal_name": params.portal_name,
        "url": base_url.rstrip("/") + path,
        "minutes": int(getattr(settings, "PORTAL_PASSWORD_RESET_MINUTES", 60)),
    }
    subject = _("%(portal)s: reset your password") % {"portal": params.portal_name}
    body = render_to_string("portal/email/password_reset.txt", context_)
    recipients = list(customer.emails)
    now = timezone.now()
    with transaction.atomic():
        throttle, _created = PortalPasswordReset.objects.select_for_update().get_or_create(
            customer=customer, defaults={"sent_at": now - RESET_EMAIL_INTERVAL}
        )
        if now - throttle.sent_at < RESET_EMAIL_INTERVAL:
            return False  # one e-mail per customer per interval: the page cannot flood an inbox
        throttle.sent_at = now
        throttle.save(update_fields=["sent_at"])
        # Queued with the throttle (core.mail): sent after the commit by the outbox task, retried
        # while the mail server is down; the page never waits for or fails on the mail server.
        mail.enqueue(
            to=recipients,
            subject=subject,
            text=body,
            dedup_key=f"portal-reset:{customer.pk}:{now.isoformat()}",
        )
    return True


# --- The subscriber's actions -----------------------------------------------------------------


def portal_trust_unlock(*, customer: Customer, contract_id: int) -> Contract:
    """K-6/F-9: the trust unlock of one of the customer's contracts, for Especial customers only (F-9: the
    trust unlock restores access for N days, once per block, unless the operator forbade it)."""
    from enlace.customers.models import PortalPermission

    contract = selectors.contract_of(customer, contract_id)
    if customer.portal_permission != PortalPermission.SPECIAL:
        raise ApplicationError(_("Your account may not use the trust unlock."), code="not_allowed")
    return trust_unlock(actor=None, contract=contract, source="portal")


# --- Limits on what a subscriber sends ---------------------------------------------------------


def message_max_chars() -> int:
    return int(getattr(settings, "PORTAL_MESSAGE_MAX_CHARS", 5000))


def _check_length(text: str, field: str) -> None:
    """A description or message longer than ``PORTAL_MESSAGE_MAX_CHARS`` is refused on its field."""
    limit = message_max_chars()
    length = len((text or "").replace("\r\n", "\n"))  # a browser counts a line break as one (maxlength)
    if length > limit:
        raise ValidationError(
            {
                field: [
                    _("The text may have at most %(limit)d characters (it has %(length)d).")
                    % {"limit": limit, "length": length}
                ]
            }
        )


def _lock_customer(customer: Customer) -> None:
    """Serialise this subscriber's writes (two tabs posting at once) so the hourly counts hold."""
    Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True).first()


def _hour_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


def portal_tickets_left(customer: Customer) -> int:
    """New tickets the subscriber may still open this hour (``PORTAL_TICKETS_PER_HOUR``)."""
    from enlace.support.models import Ticket

    opened = Ticket.objects.filter(
        customer=customer, origin=Ticket.Origin.HOTSITE, opened_at__gte=_hour_ago()
    ).count()
    return max(int(getattr(settings, "PORTAL_TICKETS_PER_HOUR", 5)) - opened, 0)


def portal_replies_left(customer: Customer) -> int:
    """Messages the subscriber may still send this hour, over all their tickets (``PORTAL_REPLIES_PER_HOUR``)."""
    from enlace.support.models import TicketMessage

    sent = TicketMessage.objects.filter(
        ticket__customer=customer, by_subscriber=True, created_at__gte=_hour_ago()
    ).count()
    return max(int(getattr(settings, "PORTAL_REPLIES_PER_HOUR", 30)) - sent, 0)


def portal_ticket_open(*, customer: Customer, subject, description: str, contract=None):
    """T-8: a ticket opened by the subscriber — origin Hotsite, a subject visible in the portal
    (re-checked here), a contract of their own — within the hourly limit of new tickets and the
    size limit of the description (a subscriber cannot flood the support queue)."""
    with transaction.atomic():
        _check_length(description, "description")
        _lock_customer(customer)
        if portal_tickets_left(customer) <= 0:
            raise ApplicationError(
                _(
                    "You have opened the most tickets allowed in one hour. Please wait a while, or "
                    "reply on a ticket you already opened."
                ),
                code="too_many_tickets",
            )
        return _ticket_open(customer=customer, subject=subject, description=description, contract=contract)


def _ticket_open(*, customer: Customer, subject, description: str, contract=None):
    from enlace.support.models import Ticket
    from enlace.support.services import ticket_create

    if not selectors.subjects(customer).filter(pk=subject.pk).exists():
        raise ValidationError({"subject": [_("Choose one of the subjects offered.")]})
    if contract is not None and contract.customer_id != customer.pk:
        raise ValidationError({"contract": [_("Choose one of your contracts.")]})
    login = None
    if subject.requires_login:
        # The subscriber does not pick a login: their only one (of the chosen contract) is used.
        candidates = list(
            selectors.logins(customer).filter(**({"contract": contract} if contract else {}))[:2]
        )
        if len(candidates) == 1:
            login = candidates[0]
    return ticket_create(
        actor=None,
        customer=customer,
        subject=subject,
        description=description,
        origin=Ticket.Origin.HOTSITE,
        contract=contract,
        login=login,
    )


def ticket_accepts_replies(ticket) -> bool:
    """Solved and cancelled tickets take no messages (the operator reopens, or a new one is opened)."""
    return ticket.is_open


def portal_ticket_reply(*, customer: Customer, ticket, text: str):
    """A public message of the subscriber on one of their tickets (pending interaction: internal)."""
    from enlace.support.services import ticket_message_add

    if ticket.customer_id != customer.pk:
        raise ApplicationError(_("Ticket not found."), code="not_found")
    if not ticket_accepts_replies(ticket):
        raise ApplicationError(_("This ticket is closed. Open a new ticket, please."), code="closed")
    with transaction.atomic():
        _check_length(text, "text")
        _lock_customer(customer)
        if portal_replies_left(customer) <= 0:
            raise ApplicationError(
                _(
                    "You have sent the most messages allowed in one hour. Please wait a while before writing again."
                ),
                code="too_many_messages",
            )
        return ticket_message_add(actor=None, ticket=ticket, text=text, public=True, by_subscriber=True)
