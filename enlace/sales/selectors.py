"""Reads of the sales area, always for a viewer: an operator's branch scope applies
(``core.scope.restrict``), so another branch's record is reported exactly as a missing one."""

from __future__ import annotations

from enlace.billing.models import Invoice
from enlace.core.types import Viewer

from .models import Sale


def sale_receivables(sale: Sale, *, user: Viewer) -> list[Invoice]:
    """The invoices ``sale`` generated (V-3: a finished sale can generate its receivables by its payment
    condition) that the viewer may see, by instalment."""
    return list(
        Invoice.objects.restrict(user)
        .filter(sale_link__sale=sale)
        .select_related("wallet")
        .order_by("sale_link__instalment")
    )
