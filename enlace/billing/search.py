"""Receivables in the top bar's global search (``enlace.core.search``): the linha digitável (47
digits) or barcode (44), with or without its dots and spaces, or the nosso número as printed
("0000003-4") or without its check digit."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enlace.core import search
from enlace.core.money import brl
from enlace.core.types import Viewer

from .models import Invoice


def _condition(text: str) -> Q | None:
    number = search.digits(text)
    if len(number) == 47:
        return Q(digitable_line=number)
    if len(number) == 44:
        return Q(barcode=number)
    stripped = text.strip()
    if not number or len(number) > 20 or any(c not in "0123456789-./ " for c in stripped):
        return None
    condition = Q(nosso_numero_display=stripped)
    if stripped.isdigit():
        condition |= Q(nosso_numero=int(stripped))
    return condition


def find(user: Viewer, text: str, limit: int) -> list[search.Hit]:
    condition = _condition(text)
    if condition is None:
        return []
    rows = Invoice.objects.restrict(user, "view").select_related("customer").filter(condition)[:limit]
    return [
        search.Hit(
            f"{invoice} · {brl(invoice.amount)}",
            reverse("billing:invoice_detail", args=[invoice.pk]),
            f"{invoice.customer.name} · {invoice.due_date:%d/%m/%Y}",
        )
        for invoice in rows
    ]


search.register("invoices", _("Receivables"), find, order=60)
