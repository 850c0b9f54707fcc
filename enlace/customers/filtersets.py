"""FilterSet of the customer list, shared by the list page and the API (SPEC C-6: search by name,
CPF/CNPJ, phone, e-mail, login and address; filters by branch, active, lead and city)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for
from enlace.core.models import City

from .models import Customer, LeadStage, PersonType
from .selectors import customer_search


class CustomerFilterSet(BaseFilterSet):
    """``q`` (page) and ``search`` (API) are the same one-box search: name fragment (accent- and
    case-insensitive), CPF/CNPJ with or without mask, phone digits, e-mail, street."""

    search = django_filters.CharFilter(method="filter_q", label=_("Search"))
    branch = django_filters.ModelChoiceFilter(queryset=branches_for, label=_("Branch"))
    active = django_filters.BooleanFilter(label=_("Active"))
    is_lead = django_filters.BooleanFilter(label=_("Lead"))
    city = django_filters.ModelChoiceFilter(
        queryset=City.objects.all(), label=_("City (IBGE code)"), widget=forms.TextInput
    )
    city_name = django_filters.CharFilter(field_name="city__name", lookup_expr="icontains", label=_("City"))
    person_type = django_filters.ChoiceFilter(choices=PersonType.choices, label=_("Person type"))
    lead_stage = django_filters.ChoiceFilter(choices=LeadStage.choices, label=_("Prospecting stage"))
    state = django_filters.CharFilter(field_name="city__state__abbr", lookup_expr="iexact", label=_("State"))

    class Meta:
        model = Customer
        fields = ["branch", "active", "is_lead", "city", "state", "person_type", "lead_stage"]

    def filter_q(self, queryset, name, value):
        return customer_search(queryset, value)


class CustomerListFilterSet(CustomerFilterSet):
    """The list page's filter bar: the search box, branch, active, lead, city."""


CustomerListFilterSet.base_filters = {
    name: CustomerListFilterSet.base_filters[name]
    for name in ("q", "branch", "active", "is_lead", "city_name", "person_type")
}
