"""The "Financeiro" tabs of the customer page (F-1, F-2: every invoice of the customer, both
contracts' and the one-off ones, with the colour legend) and of the contract page (that contract's
invoices and its collection state, F-9: the trust unlock and its prohibition)."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from enlace.contracts.models import Contract
from enlace.contracts.tabs import ContractTabView
from enlace.core.views.actions import ObjectActionView
from enlace.core.views.common import legend, tab_url
from enlace.customers.tabs import CustomerTabView

from .. import selectors, tables
from ..models import ZERO, CollectionState, Invoice, InvoiceColor
from ..services.collection import trust_unlock, trust_unlock_forbid
from .invoices import finance_tab_url, invoice_actions

#: Who may trust-unlock a contract or forbid it: either permission is enough (as in the API).
TRUST_UNLOCK_PERMISSIONS = ("contracts.change_contract", "billing.change_collectionstate")


def contract_finance_url(contract) -> str:
    return tab_url(contract, "finance")


def invoice_rows(user, invoices, today) -> list[dict]:
    """One row per invoice: its colour, status text, the last payment (for the receipt) and the
    actions the operator may take."""
    rows = []
    for invoice in invoices:
        live = [p for p in invoice.payments.all() if not p.reversed and not p.reversal_of_id]
        rows.append(
            {
                "invoice": invoice,
                "color": invoice.color(today),
                "status": tables.status_text(invoice),
                "last_payment": live[-1] if live else None,
                "selectable": invoice.is_open,
                **invoice_actions(invoice, user),
            }
        )
    return rows


def totals(invoices, today) -> dict:
    open_ = [i for i in invoices if i.is_open]
    overdue = [i for i in open_ if i.due_date < today]
    return {
        "open_amount": sum((i.balance for i in open_), ZERO),
        "open_count": len(open_),
        "overdue_amount": sum((i.balance for i in overdue), ZERO),
        "overdue_count": len(overdue),
    }


class CustomerFinanceTabView(CustomerTabView):
    """The customer page's "Financeiro" tab (not a lead's)."""

    model = Invoice
    tab_key = "finance"
    template_name = "billing/tabs/customer_finance.html"

    def get_tab_context(self, customer):
        today = timezone.localdate()
        user = self.request.user
        invoices = selectors.tab_invoices(user, customer=customer)
        return {
            "customer": customer,
            "rows": invoice_rows(user, invoices, today),
            "totals": totals(invoices, today),
            "legend": legend(InvoiceColor),
            "today": today,
            "show_contract": True,
            "selectable": True,
            "can_add": user.has_perm("billing.add_invoice"),
            "can_renegotiate": user.has_perm("billing.add_renegotiation"),
            "new_url": f"{reverse('billing:invoice_add')}?{urlencode({'customer': customer.pk})}",
            "carne_url": reverse("billing:invoice_carne"),
            "renegotiate_url": reverse("billing:renegotiation_new"),
            "next": finance_tab_url(customer),
        }


class ContractFinanceTabView(ContractTabView):
    """The contract page's "Financeiro" tab: the contract's invoices and its collection state."""

    model = Invoice
    tab_key = "finance"
    template_name = "billing/tabs/contract_finance.html"
    owner_related = ("customer",)

    def get_tab_context(self, contract):
        user = self.request.user
        today = timezone.localdate()
        invoices = selectors.tab_invoices(user, contract=contract)
        available, why = selectors.trust_unlock_available(contract)
        query = urlencode({"customer": contract.customer_id, "contract": contract.pk})
        return {
            "contract": contract,
            "customer": contract.customer,
            "rows": invoice_rows(user, invoices, today),
            "totals": totals(invoices, today),
            "legend": legend(InvoiceColor),
            "today": today,
            "show_contract": False,
            "selectable": False,
            "state": CollectionState.objects.filter(contract=contract).first(),
            "trust_available": available,
            "trust_reason": why,
            "can_trust": any(user.has_perm(p) for p in TRUST_UNLOCK_PERMISSIONS),
            "trust_url": reverse("billing:contract_trust_unlock", args=[contract.pk]),
            "forbid_url": reverse("billing:contract_trust_forbid", args=[contract.pk]),
            "can_add": user.has_perm("billing.add_invoice"),
            "new_url": f"{reverse('billing:invoice_add')}?{query}",
            "next": contract_finance_url(contract),
        }


class _TrustActionView(ObjectActionView):
    """A button of the contract's "Financeiro" tab: either permission of
    ``TRUST_UNLOCK_PERMISSIONS`` is enough; done or refused, back to that tab."""

    model = Contract

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not any(request.user.has_perm(p) for p in TRUST_UNLOCK_PERMISSIONS):
            raise PermissionDenied
        return View.dispatch(self, request, *args, **kwargs)

    def get_object_url(self, contract):
        return contract_finance_url(contract)


class TrustUnlockView(_TrustActionView):
    """ "Desbloqueio de confiança" (F-9): access back for the parameter's days, once per block."""

    def perform(self, contract, data):
        return trust_unlock(actor=self.request.user, contract=contract, source="operator")

    def get_success_message(self, contract, result):
        state = CollectionState.objects.get(contract=contract)
        return _("Trust unlock: access restored until %(date)s.") % {
            "date": state.trust_until.strftime("%d/%m/%Y")
        }


class TrustForbidView(_TrustActionView):
    """The operator forbids the trust unlock of a contract (or allows it again)."""

    def forbidden(self) -> bool:
        return self.request.POST.get("forbidden") in ("1", "true", "on")

    def perform(self, contract, data):
        return trust_unlock_forbid(actor=self.request.user, contract=contract, forbidden=self.forbidden())

    def get_success_message(self, contract, result):
        return _("Trust unlock forbidden.") if self.forbidden() else _("Trust unlock allowed again.")
