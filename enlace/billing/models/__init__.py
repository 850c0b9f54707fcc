"""Billing's models, one module per entity group, all importable from ``enlace.billing.models``:

- ``invoices``: receivables ("contas a receber") and payments (SPEC §7, F-1, F-2, F-4, F-6, F-7);
- ``bank_files``: bank return imports and remittance files with their registration settings;
- ``runs``: billing runs, renegotiations, the collection state of contracts (F-3, F-8, F-9) and
  ``BillingSettings``;
- ``common``: the money column and the operator field they share.

Money is ``Decimal`` with two places and never deleted: an invoice is cancelled or renegotiated,
a payment is reversed by a second movement.
"""

from enlace.core.money import ZERO

from .bank_files import CnabImport, CnabRecord, Remittance, RemittanceItem, WalletRegistration
from .common import MONEY, operator_field
from .invoices import (
    OPEN_STATUSES,
    Invoice,
    InvoiceColor,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    RegistrationStatus,
    WalletSequence,
)
from .runs import BillingRun, BillingSettings, CollectionState, RenegotiatedInvoice, Renegotiation

__all__ = [
    "MONEY",
    "OPEN_STATUSES",
    "ZERO",
    "BillingRun",
    "BillingSettings",
    "CnabImport",
    "CnabRecord",
    "CollectionState",
    "Invoice",
    "InvoiceColor",
    "InvoiceKind",
    "InvoiceStatus",
    "Payment",
    "PaymentMethod",
    "RegistrationStatus",
    "Remittance",
    "RemittanceItem",
    "RenegotiatedInvoice",
    "Renegotiation",
    "WalletRegistration",
    "WalletSequence",
    "operator_field",
]
