"""Payments ("Recebimentos", F-6): the list, the settlement form ("Baixa") with the amount due on
the chosen date (F-7: the wallet's fine and interest, capped at 2 % and 1 % a month), the payment page with
its receipt ("recibo") and the reversal ("estorno")."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core.money import brl
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import htmx_redirect, legend, safe_next
from enlace.core.views.generic import ObjectDetailView, ObjectListView, ObjectViewMixin

from .. import forms, selectors, tables
from ..models import Invoice, InvoiceColor, Payment, PaymentMethod
from ..pdf import receipt_pdf
from ..services.payments import payment_create, payment_reverse
from .common import parse_date, pdf_response
from .invoices import INVOICE_RELATED, finance_tab_url

PAYMENT_RELATED = ("invoice", "invoice__customer", "invoice__wallet", "reversal_of", "operator")


class PaymentListView(ObjectListView):
    model = Payment
    queryset = Payment.objects.select_related(*PAYMENT_RELATED)
    table_class = tables.PaymentTable
    filterset_class = forms.PaymentListFilterSet
    template_name = "billing/object_list.html"


class PaymentDetailView(ObjectDetailView):
    """A payment (or reversal movement): its values, the receipt and the reversal."""

    model = Payment
    queryset = Payment.objects.select_related(*PAYMENT_RELATED)
    template_name = "billing/payment_detail.html"

    def fields_for(self, obj):
        return []

    def get_extra_context(self, payment):
        invoice = payment.invoice
        can_reverse = (
            self.request.user.has_perm("billing.change_payment")
            and not payment.reversed
            and not payment.reversal_of_id
            and not invoice.renegotiated
        )
        reversal = Payment.objects.filter(reversal_of=payment).first()
        return {
            "payment": payment,
            "invoice": invoice,
            "reversal": reversal,
            "can_reverse": can_reverse,
            "receipt_url": reverse("billing:payment_receipt", args=[payment.pk]),
            "tab_url": finance_tab_url(invoice.customer),
            "back_url": safe_next(self.request, ""),
        }


class InvoiceSettleView(ObjectActionView):
    """ "Baixar" (F-6): date (today), method, amount prefilled with what is due on the date — fine,
    interest and discount too, all editable; less than due is a partial payment. Changing the date
    fetches the amounts again (HTMX). An invoice that is not open (or no longer, after a refusal)
    sends the operator back to its page."""

    model = Invoice
    queryset = Invoice.objects.select_related(*INVOICE_RELATED)
    form_class = forms.SettleForm
    template_name = "billing/settle_form.html"

    def get_required_permission(self):
        return "billing.add_payment"

    def initial(self, invoice, date):
        due = selectors.amount_due(invoice, date)
        return {
            "date": date,
            "method": self.request.GET.get("method") or PaymentMethod.CASH,
            "amount": due["total"],
            "fine": due["fine"],
            "interest": due["interest"],
            "discount": due["discount"],
            "notes": self.request.GET.get("notes", ""),
        }

    def render_form(self, invoice, form):
        query = self.request.POST if self.request.method == "POST" else self.request.GET
        date = parse_date(query.get("date"))
        context = {
            **self.base_context(),
            "invoice": invoice,
            "form": form,
            "due": selectors.amount_due(invoice, date),
            "date": date,
            "legend": legend(InvoiceColor),
            "color": invoice.color(),
            "next": safe_next(self.request, ""),
            "settle_url": reverse("billing:invoice_settle", args=[invoice.pk]),
        }
        return render(self.request, self.template_name, context)

    def refuse_closed(self, invoice):
        messages.error(
            self.request,
            _("The invoice is %(status)s and cannot be settled.") % {"status": tables.status_text(invoice)},
        )
        return redirect(invoice.get_absolute_url())

    def get(self, request, *args, **kwargs):
        invoice = self.get_object()
        if not invoice.is_open:
            return self.refuse_closed(invoice)
        date = parse_date(request.GET.get("date"))
        form = forms.SettleForm(initial=self.initial(invoice, date), user=request.user)
        return self.render_form(invoice, form)

    def perform(self, invoice, data):
        return payment_create(
            actor=self.request.user,
            invoice=invoice,
            date=data["date"],
            method=data["method"],
            amount=data["amount"],
            fine=data["fine"],
            interest=data["interest"],
            discount=data["discount"],
            notes=data["notes"],
        )

    def refused(self, invoice, form, exc=None):
        invoice.refresh_from_db()
        if not invoice.is_open:
            return self.refuse_closed(invoice)
        return super().refused(invoice, form, exc)

    def get_success_message(self, invoice, payment):
        return _("Payment of %(amount)s registered on %(invoice)s.") % {
            "amount": brl(payment.amount),
            "invoice": invoice,
        }

    def get_success_url(self, invoice, payment):
        url = payment.get_absolute_url()
        nxt = safe_next(self.request, "")
        return f"{url}?{urlencode({'next': nxt})}" if nxt else url


class PaymentReverseView(ObjectActionView):
    """ "Estornar": a reversal movement with the reason; both movements are kept. Done or refused,
    the operator goes back to ``next`` (the invoice page by default)."""

    model = Payment
    success_message = gettext_lazy("%(object)s reversed.")

    def perform(self, payment, data):
        return payment_reverse(
            actor=self.request.user, payment=payment, reason=self.request.POST.get("reason", "")
        )

    def get_success_url(self, payment, result):
        return safe_next(self.request, payment.invoice.get_absolute_url())

    def refused(self, payment, form, exc=None):
        self.refusal_messages(exc)
        return htmx_redirect(self.request, self.get_success_url(payment, None))


class PaymentReceiptPdfView(ObjectViewMixin, View):
    """The receipt ("recibo") of a payment, as PDF."""

    model = Payment
    queryset = Payment.objects.select_related(*PAYMENT_RELATED)

    def get(self, request, pk):
        payment = self.get_object()
        return pdf_response(receipt_pdf(payment), f"receipt-{payment.pk}.pdf")
