"""Table of the customer list."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from enlace.core.tables import EnlaceTable

from .models import Customer

#: The list counts at most this many matches (a common name fragment can match a large share of a
#: million customers; counting them all costs more than the page itself).
COUNT_CAP = 1000


class CustomerTable(EnlaceTable):
    id = tables.Column(verbose_name=_("ID"), linkify=True)
    name = tables.Column(linkify=True, order_by=("search_name", "id"))
    cpf_cnpj = tables.Column(accessor="cpf_cnpj_display", verbose_name=_("CPF/CNPJ"), order_by="cpf_cnpj")
    mobile_phone = tables.Column(
        accessor="mobile_phone_display", verbose_name=_("mobile phone"), order_by="mobile_phone"
    )
    city = tables.Column(verbose_name=_("city"), order_by="city__name")
    branch = tables.Column(verbose_name=_("branch"))
    active = tables.BooleanColumn()
    is_lead = tables.BooleanColumn(verbose_name=_("lead"))

    wide_columns = ("street", "branch", "is_lead")

    class Meta(EnlaceTable.Meta):
        model = Customer
        fields = (
            "id",
            "name",
            "cpf_cnpj",
            "mobile_phone",
            "email",
            "street",
            "city",
            "branch",
            "active",
            "is_lead",
        )

    def paginate(self, *args, **kwargs):
        queryset = getattr(self.data, "data", None)
        if hasattr(queryset, "order_by"):
            count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
            self.data._length = count
            self.count_capped = count > COUNT_CAP
        return super().paginate(*args, **kwargs)
