from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "enlace.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from enlace.core.navigation import register as register_menu

        from .tabs import ORDER
        from .tabs import register as register_tab

        register_menu("registry", _("Customers"), "customers:customer_list", "customers.view_customer")
        # SPEC C-5: this app's tabs; later apps register theirs (contracts, logins, finance, ...).
        register_tab(
            "customer", _("Customer"), "customers:customer_tab_customer", ORDER["customer"], lead_visible=True
        )
        register_tab(
            "address", _("Address"), "customers:customer_tab_address", ORDER["address"], lead_visible=True
        )
        register_tab(
            "contact", _("Contact"), "customers:customer_tab_contact", ORDER["contact"], lead_visible=True
        )
        register_tab(
            "others", _("Others"), "customers:customer_tab_others", ORDER["others"], lead_visible=True
        )
        register_files_tab()


def register_files_tab():
    """The "Arquivos" tab (AR-1)."""
    from .tabs import ORDER, register

    register(
        "files",
        _("Files"),
        "customers:customer_tab_files",
        ORDER["files"],
        permission="customers.view_customerfile",
    )
