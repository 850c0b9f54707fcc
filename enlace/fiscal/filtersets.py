"""FilterSets of the fiscal documents and settings, shared by the list pages and the API.

Query parameters (besides ``q`` and DRF's ``ordering``/``page``): documents: ``invoice`` (id),
``status`` (repeatable: draft/authorised/rejected/cancelled/contingency), ``branch`` (repeatable),
``issued_after``/``issued_before`` (dates, inclusive)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for

from .models import DocumentStatus, FiscalDocument, FiscalSettings, PlanFiscalProfile, ProductFiscalProfile


class FiscalDocumentFilterSet(BaseFilterSet):
    search_fields = ("key", "invoice__customer__name", "protocol")

    invoice = django_filters.NumberFilter(label=_("Invoice"))
    status = django_filters.MultipleChoiceFilter(choices=DocumentStatus.choices, label=_("Status"))
    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    issued_after = django_filters.DateFilter(
        field_name="issued_at", lookup_expr="date__gte", label=_("Issued from")
    )
    issued_before = django_filters.DateFilter(
        field_name="issued_at", lookup_expr="date__lte", label=_("Issued until")
    )

    class Meta:
        model = FiscalDocument
        fields = ["invoice", "status", "branch"]


class FiscalSettingsFilterSet(BaseFilterSet):
    search_fields = ("branch__name", "cnpj")

    class Meta:
        model = FiscalSettings
        fields = ["environment"]


class PlanFiscalProfileFilterSet(BaseFilterSet):
    search_fields = ("plan__name", "cclass", "cfop")

    class Meta:
        model = PlanFiscalProfile
        fields = ["service_type"]


class ProductFiscalProfileFilterSet(BaseFilterSet):
    search_fields = ("product__name", "cclass", "cfop")

    class Meta:
        model = ProductFiscalProfile
        fields = []
