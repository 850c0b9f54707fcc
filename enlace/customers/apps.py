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
        # SPEC C-5: the record is one page with tabs in a fixed order (``ORDER``). This app's tabs; later apps
        # register theirs (contracts, logins, finance, ...).
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
        register_parameters()


def register_parameters():
    """The tabs "Registry" and "Files" of the parameters page: the app's settings row."""
    from enlace.core import parameters

    from .models import CustomerSettings

    registry = (
        "cpf_cnpj_required",
        "allow_duplicate_cpf_cnpj",
        "validate_duplicate_address",
        "name_length_warning",
        "default_analytic_account",
    )
    parameters.register(_("Registry"), CustomerSettings, registry, order=20)
    parameters.register(_("Files"), CustomerSettings, ("files_max_size_mb",), order=40)


def register_files_tab():
    """The "Arquivos" tab (AR-1: documents uploaded with a description, downloaded within the branch
    scope)."""
    from .tabs import ORDER, register

    register(
        "files",
        _("Files"),
        "customers:customer_tab_files",
        ORDER["files"],
        permission="customers.view_customerfile",
    )
