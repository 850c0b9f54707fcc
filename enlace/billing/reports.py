"""Temporary alias of ``enlace.billing.pdf`` (removed once every caller imports it directly)."""

from .pdf import boleto_pdf, carne_pdf, receipt_pdf

__all__ = ["boleto_pdf", "carne_pdf", "receipt_pdf"]
