"""Tickets and service orders in the top bar's global search (``enlace.core.search``): the
protocol, typed whole (its unique index answers)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enlace.core import search
from enlace.core.types import Viewer

from .models import ServiceOrder, Ticket


def _protocol(text: str) -> str | None:
    number = search.digits(text)
    return (
        number
        if len(number) >= 8 and len(number) == len(text.strip().replace("-", "").replace(".", ""))
        else None
    )


def find_tickets(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    protocol = _protocol(text)
    if protocol is None:
        return []
    rows = Ticket.objects.restrict(user, "view").select_related("customer").filter(protocol=protocol)[:limit]
    return [
        search.Hit(str(ticket), reverse("support:ticket_detail", args=[ticket.pk]), ticket.customer.name)
        for ticket in rows
    ]


def find_service_orders(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    protocol = _protocol(text)
    if protocol is None:
        return []
    rows = ServiceOrder.objects.restrict(user, "view").select_related("customer").filter(protocol=protocol)
    return [
        search.Hit(str(order), reverse("support:serviceorder_detail", args=[order.pk]), order.customer.name)
        for order in rows[:limit]
    ]


search.register("tickets", _("Tickets"), find_tickets, order=40)
search.register("service_orders", _("Service orders"), find_service_orders, order=50)
