from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.urls import path

from . import filtersets, forms, tables
from . import parameters as settings_registry
from .models import (
    AnalyticAccount,
    Branch,
    Department,
    Employee,
    GeneralParameters,
    ObjectChange,
    PaymentCondition,
    Wallet,
)
from .pickers import PickerView
from .views import account, home, operators, parameters, reference, search
from .views.generic import ObjectChangesView, crud_urls, model_urls

app_name = "core"


class ParametersChangesView(ObjectChangesView):
    """The parameters page's "Alterações": the changes of every app's settings row."""

    model = GeneralParameters

    def get_object(self):
        return GeneralParameters.load()

    def get_changes(self, obj):
        from django.contrib.contenttypes.models import ContentType

        types = ContentType.objects.get_for_models(*settings_registry.models()).values()
        return ObjectChange.objects.filter(content_type__in=types, object_id=str(obj.pk))


urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("pick/<slug:kind>/", PickerView.as_view(), name="pick"),
    path("settings/parameters/", parameters.ParametersView.as_view(), name="parameters"),
    path(
        "settings/parameters/changes/", ParametersChangesView.as_view(), {"pk": 1}, name="parameters_changes"
    ),
    path("settings/changes/", reference.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("cities/", reference.CityListView.as_view(), name="city_list"),
    *crud_urls(
        Branch,
        "branches",
        queryset=Branch.objects.select_related("city__state"),
        table=tables.BranchTable,
        filterset=filtersets.BranchFilterSet,
        form=forms.BranchForm,
        detail_fields=forms.BranchForm.Meta.fields,
    ),
    *crud_urls(
        Department,
        "departments",
        table=tables.DepartmentTable,
        filterset=filtersets.DepartmentFilterSet,
        form=forms.DepartmentForm,
    ),
    *crud_urls(
        Employee,
        "employees",
        queryset=Employee.objects.select_related("user", "department").prefetch_related("branches"),
        table=tables.EmployeeTable,
        filterset=filtersets.EmployeeFilterSet,
        form=forms.EmployeeForm,
        detail_fields=forms.EmployeeForm.Meta.fields,
    ),
    *crud_urls(
        PaymentCondition,
        "payment-conditions",
        table=tables.PaymentConditionTable,
        filterset=filtersets.PaymentConditionFilterSet,
        form=forms.PaymentConditionForm,
    ),
    *crud_urls(
        AnalyticAccount,
        "analytic-accounts",
        queryset=AnalyticAccount.objects.select_related("parent"),
        table=tables.AnalyticAccountTable,
        filterset=filtersets.AnalyticAccountFilterSet,
        form=forms.AnalyticAccountForm,
        per_page=100,
    ),
    *crud_urls(
        Wallet,
        "wallets",
        queryset=Wallet.objects.select_related("branch"),
        table=tables.WalletTable,
        filterset=filtersets.WalletFilterSet,
        form=forms.WalletForm,
        detail_fields=forms.WalletForm.Meta.fields,
    ),
    # Configurações ➜ Operadores: core:user_list, user_add, user_detail, user_edit, user_changes
    *model_urls(
        get_user_model(),
        "operators",
        list=operators.OperatorListView,
        detail=operators.OperatorDetailView,
        edit=operators.OperatorEditView,
        changes=False,
    ),
    path("operators/<int:pk>/changes/", operators.OperatorChangesView.as_view(), name="user_changes"),
]

# Operator authentication (not namespaced: Django's auth views and templates expect these names).
auth_urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
