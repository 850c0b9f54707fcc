"""Operator screens of the sales area (SPEC V-1 … V-3): the global sales list with its filters, the
customer page's "Vendas" tab, the sale form with its items, the sale page with "Finalizar venda",
"Alterar" (closed ↔ open), delete, and the receivables the sale generated. Rules live in
``services``; these views read the request, check permissions and scope, and call them."""

from urllib.parse import urlencode

import django_filters
from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_filters.widgets import DateRangeWidget

from enlace.billing.models import InvoiceColor
from enlace.core import words
from enlace.core.exceptions import ApplicationError
from enlace.core.forms import add_service_errors
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import legend, safe_next, tab_url
from enlace.core.views.generic import ObjectDeleteView, ObjectDetailView, ObjectListView, ObjectViewMixin
from enlace.customers.models import Customer
from enlace.customers.selectors import customer_in_scope, customer_pick
from enlace.customers.tabs import CustomerTabView

from . import forms, selectors, services, tables
from .filtersets import SaleFilterSet
from .models import ZERO, Sale, SaleStatus

SALE_RELATED = ("customer", "contract", "branch", "salesperson", "payment_condition")


def sales_tab_url(customer) -> str:
    return tab_url(customer, "sales")


def sale_actions(sale: Sale, user) -> dict:
    """What the operator may do with ``sale`` now (the services check again)."""
    return {
        "can_edit": sale.is_open and user.has_perm("sales.change_sale"),
        "can_delete": sale.is_open and user.has_perm("sales.delete_sale") and not sale.receivables_generated,
        "can_finish": sale.is_open and user.has_perm("sales.change_sale"),
        "can_set_status": user.has_perm(services.STATUS_PERMISSION),
    }


class SaleListFilterSet(SaleFilterSet):
    """The page's filters: the customer by name (never a select of every customer), date pickers."""

    customer = django_filters.NumberFilter(widget=django_forms.HiddenInput, label=_("Customer"))
    customer_name = django_filters.CharFilter(
        field_name="customer__name", lookup_expr="icontains", label=_("Customer name")
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("Date (from / to)"), widget=DateRangeWidget(attrs={"type": "date"})
    )
    status = django_filters.MultipleChoiceFilter(
        choices=SaleStatus.choices,
        label=_("Status"),
        widget=django_forms.SelectMultiple(attrs={"size": 2}),
    )

    class Meta(SaleFilterSet.Meta):
        fields = ["customer_name", "status", "salesperson", "date", "branch", "customer", "contract"]


class SaleListView(ObjectListView):
    """ "Vendas": every sale of the operator's branches, with filters (customer, status,
    salesperson, dates, branch) and CSV export."""

    model = Sale
    queryset = Sale.objects.select_related(*SALE_RELATED)
    table_class = tables.SaleTable
    filterset_class = SaleListFilterSet


class SaleDetailView(ObjectDetailView):
    """The sale page: data, items with their totals, the receivables it generated and the
    actions."""

    model = Sale
    queryset = Sale.objects.select_related(*SALE_RELATED)
    template_name = "sales/sale_detail.html"

    def fields_for(self, obj):
        return []

    def get_extra_context(self, sale):
        user = self.request.user
        today = timezone.localdate()
        receivables = selectors.sale_receivables(sale, user=user)
        rows = [{"invoice": i, "color": i.color(today)} for i in receivables]
        receivables_total = sum((i.amount for i in receivables), ZERO)
        finish_form = forms.SaleFinishForm(
            sale=sale, user=user, initial={"wallet": services.default_wallet(sale)}
        )
        return {
            "sale": sale,
            "items": list(sale.items.select_related("product")),
            "receivables": rows,
            "receivables_total": receivables_total,
            "receivables_differ": bool(receivables) and receivables_total != sale.total,
            "legend": legend(InvoiceColor),
            "finish_form": finish_form,
            "status_form": forms.SaleStatusForm(
                initial={"status": SaleStatus.CLOSED if sale.is_open else SaleStatus.OPEN}
            ),
            "tab_url": sales_tab_url(sale.customer),
            "can_view_invoices": user.has_perm("billing.view_invoice"),
            **sale_actions(sale, user),
        }


