"""Reads of support: what the portal offers, the operator's lists and the technician's agenda."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.billing.models import OPEN_STATUSES, Invoice

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
    counts = (
        queryset.filter(status__in=(Ticket.Status.NEW, Ticket.Status.IN_PROGRESS))
        .order_by()
        .values("department_id", "department__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "department__name")
    )
    rows = [
        {
            "label": row["department__name"] or _("No department"),
            "count": row["count"],
            "department": row["department_id"],
        }
        for row in counts
    ]
    if len(rows) > limit:
        rest = sum(row["count"] for row in rows[limit - 1 :])
        rows = [*rows[: limit - 1], {"label": _("Others"), "count": rest, "department": None}]
    return rows
