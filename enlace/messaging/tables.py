"""Tables of the rules and the delivery log."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enlace.core.tables import EnlaceTable

from .models import Message, MessageRule


class MessageRuleTable(EnlaceTable):
    name = tables.Column(linkify=True)
    email = tables.BooleanColumn()
    sms = tables.BooleanColumn()
    whatsapp = tables.BooleanColumn()
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = MessageRule
        fields = ("name", "event", "days", "branch", "email", "sms", "whatsapp", "active")


class MessageTable(EnlaceTable):
    id = tables.Column(verbose_name=_("ID"), linkify=True)
    created_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")
    customer = tables.Column(
        verbose_name=_("customer"),
        order_by="customer__search_name",
        linkify=lambda record: f"{record.customer.get_absolute_url()}?tab=messages",
    )
    invoice = tables.Column(
        verbose_name=_("invoice"), linkify=lambda record: record.invoice.get_absolute_url()
    )
    rule = tables.Column(verbose_name=_("rule"))
    sent_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")

    wide_columns = ("rule",)

    class Meta(EnlaceTable.Meta):
        model = Message
        fields = (
            "id",
            "created_at",
            "customer",
            "invoice",
            "rule",
            "channel",
            "recipient",
            "status",
            "sent_at",
        )
