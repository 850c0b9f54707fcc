"""Tables of the product and sales lists."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enlace.billing.tables import MoneyColumn
from enlace.core.tables import EnlaceTable

from .models import Product, Sale


class ProductTable(EnlaceTable):
    name = tables.Column(linkify=True)
    price = MoneyColumn()
    active = tables.BooleanColumn()

    class Meta(EnlaceTable.Meta):
        model = Product
        fields = ("name", "type", "unit", "price", "analytic_account", "active")


class SaleTable(EnlaceTable):
    id = tables.Column(verbose_name=_("ID"), linkify=True)
    customer = tables.Column(
        verbose_name=_("customer"),
        order_by="customer__search_name",
        linkify=lambda record: f"{record.customer.get_absolute_url()}?tab=sales",
    )
    date = tables.DateColumn(format="SHORT_DATE_FORMAT")
    contract = tables.Column(
        verbose_name=_("contract"), linkify=lambda record: record.contract.get_absolute_url()
    )
    total = MoneyColumn()

    class Meta(EnlaceTable.Meta):
        model = Sale
        fields = (
            "id",
            "date",
            "customer",
            "contract",
            "branch",
            "salesperson",
            "payment_condition",
            "status",
            "total",
        )
