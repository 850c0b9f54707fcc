"""FilterSets add DISTINCT only where a to-many join can repeat a row (issue 22).

django-filter gives every multiple-choice filter ``distinct=True``; on a list that made each query
a ``SELECT DISTINCT`` over every joined column (and its count and chart with it).
``core.filtersets.BaseFilterSet`` decides from the model's ``_meta``: DISTINCT only when the
filter's lookup path crosses a reverse foreign key or a many-to-many.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver

from enlace.core.filtersets import BaseFilterSet, crosses_to_many

pytestmark = pytest.mark.django_db


def every_filterset() -> list[type[BaseFilterSet]]:
    """Every FilterSet of the project: the URL conf imports every view and API module."""
    get_resolver().url_patterns  # noqa: B018 - imports the views, the API and their FilterSets
    found, todo = [], [BaseFilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls._meta.model is not None:
            found.append(cls)
    return found


def test_every_filterset_builds_on_the_base_filterset():
    import django_filters

    names = set()
    todo = [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("enlace.") and not issubclass(cls, BaseFilterSet):
            names.add(f"{cls.__module__}.{cls.__qualname__}")
    get_resolver().url_patterns  # noqa: B018
    assert not names, f"FilterSets that do not subclass core.filtersets.BaseFilterSet: {sorted(names)}"


def test_no_filter_over_a_to_one_path_is_distinct():
    filtersets = every_filterset()
    assert len(filtersets) >= 25
    wrong = []
    for filterset in filtersets:
        model = filterset._meta.model
        for name, filter_ in filterset.base_filters.items():
            to_many = crosses_to_many(model, filter_.field_name or "")
            if filter_.distinct != to_many:
                wrong.append(
                    f"{filterset.__qualname__}.{name} ({filter_.field_name}): distinct={filter_.distinct}"
                )
    assert not wrong, wrong


def test_crosses_to_many_reads_the_models_meta():
    from enlace.billing.models import Invoice, Payment
    from enlace.core.models import Employee
    from enlace.sales.models import Sale

    assert not crosses_to_many(Invoice, "status")
    assert not crosses_to_many(Invoice, "branch")
    assert not crosses_to_many(Invoice, "customer__branch__city__name")
    assert not crosses_to_many(Payment, "invoice__customer")
    assert not crosses_to_many(Payment, "created_at__date")
    assert not crosses_to_many(Invoice, "color")  # not a field: a method filter
    assert crosses_to_many(Employee, "branches")
    assert crosses_to_many(Sale, "items__product__name")
    assert crosses_to_many(Invoice, "payments__method")


def test_the_receivables_query_has_no_distinct(admin_user, branch_a, rf):
    from enlace.billing.filtersets import InvoiceFilterSet
    from enlace.billing.forms import InvoiceListFilterSet
    from enlace.billing.models import Invoice

    request = rf.get("/")
    request.user = admin_user
    data = {
        "status": ["A", "P"],
        "branch": [branch_a.pk],
        "color": ["red"],
        "due_date_after": "2026-01-01",
        "due_date_before": "2026-12-31",
        "q": "maria",
    }
    for filterset_class in (InvoiceFilterSet, InvoiceListFilterSet):
        filterset = filterset_class(data, queryset=Invoice.objects.all(), request=request)
        assert filterset.is_valid(), filterset.errors
        with CaptureQueriesContext(connection) as queries:
            list(filterset.qs)
        assert "DISTINCT" not in queries[-1]["sql"].upper()


def test_a_to_many_filter_still_returns_each_row_once(admin_user, branch_a, branch_b, rf):
    from enlace.core.filtersets import EmployeeFilterSet
    from enlace.core.models import Employee

    both = Employee.objects.create(name="Duas filiais")
    both.branches.set([branch_a, branch_b])
    Employee.objects.create(name="Nenhuma")
    request = rf.get("/")
    request.user = admin_user
    filterset = EmployeeFilterSet(
        {"branch": [branch_a.pk, branch_b.pk]}, queryset=Employee.objects.all(), request=request
    )
    assert filterset.is_valid(), filterset.errors
    assert list(filterset.qs) == [both]


def test_a_search_across_a_to_many_path_returns_each_row_once(admin_user, branch_a, customer, rf):
    from decimal import Decimal

    from enlace.sales.filtersets import SaleFilterSet
    from enlace.sales.models import Product, Sale
    from enlace.sales.services import product_save, sale_create

    router = product_save(Product(name="Roteador Wi-Fi", price=Decimal("100.00")), actor=None)
    repeater = product_save(Product(name="Roteador repetidor", price=Decimal("80.00")), actor=None)
    sale = sale_create(
        actor=admin_user, customer=customer, items=[{"product": router}, {"product": repeater}]
    )
    request = rf.get("/")
    request.user = admin_user
    filterset = SaleFilterSet({"q": "roteador"}, queryset=Sale.objects.all(), request=request)
    assert filterset.is_valid(), filterset.errors
    assert list(filterset.qs) == [sale]
