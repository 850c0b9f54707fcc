"""FilterSets of the core models: one per model, shared by the list pages, the API and selectors.

Every FilterSet has ``q``, a quick search (case-insensitive "contains") over the model's
``search_fields``; each word of the query must match one of them. Filters whose choices are
branches offer only the branches the operator works in (``Branch.objects.restrict``).

Use them with the request so that choices follow the operator's scope::

    BranchFilterSet(request.GET, queryset=Branch.objects.restrict(user), request=request).qs

A filter adds ``DISTINCT`` to the query only when its lookup path crosses a to-many relation
(``crosses_to_many``): django-filter's default (``distinct=True`` on every multiple-choice filter)
made each filtered list a ``SELECT DISTINCT`` over all the joined columns, and its count and chart
with it (issue 22: 580 ms instead of 37 ms on the receivables list at 1.2 M invoices).
"""

from collections.abc import Callable

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import (
    AnalyticAccount,
    Branch,
    City,
    Department,
    Employee,
    ObjectChange,
    PaymentCondition,
    State,
    Wallet,
)
from .validators import only_alnum

#: Extra ways of finding a model's rows in its list's quick search, added by higher apps without
#: this module importing them: ``register_search(model, func)`` with ``func(text) -> Q | None``. A
#: condition claims the whole typed text (e.g. the ixc app's ``ixc:1234``, a record's id in IXC
#: Provedor) and replaces the word search; keep it one indexed lookup.
_SEARCH_EXTENSIONS: dict[type, list[Callable[[str], Q | None]]] = {}


def register_search(model, func: Callable[[str], Q | None]) -> None:
    if func not in _SEARCH_EXTENSIONS.setdefault(model, []):
        _SEARCH_EXTENSIONS[model].append(func)


def extension_condition(model, text: str) -> Q | None:
    """The first registered extension's condition for ``text`` on ``model``, or None."""
    for func in _SEARCH_EXTENSIONS.get(model, ()):
        condition = func(text.strip())
        if condition is not None:
            return condition
    return None


def branches_for(request):
    """Choices of a branch filter: the branches the requesting operator may see."""
    user = getattr(request, "user", None)
    if user is None:
        return Branch.objects.all()
    return Branch.objects.restrict(user)


def crosses_to_many(model, path: str) -> bool:
    """Whether the lookup ``path`` (``"invoice__customer__name"``, ``"opened_at__date"``) relative to
    ``model`` follows a to-many relation (reverse foreign key, many-to-many), i.e. whether filtering
    on it can return a row more than once. Parts that are not fields (lookups, transforms) end it."""
    opts = model._meta
    for part in path.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation:
            return False
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:  # a generic foreign key
            return False
        opts = field.related_model._meta
    return False


class YesNoAllSelect(forms.NullBooleanSelect):
    """The choice of a yes/no filter: "Todos" (no filter), "Sim", "Não" — not Django's "Desconhecido"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (
            ("unknown", pgettext_lazy("yes/no filter: no filter", "All")),
            ("true", _("Yes")),
            ("false", _("No")),
        )


class BaseFilterSet(django_filters.FilterSet):
    """Adds the quick search ``q`` over ``search_fields`` (lookups relative to the model), gives
    each filter ``distinct`` only when its path crosses a to-many relation, and offers every yes/no
    filter as "Todos / Sim / Não" (``YesNoAllSelect``)."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        if model is not None:
            for filter_ in filters.values():
                # A ``method`` filter ignores ``distinct`` (its method decides); set it anyway so
                # that the attribute tells the truth.
                filter_.distinct = crosses_to_many(model, filter_.field_name or "")
        for filter_ in filters.values():
            if isinstance(filter_, django_filters.BooleanFilter) and "widget" not in filter_.extra:
                filter_.extra["widget"] = YesNoAllSelect
        return filters

    @classmethod
    def search_crosses_to_many(cls) -> bool:
        model = cls._meta.model
        fields = (*cls.search_fields, *getattr(cls, "alnum_fields", ()))
        return model is not None and any(crosses_to_many(model, f) for f in fields)

    @property
    def form(self):
        """The filter form, its record choices limited to the operator's branches like every form
        (``core.forms.scope_choices``): another branch's id is refused as a missing one."""
        form = super().form
        user = getattr(self.request, "user", None)
        if user is not None and not getattr(form, "choices_scoped", False):
            from .forms import scope_choices

            scope_choices(form.fields, user)
            form.choices_scoped = True
        return form

    def search_condition(self, word: str) -> Q:
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": word})
        return condition

    def filter_q(self, queryset, name, value):
        extra = extension_condition(self._meta.model, value or "") if value else None
        if extra is not None:
            return queryset.filter(extra)
        words = (value or "").split()
        if not words or not self.search_fields:
            return queryset
        for word in words:
            queryset = queryset.filter(self.search_condition(word))
        return queryset.distinct() if self.search_crosses_to_many() else queryset


