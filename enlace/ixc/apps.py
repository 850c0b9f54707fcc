from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IxcConfig(AppConfig):
    name = "enlace.ixc"
    label = "ixc"
    verbose_name = _("IXC")

    def ready(self):
        from enlace.contracts.models import Contract
        from enlace.core.filtersets import register_search
        from enlace.customers.selectors import register_search as register_customer_search
        from enlace.radius.models import Login

        from .models import ExternalKind
        from .search import condition

        # "ixc:1234" in the lists' search box finds the row imported with that IXC id (search.py).
        register_customer_search("ixc_id", condition(ExternalKind.CLIENTE))
        register_search(Contract, condition(ExternalKind.CONTRATO))
        register_search(Login, condition(ExternalKind.LOGIN))
