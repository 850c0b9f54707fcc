"""Tables of the plan and contract lists."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enlace.core.tables import EnlaceTable

from .models import Contract, Plan


class PlanTable(EnlaceTable):
    name = tables.Column(linkify=True)
    speed = tables.Column(accessor="speed_display", verbose_name=_("speed"), orderable=False)
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Plan
        fields = ("name", "type", "price", "speed", "branch", "active")


class ContractTable(EnlaceTable):
    id = tables.Column(verbose_name=_("ID"), linkify=True)
    customer = tables.Column(verbose_name=_("customer"), order_by="customer__search_name")

    class Meta(EnlaceTable.Meta):
        model = Contract
        fields = ("id", "customer", "plan", "type", "status", "access_status", "activation_date", "branch")
