"""Finance on the home page's dashboard (``enlace.core.dashboard``): receivables open and overdue
(count and amount still owed), expected (due this month) and received this month; billed vs
received over the last 12 months. Each figure is the receivables or payments list with the same
filters (colours of F-2: blue/orange/red are open, red is overdue)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from enlace.core import dashboard

from .forms import InvoiceListFilterSet, PaymentListFilterSet
from .models import Invoice, InvoiceColor, InvoiceStatus, Payment

INVOICES = "billing:invoice_list"
PAYMENTS = "billing:payment_list"
PERMISSION_INVOICE = "billing.view_invoice"
PERMISSION_PAYMENT = "billing.view_payment"
OWED = F("amount") - F("paid_amount")


def _month(today, prefix: str) -> dict:
    return {
        f"{prefix}_after": today.replace(day=1).isoformat(),
        f"{prefix}_before": _month_end(today).isoformat(),
    }


def _month_end(today):
    import calendar

    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


dashboard.figure(
    "invoices-open",
    _("Receivables open"),
    "finance",
    INVOICES,
    InvoiceListFilterSet,
    lambda today: {"color": [InvoiceColor.BLUE, InvoiceColor.ORANGE, InvoiceColor.RED]},
    PERMISSION_INVOICE,
    amount=OWED,
    order=10,
)
dashboard.figure(
    "invoices-overdue",
    _("Receivables overdue"),
    "finance",
    INVOICES,
    InvoiceListFilterSet,
    lambda today: {"color": InvoiceColor.RED},
    PERMISSION_INVOICE,
    amount=OWED,
    order=20,
)
dashboard.figure(
    "invoices-expected",
    _("Expected this month (due)"),
    "finance",
    INVOICES,
    InvoiceListFilterSet,
    lambda today: {
        **_month(today, "due_date"),
        "color": [c for c in InvoiceColor.values if c != InvoiceColor.GREY],
    },
    PERMISSION_INVOICE,
    amount=F("amount"),
    order=30,
)
dashboard.figure(
    "payments-month",
    _("Received this month"),
    "finance",
    PAYMENTS,
    PaymentListFilterSet,
    lambda today: {**_month(today, "date"), "reversed": "false", "reversal": "false"},
    PERMISSION_PAYMENT,
    amount=F("amount"),
    order=40,
)

TITLE = _("Billed vs received (12 months)")
dashboard.series(
    "billed-by-month",
    "billing",
    TITLE,
    _("Billed"),
    lambda: Invoice.objects.exclude(status=InvoiceStatus.CANCELLED).filter(renegotiated=False),
    "due_date",
    "branch",
    PERMISSION_INVOICE,
    value=F("amount"),
    colour="primary",
    money=True,
)
dashboard.series(
    "received-by-month",
    "billing",
    TITLE,
    _("Received"),
    lambda: Payment.objects.filter(reversed=False, reversal_of__isnull=True),
    "date",
    "invoice__branch",
    PERMISSION_PAYMENT,
    value=F("amount"),
    colour="success",
    money=True,
)
