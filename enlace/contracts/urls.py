from django.urls import path, re_path

from enlace.core.views.generic import crud_urls, model_urls

from . import filtersets, forms, services, tables, views
from .models import Contract, ContractHistory, Plan

app_name = "contracts"

urlpatterns = [
    re_path(
        r"^contracts/(?P<pk>[0-9]+)/(?P<name>activate|block|unblock|cancel)/$",
        views.ContractActionView.as_view(),
        name="contract_action",
    ),
    path(
        "contracts/<int:pk>/change-plan/",
        views.ContractChangePlanView.as_view(),
        name="contract_change_plan",
    ),
    path("contracts/<int:pk>/tab/data/", views.ContractDataTabView.as_view(), name="contract_tab_data"),
    path(
        "contracts/<int:pk>/tab/billing/", views.ContractBillingTabView.as_view(), name="contract_tab_billing"
    ),
    path(
        "contracts/<int:pk>/tab/history/", views.ContractHistoryTabView.as_view(), name="contract_tab_history"
    ),
    path(
        "customers/<int:pk>/tab/contracts/",
        views.CustomerContractsTabView.as_view(),
        name="customer_tab_contracts",
    ),
    path(
        "customers/<int:pk>/tab/history/", views.CustomerHistoryTabView.as_view(), name="customer_tab_history"
    ),
    path(
        "customers/<int:pk>/history.pdf", views.CustomerHistoryPdfView.as_view(), name="customer_history_pdf"
    ),
    *crud_urls(
        Plan,
        "plans",
        queryset=Plan.objects.select_related("branch"),
        table=tables.PlanTable,
        filterset=filtersets.PlanFilterSet,
        form=forms.PlanForm,
        detail_fields=forms.PLAN_FIELDS,
        save=services.plan_save,
    ),
    *model_urls(
        Contract,
        "contracts",
        list=views.ContractListView,
        detail=views.ContractDetailView,
        edit=views.ContractEditView,
    ),
    *model_urls(
        ContractHistory,
        "history",
        detail=views.ContractHistoryDetailView,
        edit=views.ContractHistoryEditView,
        delete=views.ContractHistoryDeleteView,
    ),
]
