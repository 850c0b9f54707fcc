"""Writers of support: tickets and their messages (SPEC T-1 … T-11), service orders and their life
cycle (S-1, S-2), subjects and processes.

Rules kept here and nowhere else:

- protocols: ``YYYYMMDD`` + a six-digit daily sequence, taken from the day's ``ProtocolCounter``
  row under ``select_for_update`` inside the writer's transaction (the unique constraint on
  ``protocol`` backs it up); tickets and service orders have sequences of their own;
- a ticket's status is never set by hand: new → in progress (an operator's message or note, or an
  action on one of its service orders) → solved (``ticket_close``) or cancelled (``ticket_cancel``);
- a service order moves only through ``service_order_<action>`` (the table ``TRANSITIONS``), each
  writing a ``ServiceOrderEvent``; a refused transition raises ``ApplicationError`` naming the
  status;
- finishing the service order of a process step opens the next step's (unless the ticket already
  has one for it) and sets the ticket's complementary status; the ticket stays in progress after
  the last step, until an operator closes it; steps are updated in place and a step with open
  service orders cannot be deleted;
- scheduling, and every transition that makes a scheduled order hold its slot again or changes its
  technician, locks the technician's employee row and refuses an overlapping slot;
- cancelling a ticket finishes its open service orders (reason as closing note) without opening
  the process's next steps;
- locks are taken ticket first, then service order;
- opening, closing, cancelling and reopening a ticket and every service order transition write
  the contract history when a contract is linked;
- public operator messages are e-mailed to the customer after commit.

The subscriber portal calls ``ticket_create`` and ``ticket_message_add`` with ``actor=None``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import ContractHistory
from enlace.contracts.services import history_add
from enlace.core import mail
from enlace.core.exceptions import ApplicationError
from enlace.core.models import Employee
from enlace.core.services import object_delete, object_save, operator_name_of, operator_of

from .models import (
    AddressOrigin,
    Process,
    ProcessStep,
    ProtocolCounter,
    ServiceOrder,
    ServiceOrderEvent,
    Subject,
    Ticket,
    TicketMessage,
)

log = logging.getLogger(__name__)

S = ServiceOrder.Status
Action = ServiceOrderEvent.Action

#: action → (statuses it may start from, status it leads to; None keeps the status).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ANALYSE: (frozenset({S.OPEN, S.FORWARDED, S.ASSUMED}), S.ANALYSIS),
    Action.FORWARD: (frozenset({S.OPEN, S.ANALYSIS, S.ASSUMED, S.AWAITING_RESCHEDULE}), S.FORWARDED),
    Action.ASSUME: (frozenset({S.OPEN, S.ANALYSIS, S.FORWARDED, S.AWAITING_RESCHEDULE}), S.ASSUMED),
    Action.ASSIGN: (frozenset(set(S.values) - {S.FINISHED}), None),
    Action.SCHEDULE: (
        frozenset({S.OPEN, S.ANALYSIS, S.FORWARDED, S.ASSUMED, S.SCHEDULED, S.AWAITING_RESCHEDULE}),
        S.SCHEDULED,
    ),
    Action.TRAVEL: (frozenset({S.ASSUMED, S.SCHEDULED}), S.TRAVELLING),
    Action.START: (frozenset({S.ASSUMED, S.SCHEDULED, S.TRAVELLING}), S.EXECUTING),
    Action.FINISH: (
        frozenset({S.OPEN, S.ANALYSIS, S.FORWARDED, S.ASSUMED, S.SCHEDULED, S.TRAVELLING, S.EXECUTING}),
        S.FINISHED,
    ),
    Action.AWAIT_RESCHEDULE: (frozenset({S.SCHEDULED, S.TRAVELLING, S.EXECUTING}), S.AWAITING_RESCHEDULE),
    Action.REOPEN: (frozenset({S.FINISHED}), S.OPEN),
}

#: Statuses whose scheduled slot still holds the technician.
SLOT_HOLDING = (S.OPEN, S.ANALYSIS, S.FORWARDED, S.ASSUMED, S.SCHEDULED, S.TRAVELLING, S.EXECUTING)

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
TICKET_LOCKED = frozenset({"status", "protocol", "customer", "branch", "origin", "opened_at", "closed_at"})


# --- Protocols ------------------------------------------------------------------------------


def next_protocol(kind: str, day=None) -> str:
    """The next protocol of ``kind`` ("T" tickets, "O" service orders) for ``day`` (today).

    The day's counter row is locked while it is incremented, so two concurrent writers never get
    the same number. Called outside a transaction (as the creating services do before they open
    theirs) the increment commits at once and the lock lasts one statement; the price is that a
    record that then fails to save leaves its number unused — protocols may skip, never repeat.
    Called inside a transaction, the row stays locked until that commit. The row is created on the
    first call of the day; two writers racing to create it meet the unique constraint and the
    loser takes the winner's row."""
    day = day or timezone.localdate()
    with transaction.atomic():
        counter = ProtocolCounter.objects.select_for_update().filter(kind=kind, day=day).first()
        if counter is None:
            try:
                with transaction.atomic():
                    ProtocolCounter.objects.create(kind=kind, day=day, last=0)
            except IntegrityError:
                pass  # created by a concurrent writer: take its row below
            counter = ProtocolCounter.objects.select_for_update().get(kind=kind, day=day)
        number = counter.last + 1
        ProtocolCounter.objects.filter(pk=counter.pk).update(last=number)
    return f"{day:%Y%m%d}{number:06d}"


