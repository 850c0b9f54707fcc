"""FilterSets of products and sales, shared by the list pages and the API.

Query parameters (besides ``q``, the quick search, and DRF's ``ordering``/``page``):

- products: ``type`` (P/S), ``active``;
- sales: ``customer`` (id), ``contract`` (id), ``branch`` (repeatable), ``status`` (repeatable:
  O/C), ``salesperson`` (id), ``date_after``/``date_before`` (inclusive).
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for
from enlace.core.models import Employee

from .models import Product, ProductType, Sale, SaleStatus


def salespeople_for(request):
    user = getattr(request, "user", None)
    queryset = Employee.objects.filter(is_salesperson=True)
    return queryset.restrict(user) if user is not None else queryset


class ProductFilterSet(BaseFilterSet):
    search_fields = ("name", "unit")

    type = django_filters.ChoiceFilter(choices=ProductType.choices, label=_("Type"))

    class Meta:
        model = Product
        fields = ["type", "active"]


class SaleFilterSet(BaseFilterSet):
    search_fields = ("customer__name", "notes", "items__product__name")

    customer = django_filters.NumberFilter(label=_("Customer"))
    contract = django_filters.NumberFilter(label=_("Contract"))
    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    status = django_filters.MultipleChoiceFilter(choices=SaleStatus.choices, label=_("Status"))
    salesperson = django_filters.ModelChoiceFilter(queryset=salespeople_for, label=_("Salesperson"))
    date = django_filters.DateFromToRangeFilter(label=_("Date"))

    class Meta:
        model = Sale
        fields = ["customer", "contract", "branch", "status", "salesperson", "date"]
