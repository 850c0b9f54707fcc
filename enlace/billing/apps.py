from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "enlace.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from enlace.core import parameters

        from .models import BillingSettings

        register_ui()
        # The tab "Finance" of the parameters page: the app's settings row.
        fields = (
            "collection_notice_days",
            "collection_block_days",
            "trust_unlock_days",
            "billing_days_ahead",
            "second_copy_max_days",
        )
        parameters.register(_("Finance"), BillingSettings, fields, order=50)


def register_ui():
    """Menu entries (Financeiro) and the "Financeiro" tabs of the customer and contract pages."""
    from enlace.contracts import tabs as contract_tabs
    from enlace.core.navigation import register
    from enlace.customers import tabs as customer_tabs

    register("finance", _("Receivables"), "billing:invoice_list", "billing.view_invoice")
    register("finance", _("Payments received"), "billing:payment_list", "billing.view_payment")
    register("finance", _("Bank return files"), "billing:cnabimport_list", "billing.view_cnabimport")
    register("finance", _("Remittance files"), "billing:remittance_list", "billing.view_remittance")
    register("finance", _("Billing runs"), "billing:billingrun_list", "billing.view_billingrun")
    customer_tabs.register(
        "finance",
        _("Finance"),
        "billing:customer_tab_finance",
        customer_tabs.ORDER["finance"],
        permission="billing.view_invoice",
    )
    contract_tabs.register(
        "finance",
        _("Finance"),
        "billing:contract_tab_finance",
        contract_tabs.ORDER["finance"],
        permission="billing.view_invoice",
    )
