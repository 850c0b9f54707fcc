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
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.contracts.models import AccessStatus, Contract
from enlace.core import audit, context
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange, Wallet
from enlace.core.services import operator_name_of, operator_of

from .cnab import CnabError, parse_return
from .models import ZERO, CnabImport, CnabRecord, Invoice, InvoiceStatus, Payment, PaymentMethod
from .services import check_after_commit


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
                befores[invoice.pk] = _settlement_state(invoice)
            payment = _payment_for(invoice, record, actor)
            payments.append((item, payment))
            _apply(invoice, payment)
            touched[invoice.pk] = invoice
            settled_amount += payment.amount
        items.append(item)
    _bulk_insert(CnabRecord, items)
    for item, payment in payments:
        payment.cnab_record = item
    _bulk_insert(Payment, [p for _item, p in payments])
    _update_invoices(touched.values())
    changes = [(p, ObjectChange.Action.CREATE, None, audit.serialize(p)) for _item, p in payments] + [
        (inv, ObjectChange.Action.UPDATE, befores[inv.pk], _settlement_state(inv)) for inv in touched.values()
    ]
    if connection.vendor == "postgresql":
        _bulk_insert(ObjectChange, [audit.build_change(*change) for change in changes])
    else:
        audit.record_changes(changes)
    imp.settled = len(payments)
    imp.settled_amount = settled_amount
    imp.not_settled = len(items) - len(payments)
    # the audit trail has the import from the save signals (created, then its figures)
    imp.save(update_fields=["settled", "settled_amount", "not_settled"])

    # A payment can only give access back: only contracts in notice or blocked by the routine
    # need the check (10,000 checks of active contracts would keep a worker busy for a minute).
    contracts = set(
        Contract.objects.filter(
            pk__in={inv.contract_id for inv in touched.values() if inv.contract_id},
            access_status__in=(AccessStatus.OVERDUE, AccessStatus.AUTOMATIC_BLOCK),
        ).values_list("pk", flat=True)
    )
    check_after_commit(contracts)
    return ImportResult(imp, sorted(touched))


def _bulk_insert(model, objects: list) -> None:
    """Insert ``objects`` and set their primary keys. On PostgreSQL the keys are drawn from the
    table's sequence in one query and the rows written with COPY: ``bulk_create`` spends most of
    a 10,000-payment import building its statements. Elsewhere ``bulk_create``."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=1000)
        return
    from psycopg.types.json import Jsonb

    meta = model._meta
    fields = meta.concrete_fields
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
        for field in fields:  # auto_now_add, as bulk_create does
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                for obj in objects:
                    field.pre_save(obj, True)
        json = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
        row = attrgetter(*(f.attname for f in fields))
        sql = "COPY {} ({}) FROM STDIN".format(qn(meta.db_table), ", ".join(qn(f.column) for f in fields))
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for obj in objects:
                values = row(obj)
                if json:
                    values = list(values)
                    for i in json:
                        values[i] = None if values[i] is None else Jsonb(values[i])
                copy.write_row(values)


#: What a settlement changes on an invoice: its audit entry holds these fields before → after
#: (the other fields do not change; 10,000 full copies would double the import's time).
_SETTLED_FIELDS = ("status", "paid_amount", "paid_date")


def _settlement_state(invoice: Invoice) -> dict:
    state = {}
    for name in _SETTLED_FIELDS:
        value = getattr(invoice, name)
        if isinstance(value, Decimal):
            value = str(value)
        elif value is not None and name == "paid_date":
            value = value.isoformat()
        state[name] = value
    return state


def _update_invoices(invoices) -> None:
    """Write the new status, amount paid and payment date of the settled invoices in one
    statement on PostgreSQL (``bulk_update``'s CASE WHEN over 10,000 rows is several times
    slower), one prepared UPDATE per row elsewhere."""
    invoices = list(invoices)
    if not invoices:
        return
    fields = [Invoice._meta.get_field(name) for name in _SETTLED_FIELDS]
    qn = connection.ops.quote_name
    table = qn(Invoice._meta.db_table)
    columns = [
        (qn(f.column), [f.get_db_prep_save(getattr(i, f.attname), connection) for i in invoices])
        for f in fields
    ]
    ids = [i.pk for i in invoices]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sets = ", ".join(f"{column} = v.{column}" for column, _values in columns)
            types = ("varchar", "numeric", "date")
            arrays = ", ".join(f"%s::{kind}[]" for kind in ("bigint", *types))
            names = ", ".join(["id", *(column for column, _values in columns)])
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE t.id = v.id",  # noqa: S608
                [ids, *(values for _column, values in columns)],
            )
        else:
            sets = ", ".join(f"{column} = %s" for column, _values in columns)
            rows = [[*values, pk] for *values, pk in zip(*(v for _c, v in columns), ids, strict=True)]
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608


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
