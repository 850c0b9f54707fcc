from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "enlace.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self):
        from enlace.billing import signals as billing_signals
        from enlace.contracts import signals as contract_signals
        from enlace.core import parameters

        from . import receivers
        from .models import MessagingSettings

        billing_signals.invoice_issued.connect(
            receivers.on_invoice_issued, dispatch_uid="messaging_invoice_issued"
        )
        billing_signals.payment_received.connect(
            receivers.on_payment_received, dispatch_uid="messaging_payment_received"
        )
        billing_signals.trust_unlocked.connect(
            receivers.on_trust_unlocked, dispatch_uid="messaging_trust_unlocked"
        )
        contract_signals.access_status_changed.connect(
            receivers.on_access_status_changed, dispatch_uid="messaging_access_status_changed"
        )
        post_migrate.connect(_default_rules, sender=self, dispatch_uid="messaging_default_rules")
        register_ui()
        parameters.register(
            _("Billing messages"),
            MessagingSettings,
            ("quiet_start", "quiet_end", "rate_per_minute", "portal_url"),
            order=55,
        )


def _default_rules(sender, using="default", **kwargs):
    from .services import ensure_default_rules

    ensure_default_rules()


def register_ui():
    """Menu entries (Configurações ➜ Régua de cobrança; Financeiro ➜ Mensagens) and the customer
    page's "Mensagens" tab."""
    from enlace.core.navigation import register
    from enlace.customers import tabs as customer_tabs

    register(
        "settings", _("Billing message rules"), "messaging:messagerule_list", "messaging.view_messagerule"
    )
    register("finance", _("Messages"), "messaging:message_list", "messaging.view_message")
    customer_tabs.register(
        "messages",
        _("Messages"),
        "messaging:customer_tab_messages",
        customer_tabs.ORDER["files"] + 5,
        permission="messaging.view_message",
    )
