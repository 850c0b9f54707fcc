"""Import of bank return files (CNAB 240 / 400, SPEC F-6).

``cnab_import`` reads the file with ``enlace.billing.cnab.open_return`` while streaming it (the
upload is never whole in memory) and, in **one transaction**, records every title and settles the
invoices the settlement occurrences (06, 17…) point to by wallet + nosso número. Titles are written
in batches of ``BATCH_SIZE`` as they are read; a malformed line anywhere — the trailer included —
rolls the whole import back, so a refused file writes nothing (and a stored copy of it is removed).

- A file larger than ``settings.BANK_RETURN_MAX_UPLOAD_MB`` is refused before it is read
  (``ApplicationError`` code ``file_too_large`` on ``file``).
- A file is known by its SHA-256: the same content is refused the second time (nothing is settled
  twice), also when two imports race (unique column).
- A nosso número settles at most once per file: the first settlement line of a nosso número
  decides; every later settlement line naming it is recorded as ``repeated`` (refused, nothing
  paid). Other occurrences (02 entry confirmed…) of the same title are recorded as information.

It is a bulk writer: the invoices of a batch are read and locked in one query, payments and audit
entries are inserted in batches, so a 10,000-payment file takes seconds (``bench/billing.py``).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Field, JSONField
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from enlace.contracts.models import AccessStatus, Contract
from enlace.core import audit, context
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange, Wallet
from enlace.core.services import operator_name_of, operator_of
from enlace.core.types import Actor

from ..cnab import CnabError, ReturnReader, open_return
from ..models import (
    ZERO,
    CnabImport,
    CnabRecord,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    RegistrationStatus,
)
from ..registration.reasons import rejection_message
from .collection import collection_check_on_commit
from .common import column_of

#: Titles written per round trip: bounds the memory an import uses whatever the file's size.
BATCH_SIZE = 2000
_CHUNK = 64 * 1024


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


def max_upload_bytes() -> int:
    return settings.BANK_RETURN_MAX_UPLOAD_MB * 1024 * 1024


def cnab_import(
    *, actor: Actor, wallet: Wallet, data, file_name: str, store_file: bool = True
) -> ImportResult:
    """Import one return file of ``wallet``. ``data`` is the file's bytes or a seekable binary file
    object (an upload, an open file), read in chunks.

    Raises ``ApplicationError`` on ``file`` — code ``file_too_large`` for a file over
    ``BANK_RETURN_MAX_UPLOAD_MB``, ``already_imported`` for a content imported before — or
    ``ValidationError`` on ``file`` for a malformed file or one of another bank. Nothing is written
    (no import, no stored file) when it raises."""
    stream = io.BytesIO(bytes(data)) if isinstance(data, bytes | bytearray | memoryview) else data
    sha = _checked_sha256(stream)
    previous = CnabImport.objects.filter(sha256=sha).first()
    if previous:
        raise _already(previous)
    stream.seek(0)
    try:
        reader = open_return(stream)
    except CnabError as exc:
        raise _invalid(exc) from exc
    if reader.bank_code != wallet.bank_code:
        raise ValidationError(
            {
                "file": [
                    _("The file is from bank %(file_bank)s, the wallet from bank %(wallet_bank)s.")
                    % {"file_bank": reader.bank_code, "wallet_bank": wallet.bank_code}
                ]
            }
        )
    ctx = context.current()
    stored: list = []  # the name the file got in storage, removed again if the import fails
    with context.acting_as(actor, source=ctx.source, request_id=ctx.request_id):
        try:
            with transaction.atomic():
                return _import(actor, wallet, reader, sha, stream if store_file else None, file_name, stored)
        except BaseException as exc:
            if stored:
                CnabImport._meta.get_field("file").storage.delete(stored[0])
            if isinstance(exc, CnabError):
                raise _invalid(exc) from exc
            if isinstance(exc, IntegrityError):
                previous = CnabImport.objects.filter(sha256=sha).first()
                if previous:
                    raise _already(previous) from exc
            raise


def _checked_sha256(stream) -> str:
    """The SHA-256 of the whole stream, read in chunks, once its size is known to be within
    ``BANK_RETURN_MAX_UPLOAD_MB`` (nothing is read from a larger file)."""
    size = getattr(stream, "size", None)
    if size is None:
        size = stream.seek(0, io.SEEK_END)
    limit = max_upload_bytes()
    if size > limit:
        raise ApplicationError(
            _("The file has %(size)s MB; the maximum is %(max)s MB. It was not stored.")
            % {"size": number_format(size / 1024 / 1024, 1), "max": settings.BANK_RETURN_MAX_UPLOAD_MB},
            code="file_too_large",
            field="file",
        )
    stream.seek(0)
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _invalid(exc: CnabError) -> ValidationError:
    return ValidationError({"file": [_("The file is not a valid return file: %(error)s") % {"error": exc}]})


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


def _batches(records: Iterable, size: int) -> Iterator[list]:
    batch = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _import(actor: Actor, wallet, reader: ReturnReader, sha, stream, file_name, stored: list) -> ImportResult:
    imp = CnabImport(
        wallet=wallet,
        file_name=file_name[:200],
        sha256=sha,
        layout=reader.layout,
        bank_code=reader.bank_code,
        operator=operator_of(actor),
    )
    imp.save()
    run = _Run(imp, wallet, actor)
    for batch in _batches(reader, BATCH_SIZE):
        run.write(batch)

    imp.records = run.records
    imp.settled = run.settled
    imp.settled_amount = run.settled_amount
    imp.not_settled = run.records - run.settled
    imp.warnings = list(reader.warnings)  # read once the whole file was (the trailer's, at the end)
    fields = ["records", "settled", "settled_amount", "not_settled", "warnings"]
    if stream is not None:
        imp.file.save(file_name, File(stream, name=file_name), save=False)
        stored.append(imp.file.name)
        fields.append("file")
    # the audit trail has the import from the save signals (created, then its figures)
    imp.save(update_fields=fields)

    # A payment can only give access back: only contracts in notice or blocked by the routine
    # need the check (10,000 checks of active contracts would keep a worker busy for a minute).
    contracts = set(
        Contract.objects.filter(
            pk__in=run.contracts,
            access_status__in=(AccessStatus.OVERDUE, AccessStatus.AUTOMATIC_BLOCK),
        ).values_list("pk", flat=True)
    )
    collection_check_on_commit(contracts)
    return ImportResult(imp, sorted(run.settled_invoices))


class _Run:
    """The state of one import across its batches: figures, and the nossos números a settlement
    line already named (a later settlement line naming one is ``repeated``)."""

    def __init__(self, imp: CnabImport, wallet: Wallet, actor: Actor):
        self.imp, self.wallet, self.actor = imp, wallet, actor
        self.records = 0
        self.settled = 0
        self.settled_amount = ZERO
        self.seen: set[int] = set()
        self.settled_invoices: list[int] = []
        self.contracts: set[int] = set()

    def write(self, records: list) -> None:
        # Whole invoices (locked) for the settlement lines only; the other lines (registration
        # and information: most of a registration return) need the invoice's id alone.
        settling = {n for n in (_number(r) for r in records if r.is_settlement) if n is not None}
        others = {n for n in (_number(r) for r in records if not r.is_settlement) if n is not None}
        invoices = {
            inv.nosso_numero: inv
            for inv in Invoice.objects.select_for_update().filter(
                wallet=self.wallet, nosso_numero__any=settling
            )
        }
        ids = {number: invoice.pk for number, invoice in invoices.items()}
        others -= invoices.keys()
        if others:
            ids.update(
                Invoice.objects.filter(wallet=self.wallet, nosso_numero__any=others).values_list(
                    "nosso_numero", "pk"
                )
            )
        befores = {}
        items, payments, touched = [], [], {}
        registered: list[int] = []
        rejected: dict[int, str] = {}
        import_id = self.imp.pk
        for record in records:
            number = _number(record)
            invoice = invoices.get(number)
            invoice_id = ids.get(number)
            if invoice_id is not None and record.occurrence_code in REGISTRATION_OCCURRENCES:
                # Bank registration (issue 16): 02 "entrada confirmada", 03 "entrada rejeitada".
                if record.occurrence_code == ENTRY_CONFIRMED:
                    registered.append(invoice_id)
                    rejected.pop(invoice_id, None)
                else:
                    rejected[invoice_id] = rejection_message(
                        self.imp.layout, self.imp.bank_code, record.occurrence_reasons
                    )
            item = CnabRecord(
                cnab_import_id=import_id,
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
                invoice_id=invoice_id,
            )
            if not record.is_settlement:
                item.outcome = CnabRecord.Outcome.INFO
            elif number is not None and number in self.seen:
                # One settlement per nosso número per file (docs/cnab.md): a bank lists a
                # payment once; a second settlement line is refused and shown, never paid.
                item.outcome = CnabRecord.Outcome.REPEATED
            else:
                if number is not None:
                    self.seen.add(number)
                if invoice is None:
                    item.outcome = CnabRecord.Outcome.NOT_FOUND
                elif not invoice.is_open:
                    item.outcome = CnabRecord.Outcome.ALREADY_PAID
                elif record.payer_amount <= ZERO:
                    item.outcome = CnabRecord.Outcome.INFO
                else:
                    item.outcome = CnabRecord.Outcome.SETTLED
                    befores[invoice.pk] = _settlement_state(invoice)
                    payment = _payment_for(invoice, record, self.actor)
                    payments.append((item, payment))
                    _apply(invoice, payment)
                    touched[invoice.pk] = invoice
            items.append(item)
        _bulk_insert(CnabRecord, items)
        _registration(registered, rejected)
        for item, payment in payments:
            payment.cnab_record = item
        _bulk_insert(Payment, [p for _item, p in payments])
        _update_invoices(touched.values())
        changes = [(p, ObjectChange.Action.CREATE, None, audit.serialize(p)) for _item, p in payments] + [
            (inv, ObjectChange.Action.UPDATE, befores[inv.pk], _settlement_state(inv))
            for inv in touched.values()
        ]
        if connection.vendor == "postgresql":
            _bulk_insert(ObjectChange, [audit.build_change(*change) for change in changes])
        else:
            audit.record_changes(changes)
        self.records += len(items)
        self.settled += len(payments)
        self.settled_amount += sum((p.amount for _item, p in payments), ZERO)
        self.settled_invoices.extend(touched)
        self.contracts.update(inv.contract_id for inv in touched.values() if inv.contract_id)


#: Return occurrences about the entry of a title, the same code in every layout Enlace reads
#: (FEBRABAN 240 C044, Itaú and Bradesco 400, BB CBR643): 02 confirmed, 03 rejected.
ENTRY_CONFIRMED, ENTRY_REJECTED = "02", "03"
REGISTRATION_OCCURRENCES = frozenset({ENTRY_CONFIRMED, ENTRY_REJECTED})


def _registration(registered: list[int], rejected: dict[int, str]) -> None:
    """Write what the return says of the titles' registration: registered ones in one UPDATE,
    rejected ones with the bank's reasons in words."""
    confirmed = [pk for pk in registered if pk not in rejected]
    if confirmed:
        Invoice.objects.filter(pk__any=confirmed).update(
            registration_status=RegistrationStatus.REGISTERED, registration_message=""
        )
    for pk, message in rejected.items():
        Invoice.objects.filter(pk=pk).update(
            registration_status=RegistrationStatus.REJECTED, registration_message=message[:500]
        )


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
                    mutable = list(values)
                    for i in json:
                        mutable[i] = None if mutable[i] is None else Jsonb(mutable[i])
                    values = tuple(mutable)
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
    fields: list[Field] = []
    for name in _SETTLED_FIELDS:
        field = Invoice._meta.get_field(name)
        assert isinstance(field, Field), name  # a concrete field, not a relation seen backwards
        fields.append(field)
    qn = connection.ops.quote_name
    table = qn(Invoice._meta.db_table)
    columns = [
        (qn(column_of(f)), [f.get_db_prep_save(getattr(i, f.attname), connection) for i in invoices])
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


def _payment_for(invoice: Invoice, record, actor: Actor) -> Payment:
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
