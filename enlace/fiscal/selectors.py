"""Reads of the fiscal area in the viewer's branch scope."""

from __future__ import annotations

from django.db.models import QuerySet

from enlace.core.types import Viewer

from .models import FiscalDocument, FiscalSettings


def documents_for(user: Viewer) -> QuerySet[FiscalDocument]:
    return FiscalDocument.objects.restrict(user, "view").select_related("invoice__customer", "branch")


def settings_for(user: Viewer) -> QuerySet[FiscalSettings]:
    return FiscalSettings.objects.restrict(user, "view").select_related("branch")


def invoice_document(invoice, user: Viewer) -> FiscalDocument | None:
    """The invoice's current NFCom (not cancelled first), for its page's fiscal panel."""
    documents = documents_for(user).filter(invoice=invoice).order_by("-pk")
    return documents.exclude(status="cancelled").first() or documents.first()


def authorised_document(invoice) -> FiscalDocument | None:
    """The invoice's authorised NFCom, for the subscriber (the portal scopes the invoice to its
    customer) and the invoice e-mail; None while there is none."""
    return (
        FiscalDocument.objects.filter(invoice=invoice, status="authorised").select_related("invoice").first()
    )
