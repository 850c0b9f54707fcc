"""FilterSets of concentrators, IP pools and logins, shared by the list pages and the API."""

import django_filters
from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _

from enlace.core.filtersets import BaseFilterSet, branches_for
from enlace.customers.models import Customer
from enlace.customers.validators import fold

from . import selectors
from .models import AuthType, ConnectionType, IpPool, Login, Nas, NasType


class NasFilterSet(BaseFilterSet):
    search_fields = ("name", "ip", "description")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    type = django_filters.ChoiceFilter(choices=NasType.choices, label=_("Type"))

    class Meta:
        model = Nas
        fields = ["branch", "type", "active"]


class IpPoolFilterSet(BaseFilterSet):
    search_fields = ("name", "description")

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))

    class Meta:
        model = IpPool
        fields = ["branch"]


class LoginFilterSet(BaseFilterSet):
    search_fields = ("username", "customer__name", "mac", "fixed_ip")

    def search_condition(self, word: str) -> Q:
        """The login's own columns, or a customer whose folded name holds the word. The customer
        part is a subquery on ``search_name`` (served by its trigram index on PostgreSQL) instead
        of ``customer__name`` through the join: a search that matches few customers then costs one
        pass over the logins, not a join of every login with every customer (``/logins/?q=`` at
        100,000 logins: 288 ms idle before)."""
        condition = Q()
        for field in ("username", "mac", "fixed_ip"):
            condition |= Q(**{f"{field}__icontains": word})
        customers = Customer.objects.filter(search_name__contains=fold(word)).values("pk")
        return condition | Q(customer__in=customers)

    branch = django_filters.ModelMultipleChoiceFilter(queryset=branches_for, label=_("Branch"))
    auth_type = django_filters.MultipleChoiceFilter(choices=AuthType.choices, label=_("Authentication"))
    connection_type = django_filters.ChoiceFilter(choices=ConnectionType.choices, label=_("Connection type"))
    online = django_filters.BooleanFilter(method="filter_online", label=_("Online"))

    class Meta:
        model = Login
        fields = [
            "customer",
            "contract",
            "branch",
            "plan",
            "auth_type",
            "connection_type",
            "radius_pool",
            "active",
        ]

    def filter_online(self, queryset, name, value):
        if value is None:
            return queryset
        online = Exists(selectors.open_session_subquery())
        return queryset.filter(online) if value else queryset.exclude(online)


def _plans_for(request):
    from enlace.contracts.models import Plan

    user = getattr(request, "user", None)
    return Plan.objects.all() if user is None else Plan.objects.restrict(user)


def _pools_for(request):
    user = getattr(request, "user", None)
    return IpPool.objects.restrict(user) if user is not None else IpPool.objects.all()


class LoginListFilterSet(LoginFilterSet):
    """The login list page's filter bar: search, branch, authentication, connection type, plan,
    pool, active, online (choices limited to the operator's branches)."""

    plan = django_filters.ModelChoiceFilter(queryset=_plans_for, label=_("Plan"))
    radius_pool = django_filters.ModelChoiceFilter(queryset=_pools_for, label=_("Radius pool"))
    active = django_filters.BooleanFilter(label=_("Active"))


LoginListFilterSet.base_filters = {
    name: LoginListFilterSet.base_filters[name]
    for name in ("q", "branch", "auth_type", "connection_type", "plan", "radius_pool", "active", "online")
}
