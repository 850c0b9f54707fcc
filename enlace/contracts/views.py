"""Operator screens of plans and contracts: declarations over the generic views."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

from enlace.core import words
from enlace.core.exceptions import ApplicationError
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import tab_url
from enlace.core.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectViewMixin,
)
from enlace.customers.models import Customer
from enlace.customers.selectors import customer_in_scope
from enlace.customers.tabs import CustomerTabView

from . import filtersets, forms, reports, selectors, services, tables
from .models import AccessStatus, Contract, ContractHistory, ContractStatus
from .tabs import ContractTabView, get_tab, tabs_for


class ContractListView(ObjectListView):
    model = Contract
    queryset = Contract.objects.select_related("customer", "plan", "branch")
    table_class = tables.ContractTable
    filterset_class = filtersets.ContractListFilterSet


class ContractDetailView(ObjectViewMixin, View):
    """The contract page (CT-4: besides its data, a "Faturamento" tab with due day, wallet, payment
    condition and first billing date): header with the action buttons and the change of plan, the tab
    bar (``tabs.py``: Dados, Faturamento, Histórico, later Logins and Financeiro) and the selected
    tab, loaded with HTMX and kept in ``?tab=``."""

    model = Contract
    queryset = Contract.objects.select_related("customer", "plan", "branch")
    template_name = "contracts/contract_detail.html"

    def get(self, request, pk):
        contract = self.get_object()
        tabs = [
            {"key": t.key, "label": t.label, "url": t.url(contract)} for t in tabs_for(contract, request.user)
        ]
        current = get_tab(contract, request.user, request.GET.get("tab"))
        current_tab = next((t for t in tabs if current is not None and t["key"] == current.key), None)
        can_change_plan = request.user.has_perm("contracts.change_contract") and contract.status not in (
            ContractStatus.INACTIVE,
            ContractStatus.GAVE_UP,
        )
        context = {
            **self.base_context(),
            "object": contract,
            "contract": contract,
            "tabs": tabs,
            "current_tab": current_tab,
            "actions": contract_actions(contract),
            "url_edit": reverse("contracts:contract_edit", args=[contract.pk]),
            "url_changes": reverse("contracts:contract_changes", args=[contract.pk]),
            "change_plan_form": (
                forms.ChangePlanForm(contract=contract, user=request.user) if can_change_plan else None
            ),
            "change_plan_url": reverse("contracts:contract_change_plan", args=[contract.pk]),
        }
        return render(request, self.template_name, context)


class ContractOwnTabView(ContractTabView):
    """One of this app's tabs of the contract page (``contracts/tabs/<key>.html``), for HTMX; a
    plain GET goes to the page on that tab."""

    model = Contract
    owner_related = (
        "customer",
        "customer__city",
        "plan",
        "branch",
        "wallet",
        "payment_condition",
        "salesperson",
        "city",
    )
    permission: str | None = None

    def get_required_permission(self):
        return self.permission or super().get_required_permission()

    def get_template_names(self):
        return f"contracts/tabs/{self.tab_key}.html"

    def get_tab_context(self, contract) -> dict:
        return {
            "tab_key": self.tab_key,
            "contract": contract,
            "labels": {f.name: capfirst(f.verbose_name) for f in Contract._meta.fields},
            **self.get_extra_context(contract),
        }

    def get_extra_context(self, contract) -> dict:
        return {}


class ContractDataTabView(ContractOwnTabView):
    """ "Dados": customer, plan, type, status, dates, installation address, salesperson, notes."""

    tab_key = "data"


class ContractBillingTabView(ContractOwnTabView):
    """ "Faturamento" (CT-4: due day, wallet, payment condition and first billing date are required;
    CT-6: loyalty months, installation fee and its instalments, reason of inclusion)."""

    tab_key = "billing"


class ContractHistoryTabView(ContractOwnTabView):
    """ "Histórico": the contract's entries, newest first (H-1)."""

    tab_key = "history"
    permission = "contracts.view_contracthistory"

    def get_extra_context(self, contract):
        return {
            "entries": contract.history.all()[:500],
            "can_change_history": self.request.user.has_perm("contracts.change_contracthistory"),
        }


class ContractChangePlanView(ObjectActionView):
    """POST of the change of plan of the contract page (CT-5: one transaction with its history entry and its
    RADIUS effect), through ``contract_change_plan``."""

    model = Contract
    form_class = forms.ChangePlanForm

    def get_form_kwargs(self, contract):
        return {"contract": contract, "user": self.request.user}

    def perform(self, contract, data):
        return services.contract_change_plan(
            actor=self.request.user,
            contract=contract,
            plan=data["plan"],
            effective_date=data["effective_date"],
            reason=data["reason"],
        )

    def get_success_message(self, contract, result):
        return f"{ContractHistory.Kind.PLAN_CHANGED.label}: {self.form.cleaned_data['plan']}"


