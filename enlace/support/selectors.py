"""Reads of support: what the portal offers, the operator's lists and the technician's agenda."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.billing.models import OPEN_STATUSES, Invoice
from enlace.core.models import Employee
from enlace.core.types import Viewer

from .models import ServiceOrder, Subject, Ticket


def customer_has_overdue(customer, today: datetime.date | None = None) -> bool:
    """An open invoice of the customer past its due date (F-2 red)."""
    today = today or timezone.localdate()
    return Invoice.objects.filter(
        customer=customer, status__in=OPEN_STATUSES, renegotiated=False, due_date__lt=today
    ).exists()


def portal_subjects(customer) -> QuerySet[Subject]:
    """Subjects a subscriber may open a ticket with in the portal: active, visible in the portal,
    for tickets, and — when the customer has overdue invoices — allowed for overdue customers."""
    qs = Subject.objects.filter(
        active=True, portal_visible=True, purpose__in=[Subject.Purpose.TICKET, Subject.Purpose.BOTH]
    )
    if customer_has_overdue(customer):
        qs = qs.filter(allowed_overdue=True)
    return qs.order_by("name")


def ticket_in_scope(*, user: Viewer, pk) -> Ticket:
    """The ticket ``pk`` when it is in the viewer's branches (a new service order starts from it);
    raises ``Ticket.DoesNotExist`` otherwise."""
    return Ticket.objects.restrict(user).get(pk=pk)


def customer_tickets(customer, *, user: Viewer) -> QuerySet[Ticket]:
    """Every ticket of ``customer``, whatever its status, within the viewer's branches, with what
    the tickets table shows (the customer page's "Atendimentos" tab)."""
    return (
        Ticket.objects.restrict(user)
        .filter(customer=customer)
        .select_related("customer", "subject", "department", "responsible")
    )


def customer_service_orders(customer, *, user: Viewer) -> QuerySet[ServiceOrder]:
    """Every service order of ``customer``, whatever its status, within the viewer's branches (the
    customer page's "OS" tab)."""
    return service_orders_for(user).filter(customer=customer)


def technicians(user: Viewer) -> QuerySet[Employee]:
    """Active employees marked as technicians, within the operator's branches: whom a service order
    or a process step may be given to."""
    return Employee.objects.restrict(user).filter(active=True, is_technician=True)


def service_orders_for(user) -> QuerySet[ServiceOrder]:
    """The service orders within the operator's branches, with what lists show."""
    return ServiceOrder.objects.restrict(user).select_related(
        "customer", "subject", "department", "technician", "ticket"
    )


def technician_agenda(
    user, technician, start: datetime.date, days: int = 7
) -> list[tuple[datetime.date, list]]:
    """(day, service orders scheduled that day) for ``days`` days from ``start``: the technician's
    agenda, within the operator's branches."""
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    last = first + datetime.timedelta(days=days)
    orders = list(
        service_orders_for(user)
        .filter(technician=technician, scheduled_start__lt=last, scheduled_end__gt=first)
        .order_by("scheduled_start", "id")
    )
    agenda = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        day_orders = [o for o in orders if timezone.localtime(o.scheduled_start, tz).date() == day]
        agenda.append((day, day_orders))
    return agenda


def open_by_department(queryset, limit: int = 8) -> list[dict]:
    """Open tickets (new or in progress) of ``queryset`` per department, most first (one query):
    what the tickets list draws as a chart. Past ``limit`` departments the rest are summed."""
    return open_by_department_and_count(queryset, limit)[0]


def open_by_department_and_count(queryset, limit: int = 8) -> tuple[list[dict], int]:
    """``open_by_department`` and the number of rows of ``queryset`` (open or not), in the same
    one query: the tickets list pages with that number instead of counting the rows again."""
    is_open = Q(status__in=(Ticket.Status.NEW, Ticket.Status.IN_PROGRESS))
    counts = (
        queryset.order_by()
        .values("department_id", "department__name")
        .annotate(count=Count("pk", filter=is_open), rows=Count("pk"))
        .order_by("-count", "department__name")
    )
    total = sum(row["rows"] for row in counts)
    rows = [
        {
            "label": row["department__name"] or _("No department"),
            "count": row["count"],
            "department": row["department_id"],
        }
        for row in counts
        if row["count"]
    ]
    if len(rows) > limit:
        rest = sum(row["count"] for row in rows[limit - 1 :])
        rows = [*rows[: limit - 1], {"label": _("Others"), "count": rest, "department": None}]
    return rows, total
