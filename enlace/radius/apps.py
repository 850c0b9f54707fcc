from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RadiusConfig(AppConfig):
    name = "enlace.radius"
    label = "radius"
    verbose_name = _("Radius")
