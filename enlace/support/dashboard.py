"""Support on the home page's dashboard (``enlace.core.dashboard``): open tickets (new or in
progress) per department, and service orders scheduled for today."""

from django.utils.translation import gettext_lazy as _

from enlace.core import dashboard
from enlace.core.models import Department

from .filtersets import ServiceOrderListFilterSet, TicketListFilterSet
from .models import Ticket


def _department_names(ids) -> dict:
    return dict(Department.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


dashboard.figure(
    "tickets-open",
    _("Open tickets"),
    "support",
    "support:ticket_list",
    TicketListFilterSet,
    lambda today: {"status": [Ticket.Status.NEW, Ticket.Status.IN_PROGRESS]},
    "support.view_ticket",
    split="department",
    split_labels=_department_names,
    order=10,
)
dashboard.figure(
    "service-orders-today",
    _("Service orders scheduled today"),
    "support",
    "support:serviceorder_list",
    ServiceOrderListFilterSet,
    lambda today: {"scheduled_after": today.isoformat(), "scheduled_before": today.isoformat()},
    "support.view_serviceorder",
    order=20,
)
