"""FilterSets of plans, contracts and history, shared by the list pages and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for

from .models import AccessStatus, Contract, ContractHistory, ContractStatus, ContractType, Plan


class PlanFilterSet(BaseFilterSet):
    search_fields = ("name", "address_list")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    type = django_filters.ChoiceFilter(choices=ContractType.choices, label=_("Type"))

    class Meta:
        model = Plan
        fields = ["branch", "type", "active"]


class ContractFilterSet(BaseFilterSet):
    search_fields = ("customer__name", "plan__name")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    type = django_filters.ChoiceFilter(choices=ContractType.choices, label=_("Type"))
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices, label=_("Status"))
    access_status = django_filters.MultipleChoiceFilter(
        choices=AccessStatus.choices, label=_("Access status")
    )
    contract_date = django_filters.DateFromToRangeFilter(
        label=_("Contract date"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    cancellation_date = django_filters.DateFromToRangeFilter(
        label=_("Cancellation date"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )

    class Meta:
        model = Contract
        fields = [
            "customer",
            "branch",
            "plan",
            "type",
            "status",
            "access_status",
            "wallet",
            "contract_date",
            "cancellation_date",
        ]


class ContractListFilterSet(ContractFilterSet):
    """The contract list page's filter bar: the customer as an id (never a select of every customer:
    at 100,000 customers that select took the page 50 s); plans and wallets are scoped by the form."""

    customer = django_filters.NumberFilter(widget=forms.HiddenInput, label=_("Customer"))


class ContractHistoryFilterSet(BaseFilterSet):
    search_fields = ("text", "operator_name")

    class Meta:
        model = ContractHistory
        fields = ["customer", "contract", "kind", "manual"]
