"""The customers' figure on the home page's dashboard (``enlace.core.dashboard``)."""

from django.utils.translation import gettext_lazy as _

from enlace.core import dashboard

from .filtersets import CustomerListFilterSet

dashboard.figure(
    "customers-active",
    _("Active customers"),
    "customers",
    "customers:customer_list",
    CustomerListFilterSet,
    lambda today: {"active": "true", "is_lead": "false"},
    "customers.view_customer",
    order=10,
)