# --- Helpers --------------------------------------------------------------------------------


def _refuse_fields(data: dict, names, message) -> None:
    bad = sorted(set(data) & set(names))
    if bad:
        raise ValidationError({name: [message] for name in bad})


def _history(*, actor, ticket=None, order=None, text: str) -> None:
    contract = (order or ticket).contract
    if contract is None:
        return
    kind = ContractHistory.Kind.SERVICE_ORDER if order is not None else ContractHistory.Kind.TICKET
    history_add(actor=actor, customer=contract.customer, contract=contract, kind=kind, text=text)


def employee_of(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.filter(user=user).first()


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
    if ticket.contract_id and ticket.contract.customer_id != customer.pk:
        errors["contract"] = [_("Choose one of the customer's contracts.")]
    if ticket.login_id:
        if ticket.login.customer_id != customer.pk:
            errors["login"] = [_("Choose one of the customer's logins.")]
        elif ticket.contract_id and ticket.login.contract_id != ticket.contract_id:
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


def _email_copy(message: TicketMessage) -> None:
    """A copy of a public operator message to the customer's e-mails (K-3)."""
    ticket = message.ticket
    recipients = ticket.customer.emails
    if not recipients:
        return
    subject = _("[Protocol %(protocol)s] %(subject)s") % {
        "protocol": ticket.protocol,
        "subject": ticket.subject,
    }
    body = _("%(text)s\n\n— %(author)s\nProtocol: %(protocol)s") % {
        "text": message.text,
        "author": message.author_name or _("Support"),
        "protocol": ticket.protocol,
    }

    # Queued in the message's transaction (core.mail): sent after the commit, retried while the
    # mail server is down, once per message.
    mail.enqueue(to=recipients, subject=subject, text=body, dedup_key=f"ticket-message:{message.pk}")


def _post(*, actor, ticket, text, public, by_subscriber=False, automatic=False) -> TicketMessage:
    message = TicketMessage(
        ticket=ticket,
        text=text,
        public=public or by_subscriber,
        by_subscriber=by_subscriber,
        author=None if by_subscriber else operator_of(actor),
        author_name=ticket.customer.name[:150] if by_subscriber else operator_name_of(actor),
    )
    object_save(message, actor=actor)
    if message.public and not by_subscriber:
        _email_copy(message)
    return message


def _locked_ticket(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("customer", "subject").get(pk=ticket.pk)


def _sync(target, source) -> None:
    """Copy the saved state of ``source`` onto the caller's instance."""
    if target is not source:
        target.refresh_from_db()


# --- Tickets --------------------------------------------------------------------------------


def ticket_create(
    *,
    actor,
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
        ticket.department = subject.default_department
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
            _post(
                actor=actor, ticket=ticket, text=subject.default_opening_message, public=True, automatic=True
            )
        _history(
            actor=actor,
            ticket=ticket,
            text=_("Ticket %(protocol)s opened: %(subject)s.")
            % {"protocol": ticket.protocol, "subject": subject},
        )
        if ticket.process_id:
            step = ticket.process.first_step()
            if step is not None:
                _open_step(actor=actor, ticket=ticket, step=step)
    return ticket


def ticket_update(*, actor, ticket: Ticket, **data) -> Ticket:
    """Change a ticket's data. Status, protocol, customer, branch and origin are refused (400
    naming the field): the status follows the ticket's situation (T-11). A different ``process``
    is refused too: the process starts (opens its first step's OS) with the ticket."""
    _refuse_fields(data, TICKET_LOCKED, _("This field cannot be changed by hand."))
    unknown = set(data) - TICKET_EDITABLE
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})
    with transaction.atomic():
        locked = _locked_ticket(ticket)
        if "process" in data and getattr(data["process"], "pk", data["process"]) != locked.process_id:
            raise ValidationError(
                {"process": [_("The process starts with the ticket; it cannot be changed afterwards.")]}
            )
        for name, value in data.items():
            setattr(locked, name, value)
        if locked.login_id and not locked.contract_id:
            locked.contract = locked.login.contract
        _check_ticket(locked)
        _fill_address(locked)
        object_save(locked, actor=actor)
    _sync(ticket, locked)
    return locked


def ticket_message_add(*, actor, ticket: Ticket, text: str, public: bool = True, by_subscriber: bool = False):
    """Add a message to the ticket's thread (T-9, T-10). A subscriber's message leaves the
    interaction pending on the provider (I); an operator's public message leaves it pending on the
    subscriber (E) and is e-mailed to them; an operator's message or private note moves a new
    ticket to in progress. A closed or cancelled ticket takes no messages (reopen it)."""
    if not (text or "").strip():
        raise ValidationError({"text": [_("Write the message.")]})
    with transaction.atomic():
        locked = _locked_ticket(ticket)
        if not locked.is_open:
            raise ApplicationError(
                _("Ticket %(protocol)s is %(status)s: reopen it to add messages.")
                % {"protocol": locked.protocol, "status": locked.get_status_display().lower()},
                code="ticket_closed",
                field="status",
            )
        message = _post(actor=actor, ticket=locked, text=text, public=public, by_subscriber=by_subscriber)
        if by_subscriber:
            locked.pending_interaction = Ticket.PendingInteraction.INTERNAL
        else:
            if public:
                locked.pending_interaction = Ticket.PendingInteraction.EXTERNAL
            if locked.status == Ticket.Status.NEW:
                locked.status = Ticket.Status.IN_PROGRESS
        object_save(locked, actor=actor)
    _sync(ticket, locked)
    return message


def _open_orders(ticket: Ticket):
    return ticket.service_orders.exclude(status=S.FINISHED)


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
    pending = list(_open_orders(ticket).values_list("protocol", flat=True)) if orders_finished else []
    if pending:
        raise ApplicationError(
            _("Finish the service orders of this ticket first: %(orders)s.") % {"orders": ", ".join(pending)},
            code="open_service_orders",
        )


def ticket_close(*, actor, ticket: Ticket, note: str = "") -> Ticket:
    """Solved ("encerrado"): every service order of the ticket must be finished, and the subject
    may require a closing note, posted to the thread as a public message."""
    with transaction.atomic():
        locked = _locked_ticket(ticket)
        _check_can_end(locked)
        if locked.subject.close_requires_note and not (note or "").strip():
            raise ValidationError({"note": [_("The subject requires a closing note.")]})
        if note:
            _post(actor=actor, ticket=locked, text=note, public=True)
        locked.status = Ticket.Status.SOLVED
        locked.closed_at = timezone.now()
        locked.pending_interaction = Ticket.PendingInteraction.NONE
        object_save(locked, actor=actor)
        _history(
            actor=actor, ticket=locked, text=_("Ticket %(protocol)s closed.") % {"protocol": locked.protocol}
        )
    _sync(ticket, locked)
    return locked


def ticket_cancel(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """Cancelled, with the reason as a private note. Its open service orders are finished first
    with the reason as closing note (an event and a history entry each; the subject's closing
    requirements don't apply) and the process's next steps are not opened."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = _locked_ticket(ticket)
        _check_can_end(locked, orders_finished=False)
        for order in _open_orders(locked).order_by("pk"):
            _finish_on_cancel(order, actor=actor, reason=reason)
        locked = _locked_ticket(locked)  # the transitions above may have moved it in progress
        _post(actor=actor, ticket=locked, text=reason, public=False)
        locked.status = Ticket.Status.CANCELLED
        locked.closed_at = timezone.now()
        locked.pending_interaction = Ticket.PendingInteraction.NONE
        object_save(locked, actor=actor)
        _history(
            actor=actor,
            ticket=locked,
            text=_("Ticket %(protocol)s cancelled: %(reason)s")
            % {"protocol": locked.protocol, "reason": reason},
        )
    _sync(ticket, locked)
    return locked


def _finish_on_cancel(order: ServiceOrder, *, actor, reason: str) -> None:
    def prepare(locked):
        locked.closing_note = reason.strip()
        locked.finished_at = timezone.now()

    _transition(order, actor=actor, action=Action.FINISH, note=reason.strip(), prepare=prepare, chain=False)


def ticket_reopen(*, actor, ticket: Ticket, reason: str) -> Ticket:
    """A solved or cancelled ticket back in progress, with the reason as a private note."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        locked = _locked_ticket(ticket)
        if locked.is_open:
            raise ApplicationError(
                _("Ticket %(protocol)s is open.") % {"protocol": locked.protocol},
                code="invalid_transition",
                field="status",
            )
        locked.status = Ticket.Status.IN_PROGRESS
        locked.closed_at = None
        object_save(locked, actor=actor)
        _post(actor=actor, ticket=locked, text=reason, public=False)
        _history(
            actor=actor,
            ticket=locked,
            text=_("Ticket %(protocol)s reopened: %(reason)s")
            % {"protocol": locked.protocol, "reason": reason},
        )
    _sync(ticket, locked)
    return locked


def _ticket_in_progress(ticket: Ticket | None, *, actor) -> None:
    """An action on a service order (or a new one by hand) puts its new ticket in progress."""
    if ticket is None:
        return
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status == Ticket.Status.NEW:
        locked.status = Ticket.Status.IN_PROGRESS
        object_save(locked, actor=actor)


# --- Service orders -------------------------------------------------------------------------

ORDER_FIELDS = frozenset(
    {
        "contract",
        "login",
        "subject",
        "department",
        "description",
        "priority",
        "address",
        "latitude",
        "longitude",
    }
)


def _event(*, actor, order, action, from_status, note="", latitude=None, longitude=None):
    event = ServiceOrderEvent(
        service_order=order,
        action=action,
        from_status=from_status or "",
        to_status=order.status,
        note=note or "",
        operator=operator_of(actor),
        operator_name=operator_name_of(actor),
        latitude=latitude,
        longitude=longitude,
    )
    return object_save(event, actor=actor)


def _check_order(order: ServiceOrder) -> None:
    errors = {}
    if order.subject_id and not order.subject.for_service_orders:
        errors["subject"] = [_("This subject is for tickets only.")]
    if order.department_id and not order.department.serves_tickets:
        errors["department"] = [_("This department does not serve tickets.")]
    if order.contract_id and order.contract.customer_id != order.customer_id:
        errors["contract"] = [_("Choose one of the customer's contracts.")]
    if order.login_id and order.login.customer_id != order.customer_id:
        errors["login"] = [_("Choose one of the customer's logins.")]
    if order.ticket_id and order.ticket.customer_id != order.customer_id:
        errors["ticket"] = [_("The ticket is another customer's.")]
    if not (order.description or "").strip():
        errors["description"] = [_("Describe the service.")]
    if errors:
        raise ValidationError(errors)


def _create_order(*, actor, customer, ticket=None, step=None, protocol=None, **fields) -> ServiceOrder:
    order = ServiceOrder(customer=customer, branch_id=customer.branch_id, ticket=ticket, process_step=step)
    if ticket is not None:
        order.contract, order.login = ticket.contract, ticket.login
        order.address, order.latitude, order.longitude = ticket.address, ticket.latitude, ticket.longitude
        order.priority = ticket.priority
    technician = fields.pop("technician", None)
    for name, value in fields.items():
        if value is not None:
            setattr(order, name, value)
    if order.subject_id and not order.department_id and order.subject.default_department_id:
        order.department_id = order.subject.default_department_id
    if order.address == "" and ticket is None:
        order.address, order.latitude, order.longitude = (
            customer.address_display,
            customer.latitude,
            customer.longitude,
        )
    _check_order(order)
    order.protocol = protocol or next_protocol("O")
    object_save(order, actor=actor)
    _event(actor=actor, order=order, action=Action.OPEN, from_status="")
    _history(
        actor=actor,
        order=order,
        text=_("Service order %(protocol)s opened: %(subject)s.")
        % {"protocol": order.protocol, "subject": order.subject},
    )
    if technician is not None:
        order.technician = technician
        object_save(order, actor=actor)
        _event(
            actor=actor,
            order=order,
            action=Action.ASSIGN,
            from_status=order.status,
            note=_("Technician: %(name)s") % {"name": technician},
        )
    return order


def _open_step(*, actor, ticket: Ticket, step: ProcessStep) -> ServiceOrder:
    order = _create_order(
        actor=actor,
        customer=ticket.customer,
        ticket=ticket,
        step=step,
        subject=step.subject,
        department=step.department,
        description=step.description or ticket.description,
        technician=step.technician,
    )
    if step.complementary_status:
        Ticket.objects.filter(pk=ticket.pk).update(complementary_status=step.complementary_status)
        ticket.complementary_status = step.complementary_status
    return order


def _check_ticket_open(ticket: Ticket) -> None:
    if not ticket.is_open:
        raise ApplicationError(
            _("Ticket %(protocol)s is closed: reopen it first.") % {"protocol": ticket.protocol},
            code="ticket_closed",
            field="ticket",
        )


def service_order_create(
    *, actor, subject, description, customer=None, ticket=None, **fields
) -> ServiceOrder:
    """A service order by hand (S-2), from a ticket (customer, contract, login and address from it;
    the ticket goes in progress) or alone for a customer. Subject, department and description are
    required; it opens as Aberta (A) with its first event."""
    unknown = set(fields) - ORDER_FIELDS - {"technician"}
    if unknown:
        raise ValidationError(
            {name: [_("Set automatically; it cannot be given.")] for name in sorted(unknown)}
        )
    if ticket is not None:
        if customer is not None and customer.pk != ticket.customer_id:
            raise ValidationError({"customer": [_("The ticket is another customer's.")]})
        customer = ticket.customer
        _check_ticket_open(ticket)
    if customer is None:
        raise ValidationError({"customer": [_("Choose the customer.")]})
    protocol = next_protocol("O")  # before the transaction: see next_protocol
    with transaction.atomic():
        if ticket is not None:
            ticket = _locked_ticket(ticket)  # checked again under the lock: a close may have raced
            _check_ticket_open(ticket)
        order = _create_order(
            actor=actor,
            customer=customer,
            ticket=ticket,
            protocol=protocol,
            subject=subject,
            description=description,
            **fields,
        )
        _ticket_in_progress(ticket, actor=actor)
    return order


def service_order_update(*, actor, order: ServiceOrder, **data) -> ServiceOrder:
    """Change the data of an open service order (not its status, technician or schedule: those
    change through the actions)."""
    unknown = set(data) - ORDER_FIELDS
    if unknown:
        raise ValidationError(
            {name: [_("This field changes through the service order's actions.")] for name in sorted(unknown)}
        )
    with transaction.atomic():
        locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status == S.FINISHED:
            raise ApplicationError(
                _("A finished service order cannot be changed; reopen it first."),
                code="finished",
                field="status",
            )
        for name, value in data.items():
            setattr(locked, name, value)
        _check_order(locked)
        object_save(locked, actor=actor)
    _sync(order, locked)
    return locked


def _transition(
    order: ServiceOrder,
    *,
    actor,
    action: str,
    note: str = "",
    latitude=None,
    longitude=None,
    prepare=None,
    chain: bool = True,
) -> ServiceOrder:
    """Lock the order's ticket (if any) and then the order, check ``action`` is allowed from its
    status, apply ``prepare(locked)``, check the technician's slot, save, write the event (and the
    contract history) and put its ticket in progress. ``chain=False`` finishes without opening the
    process's next step (a cancelled ticket).

    Locks are always taken ticket first, then service order (as ``ticket_cancel`` does), so a
    transition and a cancel of the same ticket never deadlock."""
    allowed, target = TRANSITIONS[action]
    with transaction.atomic():
        ticket_id = ServiceOrder.objects.filter(pk=order.pk).values_list("ticket_id", flat=True).first()
        if ticket_id is not None:
            Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        locked = ServiceOrder.objects.select_for_update().select_related("subject").get(pk=order.pk)
        if locked.status not in allowed:
            raise ApplicationError(
                _("A service order in status “%(status)s” cannot go to “%(action)s”.")
                % {"status": locked.get_status_display(), "action": Action(action).label},
                code="invalid_transition",
                field="status",
            )
        from_status = locked.status
        before = (from_status, locked.technician_id, locked.scheduled_start, locked.scheduled_end)
        if target is not None:
            locked.status = target
        if prepare is not None:
            extra = prepare(locked)
            if extra:
                note = f"{note} ({extra})" if note else str(extra)
        _check_slot(locked, before)
        object_save(locked, actor=actor)
        _event(
            actor=actor,
            order=locked,
            action=action,
            from_status=from_status,
            note=note,
            latitude=latitude,
            longitude=longitude,
        )
        _history(
            actor=actor,
            order=locked,
            text=_("Service order %(protocol)s: %(action)s (%(status)s).%(note)s")
            % {
                "protocol": locked.protocol,
                "action": Action(action).label,
                "status": locked.get_status_display(),
                "note": f" {note}" if note else "",
            },
        )
        _ticket_in_progress(locked.ticket, actor=actor)
        if action == Action.FINISH and chain:
            _after_finish(locked, actor=actor)
    _sync(order, locked)
    return locked


def _after_finish(order: ServiceOrder, *, actor) -> None:
    """T-6: the next step of the process opens its service order; after the last step the ticket
    gets a private note and stays in progress until an operator closes it."""
    step, ticket = order.process_step, order.ticket
    if step is None or ticket is None:
        return
    nxt = step.next_step()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if nxt is not None:
        # A reopened step finished again: the next step's OS already exists (finished or not).
        if not ticket.service_orders.filter(process_step=nxt).exists():
            _open_step(actor=actor, ticket=ticket, step=nxt)
    else:
        _post(
            actor=actor,
            ticket=ticket,
            text=_("Every service order of the process “%(process)s” is finished.")
            % {"process": step.process},
            public=False,
            automatic=True,
        )


def _technician_required(technician):
    if technician is None:
        raise ValidationError({"technician": [_("Choose the technician.")]})


def service_order_analyse(*, actor, order, note="", latitude=None, longitude=None):
    """→ Análise (AN)."""
    return _transition(
        order, actor=actor, action=Action.ANALYSE, note=note, latitude=latitude, longitude=longitude
    )


def service_order_forward(*, actor, order, department=None, technician=None, note=""):
    """→ Encaminhada (EN), to another department and/or technician."""

    def prepare(locked):
        if department is not None:
            if not department.serves_tickets:
                raise ValidationError({"department": [_("This department does not serve tickets.")]})
            locked.department = department
        if technician is not None:
            locked.technician = technician

    return _transition(order, actor=actor, action=Action.FORWARD, note=note, prepare=prepare)


def service_order_assume(*, actor, order, technician=None, note="", latitude=None, longitude=None):
    """→ Assumida (AS): the technician (default: the acting operator's employee record) takes it."""
    technician = technician or employee_of(actor)
    _technician_required(technician)

    def prepare(locked):
        locked.technician = technician

    return _transition(
        order,
        actor=actor,
        action=Action.ASSUME,
        note=note,
        latitude=latitude,
        longitude=longitude,
        prepare=prepare,
    )


def _check_clash(order: ServiceOrder, technician, start, end) -> None:
    # The technician's row lock serializes every scheduler of this technician: the check below and
    # the save that follows cannot interleave with another one.
    Employee.objects.select_for_update().filter(pk=technician.pk).first()
    clash = (
        ServiceOrder.objects.filter(
            technician=technician, status__in=SLOT_HOLDING, scheduled_start__lt=end, scheduled_end__gt=start
        )
        .exclude(pk=order.pk)
        .order_by("scheduled_start")
        .first()
    )
    if clash is not None:
        tz = timezone.get_current_timezone()
        raise ApplicationError(
            _("%(technician)s already has service order %(protocol)s from %(start)s to %(end)s.")
            % {
                "technician": technician,
                "protocol": clash.protocol,
                "start": timezone.localtime(clash.scheduled_start, tz).strftime("%d/%m/%Y %H:%M"),
                "end": timezone.localtime(clash.scheduled_end, tz).strftime("%d/%m/%Y %H:%M"),
            },
            code="schedule_clash",
            field="scheduled_start",
        )


def _check_slot(locked: ServiceOrder, before: tuple) -> None:
    """Every transition that leaves the order holding its scheduled slot — entering a slot-holding
    status, changing the technician or the times — checks the technician's agenda."""
    from_status, technician_id, start, end = before
    if not (locked.technician_id and locked.scheduled_start and locked.scheduled_end):
        return
    if locked.status not in SLOT_HOLDING:
        return
    if (
        from_status in SLOT_HOLDING
        and technician_id == locked.technician_id
        and (start, end) == (locked.scheduled_start, locked.scheduled_end)
    ):
        return
    _check_clash(locked, locked.technician, locked.scheduled_start, locked.scheduled_end)


def _slot_taken(order: ServiceOrder) -> bool:
    return (
        ServiceOrder.objects.filter(
            technician_id=order.technician_id,
            status__in=SLOT_HOLDING,
            scheduled_start__lt=order.scheduled_end,
            scheduled_end__gt=order.scheduled_start,
        )
        .exclude(pk=order.pk)
        .exists()
    )


def service_order_assign(*, actor, order, technician, note=""):
    """Give the service order to a technician (status unchanged). A scheduled slot must be free in
    the new technician's agenda."""
    _technician_required(technician)

    def prepare(locked):
        locked.technician = technician  # a scheduled slot is checked by _transition

    return _transition(
        order,
        actor=actor,
        action=Action.ASSIGN,
        note=note or _("Technician: %(name)s") % {"name": technician},
        prepare=prepare,
    )


def service_order_schedule(*, actor, order, start, end, technician=None, note=""):
    """→ Agendada (AG) from ``start`` to ``end`` for the technician (given, or the one assigned).
    An overlapping slot of the same technician is refused."""
    if start is None:
        raise ValidationError({"scheduled_start": [_("Give the start.")]})
    if end is None or end <= start:
        raise ValidationError({"scheduled_end": [_("The end must be after the start.")]})

    def prepare(locked):
        tech = technician or locked.technician
        _technician_required(tech)
        locked.technician, locked.scheduled_start, locked.scheduled_end = tech, start, end
        # the slot is checked by _transition (_check_slot)

    tz = timezone.get_current_timezone()
    text = note or _("%(start)s – %(end)s") % {
        "start": timezone.localtime(start, tz).strftime("%d/%m/%Y %H:%M"),
        "end": timezone.localtime(end, tz).strftime("%d/%m/%Y %H:%M"),
    }
    return _transition(order, actor=actor, action=Action.SCHEDULE, note=text, prepare=prepare)


def service_order_travel(*, actor, order, note="", latitude=None, longitude=None):
    """→ Deslocamento (DS): the technician is on the way."""
    return _transition(
        order, actor=actor, action=Action.TRAVEL, note=note, latitude=latitude, longitude=longitude
    )


def service_order_start(*, actor, order, note="", latitude=None, longitude=None):
    """→ Execução (EX)."""
    return _transition(
        order, actor=actor, action=Action.START, note=note, latitude=latitude, longitude=longitude
    )


def service_order_finish(*, actor, order, closing_note="", note="", latitude=None, longitude=None):
    """→ Finalizada (F) with the closing note; the subject's closing requirements apply. The next
    step of the ticket's process opens its service order."""

    def prepare(locked):
        errors = {}
        if locked.subject.close_requires_note and not (closing_note or "").strip():
            errors["closing_note"] = [_("The subject requires a closing note.")]
        if locked.subject.close_requires_technician and not locked.technician_id:
            errors["technician"] = [_("The subject requires a technician: assign one first.")]
        if errors:
            raise ValidationError(errors)
        locked.closing_note = closing_note or ""
        locked.finished_at = timezone.now()

    return _transition(
        order,
        actor=actor,
        action=Action.FINISH,
        note=note or closing_note,
        latitude=latitude,
        longitude=longitude,
        prepare=prepare,
    )


def service_order_await_reschedule(*, actor, order, note, latitude=None, longitude=None):
    """→ Aguardando reagendamento (RAG): the visit could not be done; the reason is required and
    the slot is released."""
    if not (note or "").strip():
        raise ValidationError({"note": [_("Give the reason.")]})
    return _transition(
        order, actor=actor, action=Action.AWAIT_RESCHEDULE, note=note, latitude=latitude, longitude=longitude
    )


def service_order_reopen(*, actor, order, note):
    """Finalizada → Aberta (A) with the reason; the closing note is cleared and a solved or
    cancelled ticket is reopened. The schedule stays when its slot is still free in the
    technician's agenda and is released (noted in the event) when it is taken."""
    if not (note or "").strip():
        raise ValidationError({"note": [_("Give the reason.")]})

    def prepare(locked):
        locked.closing_note = ""
        locked.finished_at = None
        if locked.ticket_id:
            # Read under the row lock: a concurrent close or cancel is seen, never overwritten.
            ticket = Ticket.objects.select_for_update().get(pk=locked.ticket_id)
            if not ticket.is_open:
                ticket.status, ticket.closed_at = Ticket.Status.IN_PROGRESS, None
                object_save(ticket, actor=actor)
        if locked.technician_id and locked.scheduled_start and locked.scheduled_end and _slot_taken(locked):
            # The old slot went to another service order meanwhile; a finished order cannot be
            # rescheduled, so refusing would leave it finished for good: release the slot instead.
            locked.scheduled_start = locked.scheduled_end = None
            return _("The old schedule was released: the slot is taken.")
        return None

    return _transition(order, actor=actor, action=Action.REOPEN, note=note, prepare=prepare)


#: action → service, for views and the API.
ACTIONS = {
    Action.ANALYSE: service_order_analyse,
    Action.FORWARD: service_order_forward,
    Action.ASSUME: service_order_assume,
    Action.ASSIGN: service_order_assign,
    Action.SCHEDULE: service_order_schedule,
    Action.TRAVEL: service_order_travel,
    Action.START: service_order_start,
    Action.FINISH: service_order_finish,
    Action.AWAIT_RESCHEDULE: service_order_await_reschedule,
    Action.REOPEN: service_order_reopen,
}


#: The keyword arguments each service takes besides actor, order and note.
_TAKES_POSITION = {
    Action.ANALYSE,
    Action.ASSUME,
    Action.TRAVEL,
    Action.START,
    Action.FINISH,
    Action.AWAIT_RESCHEDULE,
}


def action_kwargs(action: str, data: dict) -> dict:
    """Map an action's validated parameters (web form or API) onto its service's keyword arguments."""
    kwargs = {"note": data.get("note", "")}
    if action in _TAKES_POSITION:
        kwargs["latitude"], kwargs["longitude"] = data.get("latitude"), data.get("longitude")
    if "technician" in data:
        kwargs["technician"] = data["technician"]
    if action == Action.FORWARD and "department" in data:
        kwargs["department"] = data["department"]
    if action == Action.SCHEDULE:
        kwargs["start"], kwargs["end"] = data["scheduled_start"], data["scheduled_end"]
    if action == Action.FINISH:
        kwargs["closing_note"] = data.get("closing_note", "")
    return kwargs


def allowed_actions(order: ServiceOrder) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if order.status in sources]


# --- Reference data -------------------------------------------------------------------------


def subject_save(subject: Subject, *, actor) -> Subject:
    return object_save(subject, actor=actor)


def _check_step(step: ProcessStep, *, actor, technician_changed: bool = True, label: str = "") -> None:
    """A step's subject must allow service orders; its technician (when given or changed) must be
    an active technician within the operator's branches — the choices of ``ProcessStepForm``."""
    errors = {}
    if step.subject_id and not step.subject.for_service_orders:
        errors["subject"] = [label + _("Choose a subject for service orders.")]
    if step.technician_id and technician_changed:
        allowed = Employee.objects.restrict(actor).filter(active=True, is_technician=True)
        if not allowed.filter(pk=step.technician_id).exists():
            errors["technician"] = [label + _("Choose an active technician within your branches.")]
    if errors:
        raise ValidationError(errors)


def _refuse_open_orders(step: ProcessStep) -> None:
    running = list(
        ServiceOrder.objects.filter(process_step=step)
        .exclude(status=S.FINISHED)
        .values_list("protocol", flat=True)
    )
    if running:
        raise ApplicationError(
            _("Step %(step)s has open service orders (%(orders)s): finish them before removing the step.")
            % {"step": f"{step.order}. {step.subject}", "orders": ", ".join(running)},
            code="step_in_use",
            field="steps",
        )


def process_save(process: Process, *, actor, steps: list[dict] | None = None) -> Process:
    """Save a process and, when ``steps`` is given, make its steps that list (numbered 1, 2, … in
    the given order) in the same transaction. Steps are updated in place — matched by ``id``, else
    by position — so the service orders running on them keep their step and the chain goes on;
    a step left out is deleted, refused while it has open service orders."""
    with transaction.atomic():
        object_save(process, actor=actor)
        if steps is not None:
            _replace_steps(process, actor=actor, steps=steps)
    return process


def _replace_steps(process: Process, *, actor, steps: list[dict]) -> None:
    existing = {step.pk: step for step in process.steps.select_for_update().order_by("order", "id")}
    by_order = {step.order: step for step in existing.values()}
    wanted_ids = {values.get("id") for values in steps} - {None}
    foreign = sorted(wanted_ids - set(existing), key=str)
    if foreign:
        raise ValidationError(
            {"steps": [_("Step %(id)s is not a step of this process.") % {"id": foreign[0]}]}
        )
    plan, taken = [], set()
    for number, values in enumerate(steps, start=1):
        step = existing.get(values.get("id"))
        if step is None:
            candidate = by_order.get(number)
            if candidate is not None and candidate.pk not in wanted_ids and candidate.pk not in taken:
                step = candidate
        if step is not None:
            taken.add(step.pk)
        plan.append((number, values, step))
    for step in existing.values():
        if step.pk not in taken:
            _refuse_open_orders(step)
            object_delete(step, actor=actor)
    # Move the kept steps out of the way of the unique (process, order) before renumbering.
    if taken:
        top = max([*by_order, len(steps)])
        for step in existing.values():
            if step.pk in taken:
                ProcessStep.objects.filter(pk=step.pk).update(order=step.order + top)
    for number, values, step in plan:
        values = {k: v for k, v in values.items() if k not in ("id", "order", "process")}
        old_technician = step.technician_id if step is not None else None
        if step is None:
            step = ProcessStep(process=process)
        for name, value in values.items():
            setattr(step, name, value)
        step.order = number
        _check_step(
            step,
            actor=actor,
            technician_changed=step.technician_id != old_technician,
            label=_("Step %(number)s: ") % {"number": number},
        )
        object_save(step, actor=actor)


def process_step_save(step: ProcessStep, *, actor) -> ProcessStep:
    old = (
        ProcessStep.objects.filter(pk=step.pk).values_list("technician_id", flat=True).first()
        if step.pk
        else None
    )
    _check_step(step, actor=actor, technician_changed=step.technician_id != old)
    return object_save(step, actor=actor)


def process_delete(process: Process, *, actor) -> None:
    """Delete a process (and its steps); refused while a step has open service orders."""
    with transaction.atomic():
        for step in process.steps.select_for_update().order_by("order"):
            _refuse_open_orders(step)
        object_delete(process, actor=actor)


def process_step_delete(step: ProcessStep, *, actor) -> None:
    """Delete a step; refused while it has open service orders (they would lose their step and
    the process would stop there)."""
    with transaction.atomic():
        step = ProcessStep.objects.select_for_update().get(pk=step.pk)
        _refuse_open_orders(step)
        object_delete(step, actor=actor)
