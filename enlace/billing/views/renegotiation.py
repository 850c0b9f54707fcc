"""The renegotiation wizard (F-8: open invoices are replaced by new ones, the old turn grey, nothing is
deleted), one page per step of ``enlace.billing.services.renegotiation``:

1. choose the customer's open invoices (``renegotiation_start``: a draft holds them, so a second
   renegotiation cannot take them);
2. the terms — additions, discount, payment condition or number of instalments, wallet, first due
   date — with the new total (``renegotiation_update``);
3. the preview of the instalments (``renegotiation_preview``);
4. finish (``renegotiation_finish``: the old invoices turn grey, the new ones are created) or
   abandon (``renegotiation_cancel``).
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import legend
from enlace.core.views.generic import ObjectViewMixin

from .. import forms, selectors
from ..models import Invoice, InvoiceColor, RenegotiatedInvoice, Renegotiation
from ..services.renegotiation import (
    renegotiation_cancel,
    renegotiation_finish,
    renegotiation_preview,
    renegotiation_start,
    renegotiation_update,
)
from .invoices import finance_tab_url

STEPS = [(1, "invoices"), (2, "terms"), (3, "preview")]


def steps(current: int) -> list[dict]:
    labels = {1: _("Invoices"), 2: _("Terms"), 3: _("Preview and finish")}
    return [
        {"number": n, "label": labels[n], "active": n == current, "done": n < current} for n, _key in STEPS
    ]


class _RenegotiationMixin(ObjectViewMixin):
    model = Renegotiation
    queryset = Renegotiation.objects.select_related("customer", "wallet", "payment_condition", "operator")

    def get_required_permission(self):
        return "billing.view_renegotiation" if self.request.method == "GET" else "billing.add_renegotiation"

    def held_invoices(self, renegotiation):
        return list(
            Invoice.objects.filter(renegotiation_links__renegotiation=renegotiation)
            .select_related("contract", "wallet")
            .order_by("due_date", "pk")
        )

    def context(self, renegotiation, **extra):
        return {
            **self.base_context(),
            "renegotiation": renegotiation,
            "customer": renegotiation.customer,
            "tab_url": finance_tab_url(renegotiation.customer),
            "can_edit": renegotiation.status == Renegotiation.Status.DRAFT
            and self.request.user.has_perm("billing.add_renegotiation"),
            "legend": legend(InvoiceColor),
            **extra,
        }


class RenegotiationNewView(ObjectViewMixin, View):
    """Step 1: the customer's open invoices (``?customer=<id>``, those checked on the customer's
    Financeiro tab given as ``invoice=<id>``); an invoice held by an unfinished renegotiation says so."""

    model = Renegotiation
    action = "add"
    template_name = "billing/renegotiation_start.html"

    def get_customer(self):
        value = self.request.POST.get("customer") or self.request.GET.get("customer") or ""
        if not value.isdigit():
            raise Http404
        return get_object_or_404(selectors.customers_for(self.request.user), pk=int(value))

    def render_form(self, customer, form):
        today = timezone.localdate()
        held = {
            link.invoice_id: link.renegotiation
            for link in RenegotiatedInvoice.objects.filter(
                open=True, invoice__customer=customer
            ).select_related("renegotiation")
        }
        rows = []
        selected = {str(v) for v in (form["invoices"].value() or [])}
        for invoice in form.fields["invoices"].queryset.select_related("contract"):
            rows.append(
                {
                    "invoice": invoice,
                    "checked": str(invoice.pk) in selected,
                    "color": invoice.color(today),
                    "due": selectors.amount_due(invoice, today),
                    "held_by": held.get(invoice.pk),
                }
            )
        context = {
            **self.base_context(),
            "customer": customer,
            "form": form,
            "rows": rows,
            "steps": steps(1),
            "legend": legend(InvoiceColor),
            "tab_url": finance_tab_url(customer),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        customer = self.get_customer()
        form = forms.RenegotiationStartForm(
            customer=customer, user=request.user, initial={"invoices": request.GET.getlist("invoice")}
        )
        return self.render_form(customer, form)

    def post(self, request):
        customer = self.get_customer()
        form = forms.RenegotiationStartForm(data=request.POST, customer=customer, user=request.user)
        if form.is_valid():
            try:
                renegotiation = renegotiation_start(
                    actor=request.user, customer=customer, invoices=form.cleaned_data["invoices"]
                )
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                return redirect(renegotiation.get_absolute_url())
        return self.render_form(customer, form)


class RenegotiationDetailView(_RenegotiationMixin, ObjectActionView):
    """Step 2 while a draft: the invoices held, the totals and the terms form; afterwards, what the
    renegotiation did (old invoices grey, the new instalments). Saved terms lead to step 3."""

    form_class = forms.RenegotiationTermsForm
    template_name = "billing/renegotiation_terms.html"
    success_message = ""

    def render_page(self, renegotiation, form=None):
        if renegotiation.status != Renegotiation.Status.DRAFT:
            new = list(renegotiation.new_invoices.order_by("due_date", "pk"))
            context = self.context(renegotiation, old=self.held_invoices(renegotiation), new=new)
            return render(self.request, "billing/renegotiation_detail.html", context)
        if form is None:
            form = forms.RenegotiationTermsForm(
                renegotiation=renegotiation,
                user=self.request.user,
                initial={
                    "additions": renegotiation.additions,
                    "discount": renegotiation.discount,
                    "payment_condition": renegotiation.payment_condition_id,
                    "instalments": renegotiation.instalments,
                    "wallet": renegotiation.wallet_id,
                    "first_due_date": renegotiation.first_due_date
                    or timezone.localdate() + datetime.timedelta(days=5),
                    "notes": renegotiation.notes,
                },
            )
        today = timezone.localdate()
        invoices = self.held_invoices(renegotiation)
        for invoice in invoices:
            invoice.due = selectors.amount_due(invoice, today)
            invoice.row_color = invoice.color(today)
        context = self.context(renegotiation, form=form, invoices=invoices, steps=steps(2))
        return render(self.request, "billing/renegotiation_terms.html", context)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_object())

    def get_form_kwargs(self, renegotiation):
        return {"renegotiation": renegotiation, "user": self.request.user}

    def render_form(self, renegotiation, form):
        renegotiation.refresh_from_db()
        return self.render_page(renegotiation, form)

    def perform(self, renegotiation, data):
        return renegotiation_update(
            actor=self.request.user, renegotiation=renegotiation, **self.form.service_data()
        )

    def get_success_url(self, renegotiation, result):
        return reverse("billing:renegotiation_preview", args=[renegotiation.pk])


class RenegotiationPreviewView(_RenegotiationMixin, View):
    """Step 3: the instalments the terms give, with "Finish" and "Abandon"."""

    def get(self, request, pk):
        renegotiation = self.get_object()
        if renegotiation.status != Renegotiation.Status.DRAFT:
            return redirect(renegotiation.get_absolute_url())
        plan = [
            {"number": n, "due_date": due, "amount": amount}
            for n, (due, amount) in enumerate(renegotiation_preview(renegotiation), start=1)
        ]
        context = self.context(
            renegotiation, plan=plan, invoices=self.held_invoices(renegotiation), steps=steps(3)
        )
        return render(request, "billing/renegotiation_preview.html", context)


class _RenegotiationButtonView(_RenegotiationMixin, ObjectActionView):
    """A button of the preview: done, the customer's "Financeiro" tab."""

    def get_success_url(self, renegotiation, result):
        return finance_tab_url(renegotiation.customer)


class RenegotiationFinishView(_RenegotiationButtonView):
    """Finish; refused, back to the preview."""

    def get_object_url(self, renegotiation):
        return reverse("billing:renegotiation_preview", args=[renegotiation.pk])

    def perform(self, renegotiation, data):
        return renegotiation_finish(actor=self.request.user, renegotiation=renegotiation)

    def get_success_message(self, renegotiation, new):
        return _("%(object)s finished: %(count)s new invoices.") % {
            "object": renegotiation,
            "count": len(new),
        }


class RenegotiationCancelView(_RenegotiationButtonView):
    """Abandon; refused, back to the renegotiation's page."""

    success_message = gettext_lazy("%(object)s abandoned; its invoices are free again.")

    def perform(self, renegotiation, data):
        return renegotiation_cancel(actor=self.request.user, renegotiation=renegotiation)
