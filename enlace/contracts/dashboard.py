"""The contracts' figures and chart on the home page's dashboard (``enlace.core.dashboard``):
active, new and cancelled this month, in notice (overdue payment) and blocked; new vs cancelled
contracts over the last 12 months."""

from django.utils.translation import gettext_lazy as _

from enlace.core import dashboard

from .filtersets import ContractListFilterSet
from .models import AccessStatus, Contract, ContractStatus

PERMISSION = "contracts.view_contract"
LIST = "contracts:contract_list"


def _month(today) -> dict:
    return {"after": today.replace(day=1).isoformat(), "before": today.isoformat()}


def _register():
    figures = [
        ("contracts-active", _("Active contracts"), lambda today: {"status": ContractStatus.ACTIVE}),
        (
            "contracts-new",
            _("New contracts this month"),
            lambda today: {f"contract_date_{k}": v for k, v in _month(today).items()},
        ),
        (
            "contracts-cancelled",
            _("Cancelled this month"),
            lambda today: {f"cancellation_date_{k}": v for k, v in _month(today).items()},
        ),
        (
            "contracts-notice",
            _("Contracts in notice (overdue)"),
            lambda today: {"status": ContractStatus.ACTIVE, "access_status": AccessStatus.OVERDUE},
        ),
        (
            "contracts-blocked",
            _("Blocked contracts"),
            lambda today: {
                "status": ContractStatus.ACTIVE,
                "access_status": [AccessStatus.MANUAL_BLOCK, AccessStatus.AUTOMATIC_BLOCK],
            },
        ),
    ]
    for order, (key, label, params) in enumerate(figures, start=20):
        dashboard.figure(
            key, label, "customers", LIST, ContractListFilterSet, params, PERMISSION, order=order
        )

    title = _("New vs cancelled contracts (12 months)")
    dashboard.series(
        "contracts-new-by-month",
        "contracts",
        title,
        _("New"),
        lambda: Contract.objects.all(),
        "contract_date",
        "branch",
        PERMISSION,
        colour="success",
    )
    dashboard.series(
        "contracts-cancelled-by-month",
        "contracts",
        title,
        _("Cancelled"),
        lambda: Contract.objects.filter(cancellation_date__isnull=False),
        "cancellation_date",
        "branch",
        PERMISSION,
        colour="danger",
    )


_register()
