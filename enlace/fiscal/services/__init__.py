"""The fiscal area's writers, one module per entity: ``settings`` (the emitter and its A1
certificate) and ``documents`` (issue, transmit, cancel the NFCom)."""

from .documents import (
    document_cancel,
    document_issue,
    document_transmit,
    documents_issue_for_invoices,
    documents_transmit,
    documents_transmit_pending,
)
from .settings import certificate_of, fiscal_settings_save

__all__ = [
    "certificate_of",
    "document_cancel",
    "document_issue",
    "document_transmit",
    "documents_issue_for_invoices",
    "documents_transmit",
    "documents_transmit_pending",
    "fiscal_settings_save",
]
