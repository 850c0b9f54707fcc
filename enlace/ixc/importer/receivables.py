"""The bulk path of ``fn_areceber``: new open (A), partial (P) and received (R) receivables in
chunks, each validated as the invoice writers validate it and written with what they write beside
it (docs/ixc.md, "Bulk path"). Cancelled ones (C) and rows imported before go per row (``tables``).

A receivable costs little here because nothing is done twice that gives the same answer twice:

- the records are copies of one blank invoice and one blank payment per chunk (the defaults worked
  out once), given the row's values;
- ``Invoice.full_clean`` is run through a ``validation.Validator``: a due date, an amount, the
  wallet, the kind are checked the first time they are seen, and per row only what differs (the
  description, the nosso número); a row that fails gets the model's own error;
- the services' rules are asked per row where they are cheap (``_check_discount``,
  ``_check_wallet``) and once per chunk where they cost a query (the contract's customer and
  branch, a nosso número taken, the actor's branch scope once per branch);
- the boleto and PIX are computed per row (``invoice_fill_charges``: they differ in every row);
- the invoices, payments, audit rows and external ids go to the database as rows (``writing``).

Differences from the per-row path, on purpose: a received receivable is created in its final
state (its audit row shows it received) with its payment, instead of created open and then
updated; no "payment received" / "invoice issued" signals (no thank-you messages or fiscal notes
for history moved in) and no collection check per payment (the daily routine judges the
contracts). The records of one chunk share their ``created_at``.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enlace.billing.models import ZERO, Invoice, InvoiceStatus, Payment, PaymentMethod
from enlace.billing.services import invoices as invoice_services
from enlace.billing.services.common import take_nosso_numeros
from enlace.contracts.models import Contract
from enlace.core.exceptions import ApplicationError
from enlace.core.money import brl
from enlace.core.services import operator_name_of, operator_of
from enlace.customers.models import Customer

from ..models import ExternalKind
from .chunks import ChunkResult, branch_allowed, cache, reason, relations, unique
from .common import Refused, Run, date, digits, money, text
from .tables import IMPORT_REASON, INVOICE_STATUSES, receivable_values
from .validation import Validator
from .writing import audit_created, insert, remember, take_ids

INVOICE_EXCLUDE = relations(Invoice)


def _copy_of(blank):
    """A new unsaved record with the field values of ``blank`` (as ``Model(**values)`` would make
    it, without working out every default again)."""
    obj = blank.__class__.__new__(blank.__class__)
    obj.__dict__.update(blank.__dict__)
    obj._state = ModelState()
    obj._state.fields_cache = dict(blank._state.fields_cache)
    return obj


def receivables(run: Run, rows: list[dict]) -> ChunkResult:
    """New open (A), partial (P) and received (R) receivables, each with its nosso número (kept, or
    taken from the wallet's sequence), boleto and PIX; a received one with its payment (method
    boleto, no late charges, as the per-row path settles it). Cancelled ones (C) go per row."""
    result = ChunkResult()
    found = cache(run)
    validator = found.get("invoice_validator")
    if validator is None:
        validator = found["invoice_validator"] = Validator(Invoice, exclude=INVOICE_EXCLUDE)
    contract_map, customer_map = run.id_map(ExternalKind.CONTRATO), run.id_map(ExternalKind.CLIENTE)
    contract_info = {
        pk: (customer_id, branch_id)
        for pk, customer_id, branch_id in Contract.objects.filter(
            pk__in={contract_map.get(r.get("id_contrato", "").strip()) for r in rows} - {None}
        ).values_list("pk", "customer_id", "branch_id")
    }
    customer_branch = dict(
        Customer.objects.filter(
            pk__in={customer_map.get(r.get("id_cliente", "").strip()) for r in rows} - {None}
        ).values_list("pk", "branch_id")
    )
    now = timezone.now()
    blank_invoice = Invoice(created_at=now)
    blank_payment = Payment(
        method=PaymentMethod.BOLETO,
        fine=ZERO,
        interest=ZERO,
        discount=ZERO,
        notes=IMPORT_REASON,
        operator=operator_of(run.actor),
        operator_name=operator_name_of(run.actor),
        created_at=now,
    )
    good: list[tuple[dict, Invoice, Payment | None]] = []
    without_number: dict[int, list[Invoice]] = defaultdict(list)
    for row in rows:
        status = text(row, "status").upper() or InvoiceStatus.OPEN
        if status == InvoiceStatus.CANCELLED:
            result.per_row.append(row)
            continue
        try:
            if status not in INVOICE_STATUSES:
                raise Refused(_("Unknown fn_areceber status %(code)s.") % {"code": status})
            invoice = _invoice(run, row, contract_info, customer_branch, found, blank_invoice)
            payment = _payment(row, invoice, status, blank_payment)
            validator.full_clean(invoice)
            # The payment is built from the receivable's checked amounts (> 0, ≤ the amount,
            # method boleto, no charges): what Payment.full_clean would check holds by construction.
            branch_allowed(run, invoice.branch_id)
        except (ValidationError, ApplicationError) as exc:
            result.refused.append((row["id"], reason(exc)))
            continue
        good.append((row, invoice, payment))
        if invoice.nosso_numero is None:
            without_number[invoice.wallet_id].append(invoice)
    good = unique(
        good,
        key=lambda invoice: (invoice.wallet_id, invoice.nosso_numero) if invoice.nosso_numero else None,
        taken=_numbers_taken,
        message=lambda invoice: (
            _("Nosso número %(number)s is already used in the wallet.") % {"number": invoice.nosso_numero}
        ),
        result=result,
        field_name="nn_boleto",
    )
    kept = {id(invoice) for _row, invoice, _p in good}
    for wallet_id, invoices in without_number.items():
        invoices = [i for i in invoices if id(i) in kept]
        numbers = take_nosso_numeros(
            found["wallets"][wallet_id], len(invoices), issue_date=timezone.localdate()
        )
        for invoice, number in zip(invoices, numbers, strict=True):
            invoice.nosso_numero = number
    filled = []
    for row, invoice, payment in good:
        try:
            invoice_services.invoice_fill_charges(invoice)
        except ValidationError as exc:
            result.refused.append((row["id"], reason(exc)))
            continue
        filled.append((row, invoice, payment))
    invoices = [invoice for _row, invoice, _p in filled]
    paid = [(invoice, payment) for _row, invoice, payment in filled if payment is not None]
    payments = [payment for _invoice, payment in paid]
    take_ids(Invoice, invoices)
    take_ids(Payment, payments)
    # From here no query: the writes go on in the database while the audit rows are built.
    insert(Invoice, invoices)
    for invoice, payment in paid:
        payment.invoice_id = invoice.pk
    insert(Payment, payments)
    audit_created(invoices + payments)
    remember(run, ExternalKind.ARECEBER, [(row["id"], invoice.pk) for row, invoice, _p in filled])
    highest = run.highest_nosso_numero
    for invoice in invoices:
        if invoice.nosso_numero > highest.get(invoice.wallet_id, 0):
            highest[invoice.wallet_id] = invoice.nosso_numero
    result.created = len(invoices)
    return result


def _numbers_taken(keys: set[tuple[int, int]]) -> set[tuple[int, int]]:
    by_wallet: dict[int, list[int]] = defaultdict(list)
    for wallet_id, number in keys:
        by_wallet[wallet_id].append(number)
    taken = set()
    for wallet_id, numbers in by_wallet.items():
        taken |= {
            (wallet_id, n)
            for n in Invoice.objects.filter(wallet_id=wallet_id, nosso_numero__in=numbers).values_list(
                "nosso_numero", flat=True
            )
        }
    return taken


CUSTOMER, CONTRACT = gettext_lazy("Customer"), gettext_lazy("Contract")  # translated when a row is refused


def _invoice(run: Run, row: dict, contract_info: dict, customer_branch: dict, found: dict, blank) -> Invoice:
    customer_id = run.lookup(ExternalKind.CLIENTE, row.get("id_cliente", ""), label=CUSTOMER)
    contract_id = None
    if digits(row.get("id_contrato")) not in ("", "0"):
        contract_id = run.lookup(ExternalKind.CONTRATO, row["id_contrato"], label=CONTRACT)
    if contract_id is not None:
        contract_customer, branch_id = contract_info[contract_id]
        if contract_customer != customer_id:
            raise ValidationError({"contract": [_("The contract belongs to another customer.")]})
    else:
        branch_id = customer_branch[customer_id]
    invoice = _copy_of(blank)
    invoice.__dict__.update(receivable_values(run, row, customer_id, contract_id, branch_id))
    invoice.wallet = found["wallets"][invoice.wallet_id]
    invoice_services._check_discount(invoice)
    invoice_services._check_wallet(invoice)
    return invoice


def _payment(row: dict, invoice: Invoice, status: str, blank) -> Payment | None:
    """The payment ``payment_create`` would write for a received (R) or partial (P) receivable
    (method boleto, no fine, interest or discount), applied to the invoice as ``_recompute`` does."""
    if status not in (InvoiceStatus.RECEIVED, InvoiceStatus.PARTIAL):
        return None
    amount = money(row.get("valor_recebido")) if status == InvoiceStatus.PARTIAL else invoice.amount
    if amount <= 0:
        return None
    if amount > invoice.amount:
        raise ValidationError(
            {"amount": [_("The amount exceeds what is due (%(due)s).") % {"due": brl(invoice.amount)}]}
        )
    paid_on = date(row.get("pagamento_data")) or invoice.due_date
    invoice.paid_amount = amount
    if amount >= invoice.amount:
        invoice.status, invoice.paid_date = InvoiceStatus.RECEIVED, paid_on
    else:
        invoice.status = InvoiceStatus.PARTIAL
    payment = _copy_of(blank)
    payment.date, payment.amount = paid_on, amount
    return payment
