from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "enlace.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self):
        from enlace.core.navigation import register

        register("registry", _("Contracts"), "contracts:contract_list", "contracts.view_contract")
        register("network", _("Plans"), "contracts:plan_list", "contracts.view_plan")
        register_tabs()
        register_contract_tabs()


def register_tabs():
    """This app's tabs of the customer page (SPEC C-5: tabs in a fixed order): "Contratos" (CT-1: every
    contract with its status, plan and access status), "Histórico" (H-1: everything the contracts went
    through, newest first)."""
    from enlace.customers.tabs import ORDER, register

    register(
        "contracts",
        _("Contracts"),
        "contracts:customer_tab_contracts",
        ORDER["contracts"],
        permission="contracts.view_contract",
    )
    register(
        "history",
        _("History"),
        "contracts:customer_tab_history",
        ORDER["history"],
        permission="contracts.view_contracthistory",
    )


def register_contract_tabs():
    """The contract page's own tabs (SPEC CT-4: a "Faturamento" tab with the required billing fields): Dados,
    Faturamento, Histórico."""
    from .tabs import ORDER, register

    register("data", _("Data"), "contracts:contract_tab_data", ORDER["data"])
    register("billing", _("Invoicing"), "contracts:contract_tab_billing", ORDER["billing"])
    register(
        "history",
        _("History"),
        "contracts:contract_tab_history",
        ORDER["history"],
        permission="contracts.view_contracthistory",
    )
