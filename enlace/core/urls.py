from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.urls import path

from .models import AnalyticAccount, Branch, Department, Employee, GeneralParameters, PaymentCondition, Wallet
from .views import home, operators, parameters, reference
from .views.generic import ObjectChangesView, model_urls

app_name = "core"


class ParametersChangesView(ObjectChangesView):
    model = GeneralParameters

    def get_object(self):
        return GeneralParameters.load()


urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("settings/parameters/", parameters.ParametersView.as_view(), name="parameters"),
    path(
        "settings/parameters/changes/", ParametersChangesView.as_view(), {"pk": 1}, name="parameters_changes"
    ),
    path("settings/changes/", reference.ObjectChangeListView.as_view(), name="objectchange_list"),
    path("cities/", reference.CityListView.as_view(), name="city_list"),
    *model_urls(
        Branch,
        "branches",
        list=reference.BranchListView,
        detail=reference.BranchDetailView,
        edit=reference.BranchEditView,
        delete=reference.BranchDeleteView,
    ),
    *model_urls(
        Department,
        "departments",
        list=reference.DepartmentListView,
        detail=reference.DepartmentDetailView,
        edit=reference.DepartmentEditView,
        delete=reference.DepartmentDeleteView,
    ),
    *model_urls(
        Employee,
        "employees",
        list=reference.EmployeeListView,
        detail=reference.EmployeeDetailView,
        edit=reference.EmployeeEditView,
        delete=reference.EmployeeDeleteView,
    ),
    *model_urls(
        PaymentCondition,
        "payment-conditions",
        list=reference.PaymentConditionListView,
        detail=reference.PaymentConditionDetailView,
        edit=reference.PaymentConditionEditView,
        delete=reference.PaymentConditionDeleteView,
    ),
    *model_urls(
        AnalyticAccount,
        "analytic-accounts",
        list=reference.AnalyticAccountListView,
        detail=reference.AnalyticAccountDetailView,
        edit=reference.AnalyticAccountEditView,
        delete=reference.AnalyticAccountDeleteView,
    ),
    *model_urls(
        Wallet,
        "wallets",
        list=reference.WalletListView,
        detail=reference.WalletDetailView,
        edit=reference.WalletEditView,
        delete=reference.WalletDeleteView,
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
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
