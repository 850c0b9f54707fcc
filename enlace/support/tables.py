"""Tables of the support lists."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enlace.core.tables import EnlaceTable

from .models import Process, ServiceOrder, Subject, Ticket
from .templatetags.support_tags import badge_html


class SubjectTable(EnlaceTable):
    name = tables.Column(linkify=True)
    active = tables.BooleanColumn()
    portal_visible = tables.BooleanColumn()
    allowed_overdue = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Subject
        fields = (
            "name",
            "purpose",
            "default_department",
            "default_process",
            "default_priority",
            "portal_visible",
            "allowed_overdue",
            "active",
        )


class ProcessTable(EnlaceTable):
    name = tables.Column(linkify=True)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Process
        fields = ("name", "description", "active")


class TicketTable(EnlaceTable):
    protocol = tables.Column(linkify=True)
    customer = tables.Column(
        linkify=lambda record: record.customer.get_absolute_url(), order_by="customer__name"
    )
    status = tables.Column()
    opened_at = tables.DateTimeColumn(format="d/m/Y H:i")

    wide_columns = ("origin", "pending_interaction", "complementary_status", "department")

    class Meta(EnlaceTable.Meta):
        model = Ticket
        fields = (
            "protocol",
            "opened_at",
            "customer",
            "subject",
            "department",
            "responsible",
            "priority",
            "origin",
            "pending_interaction",
            "status",
            "complementary_status",
        )
        row_attrs = {"data-ticket": lambda record: record.pk}

    def render_status(self, record, value):
        return badge_html(record)

    def value_status(self, record):
        return record.get_status_display()


class ServiceOrderTable(EnlaceTable):
    protocol = tables.Column(linkify=True)
    customer = tables.Column(
        linkify=lambda record: record.customer.get_absolute_url(), order_by="customer__name"
    )
    ticket = tables.Column(
        linkify=lambda record: record.ticket.get_absolute_url() if record.ticket_id else None
    )
    status = tables.Column()
    opened_at = tables.DateTimeColumn(format="d/m/Y H:i")
    scheduled_start = tables.DateTimeColumn(format="d/m/Y H:i")

    wide_columns = ("ticket", "department", "priority")

    class Meta(EnlaceTable.Meta):
        model = ServiceOrder
        fields = (
            "protocol",
            "opened_at",
            "customer",
            "ticket",
            "subject",
            "department",
            "technician",
            "scheduled_start",
            "priority",
            "status",
        )
        row_attrs = {"data-order": lambda record: record.pk}

    def render_status(self, record, value):
        return badge_html(record)

    def value_status(self, record):
        return record.get_status_display()


TicketTable.base_columns["status"].verbose_name = _("status")
ServiceOrderTable.base_columns["status"].verbose_name = _("status")
