"""Contracts in the top bar's global search (``enlace.core.search``): a contract number (digits
only, up to 9) opens that contract."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enlace.core import pickers, search
from enlace.core.types import Viewer

from .models import Contract, Plan


def find(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    number = text.strip().lstrip("#").removeprefix("nº").strip()
    if not number.isdigit() or len(number) > 9:
        return []
    contract = (
        Contract.objects.restrict(user, "view")
        .select_related("customer", "plan")
        .filter(pk=int(number))
        .first()
    )
    if contract is None:
        return []
    url = reverse("contracts:contract_detail", args=[contract.pk])
    return [search.Hit(str(contract), url, f"{contract.customer.name} · {contract.plan.name}")]


search.register("contracts", _("Contracts"), find, order=20)


def pick_contract(user: Viewer, text: str, params: dict) -> list[tuple[int, str]]:
    """The contract pickers (``core.pickers``, "contract"): by number, or by the customer's name,
    CPF/CNPJ or phone (the customer search); the customer's own contracts with ``customer``."""
    from enlace.customers.selectors import customer_pick

    queryset = Contract.objects.restrict(user, "view").select_related("customer", "plan")
    if params.get("customer", "").isdigit():
        queryset = queryset.filter(customer_id=int(params["customer"]))
    text = text.strip().lstrip("#")
    if text.isdigit() and len(text) <= 9:
        queryset = queryset.filter(pk=int(text))
    elif text:
        customers = [c.pk for c in customer_pick(user=user, text=text, limit=50)]
        queryset = queryset.filter(customer_id__in=customers)
    elif "customer" not in params:
        return []
    rows = queryset.order_by("customer__name", "pk")[:20]
    return [(c.pk, f"{c} · {c.customer.name} · {c.plan.name}") for c in rows]


def pick_plan(user: Viewer, text: str, params: dict) -> list[tuple[int, str]]:
    """The plan pickers (``core.pickers``, "plan"): active plans of the viewer's branches, named
    with their branch, only the contract's branch's when ``branch`` is given."""
    queryset = Plan.objects.restrict(user).filter(active=True).select_related("branch")
    if params.get("branch", "").isdigit():
        queryset = queryset.filter(branch_id=int(params["branch"]))
    if text:
        queryset = queryset.filter(name__icontains=text.strip())
    return [(p.pk, plan_label(p)) for p in queryset.order_by("name", "branch__name")[:20]]


def plan_label(plan) -> str:
    return f"{plan.name} — {plan.branch.name}"


pickers.register("contract", pick_contract, "contracts.view_contract")
pickers.register("plan", pick_plan)
