from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "enlace.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import audit, roles

        audit.connect()

        from django.db.models.signals import post_migrate

        post_migrate.connect(roles.on_post_migrate, dispatch_uid="enlace_default_roles")
