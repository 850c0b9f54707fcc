"""Printable documents of the finance area (ReportLab), SPEC F-4, F-5, F-6: the hybrid boleto,
the carnê and the receipt of a settlement. See docs/billing-pdf.md."""

from .receipt import receipt_pdf
from .slips import boleto_pdf, carne_pdf
from .words import amount_in_words, number_in_words

__all__ = ["amount_in_words", "boleto_pdf", "carne_pdf", "number_in_words", "receipt_pdf"]
