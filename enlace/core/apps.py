from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "enlace.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from django.contrib.auth import get_user_model

        from . import (
            audit,
            lookups,  # noqa: F401  (registers IntegerFieldIn)
            places,
            roles,
            scope,
        )
        from .navigation import register
        from .operators import operator_queryset

        audit.connect()
        # Operator accounts: those whose every branch is among the viewer's (core.operators).
        scope.declare(get_user_model(), lambda queryset, user: operator_queryset(user, queryset))
        post_migrate.connect(roles.on_post_migrate, dispatch_uid="enlace_default_roles")
        post_migrate.connect(places.ensure_reference_data, sender=self, dispatch_uid="enlace_reference_data")

        register("registry", _("Branches"), "core:branch_list", "core.view_branch")
        register("registry", _("Employees"), "core:employee_list", "core.view_employee")
        register("registry", _("Cities"), "core:city_list", "core.view_city")
        register("support", _("Departments"), "core:department_list", "core.view_department")
        register(
            "finance", _("Payment conditions"), "core:paymentcondition_list", "core.view_paymentcondition"
        )
        register("finance", _("Billing wallets"), "core:wallet_list", "core.view_wallet")
        register("finance", _("Analytic accounts"), "core:analyticaccount_list", "core.view_analyticaccount")
        register("settings", _("Operators"), "core:user_list", "auth.view_user")
        register("settings", _("General parameters"), "core:parameters", "core.view_generalparameters")
        register("settings", _("Changes"), "core:objectchange_list", "core.view_objectchange")
        register_parameters()


def register_parameters():
    """Tab "General" of the parameters page: core's own settings row (``enlace.core.parameters``;
    the other apps register theirs, ordered 20, 30, ... in the order of the page)."""
    from . import parameters
    from .models import GeneralParameters

    parameters.register(
        _("General"), GeneralParameters, ("company_name", "portal_name", "default_branch"), order=10
    )
