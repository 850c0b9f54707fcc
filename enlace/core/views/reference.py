"""Screens of the core reference data: branches, departments, employees, payment conditions,
analytic accounts, cities and the audit trail. Each is a declaration over the generic views."""

from .. import filtersets, forms, tables
from ..models import (
    AnalyticAccount,
    Branch,
    City,
    Department,
    Employee,
    ObjectChange,
    PaymentCondition,
    Wallet,
)
from .generic import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView


class BranchListView(ObjectListView):
    model = Branch
    queryset = Branch.objects.select_related("city__state")
    table_class = tables.BranchTable
    filterset_class = filtersets.BranchFilterSet


class BranchDetailView(ObjectDetailView):
    model = Branch
    detail_fields = forms.BranchForm.Meta.fields


class BranchEditView(ObjectEditView):
    model = Branch
    form_class = forms.BranchForm


class BranchDeleteView(ObjectDeleteView):
    model = Branch


class DepartmentListView(ObjectListView):
    model = Department
    table_class = tables.DepartmentTable
    filterset_class = filtersets.DepartmentFilterSet


class DepartmentDetailView(ObjectDetailView):
    model = Department


class DepartmentEditView(ObjectEditView):
    model = Department
    form_class = forms.DepartmentForm


class DepartmentDeleteView(ObjectDeleteView):
    model = Department


class EmployeeListView(ObjectListView):
    model = Employee
    queryset = Employee.objects.select_related("user", "department").prefetch_related("branches")
    table_class = tables.EmployeeTable
    filterset_class = filtersets.EmployeeFilterSet


class EmployeeDetailView(ObjectDetailView):
    model = Employee
    detail_fields = [
        "name",
        "user",
        "email",
        "phone",
        "department",
        "branches",
        "is_technician",
        "is_salesperson",
        "is_attendant",
        "active",
    ]


class EmployeeEditView(ObjectEditView):
    model = Employee
    form_class = forms.EmployeeForm


class EmployeeDeleteView(ObjectDeleteView):
    model = Employee


class PaymentConditionListView(ObjectListView):
    model = PaymentCondition
    table_class = tables.PaymentConditionTable
    filterset_class = filtersets.PaymentConditionFilterSet


class PaymentConditionDetailView(ObjectDetailView):
    model = PaymentCondition


class PaymentConditionEditView(ObjectEditView):
    model = PaymentCondition
    form_class = forms.PaymentConditionForm


class PaymentConditionDeleteView(ObjectDeleteView):
    model = PaymentCondition


class AnalyticAccountListView(ObjectListView):
    model = AnalyticAccount
    queryset = AnalyticAccount.objects.select_related("parent")
    table_class = tables.AnalyticAccountTable
    filterset_class = filtersets.AnalyticAccountFilterSet
    per_page = 100


class AnalyticAccountDetailView(ObjectDetailView):
    model = AnalyticAccount


class AnalyticAccountEditView(ObjectEditView):
    model = AnalyticAccount
    form_class = forms.AnalyticAccountForm


class AnalyticAccountDeleteView(ObjectDeleteView):
    model = AnalyticAccount


class CityListView(ObjectListView):
    model = City
    queryset = City.objects.select_related("state")
    table_class = tables.CityTable
    filterset_class = filtersets.CityFilterSet
    per_page = 50

    def get_queryset(self):
        return self.queryset


class ObjectChangeListView(ObjectListView):
    """Configurações ➜ Alterações: the whole audit trail, filterable."""

    model = ObjectChange
    queryset = ObjectChange.objects.select_related("content_type", "user")
    table_class = tables.ObjectChangeTable
    filterset_class = filtersets.ObjectChangeFilterSet
    per_page = 50


class WalletListView(ObjectListView):
    model = Wallet
    queryset = Wallet.objects.select_related("branch")
    table_class = tables.WalletTable
    filterset_class = filtersets.WalletFilterSet


class WalletDetailView(ObjectDetailView):
    model = Wallet
    detail_fields = forms.WalletForm.Meta.fields


class WalletEditView(ObjectEditView):
    model = Wallet
    form_class = forms.WalletForm


class WalletDeleteView(ObjectDeleteView):
    model = Wallet
