from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "enlace.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from enlace.core import parameters

        from .models import PortalSettings

        # The tab "Subscriber portal" of the parameters page: the portal's settings row.
        fields = (
            "portal_auto_access",
            "portal_login_by_document",
            "portal_logo",
            "portal_lockout_attempts",
            "portal_lockout_minutes",
            "portal_session_minutes",
        )
        parameters.register(_("Subscriber portal"), PortalSettings, fields, order=30)
