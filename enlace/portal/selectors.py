"""Reads of the subscriber portal. Every function takes the logged-in customer and reads only
that customer's rows (SPEC P-4): an id of anybody else's record is a 404 (``Http404``), never a
403, so that a subscriber cannot even learn that the record exists."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from enlace.billing.models import BillingSettings, CollectionState, Invoice, InvoiceStatus
from enlace.billing.selectors import trust_unlock_available
from enlace.contracts.models import Contract, ContractStatus
from enlace.customers.models import Customer, PortalPermission
from enlace.radius.freeradius import RadAcct
from enlace.radius.models import Login


def _get(queryset: QuerySet, pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# --- Automatic access --------------------------------------------------------------------------


def customers_online_at(ip: str) -> list[Customer]:
    """The customers with a login whose open accounting session has Framed-IP-Address ``ip``."""
    usernames = RadAcct.objects.filter(acctstoptime__isnull=True, framedipaddress=ip).values("username")
    ids = set(Login.objects.filter(username__in=usernames).values_list("customer_id", flat=True)[:10])
    return list(Customer.objects.filter(pk__in=ids).order_by("pk"))


# --- Contracts and connection ------------------------------------------------------------------


def contracts(customer: Customer) -> QuerySet[Contract]:
    """The customer's contracts the portal shows (not the pre-contracts still being drafted)."""
    return (
        Contract.objects.filter(customer=customer)
        .exclude(status=ContractStatus.PRE_CONTRACT)
        .select_related("plan")
        .order_by(
            Case(
                When(status=ContractStatus.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "pk",
        )
    )


def contract_of(customer: Customer, pk) -> Contract:
    return _get(Contract.objects.filter(customer=customer), pk)


def logins(customer: Customer) -> QuerySet[Login]:
    return Login.objects.filter(customer=customer).select_related("contract", "plan").order_by("pk")


@dataclass
class Connection:
    login: Login
    online: bool
    ip: str = ""
    since: datetime.datetime | None = None


def connections(customer: Customer) -> list[Connection]:
    """Each login of the customer: online or not, the IP and start of its newest open session."""
    result = []
    logins_ = list(logins(customer))
    open_sessions: dict[str | None, RadAcct] = {}
    for open_session in RadAcct.objects.filter(
        username__in=[login.username for login in logins_], acctstoptime__isnull=True
    ).order_by("acctstarttime", "radacctid"):
        open_sessions[open_session.username] = open_session  # the newest wins
    for login in logins_:
        session = open_sessions.get(login.username)
        result.append(
            Connection(
                login=login,
                online=session is not None,
                ip=(session.framedipaddress or "") if session else "",
                since=session.acctstarttime if session else None,
            )
        )
    return result


@dataclass
class TrustUnlock:
    """What the home page says about the trust unlock of one contract (K-6: offered to Especial customers;
    F-9: the trust unlock restores access for N days, once per block, unless the operator forbade it)."""

    available: bool = False
    until: datetime.date | None = None  # the date access would be restored until (if used now)
    active_until: datetime.date | None = None  # a trust unlock in force: access restored until


@dataclass
class ContractCard:
    contract: Contract
    trust: TrustUnlock = field(default_factory=TrustUnlock)


def contract_cards(customer: Customer) -> list[ContractCard]:
    """The contracts with their trust-unlock state. The button is offered only to Especial
    customers (K-6) and only when the finance rules allow it now (F-9: once per block, unless the operator
    forbade it)."""
    today = timezone.localdate()
    cards = [ContractCard(contract=c) for c in contracts(customer)]
    states = {
        s.contract_id: s for s in CollectionState.objects.filter(contract__in=[c.contract for c in cards])
    }
    days = None
    for card in cards:
        state = states.get(card.contract.pk)
        if state and state.trust_until and state.trust_until >= today:
            card.trust.active_until = state.trust_until
        if customer.portal_permission != PortalPermission.SPECIAL:
            continue
        allowed, _why = trust_unlock_available(card.contract)
        if allowed:
            if days is None:
                days = BillingSettings.load().trust_unlock_days
            card.trust.available = True
            card.trust.until = today + datetime.timedelta(days=days)
    return cards


# --- Invoices ----------------------------------------------------------------------------------


def invoices(customer: Customer) -> QuerySet[Invoice]:
    """Open (to receive, partial) and paid invoices; cancelled and renegotiated ones are left out."""
    return (
        Invoice.objects.filter(customer=customer, renegotiated=False)
        .filter(Q(status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTIAL, InvoiceStatus.RECEIVED)))
        .select_related("contract", "wallet", "branch", "customer")
    )


def open_invoices(customer: Customer) -> QuerySet[Invoice]:
    return (
        invoices(customer)
        .filter(status__in=(InvoiceStatus.OPEN, InvoiceStatus.PARTIAL))
        .order_by("due_date", "pk")
    )


def paid_invoices(customer: Customer, limit: int = 24) -> list[Invoice]:
    return list(invoices(customer).filter(status=InvoiceStatus.RECEIVED).order_by("-due_date", "-pk")[:limit])


def invoice_of(customer: Customer, pk) -> Invoice:
    return _get(invoices(customer), pk)


def open_invoice_of(customer: Customer, pk) -> Invoice:
    """An open invoice of the customer (boleto and PIX are offered only for what is still owed)."""
    return _get(open_invoices(customer), pk)


# --- Tickets (enlace.support) ----------------------------------------------------------------


def tickets(customer: Customer):
    """The customer's tickets the subscriber sees: those opened in the portal and those whose subject
    is visible in the portal. A ticket the provider opened internally under a hidden subject (a
    collection or fraud check, say) is not theirs to read: a 404 like any other id."""
    from enlace.support.models import Ticket

    return (
        Ticket.objects.filter(customer=customer)
        .filter(Q(origin=Ticket.Origin.HOTSITE) | Q(subject__portal_visible=True))
        .select_related("subject", "contract")
        .order_by("-opened_at", "-pk")
    )


def ticket_of(customer: Customer, pk):
    return _get(tickets(customer), pk)


def subscriber_description(ticket) -> str:
    """The ticket's description when it is the subscriber's own words (opened in the portal); an
    internal ticket's description is the operator's note and stays internal."""
    from enlace.support.models import Ticket

    return ticket.description if ticket.origin == Ticket.Origin.HOTSITE else ""


def public_messages(ticket):
    """The ticket's thread as the subscriber sees it: public messages only (T-9)."""
    return ticket.messages.filter(public=True).order_by("created_at", "pk")


def subjects(customer: Customer):
    from enlace.support.selectors import portal_subjects

    return portal_subjects(customer)
