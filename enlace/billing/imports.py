"""Import of bank return files (CNAB 240 / 400, SPEC F-6).

``cnab_import`` reads the file with ``enlace.billing.cnab.parse_return`` and, in **one
transaction**, records every title and settles the invoices the settlement occurrences (06, 17…)
point to by wallet + nosso número. A file is known by its SHA-256: the same content is refused the
second time (nothing is settled twice), also when two imports race (unique column). A malformed
file is refused naming the line, and nothing is written.

It is a bulk writer: invoices are read and locked in one query, payments and audit entries are
inserted in batches, so a 10,000-payment file takes seconds (``bench/billing.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core import audit, context
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange, Wallet
from enlace.core.services import operator_name_of, operator_of

from .cnab import CnabError, parse_return
from .models import ZERO, CnabImport, CnabRecord, Invoice, InvoiceStatus, Payment, PaymentMethod


@dataclass
class ImportResult:
    cnab_import: CnabImport
    settled_invoices: list[int]

    @property
    def summary(self) -> dict:
        imp = self.cnab_import
        return {
            "records": imp.records,
            "settled": imp.settled,
            "settled_amount": str(imp.settled_amount),
            "not_settled": imp.not_settled,
        }


def cnab_import(
    *, actor, wallet: Wallet, data: bytes, file_name: str, store_file: bool = True
) -> ImportResult:
    """Import one return file of ``wallet``. Raises ``ValidationError`` on ``file`` for a malformed
    file or one of another bank, ``ApplicationError`` (code ``already_imported``) for a file whose
    content was imported before."""
    try:
        parsed = parse_return(data)
    except CnabError as exc:
        raise ValidationError(
            {"file": [_("The file is not a valid return file: %(error)s") % {"error": exc}]}
        ) from exc
    if parsed.bank_code != wallet.bank_code:
        raise ValidationError(
            {
                "file": [
                    _("The file is from bank %(file_bank)s, the wallet from bank %(wallet_bank)s.")
                    % {"file_bank": parsed.bank_code, "wallet_bank": wallet.bank_code}
                ]
            }
        )
    sha = hashlib.sha256(data).hexdigest()
    previous = CnabImport.objects.filter(sha256=sha).first()
    if previous:
        raise _already(previous)
    ctx = context.current()
    with context.acting_as(actor, source=ctx.source, request_id=ctx.request_id):
        try:
            with transaction.atomic():
                return _import(actor, wallet, parsed, sha, data, file_name, store_file)
        except IntegrityError as exc:
            previous = CnabImport.objects.filter(sha256=sha).first()
            if previous:
                raise _already(previous) from exc
            raise


def _already(previous: CnabImport) -> ApplicationError:
    return ApplicationError(
        _("This file was already imported on %(date)s (%(name)s); nothing was settled again.")
        % {
            "date": timezone.localtime(previous.created_at).strftime("%d/%m/%Y %H:%M"),
            "name": previous.file_name,
        },
        code="already_imported",
        field="file",
    )


def _number(record) -> int | None:
    digits = record.nosso_numero_normalized
    return int(digits) if digits and digits.isdigit() else None


def _import(actor, wallet, parsed, sha, data, file_name, store_file) -> ImportResult:
    imp = CnabImport(
        wallet=wallet,
        file_name=file_name[:200],
        sha256=sha,
        layout=parsed.layout,
        bank_code=parsed.bank_code,
        records=len(parsed.records),
        operator=operator_of(actor),
    )
    if store_file:
        from django.core.files.base import ContentFile

        imp.file.save(file_name, ContentFile(data), save=False)
    imp.save()

    numbers = {n for n in (_number(r) for r in parsed.records) if n is not None}
    invoices = {
        inv.nosso_numero: inv
        for inv in Invoice.objects.select_for_update().filter(wallet=wallet, nosso_numero__in=numbers)
    }
    befores = {}
    items, payments, touched = [], [], {}
    settled_amount = ZERO
    for record in parsed.records:
        invoice = invoices.get(_number(record))
        item = CnabRecord(
            cnab_import=imp,
            line=record.line,
            nosso_numero=record.nosso_numero[:30],
            occurrence=record.occurrence_code,
            occurrence_description=record.occurrence_description[:200],
            occurrence_date=record.occurrence_date,
            credit_date=record.credit_date,
            face_value=record.face_value,
            paid_amount=record.payer_amount,
            interest=record.interest,
            discount=record.discount,
            fee=record.bank_fee,
            invoice=invoice,
        )
        if not record.is_settlement:
            item.outcome = CnabRecord.Outcome.INFO
        elif invoice is None:
            item.outcome = CnabRecord.Outcome.NOT_FOUND
        elif not invoice.is_open:
            item.outcome = CnabRecord.Outcome.ALREADY_PAID
        elif record.payer_amount <= ZERO:
            item.outcome = CnabRecord.Outcome.INFO
        else:
            item.outcome = CnabRecord.Outcome.SETTLED
            if invoice.pk not in befores:
                befores[invoice.pk] = audit.serialize(invoice)
            payment = _payment_for(invoice, record, actor)
            payments.append((item, payment))
            _apply(invoice, payment)
            touched[invoice.pk] = invoice
            settled_amount += payment.amount
        items.append(item)
    CnabRecord.objects.bulk_create(items, batch_size=1000)
    for item, payment in payments:
        payment.cnab_record = item
    Payment.objects.bulk_create([p for _item, p in payments], batch_size=1000)
    _update_invoices(touched.values())
    audit.record_changes(
        [(p, ObjectChange.Action.CREATE, None, audit.serialize(p)) for _item, p in payments]
        + [
            (inv, ObjectChange.Action.UPDATE, befores[inv.pk], audit.serialize(inv))
            for inv in touched.values()
        ]
    )
    imp.settled = len(payments)
    imp.settled_amount = settled_amount
    imp.not_settled = len(items) - len(payments)
    # the audit trail has the import from the save signals (created, then its figures)
    imp.save(update_fields=["settled", "settled_amount", "not_settled"])

    contracts = {inv.contract_id for inv in touched.values() if inv.contract_id}
    if contracts:

        def check():
            from .tasks import check_contract

            for contract_id in contracts:
                check_contract.delay(contract_id)

        transaction.on_commit(check)
    return ImportResult(imp, sorted(touched))


def _update_invoices(invoices) -> None:
    """Write the new status, amount paid and payment date of the settled invoices: one prepared
    UPDATE run for every row (``bulk_update``'s CASE WHEN over 10,000 rows is several times
    slower)."""
    names = ("status", "paid_amount", "paid_date")
    fields = [Invoice._meta.get_field(name) for name in names]
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model, values as parameters
        qn(Invoice._meta.db_table), ", ".join(f"{qn(f.column)} = %s" for f in fields), qn("id")
    )
    rows = [
        [f.get_db_prep_save(getattr(invoice, f.attname), connection) for f in fields] + [invoice.pk]
        for invoice in invoices
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _payment_for(invoice: Invoice, record, actor) -> Payment:
    """The payment a settlement record makes: what the payer paid (fee added back where the bank
    reports the net amount); beyond the balance it is fine and interest."""
    amount = record.payer_amount
    discount = min(record.discount or ZERO, invoice.balance)
    principal = min(invoice.balance, amount + discount)
    extra = max(amount + discount - principal, ZERO)
    return Payment(
        invoice=invoice,
        date=record.occurrence_date or record.credit_date or timezone.localdate(),
        amount=amount,
        method=PaymentMethod.BOLETO,
        fine=ZERO,
        interest=extra,
        discount=discount,
        operator=operator_of(actor),
        operator_name=operator_name_of(actor),
        notes=_("Bank return file, line %(line)s.") % {"line": record.line},
    )


def _apply(invoice: Invoice, payment: Payment) -> None:
    principal = payment.amount - payment.fine - payment.interest + payment.discount
    invoice.paid_amount = invoice.paid_amount + principal
    if invoice.paid_amount >= invoice.amount:  # the principal already counts the discount
        invoice.status = InvoiceStatus.RECEIVED
        invoice.paid_date = payment.date
    elif invoice.paid_amount > Decimal("0"):
        invoice.status = InvoiceStatus.PARTIAL
