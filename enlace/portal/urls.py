"""URLs of the subscriber portal, mounted at ``/portal/`` by ``config/urls.py``."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/auto/", views.AutoLoginView.as_view(), name="auto"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("logo/", views.LogoView.as_view(), name="logo"),
    path("password/forgot/", views.ForgotView.as_view(), name="forgot"),
    path("password/reset/<uidb64>/<token>/", views.ResetView.as_view(), name="reset"),
    path("password/first/", views.PasswordFirstView.as_view(), name="password_first"),
    path("password/", views.PasswordView.as_view(), name="password"),
    path("contracts/<int:pk>/trust-unlock/", views.TrustUnlockView.as_view(), name="trust_unlock"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/boleto.pdf", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("invoices/<int:pk>/pix.png", views.InvoicePixQrView.as_view(), name="invoice_pix_qr"),
    path("invoices/<int:pk>/nfcom.xml", views.InvoiceNfcomView.as_view(kind="xml"), name="invoice_nfcom_xml"),
    path("invoices/<int:pk>/nfcom.pdf", views.InvoiceNfcomView.as_view(kind="pdf"), name="invoice_nfcom_pdf"),
    path("tickets/", views.TicketListView.as_view(), name="tickets"),
    path("tickets/new/", views.TicketAddView.as_view(), name="ticket_add"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
]
