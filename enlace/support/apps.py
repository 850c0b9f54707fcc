from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "enlace.support"
    label = "support"
    verbose_name = _("Support")

    def ready(self):
        register_ui()


def register_ui():
    """Menu entries (Atendimento) and the "Atendimentos" and "OS" tabs of the customer page."""
    from enlace.core.navigation import register
    from enlace.customers import tabs as customer_tabs

    register("support", _("Tickets"), "support:ticket_list", "support.view_ticket")
    register("support", _("Service orders"), "support:serviceorder_list", "support.view_serviceorder")
    register("support", _("Technician agenda"), "support:agenda", "support.view_serviceorder")
    register("support", _("Subjects"), "support:subject_list", "support.view_subject")
    register("support", _("Processes"), "support:process_list", "support.view_process")
    customer_tabs.register(
        "tickets",
        _("Tickets"),
        "support:customer_tab_tickets",
        customer_tabs.ORDER["tickets"],
        lead_visible=True,
        permission="support.view_ticket",
    )
    customer_tabs.register(
        "service_orders",
        _("Service orders"),
        "support:customer_tab_orders",
        customer_tabs.ORDER["service_orders"],
        permission="support.view_serviceorder",
    )
