"""FilterSets of subjects, processes, tickets and service orders, shared by the list pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for
from enlace.core.models import Department, Employee

from .models import BestTime, Priority, Process, ServiceOrder, Subject, Ticket


def _departments(request):
    return Department.objects.filter(serves_tickets=True)


def _employees(request):
    user = getattr(request, "user", None)
    return Employee.objects.restrict(user) if user is not None else Employee.objects.all()


class SubjectFilterSet(BaseFilterSet):
    search_fields = ("name", "default_description")

    purpose = django_filters.ChoiceFilter(choices=Subject.Purpose.choices, label=_("Purpose"))

    class Meta:
        model = Subject
        fields = ["purpose", "default_department", "portal_visible", "allowed_overdue", "active"]


class ProcessFilterSet(BaseFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = Process
        fields = ["active"]


class TicketFilterSet(BaseFilterSet):
    """Global list and API: department, status, responsible, priority, origin, dates."""

    search_fields = ("protocol", "customer__name", "subject__name", "description")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    department = django_filters.ModelChoiceFilter(queryset=_departments, label=_("Department"))
    status = django_filters.MultipleChoiceFilter(choices=Ticket.Status.choices, label=_("Status"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    origin = django_filters.ChoiceFilter(choices=Ticket.Origin.choices, label=_("Origin"))
    pending_interaction = django_filters.ChoiceFilter(
        choices=Ticket.PendingInteraction.choices, label=_("Pending interaction")
    )
    best_time = django_filters.ChoiceFilter(choices=BestTime.choices, label=_("Best time"))
    responsible = django_filters.ModelChoiceFilter(queryset=_employees, label=_("Responsible"))
    opened = django_filters.DateFromToRangeFilter(
        field_name="opened_at__date",
        label=_("Opened between"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = Ticket
        fields = [
            "customer",
            "contract",
            "login",
            "subject",
            "process",
            "department",
            "responsible",
            "status",
            "priority",
            "origin",
            "pending_interaction",
            "branch",
        ]


class TicketListFilterSet(TicketFilterSet):
    pass


TicketListFilterSet.base_filters = {
    name: TicketFilterSet.base_filters[name]
    for name in (
        "q",
        "department",
        "status",
        "responsible",
        "priority",
        "origin",
        "pending_interaction",
        "opened",
    )
}


class ServiceOrderFilterSet(BaseFilterSet):
    """Global list and API: department, status, technician, priority, origin (of the ticket), dates."""

    search_fields = ("protocol", "customer__name", "subject__name", "description", "ticket__protocol")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    department = django_filters.ModelChoiceFilter(queryset=_departments, label=_("Department"))
    status = django_filters.MultipleChoiceFilter(choices=ServiceOrder.Status.choices, label=_("Status"))
    technician = django_filters.ModelChoiceFilter(queryset=_employees, label=_("Technician"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    origin = django_filters.ChoiceFilter(
        field_name="ticket__origin", choices=Ticket.Origin.choices, label=_("Origin of the ticket")
    )
    scheduled = django_filters.DateFromToRangeFilter(
        field_name="scheduled_start__date",
        label=_("Scheduled between"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    opened = django_filters.DateFromToRangeFilter(
        field_name="opened_at__date",
        label=_("Opened between"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = ServiceOrder
        fields = [
            "customer",
            "ticket",
            "contract",
            "login",
            "subject",
            "department",
            "technician",
            "status",
            "branch",
        ]


class ServiceOrderListFilterSet(ServiceOrderFilterSet):
    pass


ServiceOrderListFilterSet.base_filters = {
    name: ServiceOrderFilterSet.base_filters[name]
    for name in ("q", "department", "status", "technician", "priority", "origin", "scheduled", "opened")
}
