"""Tables of the fiscal lists."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enlace.billing.tables import MoneyColumn
from enlace.core.tables import EnlaceTable

from .models import FiscalDocument, FiscalSettings, PlanFiscalProfile, ProductFiscalProfile


class FiscalDocumentTable(EnlaceTable):
    # the row's checkbox belongs to the bulk "transmitir" form below the table (HTML form=)
    pk = tables.CheckBoxColumn(
        accessor="pk",
        exclude_from_export=True,
        orderable=False,
        attrs={
            "input": {"form": "fiscal-bulk", "class": "form-check-input fiscal-check"},
            "th__input": {
                "class": "form-check-input",
                "id": "fiscal-check-all",
                "aria-label": _("Select all"),
            },
        },
    )
    number = tables.Column(verbose_name=_("number"), linkify=True)
    invoice = tables.Column(verbose_name=_("invoice"), linkify=True)
    customer = tables.Column(
        verbose_name=_("customer"), accessor="invoice__customer__name", order_by="invoice__customer__name"
    )
    amount = MoneyColumn()
    status = tables.Column()
    issued_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")

    class Meta(EnlaceTable.Meta):
        model = FiscalDocument
        fields = (
            "pk",
            "number",
            "series",
            "issued_at",
            "invoice",
            "customer",
            "amount",
            "status",
            "protocol",
            "branch",
        )

    def render_status(self, record, value):
        return format_html('<span class="badge text-bg-{}">{}</span>', record.status_colour, value)


class FiscalSettingsTable(EnlaceTable):
    branch = tables.Column(linkify=True)

    class Meta(EnlaceTable.Meta):
        model = FiscalSettings
        fields = (
            "branch",
            "cnpj",
            "series",
            "next_number",
            "environment",
            "issue_on",
            "certificate_valid_until",
        )


class PlanFiscalProfileTable(EnlaceTable):
    plan = tables.Column(linkify=True)

    class Meta(EnlaceTable.Meta):
        model = PlanFiscalProfile
        fields = ("plan", "service_type", "cclass", "installation_cclass", "cfop", "icms_cst", "icms_rate")


class ProductFiscalProfileTable(EnlaceTable):
    product = tables.Column(linkify=True)

    class Meta(EnlaceTable.Meta):
        model = ProductFiscalProfile
        fields = ("product", "cclass", "cfop", "icms_cst", "icms_rate")
