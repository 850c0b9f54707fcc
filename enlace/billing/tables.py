"""Tables of the finance lists: receivables ("contas a receber", each row in its F-2 colour:
blue due later, orange due today, red overdue, light green paid on time, dark green paid late, grey
renegotiated),
payments ("recebimentos"), bank return files and billing runs."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enlace.core.display import competence
from enlace.core.money import brl
from enlace.core.tables import EnlaceTable

from .models import BillingRun, CnabImport, Invoice, Payment, Remittance


def status_text(invoice: Invoice) -> str:
    """The status an operator reads: "Renegociado" wins over the stored code (F-2)."""
    return str(_("Renegotiated")) if invoice.renegotiated else invoice.get_status_display()


class CompetenceColumn(tables.Column):
    """The competência as "12/2026" (stored "2026-12"), on screen and in the CSV export."""

    def render(self, value):
        return competence(value)

    def value(self, value):
        return competence(value)


class MoneyColumn(tables.Column):
    """Money shown as ``R$ 1.234,56``, exported as ``1234.56``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return brl(value)

    def value(self, value):
        return str(value)


class InvoiceTable(EnlaceTable):
    """Contas a receber: every row carries the class ``invoice-<colour>`` of F-2 (blue due
    later, orange due today, red overdue, light green paid on time, dark green paid late, grey
    renegotiated)."""

    id = tables.Column(verbose_name=_("ID"), linkify=True)
    customer = tables.Column(
        verbose_name=_("customer"),
        order_by="customer__search_name",
        linkify=lambda record: f"{record.customer.get_absolute_url()}?tab=finance",
    )
    due_date = tables.DateColumn(format="SHORT_DATE_FORMAT")
    period = CompetenceColumn()
    contract = tables.Column(
        verbose_name=_("contract"), linkify=lambda record: record.contract.get_absolute_url()
    )
    amount = MoneyColumn()
    paid_amount = MoneyColumn()
    status = tables.Column(order_by=("renegotiated", "status"))
    nosso_numero = tables.Column(
        accessor="nosso_numero_display",
        verbose_name=_("nosso número"),
        attrs={"td": {"class": "text-nowrap font-monospace small"}},
    )
    color = tables.Column(accessor="pk", verbose_name=_("colour"), orderable=False)

    wide_columns = ("period", "description", "wallet", "nosso_numero")

    class Meta(EnlaceTable.Meta):
        model = Invoice
        attrs = {"class": "table table-sm table-hover align-middle invoice-table", "id": "objects"}
        fields = (
            "id",
            "customer",
            "due_date",
            "period",
            "description",
            "contract",
            "wallet",
            "amount",
            "paid_amount",
            "status",
            "nosso_numero",
            "color",
        )
        row_attrs = {
            "class": lambda record: f"invoice-row invoice-{record.color()}",
            "data-invoice": lambda record: record.pk,
            "data-color": lambda record: record.color(),
        }

    def render_status(self, record):
        return status_text(record)

    def value_status(self, record):
        return status_text(record)

    def render_color(self, record):
        return format_html('<span class="small invoice-color-label">{}</span>', _color_label(record.color()))

    def value_color(self, record):
        return str(_color_label(record.color()))


def _color_label(color: str):
    from .models import InvoiceColor

    return InvoiceColor(color).label


class PaymentTable(EnlaceTable):
    """Recebimentos: payments and reversals (a reversal shows as a negative movement)."""

    id = tables.Column(verbose_name=_("ID"), linkify=True)
    date = tables.DateColumn(format="SHORT_DATE_FORMAT")
    invoice = tables.Column(
        verbose_name=_("invoice"), linkify=lambda record: record.invoice.get_absolute_url()
    )
    customer = tables.Column(
        accessor="invoice__customer",
        verbose_name=_("customer"),
        order_by="invoice__customer__search_name",
        linkify=lambda record: f"{record.invoice.customer.get_absolute_url()}?tab=finance",
    )
    amount = MoneyColumn()
    fine = MoneyColumn()
    interest = MoneyColumn()
    discount = MoneyColumn()
    movement = tables.Column(accessor="pk", verbose_name=_("movement"), orderable=False)

    class Meta(EnlaceTable.Meta):
        model = Payment
        fields = (
            "id",
            "date",
            "invoice",
            "customer",
            "method",
            "amount",
            "fine",
            "interest",
            "discount",
            "movement",
            "operator_name",
        )
        row_attrs = {
            "data-payment": lambda record: record.pk,
            "class": lambda record: "text-danger" if record.reversal_of_id else "",
        }

    def render_amount(self, record, value):
        return brl(-value if record.reversal_of_id else value)

    def value_amount(self, record, value):
        return str(-value if record.reversal_of_id else value)

    def render_movement(self, record):
        if record.reversal_of_id:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Reversal"))
        if record.reversed:
            return format_html('<span class="badge text-bg-secondary">{}</span>', _("Reversed"))
        return format_html('<span class="badge text-bg-success">{}</span>', _("Payment"))

    def value_movement(self, record):
        if record.reversal_of_id:
            return str(_("Reversal"))
        return str(_("Reversed")) if record.reversed else str(_("Payment"))


class CnabImportTable(EnlaceTable):
    file_name = tables.Column(linkify=True)
    created_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")
    settled_amount = MoneyColumn()

    class Meta(EnlaceTable.Meta):
        model = CnabImport
        fields = (
            "file_name",
            "created_at",
            "wallet",
            "bank_code",
            "layout",
            "records",
            "settled",
            "settled_amount",
            "not_settled",
        )


class RemittanceTable(EnlaceTable):
    file_name = tables.Column(linkify=True)
    created_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")

    class Meta(EnlaceTable.Meta):
        model = Remittance
        fields = (
            "file_name",
            "created_at",
            "wallet",
            "sequence",
            "bank_code",
            "layout",
            "title_count",
            "size",
        )


class BillingRunTable(EnlaceTable):
    id = tables.Column(verbose_name=_("ID"), linkify=True)
    period = CompetenceColumn()
    branch = tables.Column(default=_("All branches"))
    created_at = tables.DateTimeColumn(format="SHORT_DATETIME_FORMAT")
    amount = MoneyColumn()
    operator = tables.Column(verbose_name=_("operator"))

    class Meta(EnlaceTable.Meta):
        model = BillingRun
        fields = (
            "id",
            "period",
            "branch",
            "status",
            "created_at",
            "total",
            "created",
            "skipped",
            "errors",
            "amount",
            "operator",
        )
        row_attrs = {"data-run": lambda record: record.pk}