def contract_actions(contract) -> list[dict]:
    """The action buttons the contract's state allows (the services check again)."""
    status, access = contract.status, contract.access_status
    actions = []
    if status == ContractStatus.PRE_CONTRACT:
        actions.append(("activate", _("Activate"), False, False, "btn-success"))
    if status == ContractStatus.ACTIVE and access != AccessStatus.MANUAL_BLOCK:
        actions.append(("block", _("Block"), True, True, "btn-warning"))
    if status == ContractStatus.ACTIVE and access in services.BLOCKED:
        actions.append(("unblock", _("Unblock"), True, False, "btn-primary"))
    if status not in (ContractStatus.INACTIVE, ContractStatus.GAVE_UP):
        actions.append(("cancel", _("Cancel contract"), True, True, "btn-outline-danger"))
    return [
        {
            "name": name,
            "label": label,
            "reason": reason,
            "reason_required": required,
            "css": css,
            "url": reverse("contracts:contract_action", args=[contract.pk, name]),
        }
        for name, label, reason, required, css in actions
    ]


class ContractActionView(ObjectActionView):
    """POST of an action button of the contract page (CT-5: one transaction with its history entry and its
    RADIUS effect), through its service."""

    model = Contract
    SERVICES = {
        "activate": services.contract_activate,
        "block": services.contract_block,
        "unblock": services.contract_unblock,
        "cancel": services.contract_cancel,
    }

    def get_object(self):
        if self.kwargs["name"] not in self.SERVICES:
            raise Http404
        return super().get_object()

    def perform(self, contract, data):
        name = self.kwargs["name"]
        kwargs = {} if name == "activate" else {"reason": self.request.POST.get("reason", "")}
        return self.SERVICES[name](actor=self.request.user, contract=contract, **kwargs)


class ContractEditView(ObjectEditView):
    """New contract (pre-contract) and its Dados/Faturamento; status changes through the actions."""

    model = Contract
    form_class = forms.ContractForm

    def save_object(self, form):
        data = {name: form.cleaned_data[name] for name in forms.CONTRACT_FIELDS if name in form.cleaned_data}
        if form.instance.pk is None:
            return services.contract_create(actor=self.request.user, **data)
        return services.contract_update(actor=self.request.user, contract=form.instance, **data)


class CustomerContractsTabView(CustomerTabView):
    """The customer page's "Contratos" tab (SPEC CT-1): the customer's contracts with status,
    activation date, plan and access status, and "New contract" pre-filled from the customer."""

    model = Contract
    tab_key = "contracts"
    htmx_only = False
    template_name = "contracts/customer_tab.html"

    def get_tab_context(self, customer):
        contracts = self.get_queryset().filter(customer=customer).select_related("plan").order_by("-id")
        query = urlencode(
            {"customer": customer.pk, "branch": customer.branch_id, "next": tab_url(customer, "contracts")}
        )
        return {
            "customer": customer,
            "contracts": contracts,
            "can_add": self.request.user.has_perm("contracts.add_contract"),
            "new_url": f"{reverse('contracts:contract_add')}?{query}",
        }


class CustomerHistoryTabView(CustomerTabView):
    """The customer page's "Histórico" tab (SPEC H-1): every entry of its contracts, newest first."""

    model = ContractHistory
    tab_key = "history"
    leads = True
    htmx_only = False
    template_name = "contracts/history_tab.html"

    def get_tab_context(self, customer):
        user = self.request.user
        return {
            "customer": customer,
            "entries": selectors.customer_history(customer, user=user)[:500],
            "pdf_url": reverse("contracts:customer_history_pdf", args=[customer.pk]),
            "can_add": user.has_perm("contracts.add_contracthistory"),
            "can_change": user.has_perm("contracts.change_contracthistory"),
            "new_url": reverse("contracts:contracthistory_add") + "?" + urlencode({"customer": customer.pk}),
        }


class CustomerHistoryPdfView(ObjectViewMixin, View):
    """ "Imprimir" (SPEC H-3): the PDF report of the customer's history."""

    model = ContractHistory

    def get(self, request, pk):
        try:
            customer = customer_in_scope(user=request.user, pk=pk)
        except Customer.DoesNotExist as exc:
            raise Http404 from exc
        pdf = reports.history_pdf(customer, selectors.customer_history(customer, user=request.user))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="history-{customer.pk}.pdf"'
        return response


class ContractHistoryDetailView(ObjectDetailView):
    """ "Visualizar" (H-3): one entry in full."""

    model = ContractHistory
    detail_fields = ["customer", "contract", "kind", "created_at", "operator_name", "manual", "text"]


def _history_tab_url(entry) -> str:
    return tab_url(entry.customer, "history")


class ContractHistoryEditView(ObjectEditView):
    """ "Novo" and editing of a manual entry (H-2); automatic entries are refused."""

    model = ContractHistory
    form_class = forms.HistoryForm

    def get(self, request, pk=None):
        instance = self.get_instance()
        if instance.pk and not instance.manual:
            messages.error(request, _("Automatic history entries cannot be changed or deleted."))
            return redirect(instance.get_absolute_url())
        return super().get(request, pk)

    def get_success_url(self, obj):
        return _history_tab_url(obj)

    def save_object(self, form):
        data = form.cleaned_data
        if form.instance.pk is None:
            return services.history_add(
                actor=self.request.user,
                customer=data["customer"],
                contract=data.get("contract"),
                text=data["text"],
                manual=True,
            )
        return services.history_update(actor=self.request.user, entry=form.instance, text=data["text"])


class ContractHistoryDeleteView(ObjectDeleteView):
    model = ContractHistory

    def post(self, request, pk):
        entry = self.get_object()
        try:
            services.history_delete(actor=request.user, entry=entry)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(entry.get_absolute_url())
        messages.success(request, words.deleted_message(entry))
        return redirect(_history_tab_url(entry))
