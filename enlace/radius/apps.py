from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RadiusConfig(AppConfig):
    name = "enlace.radius"
    label = "radius"
    verbose_name = _("Radius")

    def ready(self):
        from django.db.models.signals import post_migrate

        from enlace.contracts import signals as contract_signals
        from enlace.core import parameters

        from . import models, services

        # Inside the transaction of the change: FreeRADIUS's tables follow it.
        contract_signals.contract_saved.connect(
            services.on_contract_saved, dispatch_uid="radius_contract_saved"
        )
        contract_signals.plan_saved.connect(services.on_plan_saved, dispatch_uid="radius_plan_saved")
        # After commit: online subscribers are disconnected or get a CoA.
        contract_signals.access_status_changed.connect(
            services.on_access_status_changed, dispatch_uid="radius_access_status_changed"
        )
        contract_signals.plan_changed.connect(services.on_plan_changed, dispatch_uid="radius_plan_changed")

        # The tab "RADIUS" of the parameters page: the app's settings row, written by its service
        # (which rewrites the blocked group in the same transaction).
        fields = (
            "radius_blocked_action",
            "radius_notice_pool",
            "radius_notice_address_list",
            "radius_notice_rate_limit",
            "radius_interim_interval",
            "radius_stale_intervals",
            "login_password_min_length",
        )
        parameters.register(
            _("RADIUS"), models.RadiusSettings, fields, order=60, writer=services.radius_settings_update
        )
        post_migrate.connect(_status_groups, sender=self, dispatch_uid="radius_status_groups")
        # Web UI: menu entries and the tabs of the customer and contract pages.
        register_ui()


def register_ui():
    """Menu entries (Rede) and the "Login" tabs of the customer and contract pages."""
    from enlace.contracts import tabs as contract_tabs
    from enlace.core.navigation import register
    from enlace.customers import selectors as customer_selectors
    from enlace.customers import tabs as customer_tabs

    from .selectors import customer_search_by_login

    register("network", _("Concentrators (NAS)"), "radius:nas_list", "radius.view_nas")
    register("network", _("IP pools"), "radius:ippool_list", "radius.view_ippool")
    register("network", _("Logins"), "radius:login_list", "radius.view_login")
    contract_tabs.register(
        "logins",
        _("Logins"),
        "radius:contract_tab_logins",
        contract_tabs.ORDER["logins"],
        permission="radius.view_login",
    )
    customer_tabs.register(
        "logins",
        _("Login"),
        "radius:customer_tab_logins",
        customer_tabs.ORDER["logins"],
        permission="radius.view_login",
    )
    # SPEC C-6: the customer list's search box also finds a customer by login name.
    customer_selectors.register_search("radius_login", customer_search_by_login)


def _status_groups(using="default", **kwargs):
    """The blocked and disabled groups exist from the first migrate on (and after a test flush)."""
    from .projection import write_status_groups

    write_status_groups()
