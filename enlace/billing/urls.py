from django.urls import path

from enlace.core.views.generic import model_urls

from .models import BillingRun, CnabImport, Invoice, Payment, Remittance
from .views import cnab, invoices, payments, remittances, renegotiation, runs, tabs

app_name = "billing"

urlpatterns = [
    # Receivables
    path("invoices/add/", invoices.InvoiceAddView.as_view(), name="invoice_add"),
    path("invoices/carne.pdf", invoices.CarnePdfView.as_view(), name="invoice_carne"),
    path("invoices/<int:pk>/boleto.pdf", invoices.InvoiceBoletoPdfView.as_view(), name="invoice_boleto"),
    path("invoices/<int:pk>/pix.png", invoices.InvoicePixQrView.as_view(), name="invoice_pix_qr"),
    path("invoices/<int:pk>/cancel/", invoices.InvoiceCancelView.as_view(), name="invoice_cancel"),
    path("invoices/<int:pk>/settle/", payments.InvoiceSettleView.as_view(), name="invoice_settle"),
    path(
        "invoices/<int:pk>/second-copy/",
        remittances.InvoiceSecondCopyView.as_view(),
        name="invoice_second_copy",
    ),
    path(
        "invoices/<int:pk>/change-amount/",
        remittances.InvoiceChangeAmountView.as_view(),
        name="invoice_change_amount",
    ),
    path(
        "invoices/<int:pk>/resend-registration/",
        remittances.InvoiceRegistrationResendView.as_view(),
        name="invoice_registration_resend",
    ),
    *model_urls(Invoice, "invoices", list=invoices.InvoiceListView, detail=invoices.InvoiceDetailView),
    # Payments
    path("payments/<int:pk>/receipt.pdf", payments.PaymentReceiptPdfView.as_view(), name="payment_receipt"),
    path("payments/<int:pk>/reverse/", payments.PaymentReverseView.as_view(), name="payment_reverse"),
    *model_urls(Payment, "payments", list=payments.PaymentListView, detail=payments.PaymentDetailView),
    # Bank return files
    path("cnab-imports/add/", cnab.CnabImportAddView.as_view(), name="cnabimport_add"),
    *model_urls(CnabImport, "cnab-imports", list=cnab.CnabImportListView, detail=cnab.CnabImportDetailView),
    # Remittance files (bank registration)
    path(
        "remittances/generate/<int:wallet>/",
        remittances.RemittanceGenerateView.as_view(),
        name="remittance_generate",
    ),
    path("remittances/<int:pk>/file/", remittances.RemittanceFileView.as_view(), name="remittance_file"),
    path(
        "remittances/wallet/<int:wallet>/registration/",
        remittances.WalletRegistrationView.as_view(),
        name="wallet_registration",
    ),
    *model_urls(
        Remittance,
        "remittances",
        list=remittances.RemittanceListView,
        detail=remittances.RemittanceDetailView,
    ),
    # Billing runs
    path("billing-runs/add/", runs.BillingRunAddView.as_view(), name="billingrun_add"),
    path(
        "billing-runs/<int:pk>/progress/", runs.BillingRunProgressView.as_view(), name="billingrun_progress"
    ),
    *model_urls(BillingRun, "billing-runs", list=runs.BillingRunListView, detail=runs.BillingRunDetailView),
    # Renegotiation wizard
    path("renegotiations/new/", renegotiation.RenegotiationNewView.as_view(), name="renegotiation_new"),
    path(
        "renegotiations/<int:pk>/",
        renegotiation.RenegotiationDetailView.as_view(),
        name="renegotiation_detail",
    ),
    path(
        "renegotiations/<int:pk>/preview/",
        renegotiation.RenegotiationPreviewView.as_view(),
        name="renegotiation_preview",
    ),
    path(
        "renegotiations/<int:pk>/finish/",
        renegotiation.RenegotiationFinishView.as_view(),
        name="renegotiation_finish",
    ),
    path(
        "renegotiations/<int:pk>/cancel/",
        renegotiation.RenegotiationCancelView.as_view(),
        name="renegotiation_cancel",
    ),
    # Tabs of the customer and contract pages; the contract's collection actions
    path(
        "customers/<int:pk>/tab/finance/", tabs.CustomerFinanceTabView.as_view(), name="customer_tab_finance"
    ),
    path(
        "contracts/<int:pk>/tab/finance/", tabs.ContractFinanceTabView.as_view(), name="contract_tab_finance"
    ),
    path("contracts/<int:pk>/trust-unlock/", tabs.TrustUnlockView.as_view(), name="contract_trust_unlock"),
    path(
        "contracts/<int:pk>/trust-unlock/forbid/",
        tabs.TrustForbidView.as_view(),
        name="contract_trust_forbid",
    ),
]
