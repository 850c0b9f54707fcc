"""Reference data shared by every app, one module by entity: the base models (``base``), places,
branches and people (``organization``), finance reference data and wallets (``finance``), core's
settings row (``parameters``) and the audit trail (``audit``). Everything is importable from
``enlace.core.models``."""

from ..mail import OutboundEmail  # the e-mail outbox lives with its code
from .audit import ObjectChange
from .base import AppSettings, EnlaceModel, checked_in_python
from .finance import ZERO, AnalyticAccount, PaymentCondition, Wallet
from .organization import Branch, Department, Employee
from .parameters import GeneralParameters, YesNoDefault
from .places import AddressMixin, City, State

__all__ = [
    "ZERO",
    "AddressMixin",
    "AnalyticAccount",
    "AppSettings",
    "Branch",
    "City",
    "Department",
    "EnlaceModel",
    "Employee",
    "GeneralParameters",
    "ObjectChange",
    "OutboundEmail",
    "PaymentCondition",
    "State",
    "Wallet",
    "YesNoDefault",
    "checked_in_python",
]
