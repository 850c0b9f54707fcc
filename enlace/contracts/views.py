"""Operator screens of plans and contracts: declarations over the generic views."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from enlace.core.exceptions import ApplicationError
from enlace.core.views.generic import (
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ObjectViewMixin,
)
from enlace.customers.models import Customer

from . import filtersets, forms, reports, services, tables
from .models import AccessStatus, Contract, ContractHistory, ContractStatus, Plan


class PlanListView(ObjectListView):
    model = Plan
    queryset = Plan.objects.select_related("branch")
    table_class = tables.PlanTable
    filterset_class = filtersets.PlanFilterSet


class PlanDetailView(ObjectDetailView):
    model = Plan
    detail_fields = forms.PLAN_FIELDS


class PlanEditView(ObjectEditView):
    model = Plan
    form_class = forms.PlanForm


class PlanDeleteView(ObjectDeleteView):
    model = Plan


class ContractListView(ObjectListView):
    model = Contract
    queryset = Contract.objects.select_related("customer", "plan", "branch")
    table_class = tables.ContractTable
    filterset_class = filtersets.ContractFilterSet


class ContractDetailView(ObjectDetailView):
    model = Contract
    template_name = "contracts/contract_detail.html"
    detail_fields = [
        "customer",
        "branch",
        "plan",
        "type",
        "status",
        "access_status",
        "contract_date",
        "signature_date",
        "activation_date",
        "cancellation_date",
        "cancellation_reason",
        "cancellation_origin",
        *forms.CONTRACT_TABS[1][1],
        "inclusion_reason",
        "salesperson",
        "own_address",
        "notes",
    ]

    def get_extra_context(self, obj):
        return {"actions": contract_actions(obj), "history": obj.history.all()[:200]}


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


class ContractActionView(ObjectViewMixin, View):
    """POST of an action button of the contract page (CT-5), through its service."""

    model = Contract
    action = "change"
    SERVICES = {
        "activate": services.contract_activate,
        "block": services.contract_block,
        "unblock": services.contract_unblock,
        "cancel": services.contract_cancel,
    }

    def post(self, request, pk, name):
        if name not in self.SERVICES:
            raise Http404
        contract = self.get_object()
        kwargs = {} if name == "activate" else {"reason": request.POST.get("reason", "")}
        try:
            self.SERVICES[name](actor=request.user, contract=contract, **kwargs)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("%(object)s saved.") % {"object": contract})
        return redirect(contract.get_absolute_url())


class ContractEditView(ObjectEditView):
    """New contract (pre-contract) and its Dados/Faturamento; status changes through the actions."""

    model = Contract
    form_class = forms.ContractForm

    def save_object(self, form):
        data = {name: form.cleaned_data[name] for name in forms.CONTRACT_FIELDS if name in form.cleaned_data}
        if form.instance.pk is None:
            return services.contract_create(actor=self.request.user, **data)
        return services.contract_update(actor=self.request.user, contract=form.instance, **data)


class CustomerContractsTabView(ObjectViewMixin, View):
    """The customer page's "Contratos" tab (SPEC CT-1): the customer's contracts with status,
    activation date, plan and access status, and "New contract" pre-filled from the customer."""

    model = Contract

    def get(self, request, pk):
        customer = get_object_or_404(Customer.objects.restrict(request.user), pk=pk, is_lead=False)
        contracts = self.get_queryset().filter(customer=customer).select_related("plan").order_by("-id")
        query = urlencode(
            {
                "customer": customer.pk,
                "branch": customer.branch_id,
                "next": f"{customer.get_absolute_url()}?tab=contracts",
            }
        )
        context = {
            "customer": customer,
            "contracts": contracts,
            "can_add": request.user.has_perm("contracts.add_contract"),
            "new_url": f"{reverse('contracts:contract_add')}?{query}",
        }
        return render(request, "contracts/customer_tab.html", context)


class _CustomerHistoryMixin(ObjectViewMixin):
    model = ContractHistory

    def get_customer(self, request, pk):
        return get_object_or_404(Customer.objects.restrict(request.user), pk=pk)


class CustomerHistoryTabView(_CustomerHistoryMixin, View):
    """The customer page's "Histórico" tab (SPEC H-1): every entry of its contracts, newest first."""

    def get(self, request, pk):
        customer = self.get_customer(request, pk)
        context = {
            "customer": customer,
            "entries": services.customer_history(customer, user=request.user)[:500],
            "pdf_url": reverse("contracts:customer_history_pdf", args=[customer.pk]),
            "can_add": request.user.has_perm("contracts.add_contracthistory"),
            "can_change": request.user.has_perm("contracts.change_contracthistory"),
            "new_url": reverse("contracts:contracthistory_add") + "?" + urlencode({"customer": customer.pk}),
        }
        return render(request, "contracts/history_tab.html", context)


class CustomerHistoryPdfView(_CustomerHistoryMixin, View):
    """ "Imprimir" (SPEC H-3): the PDF report of the customer's history."""

    def get(self, request, pk):
        customer = self.get_customer(request, pk)
        pdf = reports.history_pdf(customer, services.customer_history(customer, user=request.user))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="history-{customer.pk}.pdf"'
        return response


class ContractHistoryDetailView(ObjectDetailView):
    """ "Visualizar" (H-3): one entry in full."""

    model = ContractHistory
    detail_fields = ["customer", "contract", "kind", "created_at", "operator_name", "manual", "text"]


def _history_tab_url(entry) -> str:
    return f"{entry.customer.get_absolute_url()}?tab=history"


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
        messages.success(request, _("%(object)s deleted.") % {"object": entry})
        return redirect(_history_tab_url(entry))
