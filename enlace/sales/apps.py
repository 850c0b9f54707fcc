from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "enlace.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        register_ui()


def register_ui():
    """Menu entries (Vendas) and the customer page's "Vendas" tab (V-1: the customer's sales, one-off or
    tied to a contract)."""
    from enlace.core.navigation import register
    from enlace.customers import tabs as customer_tabs

    register("sales", _("Sales"), "sales:sale_list", "sales.view_sale")
    register("sales", _("Products"), "sales:product_list", "sales.view_product")
    customer_tabs.register(
        "sales",
        _("Sales"),
        "sales:customer_tab_sales",
        customer_tabs.ORDER["sales"],
        permission="sales.view_sale",
    )
