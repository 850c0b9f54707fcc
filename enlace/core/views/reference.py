"""Core screens that are more than plain record pages: the city list (reference data, not
branch-scoped) and the audit trail. Branches, departments, employees, payment conditions, analytic
accounts and wallets are declared with ``crud_urls`` in ``enlace/core/urls.py``."""

from .. import filtersets, tables
from ..models import City, ObjectChange
from .generic import ObjectListView


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
