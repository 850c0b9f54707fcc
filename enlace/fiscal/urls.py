from django.urls import path

from enlace.core.views.generic import model_urls

from . import views
from .models import FiscalDocument, FiscalSettings

app_name = "fiscal"

urlpatterns = [
    path("fiscal-documents/transmit/", views.BulkTransmitView.as_view(), name="fiscaldocument_bulk_transmit"),
    path("fiscal-documents/zip/", views.MonthlyZipView.as_view(), name="fiscaldocument_zip"),
    path("fiscal-documents/<int:pk>/xml/", views.FiscalDocumentXmlView.as_view(), name="fiscaldocument_xml"),
    path("fiscal-documents/<int:pk>/pdf/", views.FiscalDocumentPdfView.as_view(), name="fiscaldocument_pdf"),
    path(
        "fiscal-documents/<int:pk>/transmit/",
        views.FiscalDocumentTransmitView.as_view(),
        name="fiscaldocument_transmit",
    ),
    path(
        "fiscal-documents/<int:pk>/cancel/",
        views.FiscalDocumentCancelView.as_view(),
        name="fiscaldocument_cancel",
    ),
    path("invoices/<int:pk>/nfcom/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/nfcom/panel/", views.InvoicePanelView.as_view(), name="invoice_panel"),
    *model_urls(
        FiscalDocument,
        "fiscal-documents",
        list=views.FiscalDocumentListView,
        detail=views.FiscalDocumentDetailView,
    ),
    *model_urls(
        FiscalSettings,
        "fiscal-settings",
        list=views.FiscalSettingsListView,
        detail=views.FiscalSettingsDetailView,
        edit=views.FiscalSettingsEditView,
    ),
]
