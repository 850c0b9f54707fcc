"""Receivables ("Contas a receber", F-1: they belong to the customer, not the contract; F-2: status and
colour — blue due later, orange due today, red overdue, green paid, grey renegotiated): the list with its
filters, colours, legend and chart; the invoice page (boleto, PIX, payments, amount due today); the one-off
invoice ("boleto avulso"); the cancellation; the boleto, carnê and PIX QR downloads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core import slowcache, words
from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import legend, safe_next, tab_url
from enlace.core.views.generic import ROW_COUNT, ObjectDetailView, ObjectListView, ObjectViewMixin

from .. import boleto, forms, selectors, tables
from ..models import OPEN_STATUSES, Invoice, InvoiceColor, InvoiceStatus, Payment, RegistrationStatus
from ..pdf import boleto_pdf, carne_pdf
from ..services.invoices import invoice_cancel, invoice_create
from .common import chart, pdf_response

INVOICE_RELATED = ("customer", "contract", "wallet", "branch", "renegotiation")


def finance_tab_url(customer) -> str:
    return tab_url(customer, "finance")


def invoice_actions(invoice: Invoice, user) -> dict:
    """What the operator may do with ``invoice`` now (the services check again)."""
    return {
        "can_settle": invoice.is_open and user.has_perm("billing.add_payment"),
        "can_cancel": invoice.is_open and not invoice.paid_amount and user.has_perm("billing.change_invoice"),
        "can_renegotiate": invoice.is_open and user.has_perm("billing.add_renegotiation"),
        "can_second_copy": invoice.is_open and user.has_perm("billing.change_invoice"),
        "can_change_amount": invoice.is_open
        and not invoice.paid_amount
        and user.has_perm("billing.change_invoice"),
        "can_resend_registration": invoice.is_open
        and invoice.registration_status == RegistrationStatus.REJECTED
        and user.has_perm("billing.change_invoice"),
    }


class InvoiceListView(ObjectListView):
    """ "Contas a receber": filters (status, due date range, wallet, branch, kind, period, colour),
    CSV export, each row in its F-2 colour with the legend, and the amount by colour of the filtered
    invoices drawn as a bar chart (inline SVG)."""

    model = Invoice
    queryset = Invoice.objects.select_related(*INVOICE_RELATED)
    table_class = tables.InvoiceTable
    filterset_class = forms.InvoiceListFilterSet
    template_name = "billing/invoice_list.html"
    table_template_name = "billing/includes/invoice_results.html"

    def get_list_context(self, queryset):
        query = self.request.GET.copy()
        query.pop("color", None)
        query.pop("page", None)
        today = timezone.localdate()
        # A broad filter (every invoice of the ISP) scans the table: kept for a while when slow.
        (amounts, count), computed_at = slowcache.when_slow(
            slowcache.query_key("invoice-colors", queryset, today),
            lambda: selectors.amount_by_color_and_count(queryset, today),
        )
        return {
            "legend": legend(InvoiceColor),
            "chart": chart(amounts),
            "chart_computed_at": computed_at,
            "color_query": query.urlencode(),
            ROW_COUNT: count,  # the pagination's count, from the chart's query
        }


class InvoiceDetailView(ObjectDetailView):
    """The invoice page: data, boleto (linha digitável, nosso número, barcode), PIX copia e cola and
    QR, amount due today (F-7: the wallet's fine and interest, capped at 2 % and 1 % a month), payments with
    their reversal, actions."""

    model = Invoice
    queryset = Invoice.objects.select_related(*INVOICE_RELATED).prefetch_related(
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("reversal_of").order_by("date", "id"),
        )
    )
    template_name = "billing/invoice_detail.html"

    def fields_for(self, obj):
        return []

    def get_extra_context(self, invoice):
        user = self.request.user
        today = timezone.localdate()
        try:
            digitable = boleto.format_digitable_line(invoice.digitable_line) if invoice.digitable_line else ""
        except boleto.BoletoError:
            digitable = invoice.digitable_line
        payments = list(invoice.payments.all())
        can_reverse = user.has_perm("billing.change_payment")
        for payment in payments:
            payment.can_reverse = (
                can_reverse
                and not payment.reversed
                and not payment.reversal_of_id
                and not invoice.renegotiated
                and invoice.status != InvoiceStatus.CANCELLED
            )
        # After the due date the PIX shown charges the amount due today (issue 16, item 6).
        invoice.pix_payload = selectors.invoice_pix(invoice, today)[0]
        return {
            "invoice": invoice,
            "today": today,
            "color": invoice.color(today),
            "status_text": tables.status_text(invoice),
            "legend": legend(InvoiceColor),
            "digitable_line": digitable,
            "due_today": selectors.amount_due(invoice, today) if invoice.is_open else None,
            "payments": payments,
            "old_invoices": (
                Invoice.objects.filter(renegotiation_links__renegotiation=invoice.renegotiation_id)
                if invoice.renegotiation_id
                else []
            ),
            "renegotiations": invoice.renegotiation_links.select_related("renegotiation"),
            "tab_url": finance_tab_url(invoice.customer),
            "pix_qr_url": reverse("billing:invoice_pix_qr", args=[invoice.pk]) if invoice.pix_payload else "",
            **invoice_actions(invoice, user),
        }


class InvoiceAddView(ObjectViewMixin, View):
    """ "Novo boleto avulso" (F-1: a one-off receivable of the customer): for the customer given as
    ``?customer=<id>`` (fixed); without one, a search for the customer first."""

    model = Invoice
    action = "add"
    template_name = "billing/invoice_form.html"

    def get_customer(self):
        customer_id = self.request.POST.get("customer") or self.request.GET.get("customer")
        if not customer_id:
            return None
        try:
            customer_id = int(customer_id)
        except (TypeError, ValueError):
            raise Http404 from None
        return get_object_or_404(selectors.customers_for(self.request.user), pk=customer_id)

    def render_form(self, customer, form):
        context = {
            **self.base_context(),
            "customer": customer,
            "form": form,
            "next": safe_next(self.request, finance_tab_url(customer) if customer else ""),
        }
        if customer is None:
            query = self.request.GET.get("q", "").strip()
            context.update(
                {"query": query, "customers": selectors.customer_choices(self.request.user, query)}
            )
        return render(self.request, self.template_name, context)

    def get(self, request):
        customer = self.get_customer()
        form = None
        if customer is not None:
            initial = {"contract": request.GET.get("contract")} if request.GET.get("contract") else {}
            form = forms.OneOffInvoiceForm(customer=customer, user=request.user, initial=initial)
        return self.render_form(customer, form)

    def post(self, request):
        customer = self.get_customer()
        if customer is None:
            raise Http404
        form = forms.OneOffInvoiceForm(data=request.POST, customer=customer, user=request.user)
        if form.is_valid():
            try:
                invoice = invoice_create(actor=request.user, **form.service_data())
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, words.saved_message(invoice))
                return redirect(invoice.get_absolute_url())
        return self.render_form(customer, form)


class InvoiceCancelView(ObjectActionView):
    """Cancel an open invoice without payments, with the reason (F-8); then back to ``next`` (the
    invoice page by default)."""

    model = Invoice
    form_class = forms.ReasonForm
    template_name = "billing/invoice_cancel.html"
    success_message = gettext_lazy("%(object)s cancelled.")

    def render_form(self, invoice, form):
        context = {
            **self.base_context(),
            "invoice": invoice,
            "color": invoice.color(),
            "form": form,
            "next": safe_next(self.request, invoice.get_absolute_url()),
        }
        return render(self.request, self.template_name, context)

    def perform(self, invoice, data):
        return invoice_cancel(actor=self.request.user, invoice=invoice, reason=data["reason"])

    def get_success_url(self, invoice, result):
        return safe_next(self.request, invoice.get_absolute_url())


class InvoiceBoletoPdfView(ObjectViewMixin, View):
    """The hybrid boleto (ficha de compensação + PIX QR) of one invoice, as PDF."""

    model = Invoice

    def get(self, request, pk):
        invoice = self.get_object()
        return pdf_response(boleto_pdf([invoice]), f"boleto-{invoice.pk}.pdf")


class CarnePdfView(ObjectViewMixin, View):
    """The carnê of the selected invoices (``?invoice=<id>`` repeated) of one customer."""

    model = Invoice

    def get(self, request):
        ids = [value for value in request.GET.getlist("invoice") if value.isdigit()]
        invoices = list(
            self.get_queryset()
            .filter(pk__in=ids, renegotiated=False, status__in=OPEN_STATUSES)
            .select_related("customer", "wallet", "branch")
            .order_by("due_date", "pk")
        )
        if not invoices:
            return HttpResponse(_("Select at least one open invoice."), status=400, content_type="text/plain")
        if len({invoice.customer_id for invoice in invoices}) > 1:
            return HttpResponse(
                _("A carnê holds the invoices of one customer."), status=400, content_type="text/plain"
            )
        return pdf_response(carne_pdf(invoices), f"carne-{invoices[0].customer_id}.pdf")


class InvoicePixQrView(ObjectViewMixin, View):
    """The PIX QR code of an invoice, as PNG."""

    model = Invoice

    def get(self, request, pk):
        invoice = self.get_object()
        payload = selectors.invoice_pix(invoice)[0]
        if not payload:
            raise Http404
        response = HttpResponse(selectors.pix_qr_png(payload, scale=6), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response
