"""Customers in the top bar's global search (``enlace.core.search``): the customer list's own
search (``selectors.customer_search``: accent-free name words, CPF/CNPJ with or without mask,
phone, e-mail, street, and the registered extensions such as the login name)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enlace.core import pickers, search
from enlace.core.types import Viewer

from .selectors import customer_queryset, customer_search


def find(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    queryset = customer_queryset(user).select_related("city")
    hits = []
    for customer in customer_search(queryset, text)[:limit]:
        detail = " · ".join(
            part for part in (customer.cpf_cnpj_display, customer.city.name if customer.city else "") if part
        )
        hits.append(
            search.Hit(customer.name, reverse("customers:customer_detail", args=[customer.pk]), detail)
        )
    return hits


search.register("customers", _("Customers"), find, order=10)


def pick(user: Viewer, text: str, params: dict) -> list[tuple[int, str]]:
    """The customer pickers (``core.pickers``, "customer"): ``selectors.customer_pick``."""
    from .selectors import customer_pick

    return [
        (c.pk, " · ".join(p for p in (c.name, c.cpf_cnpj_display) if p))
        for c in customer_pick(user=user, text=text)
    ]


pickers.register("customer", pick, "customers.view_customer")
