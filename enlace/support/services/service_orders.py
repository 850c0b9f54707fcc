"""Service orders ("OS", SPEC S-1, S-2) and their life cycle.

Rules kept here:

- a service order moves only through one service per action (``service_order_<action>``), along
  the table ``TRANSITIONS``, each writing a ``ServiceOrderEvent`` (and a contract history entry
  when a contract is linked); a refused transition raises ``ApplicationError`` naming the status;
- an action on a service order, or one created by hand for a ticket, puts a new ticket in
  progress; reopening a finished one reopens its solved or cancelled ticket;
- finishing the service order of a process step opens the next step's (unless the ticket already
  has one for it) and sets the ticket's complementary status; after the last step the ticket stays
  in progress until an operator closes it;
- scheduling, and every transition that makes a scheduled order hold its slot again or changes its
  technician, locks the technician's employee row and refuses an overlapping slot;
- locks are taken ticket first, then service order.

What each action takes (web form, API) is declared in ``enlace.support.actions``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.models import Employee
from enlace.core.services import object_save, operator_name_of, operator_of
from enlace.core.types import Actor

from ..models import ProcessStep, ServiceOrder, ServiceOrderEvent, Ticket
from .common import locked_ticket, post_message, sync_instance, write_history
from .protocols import next_protocol

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

#: Service order fields given when it is created or changed by hand; status, technician and
#: schedule change only through the actions.
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


def employee_of(user) -> Employee | None:
    """The operator's employee record (who assumes a service order by default)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.filter(user=user).first()


def open_orders(ticket: Ticket):
    """The ticket's service orders not finished yet."""
    return ticket.service_orders.exclude(status=S.FINISHED)


def _ticket_in_progress(ticket: Ticket | None, *, actor: Actor) -> None:
    """An action on a service order (or a new one by hand) puts its new ticket in progress."""
    if ticket is None:
        return
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if locked.status == Ticket.Status.NEW:
        locked.status = Ticket.Status.IN_PROGRESS
        object_save(locked, actor=actor)


def _event(*, actor: Actor, order, action, from_status, note="", latitude=None, longitude=None):
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
    if order.contract is not None and order.contract.customer_id != order.customer_id:
        errors["contract"] = [_("Choose one of the customer's contracts.")]
    if order.login is not None and order.login.customer_id != order.customer_id:
        errors["login"] = [_("Choose one of the customer's logins.")]
    if order.ticket is not None and order.ticket.customer_id != order.customer_id:
        errors["ticket"] = [_("The ticket is another customer's.")]
    if not (order.description or "").strip():
        errors["description"] = [_("Describe the service.")]
    if errors:
        raise ValidationError(errors)


def _create_order(*, actor: Actor, customer, ticket=None, step=None, protocol=None, **fields) -> ServiceOrder:
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
    write_history(
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


def open_process_step(*, actor: Actor, ticket: Ticket, step: ProcessStep) -> ServiceOrder:
    """Open the service order of a process step for the ticket and set the step's complementary
    status on the ticket."""
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
    *, actor: Actor, subject, description, customer=None, ticket=None, **fields
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
            ticket = locked_ticket(ticket)  # checked again under the lock: a close may have raced
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


def service_order_update(*, actor: Actor, order: ServiceOrder, **data) -> ServiceOrder:
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
    sync_instance(order, locked)
    return locked


def _transition(
    order: ServiceOrder,
    *,
    actor: Actor,
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
        write_history(
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
    sync_instance(order, locked)
    return locked


def _after_finish(order: ServiceOrder, *, actor: Actor) -> None:
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
            open_process_step(actor=actor, ticket=ticket, step=nxt)
    else:
        post_message(
            actor=actor,
            ticket=ticket,
            text=_("Every service order of the process “%(process)s” is finished.")
            % {"process": step.process},
            public=False,
        )


def _technician_required(technician):
    if technician is None:
        raise ValidationError({"technician": [_("Choose the technician.")]})


def service_order_analyse(*, actor: Actor, order, note="", latitude=None, longitude=None):
    """→ Análise (AN)."""
    return _transition(
        order, actor=actor, action=Action.ANALYSE, note=note, latitude=latitude, longitude=longitude
    )


def service_order_forward(*, actor: Actor, order, department=None, technician=None, note=""):
    """→ Encaminhada (EN), to another department and/or technician."""

    def prepare(locked):
        if department is not None:
            if not department.serves_tickets:
                raise ValidationError({"department": [_("This department does not serve tickets.")]})
            locked.department = department
        if technician is not None:
            locked.technician = technician

    return _transition(order, actor=actor, action=Action.FORWARD, note=note, prepare=prepare)


def service_order_assume(*, actor: Actor, order, technician=None, note="", latitude=None, longitude=None):
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


def service_order_assign(*, actor: Actor, order, technician, note=""):
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


def service_order_schedule(*, actor: Actor, order, start, end, technician=None, note=""):
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


def service_order_travel(*, actor: Actor, order, note="", latitude=None, longitude=None):
    """→ Deslocamento (DS): the technician is on the way."""
    return _transition(
        order, actor=actor, action=Action.TRAVEL, note=note, latitude=latitude, longitude=longitude
    )


def service_order_start(*, actor: Actor, order, note="", latitude=None, longitude=None):
    """→ Execução (EX)."""
    return _transition(
        order, actor=actor, action=Action.START, note=note, latitude=latitude, longitude=longitude
    )


def service_order_finish(*, actor: Actor, order, closing_note="", note="", latitude=None, longitude=None):
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


def service_order_await_reschedule(*, actor: Actor, order, note, latitude=None, longitude=None):
    """→ Aguardando reagendamento (RAG): the visit could not be done; the reason is required and
    the slot is released."""
    if not (note or "").strip():
        raise ValidationError({"note": [_("Give the reason.")]})
    return _transition(
        order, actor=actor, action=Action.AWAIT_RESCHEDULE, note=note, latitude=latitude, longitude=longitude
    )


def service_order_reopen(*, actor: Actor, order, note):
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


def finish_for_cancelled_ticket(order: ServiceOrder, *, actor: Actor, reason: str) -> None:
    """Finish an open service order of a ticket being cancelled: the reason is its closing note,
    the subject's closing requirements don't apply and the process's next step does not open."""

    def prepare(locked):
        locked.closing_note = reason.strip()
        locked.finished_at = timezone.now()

    _transition(order, actor=actor, action=Action.FINISH, note=reason.strip(), prepare=prepare, chain=False)


def allowed_actions(order: ServiceOrder) -> list[str]:
    """The actions ``TRANSITIONS`` allows from the order's status, in the table's order."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if order.status in sources]
