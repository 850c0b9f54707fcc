from django.urls import path

from enlace.core.views.generic import ObjectChangesView

from . import views
from .files import views as file_views
from .forms import TAB_FORMS
from .models import Customer

app_name = "customers"


class CustomerChangesView(ObjectChangesView):
    model = Customer


urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("add/", views.CustomerEditView.as_view(), name="customer_add"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path("<int:pk>/changes/", CustomerChangesView.as_view(), name="customer_changes"),
    path(
        "<int:pk>/convert-lead/",
        views.CustomerActionView.as_view(operation="convert"),
        name="customer_convert_lead",
    ),
    path(
        "<int:pk>/deactivate/",
        views.CustomerActionView.as_view(operation="deactivate"),
        name="customer_deactivate",
    ),
    path("cep-lookup/", views.CepLookupView.as_view(), name="cep_lookup"),
    # Files ("Arquivos", AR-1: upload with a description, size and type limits):
    # enlace/customers/files/views.py
    path("<int:pk>/tab/files/", file_views.CustomerFilesTabView.as_view(), name="customer_tab_files"),
    path("<int:pk>/files/add/", file_views.CustomerFileAddView.as_view(), name="customerfile_add"),
    path("files/<int:pk>/", file_views.CustomerFileDetailView.as_view(), name="customerfile_detail"),
    path("files/<int:pk>/edit/", file_views.CustomerFileEditView.as_view(), name="customerfile_edit"),
    path("files/<int:pk>/delete/", file_views.CustomerFileDeleteView.as_view(), name="customerfile_delete"),
    path(
        "files/<int:pk>/download/",
        file_views.CustomerFileDownloadView.as_view(),
        name="customerfile_download",
    ),
    path(
        "files/<int:pk>/changes/", file_views.CustomerFileChangesView.as_view(), name="customerfile_changes"
    ),
    *[
        path(
            f"<int:pk>/tab/{key}/", views.CustomerFormTabView.as_view(tab_key=key), name=f"customer_tab_{key}"
        )
        for key in TAB_FORMS
    ],
]