class _AlnumSearchMixin:
    """Also finds a document typed with its mask (e.g. "11.222.333/0001-81") in ``alnum_fields``."""

    alnum_fields: tuple[str, ...] = ()

    def search_condition(self, word: str) -> Q:
        condition = super().search_condition(word)
        compact = only_alnum(word)
        if compact and compact != word:
            for field in self.alnum_fields:
                condition |= Q(**{f"{field}__icontains": compact})
        return condition


class BranchFilterSet(_AlnumSearchMixin, BaseFilterSet):
    search_fields = ("name", "legal_name", "cnpj", "email", "phone", "city__name")
    alnum_fields = ("cnpj", "phone")

    city = django_filters.NumberFilter(field_name="city", label=_("City (IBGE code)"))
    state = django_filters.CharFilter(field_name="city__state__abbr", lookup_expr="iexact", label=_("State"))

    class Meta:
        model = Branch
        fields = ["active", "city", "state"]


class DepartmentFilterSet(BaseFilterSet):
    search_fields = ("name", "email")

    class Meta:
        model = Department
        fields = ["active"]


class EmployeeFilterSet(_AlnumSearchMixin, BaseFilterSet):
    search_fields = ("name", "email", "phone", "user__username", "department__name")
    alnum_fields = ("phone",)

    branch = django_filters.ModelMultipleChoiceFilter(
        field_name="branches", queryset=branches_for, label=_("Branch"), distinct=True
    )

    class Meta:
        model = Employee
        fields = ["branch", "department", "user", "is_technician", "is_salesperson", "is_attendant", "active"]


class PaymentConditionFilterSet(BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = PaymentCondition
        fields = ["instalments", "active"]


class AnalyticAccountFilterSet(BaseFilterSet):
    search_fields = ("code", "name")

    code = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label=_("Code starts with"))

    class Meta:
        model = AnalyticAccount
        fields = ["code", "kind", "parent", "active"]


class StateFilterSet(BaseFilterSet):
    search_fields = ("abbr", "name")

    abbr = django_filters.CharFilter(field_name="abbr", lookup_expr="iexact", label=_("Abbreviation"))

    class Meta:
        model = State
        fields = ["abbr"]


class CityFilterSet(BaseFilterSet):
    search_fields = ("name",)

    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    state = django_filters.CharFilter(field_name="state__abbr", lookup_expr="iexact", label=_("State"))

    class Meta:
        model = City
        fields = ["name", "state"]


class ObjectChangeFilterSet(BaseFilterSet):
    search_fields = ("object_repr", "user_name", "object_id")

    content_type = django_filters.CharFilter(
        method="filter_content_type",
        label=_("Record type"),
        help_text=_('As "app_label.model", for example "core.branch".'),
    )
    time_after = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="gte", label=_("From"))
    time_before = django_filters.IsoDateTimeFilter(field_name="time", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = ObjectChange
        fields = ["content_type", "object_id", "action", "user", "source", "request_id"]

    def filter_content_type(self, queryset, name, value):
        app_label, _sep, model = (value or "").strip().lower().partition(".")
        if not app_label or not model:
            return queryset.none()
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type=content_type)


class WalletFilterSet(BaseFilterSet):
    search_fields = ("name", "bank_code", "agency", "account", "convenio")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))

    class Meta:
        model = Wallet
        fields = ["branch", "bank_code", "cnab_layout", "active"]
