"""Imported rows found by their IXC id (docs/ixc.md, "Finding a row by its IXC id").

Type ``ixc:1234`` (also ``ixc 1234``, ``IXC#1234``):

- in the customer, contract and login lists' search box (and the API's ``search``/``q``): the
  customer (``cliente``), contract (``cliente_contrato``) or login (``radusuarios``) whose IXC id
  is 1234 — hooked through ``customers.selectors.register_search`` and
  ``core.filtersets.register_search`` in ``apps.IxcConfig.ready``;
- in the top bar's global search: this module's provider (found by ``core.search``) lists the
  customer, contract, login, receivable and ticket imported with that id, each within the
  viewer's branches and permissions.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.core import search
from enlace.core.types import Viewer

from .models import ExternalId, ExternalKind

IXC_ID = re.compile(r"^ixc\s*[:#]?\s*(\d{1,20})$", re.IGNORECASE)


def ixc_id(text: str) -> str | None:
    match = IXC_ID.match((text or "").strip())
    return match.group(1) if match else None


def condition(kind: str):
    """``func(text) -> Q | None`` for the lists: rows whose IXC id of ``kind`` is the typed one."""

    def func(text: str) -> Q | None:
        number = ixc_id(text)
        if number is None:
            return None
        return Q(pk__in=ExternalId.objects.filter(kind=kind, ixc_id=number).values("object_id"))

    return func


def _hits(user: Viewer, number: str) -> list[search.Hit]:
    from enlace.billing.models import Invoice
    from enlace.contracts.models import Contract
    from enlace.customers.models import Customer
    from enlace.radius.models import Login
    from enlace.support.models import Ticket

    kinds = dict(ExternalId.objects.filter(ixc_id=number).values_list("kind", "object_id"))
    hits = []
    rows = (
        (ExternalKind.CLIENTE, Customer, "customers:customer_detail", _("customer")),
        (ExternalKind.CONTRATO, Contract, "contracts:contract_detail", _("contract")),
        (ExternalKind.LOGIN, Login, "radius:login_detail", _("login")),
        (ExternalKind.ARECEBER, Invoice, "billing:invoice_detail", _("receivable")),
        (ExternalKind.TICKET, Ticket, "support:ticket_detail", _("ticket")),
    )
    for kind, model, url_name, label in rows:
        object_id = kinds.get(kind)
        if object_id is None:
            continue
        obj = model.objects.restrict(user, "view").filter(pk=object_id).first()
        if obj is not None:
            hits.append(
                search.Hit(str(obj), reverse(url_name, args=[obj.pk]), f"IXC {kind} {number} · {label}")
            )
    return hits


def find(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    number = ixc_id(text)
    return _hits(user, number)[:limit] if number else []


search.register("ixc", gettext_lazy("Imported from IXC"), find, order=5)
