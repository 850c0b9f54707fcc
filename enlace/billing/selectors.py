"""Reads of the finance area. The lists an operator sees take the viewing user and keep the rows of
the branches they work in (``restrict``: another branch's record is a 404, as a missing one); the
money reads (amount due, late charges) and the reads of the billing run and the collection routine
are plain functions of their arguments, shared by the services, the screens, the API and the portal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Aggregate, Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import AccessStatus, Contract, ContractStatus
from enlace.core import validators
from enlace.core.models import Wallet
from enlace.core.money import cents
from enlace.customers.models import Customer
from enlace.customers.selectors import customer_search

from .filtersets import color_condition
from .models import (
    OPEN_STATUSES,
    ZERO,
    BillingRun,
    CollectionState,
    Invoice,
    InvoiceColor,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    RegistrationStatus,
    Remittance,
    RemittanceItem,
)

#: A running billing run whose heartbeat is older than this lost its worker (a chunk takes seconds).
STALE_AFTER = datetime.timedelta(minutes=10)

#: How many invoices a customer's or a contract's "Financeiro" tab lists (the newest first).
TAB_INVOICES = 600


# --- What an operator sees ----------------------------------------------------------------------


def invoices_for(user) -> QuerySet:
    """Invoices of the branches ``user`` works in."""
    return Invoice.objects.restrict(user)


def tab_invoices(user, **lookup) -> list[Invoice]:
    """The invoices of a "Financeiro" tab (``lookup``: ``customer=`` or ``contract=``), newest due
    date first, with their payments in date order."""
    payments = Payment.objects.order_by("date", "id")
    return list(
        invoices_for(user)
        .filter(**lookup)
        .select_related("contract", "wallet", "renegotiation")
        .prefetch_related(Prefetch("payments", queryset=payments))
        .order_by("-due_date", "-id")[:TAB_INVOICES]
    )


def customers_for(user) -> QuerySet:
    """Customers (not leads) of the branches ``user`` works in: who may get an invoice or a
    renegotiation."""
    return Customer.objects.restrict(user).filter(is_lead=False)


def customer_choices(user, text: str, *, limit: int = 20) -> list[Customer]:
    """The customers the one-off invoice's picker offers for ``text``: the registry's search
    (name words without accents, CPF/CNPJ, phone, e-mail; ``customers.selectors.customer_search``)."""
    text = (text or "").strip()
    if not text:
        return []
    return list(customer_search(customers_for(user).select_related("branch"), text)[:limit])


def wallets_in_scope(user) -> QuerySet:
    """Wallets of the branches ``user`` works in (active or not)."""
    return Wallet.objects.restrict(user)


def contracts_for(user) -> QuerySet:
    """Contracts of the branches ``user`` works in, with their customer."""
    return Contract.objects.restrict(user).select_related("customer")


def amount_by_color(queryset, today: datetime.date | None = None) -> list[dict]:
    """Amount and count of ``queryset``'s invoices per F-2 colour (the colour a receivable shows:
    open, overdue, paid, ...), in one query."""
    return amount_by_color_and_count(queryset, today)[0]


def amount_by_color_and_count(queryset, today: datetime.date | None = None) -> tuple[list[dict], int]:
    """``amount_by_color`` and the number of rows of ``queryset``, in the same one query (the
    receivables list pages with that number instead of counting the filtered rows again)."""
    today = today or timezone.localdate()
    aggregates: dict[str, Aggregate] = {"_rows": Count("pk")}
    for color in InvoiceColor:
        condition = color_condition(color, today)
        aggregates[f"{color.value}_amount"] = Sum("amount", filter=condition)
        aggregates[f"{color.value}_count"] = Count("pk", filter=condition)
    # No ORDER BY and none of the list's select_related joins: only the invoice's own columns.
    values = queryset.order_by().select_related(None).aggregate(**aggregates)
    return [
        {
            "color": color.value,
            "label": color.label,
            "amount": values[f"{color.value}_amount"] or ZERO,
            "count": values[f"{color.value}_count"] or 0,
        }
        for color in InvoiceColor
    ], values["_rows"]


# --- Money owed (F-7: the wallet's fine and interest, capped at 2 % and 1 % a month) --------------


def late_charges(
    invoice: Invoice, on: datetime.date, *, base: Decimal | None = None
) -> tuple[Decimal, Decimal]:
    """(fine, interest) owed when ``base`` (default: the open balance) is paid on ``on``: the
    wallet's fine once and its monthly interest pro rata per day of delay, capped at 2 % and 1 % a
    month (Anatel)."""
    if on <= invoice.due_date:
        return ZERO, ZERO
    base = invoice.balance if base is None else base
    wallet = invoice.wallet
    fine_pct = min(wallet.fine_percent, Wallet.MAX_FINE)
    interest_pct = min(wallet.interest_percent_month, Wallet.MAX_INTEREST)
    days = (on - invoice.due_date).days
    fine = cents(base * fine_pct / 100)
    interest = cents(base * interest_pct / 100 / 30 * days)
    return fine, interest


def amount_due(invoice: Invoice, on: datetime.date | None = None) -> dict:
    """What the customer pays on ``on``: balance, discount (up to the due date), fine, interest."""
    on = on or timezone.localdate()
    balance = invoice.balance
    discount = min(invoice.discount, balance) if on <= invoice.due_date and not invoice.paid_amount else ZERO
    fine, interest = late_charges(invoice, on, base=balance)
    return {
        "balance": balance,
        "discount": discount,
        "fine": fine,
        "interest": interest,
        "total": balance - discount + fine + interest,
    }


def invoice_pix(invoice: Invoice, on: datetime.date | None = None) -> tuple[str, Decimal]:
    """(PIX copia e cola, amount) of ``invoice`` paid on ``on`` (default today). Up to the due
    date it is the stored payload (the face value); after it, an open invoice's payload carries the
    amount due that day (``amount_due``: balance + the wallet's fine + interest pro rata, capped at
    2 % and 1 % a month), with the same key, beneficiary and txid. ``("", 0)`` without a PIX key."""
    if not invoice.pix_payload:
        return "", ZERO
    on = on or timezone.localdate()
    if not invoice.is_open or on <= invoice.due_date:
        return invoice.pix_payload, invoice.amount
    from . import pix

    total = amount_due(invoice, on)["total"]
    wallet = invoice.wallet
    branch = wallet.branch
    payload = pix.build_brcode(
        key=wallet.pix_key,
        name=branch.legal_name or branch.name,
        city=branch.city.name if getattr(branch, "city_id", None) and branch.city is not None else "BRASIL",
        amount=total,
        txid=invoice.pix_txid or None,
        truncate=True,
    )
    return payload, total


def pix_qr_png(payload: str, *, scale: int = 8) -> bytes:
    """The PNG of the QR code of ``payload``, drawn once and kept a day in the cache (Redis in
    production): the portal's invoice page asks for it on every view, and drawing it costs about
    20 ms of CPU (bench/load.py). The payload is the key: a new amount is a new image."""
    import hashlib

    from django.core.cache import cache

    from . import pix

    key = f"pix-qr:{scale}:{hashlib.sha256(payload.encode()).hexdigest()}"
    png = cache.get(key)
    if png is None:
        png = pix.qr_png(payload, scale=scale)
        cache.set(key, png, 24 * 3600)
    return png


# --- Billing run (F-3: one invoice per active recurring contract and period) -------------------


def parse_period(period: str) -> tuple[datetime.date, datetime.date]:
    """``"2026-12"`` → (first day, last day) of the month; ``ValidationError`` naming ``period``
    (malformed, or a year outside 1900–2100: ``core.validators.parse_period``)."""
    try:
        return validators.parse_period(period)
    except ValidationError as exc:
        raise ValidationError({"period": exc.messages}) from exc


def billable_contracts(period: str, *, branch=None) -> QuerySet:
    """Active contracts billed for ``period`` that have no invoice for it yet."""
    _first, last = parse_period(period)
    qs = Contract.objects.filter(status=ContractStatus.ACTIVE, activation_date__lte=last)
    if branch is not None:
        qs = qs.filter(branch=branch)
    existing = Invoice.objects.filter(contract=OuterRef("pk"), kind=InvoiceKind.RECURRING, period=period)
    return qs.filter(~Exists(existing))


def stale_billing_runs() -> QuerySet:
    """Runs a worker should take again: running without a heartbeat for ``STALE_AFTER``, or
    queued for that long (the message that would start them was lost)."""
    stale = timezone.now() - STALE_AFTER
    Status = BillingRun.Status
    return BillingRun.objects.filter(
        Q(status=Status.QUEUED, created_at__lt=stale)
        | Q(status=Status.RUNNING, heartbeat_at__lt=stale)
        | Q(status=Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=stale)
    )


# --- Collection routine (F-9: overdue contracts get the notice, then the automatic block) -------


def oldest_overdue(contract_ids, today: datetime.date) -> dict[int, datetime.date]:
    """contract id → due date of its oldest open invoice that is past due on ``today``."""
    rows = (
        Invoice.objects.filter(
            contract_id__in=contract_ids, status__in=OPEN_STATUSES, renegotiated=False, due_date__lt=today
        )
        .values("contract_id")
        .annotate(oldest=Min("due_date"))
    )
    return {row["contract_id"]: row["oldest"] for row in rows}


def collection_candidates(today: datetime.date) -> list[int]:
    """Ids of the active contracts the routine must look at: those with an overdue invoice and
    those it blocked or notified before (to release them)."""
    overdue = Invoice.objects.filter(
        status__in=OPEN_STATUSES,
        renegotiated=False,
        due_date__lt=today,
        contract__status=ContractStatus.ACTIVE,
    ).values_list("contract_id", flat=True)
    flagged = Contract.objects.filter(
        status=ContractStatus.ACTIVE, access_status__in=(AccessStatus.OVERDUE, AccessStatus.AUTOMATIC_BLOCK)
    ).values_list("pk", flat=True)
    trusted = CollectionState.objects.filter(trust_until__isnull=False).values_list("contract_id", flat=True)
    return sorted(set(overdue) | set(flagged) | set(trusted))


def trust_unlock_available(contract: Contract) -> tuple[bool, str]:
    """(allowed, reason when not) for the trust unlock of ``contract`` now: only a contract blocked
    automatically for overdue invoices, not forbidden by an operator, once per block (F-9)."""
    if contract.status != ContractStatus.ACTIVE or contract.access_status != AccessStatus.AUTOMATIC_BLOCK:
        return False, _("Only a contract blocked automatically for overdue invoices can be trust-unlocked.")
    state = CollectionState.objects.filter(contract=contract).first()
    if state and state.trust_forbidden:
        return False, _("The trust unlock was forbidden for this contract.")
    if state and state.blocked_on and state.trust_used_for_block == state.blocked_on:
        return False, _("The trust unlock was already used for this block.")
    return True, ""


# --- Bank registration (issue 16): what the next remittance of a wallet carries ---------------

#: Registration states of a title the bank knows of (a remittance carried its entry).
AT_THE_BANK = (RegistrationStatus.SENT, RegistrationStatus.REGISTERED)


def pending_entries(wallet) -> QuerySet:
    """Open invoices of ``wallet`` with a nosso número that no remittance carried yet (01)."""
    return Invoice.objects.filter(
        wallet=wallet,
        status__in=OPEN_STATUSES,
        renegotiated=False,
        registration_status=RegistrationStatus.PENDING,
        nosso_numero__isnull=False,
    )


def pending_write_offs(wallet) -> QuerySet:
    """Invoices the bank knows of that were cancelled or renegotiated since, not yet written off (02)."""
    written_off = RemittanceItem.objects.filter(
        invoice=OuterRef("pk"), movement=RemittanceItem.Movement.WRITE_OFF
    )
    return Invoice.objects.filter(
        Q(status=InvoiceStatus.CANCELLED) | Q(renegotiated=True),
        wallet=wallet,
        registration_status__in=AT_THE_BANK,
    ).filter(~Exists(written_off))


def pending_changes(wallet) -> QuerySet:
    """Open invoices the bank knows of that changed since the last file: a new due date
    ("segunda via", 06) or a new amount (47)."""
    return Invoice.objects.filter(
        wallet=wallet,
        status__in=OPEN_STATUSES,
        renegotiated=False,
        registration_status__in=AT_THE_BANK,
        changes__gt=F("sent_changes"),
    )


def remittance_list(viewer) -> QuerySet:
    """The remittance files of the viewer's branches, newest first."""
    return Remittance.objects.restrict(viewer).select_related("wallet", "operator")