class SaleEditView(ObjectViewMixin, View):
    """ "Novo" / "Editar" (V-2): the sale's fields and its items (a formset with blank rows and
    an "Add item" button). A new sale needs ``?customer=<id>`` (without one, a customer search
    comes first). A closed sale is not editable: the page sends the operator back to it."""

    model = Sale
    template_name = "sales/sale_form.html"

    def get_required_permission(self):
        return "sales.change_sale" if "pk" in self.kwargs else "sales.add_sale"

    def get_customer(self):
        customer_id = self.request.POST.get("customer") or self.request.GET.get("customer")
        if not customer_id:
            return None
        try:
            return customer_in_scope(user=self.request.user, pk=int(customer_id), leads=False)
        except (TypeError, ValueError, Customer.DoesNotExist):
            raise Http404 from None

    def render_form(self, sale, customer, form, formset):
        context = {
            **self.base_context(),
            "object": sale,
            "is_new": sale is None or sale.pk is None,
            "customer": customer,
            "form": form,
            "formset": formset,
            "next": safe_next(
                self.request, sales_tab_url(customer) if customer else reverse("sales:sale_list")
            ),
        }
        if customer is None:
            query = self.request.GET.get("q", "").strip()
            context.update({"query": query, "customers": customer_pick(user=self.request.user, text=query)})
        return render(self.request, self.template_name, context)

    def closed_redirect(self, sale):
        messages.error(
            self.request,
            _("The sale is closed and cannot be changed; change its status to open first (“Change status”)."),
        )
        return redirect(sale.get_absolute_url())

    def get(self, request, pk=None):
        user = request.user
        if pk is not None:
            sale = self.get_object()
            if not sale.is_open:
                return self.closed_redirect(sale)
            customer = sale.customer
        else:
            sale, customer = Sale(), self.get_customer()
            if customer is None:
                return self.render_form(None, None, None, None)
            initial = {"contract": request.GET.get("contract")} if request.GET.get("contract") else {}
        form = forms.SaleForm(
            instance=sale, customer=customer, user=user, initial=initial if pk is None else None
        )
        return self.render_form(sale, customer, form, forms.item_formset(sale, user=user))

    def post(self, request, pk=None):
        user = request.user
        if pk is not None:
            sale = self.get_object()
            customer = sale.customer
        else:
            sale, customer = Sale(), self.get_customer()
            if customer is None:
                raise Http404
        form = forms.SaleForm(data=request.POST, instance=sale, customer=customer, user=user)
        formset = forms.item_formset(sale, user=user, data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                if pk is None:
                    sale = services.sale_create(
                        actor=user, customer=customer, items=formset.items(), **form.service_data()
                    )
                else:
                    sale = services.sale_update(
                        actor=user, sale=sale, items=formset.items(), **form.service_data()
                    )
            except (ValidationError, ApplicationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, words.saved_message(sale))
                return redirect(sale.get_absolute_url())
        return self.render_form(sale, customer, form, formset)


class SaleDeleteView(ObjectDeleteView):
    """ "Excluir" (V-2): the sale and its items; refused for a closed sale."""

    model = Sale

    def delete_object(self, obj):
        services.sale_delete(actor=self.request.user, sale=obj)

    def post(self, request, pk):
        sale = self.get_object()
        customer = sale.customer
        response = super().post(request, pk)
        if Sale.objects.filter(pk=pk).exists():
            return response
        return redirect(safe_next(request, sales_tab_url(customer)))


class SaleFinishView(ObjectActionView):
    """ "Finalizar venda" (V-2: open → closed; V-3: it can generate its receivables by its payment
    condition)."""

    model = Sale
    form_class = forms.SaleFinishForm
    success_message = gettext_lazy("%(object)s finished.")

    def get_form_kwargs(self, sale):
        return {"sale": sale, "user": self.request.user}

    def perform(self, sale, data):
        return services.sale_finish(
            actor=self.request.user,
            sale=sale,
            generate_receivables=data.get("generate_receivables", False),
            wallet=data.get("wallet"),
        )


class SaleStatusView(ObjectActionView):
    """ "Alterar" (V-2): closed ↔ open; permission ``sales.change_sale_status``."""

    model = Sale
    form_class = forms.SaleStatusForm

    def get_required_permission(self):
        return services.STATUS_PERMISSION

    def get_form_kwargs(self, sale):
        return {}

    def perform(self, sale, data):
        return services.sale_set_status(
            actor=self.request.user, sale=sale, status=data["status"], reason=data["reason"]
        )

    def get_success_message(self, sale, result):
        return _("%(object)s is now %(status)s.") % {"object": sale, "status": sale.get_status_display()}


class CustomerSalesTabView(CustomerTabView):
    """The customer page's "Vendas" tab (V-1): the customer's sales, one-off or of a contract."""

    model = Sale
    tab_key = "sales"
    template_name = "sales/customer_tab.html"

    def get_tab_context(self, customer):
        return {
            "customer": customer,
            "sales": self.get_queryset().filter(customer=customer).select_related("contract", "salesperson"),
            "can_add": self.request.user.has_perm("sales.add_sale"),
            "new_url": f"{reverse('sales:sale_add')}?{urlencode({'customer': customer.pk})}",
        }
