from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IxcConfig(AppConfig):
    name = "enlace.ixc"
    label = "ixc"
    verbose_name = _("IXC")
