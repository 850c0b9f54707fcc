"""Payments ("Recebimentos", F-6): the list, the settlement form ("Baixa") with the amount due on
the chosen date (F-7), the payment page with its receipt ("recibo") and the reversal ("estorno")."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.views.generic import ObjectDetailView, ObjectListView, ObjectViewMixin

from .. import forms, selectors, tables
from ..models import Invoice, Payment, PaymentMethod
from ..pdf import receipt_pdf
from ..services.payments import payment_create, payment_reverse
from .common import error_messages, legend, parse_date, pdf_response, safe_next
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


class InvoiceSettleView(ObjectViewMixin, View):
    """ "Baixar" (F-6): date (today), method, amount prefilled with what is due on the date — fine,
    interest and discount too, all editable; less than due is a partial payment. Changing the date
    fetches the amounts again (HTMX)."""

    model = Invoice
    queryset = Invoice.objects.select_related(*INVOICE_RELATED)
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

    def render_form(self, invoice, form, date):
        context = {
            **self.base_context(),
            "invoice": invoice,
            "form": form,
            "due": selectors.amount_due(invoice, date),
            "date": date,
            "legend": legend(),
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

    def get(self, request, pk):
        invoice = self.get_object()
        if not invoice.is_open:
            return self.refuse_closed(invoice)
        date = parse_date(request.GET.get("date"))
        form = forms.SettleForm(initial=self.initial(invoice, date), user=request.user)
        return self.render_form(invoice, form, date)

    def post(self, request, pk):
        invoice = self.get_object()
        form = forms.SettleForm(data=request.POST, user=request.user)
        date = parse_date(request.POST.get("date"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                payment = payment_create(
                    actor=request.user,
                    invoice=invoice,
                    date=data["date"],
                    method=data["method"],
                    amount=data["amount"],
                    fine=data["fine"],
                    interest=data["interest"],
                    discount=data["discount"],
                    notes=data["notes"],
                )
            except (ValidationError, ApplicationError) as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Payment of %(amount)s registered on %(invoice)s.")
                    % {"amount": tables.brl(payment.amount), "invoice": invoice},
                )
                url = payment.get_absolute_url()
                nxt = safe_next(request, "")
                return redirect(f"{url}?{urlencode({'next': nxt})}" if nxt else url)
        invoice.refresh_from_db()
        if not invoice.is_open:
            return self.refuse_closed(invoice)
        return self.render_form(invoice, form, date)


class PaymentReverseView(ObjectViewMixin, View):
    """ "Estornar": a reversal movement with the reason; both movements are kept."""

    model = Payment
    action = "change"

    def post(self, request, pk):
        payment = self.get_object()
        try:
            payment_reverse(actor=request.user, payment=payment, reason=request.POST.get("reason", ""))
        except (ValidationError, ApplicationError) as exc:
            error_messages(request, exc)
        else:
            messages.success(request, _("%(object)s reversed.") % {"object": payment})
        return redirect(safe_next(request, payment.invoice.get_absolute_url()))

    def get(self, request, pk):
        return redirect(self.get_object().get_absolute_url())


class PaymentReceiptPdfView(ObjectViewMixin, View):
    """The receipt ("recibo") of a payment, as PDF."""

    model = Payment
    queryset = Payment.objects.select_related(*PAYMENT_RELATED)

    def get(self, request, pk):
        payment = self.get_object()
        return pdf_response(receipt_pdf(payment), f"receipt-{payment.pk}.pdf")
