"""REST resources of the finance area (SPEC G-5: every screen has a REST equivalent; §7: finance; §14: the
field names are a stable contract, never renamed) under ``/api/v1/``:

- ``invoices/`` — list, filter, retrieve, create (one-off); ``{id}/cancel/`` (``reason``),
  ``{id}/pix/`` (payload, QR PNG base64, amount, txid), ``{id}/amount-due/?date=YYYY-MM-DD``;
  ``invoices/{id}/boleto.pdf``;
- ``payments/`` — list, filter, retrieve, create (= settle); ``{id}/reverse/`` (``reason``);
  ``payments/{id}/receipt.pdf``;
- ``cnab-imports/`` — list, retrieve (with the records), create (multipart ``wallet`` + ``file``);
- ``remittances/`` — list, retrieve, create (``wallet``: the file of every movement not sent yet),
  ``{id}/file/`` (the bytes, text/plain Latin-1); ``invoices/{id}/second-copy/`` (``due_date``);
- ``billing-runs/`` — list, retrieve (progress figures), create (``period``, optional ``branch``);
- ``contracts/{id}/trust-unlock/`` — POST, the trust unlock (F-9: access back for N days, once per
  block, unless the operator forbade it). It sits under ``contracts/``
  through ``api_urls`` below, so the contracts app does not import billing.

Permissions are listed in ``enlace.billing.api.views``.
"""

from django.urls import path

from enlace.api.routers import router

from .views import (
    BillingRunViewSet,
    CnabImportViewSet,
    InvoiceBoletoPdfAPIView,
    InvoiceViewSet,
    PaymentReceiptPdfAPIView,
    PaymentViewSet,
    RemittanceViewSet,
    TrustUnlockAPIView,
)

router.register("invoices", InvoiceViewSet)
router.register("payments", PaymentViewSet)
router.register("cnab-imports", CnabImportViewSet)
router.register("billing-runs", BillingRunViewSet)
router.register("remittances", RemittanceViewSet)

# Routed under /api/v1/ by enlace.api.urls (names in the "api" namespace).
api_urls = [
    path("invoices/<int:pk>/boleto.pdf", InvoiceBoletoPdfAPIView.as_view(), name="invoice-boleto-pdf"),
    path("payments/<int:pk>/receipt.pdf", PaymentReceiptPdfAPIView.as_view(), name="payment-receipt-pdf"),
    path("contracts/<int:pk>/trust-unlock/", TrustUnlockAPIView.as_view(), name="contract-trust-unlock"),
]
