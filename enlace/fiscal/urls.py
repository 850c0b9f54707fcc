from django.urls import path

from enlace.core.views.generic import crud_urls, model_urls

from . import filtersets, forms, tables, views
from .models import Classification, FiscalDocument, FiscalSettings, PlanFiscalProfile, ProductFiscalProfile

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
    *crud_urls(
        PlanFiscalProfile,
        "plan-fiscal-profiles",
        table=tables.PlanFiscalProfileTable,
        filterset=filtersets.PlanFiscalProfileFilterSet,
        form=forms.PlanFiscalProfileForm,
        queryset=PlanFiscalProfile.objects.select_related("plan"),
        detail_fields=["plan", "service_type", "installation_cclass", *Classification.CLASSIFICATION_FIELDS],
    ),
    *crud_urls(
        ProductFiscalProfile,
        "product-fiscal-profiles",
        table=tables.ProductFiscalProfileTable,
        filterset=filtersets.ProductFiscalProfileFilterSet,
        form=forms.ProductFiscalProfileForm,
        queryset=ProductFiscalProfile.objects.select_related("product"),
        detail_fields=["product", *Classification.CLASSIFICATION_FIELDS],
    ),
]
