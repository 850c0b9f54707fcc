from django.urls import path

from enlace.core.views.generic import ObjectChangesView

from . import views
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
    *[
        path(f"<int:pk>/tab/{key}/", views.CustomerTabView.as_view(tab_key=key), name=f"customer_tab_{key}")
        for key in TAB_FORMS
    ],
]
