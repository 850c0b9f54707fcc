"""FilterSets of the finance area (SPEC F-1: receivables belong to the customer, recurring or one-off;
F-2: their status A/R/P/C and colour legend), shared by the list pages and the API.

Query parameters of each (besides ``q``, the quick search, and DRF's ``ordering``/``page``):

- invoices: ``customer``, ``contract``, ``branch`` (repeatable), ``wallet``, ``status``
  (repeatable: A/R/P/C), ``kind`` (recurring/one-off), ``renegotiated``, ``period`` (YYYY-MM),
  ``due_date_after``/``due_date_before`` (inclusive), ``color`` (repeatable, F-2's colour today:
  blue due later, orange due today, red overdue, light green paid on time, dark green paid late,
  grey renegotiated);
- payments: ``invoice``, ``customer``, ``contract``, ``branch`` (repeatable), ``method``
  (repeatable), ``reversed``, ``reversal`` (true: only reversal movements, false: only payments),
  ``date_after``/``date_before``;
- bank return files: ``wallet``, ``branch`` (repeatable), ``bank_code``, ``layout``,
  ``imported_after``/``imported_before`` (dates);
- billing runs: ``period``, ``branch`` (repeatable), ``status`` (repeatable).
"""

import django_filters
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for

from .models import (
    OPEN_STATUSES,
    BillingRun,
    CnabImport,
    Invoice,
    InvoiceColor,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    RegistrationStatus,
)


def color_condition(color: str, today) -> Q:
    """The rows whose F-2 colour on ``today`` is ``color`` (the query form of ``Invoice.color``:
    blue due later, orange due today, red overdue, light green paid on time, dark green paid late,
    grey renegotiated)."""
    live = Q(renegotiated=False) & ~Q(status=InvoiceStatus.CANCELLED)
    open_ = live & Q(status__in=OPEN_STATUSES)
    received = live & Q(status=InvoiceStatus.RECEIVED)
    conditions = {
        InvoiceColor.GREY: Q(renegotiated=True) | Q(status=InvoiceStatus.CANCELLED),
        InvoiceColor.LIGHT_GREEN: received & (Q(paid_date__isnull=True) | Q(paid_date__lte=F("due_date"))),
        InvoiceColor.DARK_GREEN: received & Q(paid_date__gt=F("due_date")),
        InvoiceColor.BLUE: open_ & Q(due_date__gt=today),
        InvoiceColor.ORANGE: open_ & Q(due_date=today),
        InvoiceColor.RED: open_ & Q(due_date__lt=today),
    }
    return conditions[color]


class InvoiceFilterSet(BaseFilterSet):
    search_fields = ("customer__name", "nosso_numero_display", "digitable_line", "description")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    status = django_filters.MultipleChoiceFilter(choices=InvoiceStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices, label=_("Kind"))
    renegotiated = django_filters.BooleanFilter(label=_("Renegotiated"))
    period = django_filters.CharFilter(label=_("Period (YYYY-MM)"))
    due_date = django_filters.DateFromToRangeFilter(label=_("Due date"))
    color = django_filters.MultipleChoiceFilter(
        choices=InvoiceColor.choices, method="filter_color", label=_("Colour")
    )
    registration_status = django_filters.MultipleChoiceFilter(
        choices=RegistrationStatus.choices, label=_("Bank registration")
    )

    class Meta:
        model = Invoice
        fields = [
            "customer",
            "contract",
            "branch",
            "wallet",
            "status",
            "kind",
            "renegotiated",
            "period",
            "due_date",
            "color",
            "registration_status",
        ]

    def filter_color(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        condition = Q()
        for color in value:
            condition |= color_condition(color, today)
        return queryset.filter(condition)


class PaymentFilterSet(BaseFilterSet):
    search_fields = ("invoice__customer__name", "invoice__nosso_numero_display", "operator_name", "notes")

    customer = django_filters.NumberFilter(field_name="invoice__customer", label=_("Customer"))
    contract = django_filters.NumberFilter(field_name="invoice__contract", label=_("Contract"))
    branch = django_filters.ModelMultipleChoiceFilter(
        field_name="invoice__branch", queryset=branches_for, label=_("Branch")
    )
    method = django_filters.MultipleChoiceFilter(choices=PaymentMethod.choices, label=_("Method"))
    reversed = django_filters.BooleanFilter(label=_("Reversed"))
    reversal = django_filters.BooleanFilter(
        field_name="reversal_of", lookup_expr="isnull", exclude=True, label=_("Reversal movement")
    )
    date = django_filters.DateFromToRangeFilter(label=_("Payment date"))

    class Meta:
        model = Payment
        fields = ["invoice", "customer", "contract", "branch", "method", "reversed", "reversal", "date"]


class CnabImportFilterSet(BaseFilterSet):
    search_fields = ("file_name",)

    branch = django_filters.ModelMultipleChoiceFilter(
        field_name="wallet__branch", queryset=branches_for, label=_("Branch")
    )
    imported = django_filters.DateFromToRangeFilter(field_name="created_at__date", label=_("Imported on"))

    class Meta:
        model = CnabImport
        fields = ["wallet", "branch", "bank_code", "layout", "imported"]


class BillingRunFilterSet(BaseFilterSet):
    search_fields = ("period",)

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    status = django_filters.MultipleChoiceFilter(choices=BillingRun.Status.choices, label=_("Status"))

    class Meta:
        model = BillingRun
        fields = ["period", "branch", "status"]
