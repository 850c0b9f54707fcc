"""Tickets ("atendimentos", SPEC T-1 … T-11) and their message thread.

Rules kept here:

- a ticket's status is never set by hand: new → in progress (an operator's message or note here;
  an action on one of its service orders or a service order created by hand, in
  ``service_orders``) → solved (``ticket_close``) or cancelled (``ticket_cancel``);
  ``ticket_reopen`` brings it back;
- the fields Enlace sets (``Ticket.AUTOMATIC_FIELDS``) and the customer are never given or
  changed by hand (400 naming the field); the process starts with the ticket and cannot change;
- the subject gives the defaults (description, department, process, priority) and may require a
  login or a contract; the address follows the address origin (``address_for``);
- opening a ticket posts the subject's opening message and opens the process's first step's
  service order;
- closing needs every service order finished (and a closing note when the subject asks);
  cancelling finishes the open service orders with the reason as closing note, without opening
  the process's next steps;
- messages: a subscriber's leaves the interaction pending on the provider, an operator's public
  one on the subscriber (and is e-mailed); a closed ticket takes none;
- opening, closing, cancelling and reopening write the contract history when a contract is linked.

The subscriber portal calls ``ticket_create`` and ``ticket_message_add`` with ``actor=None``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.services import object_save, operator_of
from enlace.core.types import Actor

from ..models import AddressOrigin, Subject, Ticket
from .common import locked_ticket, post_message, sync_instance, write_history
from .protocols import next_protocol
from .service_orders import finish_for_cancelled_ticket, open_orders, open_process_step

#: Ticket fields an operator may give or change (never status, protocol, customer, branch, origin).
TICKET_EDITABLE = frozenset(
    {
        "contract",
        "login",
        "subject",
        "subject_description",
        "description",
        "address_origin",
        "address",
        "latitude",
        "longitude",
        "process",
        "department",
        "responsible",
        "priority",
        "reserved_date",
        "best_time",
        "pending_interaction",
        "complementary_status",
    }
)


#: Never given or changed by hand: what Enlace sets, and the customer (fixed once opened).
TICKET_LOCKED = frozenset({*Ticket.AUTOMATIC_FIELDS, "customer"})


def _refuse_fields(data: dict, names, message) -> None:
    bad = sorted(set(data) & set(names))
    if bad:
        raise ValidationError({name: [message] for name in bad})


def address_for(origin: str, *, customer, contract=None, login=None):
    """(address, latitude, longitude) for the address origin (T-5): C the customer's address and
    coordinates; CC the contract's installation address; L the installation address of the login's
    contract (the customer's coordinates when the contract is installed at the customer's address).
    M (manual) answers None: the typed values stay."""
    if origin == AddressOrigin.MANUAL:
        return None
    if origin == AddressOrigin.CUSTOMER:
        return customer.address_display, customer.latitude, customer.longitude
    if origin == AddressOrigin.LOGIN:
        if login is None:
            raise ValidationError({"login": [_("Choose the login whose address is used.")]})
        contract = login.contract
    if contract is None:
        raise ValidationError({"contract": [_("Choose the contract whose address is used.")]})
    if contract.own_address:
        return contract.installation_address, None, None
    owner = contract.customer
    return owner.address_display, owner.latitude, owner.longitude


def _check_ticket(ticket: Ticket) -> None:
    errors = {}
    customer = ticket.customer
    if ticket.contract is not None and ticket.contract.customer_id != customer.pk:
        errors["contract"] = [_("Choose one of the customer's contracts.")]
    login = ticket.login
    if login is not None:
        if login.customer_id != customer.pk:
            errors["login"] = [_("Choose one of the customer's logins.")]
        elif ticket.contract_id and login.contract_id != ticket.contract_id:
            errors["login"] = [_("The login belongs to another contract.")]
    subject = ticket.subject
    if subject is not None:
        if not subject.for_tickets:
            errors["subject"] = [_("This subject is for service orders only.")]
        if subject.requires_login and not ticket.login_id:
            errors["login"] = [_("The subject “%(subject)s” requires a login.") % {"subject": subject}]
        if subject.requires_contract and not ticket.contract_id:
            errors["contract"] = [_("The subject “%(subject)s” requires a contract.") % {"subject": subject}]
    if ticket.department_id and not ticket.department.serves_tickets:
        errors["department"] = [_("This department does not serve tickets.")]
    if not (ticket.description or "").strip():
        errors["description"] = [_("Describe the request.")]
    if errors:
        raise ValidationError(errors)


def _fill_address(ticket: Ticket) -> None:
    values = address_for(
        ticket.address_origin, customer=ticket.customer, contract=ticket.contract, login=ticket.login
    )
    if values is not None:
        ticket.address, ticket.latitude, ticket.longitude = values
        ticket.address = (ticket.address or "").strip()


def ticket_create(
    *,
    actor: Actor,
    customer,
    subject: Subject,
    description: str,
    origin: str = Ticket.Origin.INTERNAL,
    contract=None,
    login=None,
    **optional_fields,
) -> Ticket:
    """Open a ticket (T-2 … T-9). Customer and branch from the record; subject description,
    department, process and priority default to the subject's; the address follows the address
    origin; the subject's default opening message is posted as a public message; the process's
    first step opens its service order."""
    _refuse_fields(optional_fields, TICKET_LOCKED, _("Set automatically; it cannot be given."))
    unknown = set(optional_fields) - TICKET_EDITABLE
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    if login is not None and contract is None:
        contract = login.contract
    ticket = Ticket(
        customer=customer,
        branch_id=customer.branch_id,
        subject=subject,
        description=description,
        origin=origin,
        contract=contract,
        login=login,
        opened_by=operator_of(actor),
    )
    if subject is not None:
        ticket.subject_description = subject.default_description
        # None when the subject has none: then a department must be given (full_clean names it).
        ticket.department = subject.default_department  # type: ignore[assignment]
        ticket.process = subject.default_process
        ticket.priority = subject.default_priority
        if not subject.active:
            raise ValidationError({"subject": [_("This subject is inactive.")]})
    for name, value in optional_fields.items():
        if name in ("subject_description",) and not value:
            continue  # empty: the subject's
        if name in ("department", "process", "priority") and value in (None, ""):
            continue
        setattr(ticket, name, value)
    ticket.pending_interaction = (
        Ticket.PendingInteraction.INTERNAL
        if origin == Ticket.Origin.HOTSITE
        else optional_fields.get("pending_interaction") or Ticket.PendingInteraction.NONE
    )
    _check_ticket(ticket)
    _fill_address(ticket)
    ticket.protocol = next_protocol("T")  # before the transaction: see next_protocol
    with transaction.atomic():
        object_save(ticket, actor=actor)
        if subject.default_opening_message:
            post_message(actor=actor, ticket=ticket, text=subject.default_opening_message, public=True)
        write_history(
            actor=actor,
            ticket=ticket,
            text=_("Ticket %(protocol)s opened: %(subject)s.")
            % {"protocol": ticket.protocol, "subject": subject},
        )
        if ticket.process is not None:
            step = ticket.process.first_step()
            if step is not None:
                open_process_step(actor=actor, ticket=ticket, step=step)
    return ticket


def ticket_update(*, actor: Actor, ticket: Ticket, **data) -> Ticket:
    """Change a ticket's data. Status, protocol, customer, branch and origin are refused (400
    naming the field): the status follows the ticket's situation (T-11). A different ``process``
    is refused too: the process starts (opens its first step's OS) with the ticket."""
    _refuse_fields(data, TICKET_LOCKED, _("This field cannot be changed by hand."))
    unknown = set(data) - TICKET_EDITABLE
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if "process" in data and getattr(data["process"], "pk", data["process"]) != locked.process_id:
            raise ValidationError(
                {"process": [_("The process starts with the ticket; it cannot be changed afterwards.")]}
            )
        for name, value in data.items():
            setattr(locked, name, value)
        if locked.login is not None and not locked.contract_id:
            locked.contract = locked.login.contract
        _check_ticket(locked)
        _fill_address(locked)
        object_save(locked, actor=actor)
    sync_instance(ticket, locked)
    return locked


def ticket_message_add(
    *, actor: Actor, ticket: Ticket, text: str, public: bool = True, by_subscriber: bool = False
):
    """Add a message to the ticket's thread (T-9, T-10). A subscriber's message leaves the
    interaction pending on the provider (I); an operator's public message leaves it pending on the
    subscriber (E) and is e-mailed to them; an operator's message or private note moves a new
    ticket to in progress. A closed or cancelled ticket takes no messages (reopen it)."""
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write the message.")]})
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if not locked.is_open:
            raise ApplicationError(
                _("Ticket %(protocol)s is %(status)s: reopen it to add messages.")
                % {"protocol": locked.protocol, "status": locked.get_status_display().lower()},
                code="ticket_closed",
                field="status",
            )
        message = post_message(
            actor=actor, ticket=locked, text=text, public=public, by_subscriber=by_subscriber
        )
        if by_subscriber:
            locked.pending_interaction = Ticket.PendingInteraction.INTERNAL
        else:
            if public:
                locked.pending_interaction = Ticket.PendingInteraction.EXTERNAL
            if locked.status == Ticket.Status.NEW:
                locked.status = Ticket.Status.IN_PROGRESS
        object_save(locked, actor=actor)
    sync_instance(ticket, locked)
    return message


def _check_can_end(ticket: Ticket, *, orders_finished: bool = True) -> None:
    """A ticket is solved or cancelled only while open; solved only once every service order is
    finished (an OS has no cancelled status)."""
    if not ticket.is_open:
        raise ApplicationError(
            _("Ticket %(protocol)s is already %(status)s.")
            % {"protocol": ticket.protocol, "status": ticket.get_status_display().lower()},
            code="invalid_transition",
            field="status",
        )
    pending = list(open_orders(ticket).values_list("protocol", flat=True)) if orders_finished else []
    if pending:
        raise ApplicationError(
            _("Finish the service orders of this ticket first: %(orders)s.") % {"orders": ", ".join(pending)},
            code="open_service_orders",
        )


def ticket_close(*, actor: Actor, ticket: Ticket, note: str = "") -> Ticket:
    """Solved ("encerrado"): every service order of the ticket must be finished, and the subject
    may require a closing note, posted to the thread as a public message."""
    with transaction.atomic():
        locked = locked_ticket(ticket)
        _check_can_end(locked)
        if locked.subject.close_requires_note and not (note or "").strip():
            raise ValidationError({"note": [_("The subject requires a closing note.")]})
        if note:
            post_message(actor=actor, ticket=locked, text=note, public=True)
        locked.status = Ticket.Status.SOLVED
        locked.closed_at = timezone.now()
        locked.pending_interaction = Ticket.PendingInteraction.NONE
        object_save(locked, actor=actor)
        write_history(
            actor=actor, ticket=locked, text=_("Ticket %(protocol)s closed.") % {"protocol": locked.protocol}
        )
    sync_instance(ticket, locked)
    return locked


def ticket_cancel(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    """Cancelled, with the reason as a private note. Its open service orders are finished first
    with the reason as closing note (an event and a history entry each; the subject's closing
    requirements don't apply) and the process's next steps are not opened."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = locked_ticket(ticket)
        _check_can_end(locked, orders_finished=False)
        for order in open_orders(locked).order_by("pk"):
            finish_for_cancelled_ticket(order, actor=actor, reason=reason)
        locked = locked_ticket(locked)  # the transitions above may have moved it in progress
        post_message(actor=actor, ticket=locked, text=reason, public=False)
        locked.status = Ticket.Status.CANCELLED
        locked.closed_at = timezone.now()
        locked.pending_interaction = Ticket.PendingInteraction.NONE
        object_save(locked, actor=actor)
        write_history(
            actor=actor,
            ticket=locked,
            text=_("Ticket %(protocol)s cancelled: %(reason)s")
            % {"protocol": locked.protocol, "reason": reason},
        )
    sync_instance(ticket, locked)
    return locked


def ticket_reopen(*, actor: Actor, ticket: Ticket, reason: str) -> Ticket:
    """A solved or cancelled ticket back in progress, with the reason as a private note."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if locked.is_open:
            raise ApplicationError(
                _("Ticket %(protocol)s is open.") % {"protocol": locked.protocol},
                code="invalid_transition",
                field="status",
            )
        locked.status = Ticket.Status.IN_PROGRESS
        locked.closed_at = None
        object_save(locked, actor=actor)
        post_message(actor=actor, ticket=locked, text=reason, public=False)
        write_history(
            actor=actor,
            ticket=locked,
            text=_("Ticket %(protocol)s reopened: %(reason)s")
            % {"protocol": locked.protocol, "reason": reason},
        )
    sync_instance(ticket, locked)
    return locked
