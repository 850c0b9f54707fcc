"""Remittance files ("arquivos de remessa", issue 16): every movement of a wallet not sent yet, in
one file per call, stored once and never changed (docs/billing.md, "Bank registration").

- ``remittance_generate(*, wallet, actor)`` takes the wallet's next file number under a row lock
  (``WalletRegistration``), writes one title line per pending movement — 01 entry of a new
  invoice, 02 write-off of a cancelled or renegotiated one the bank knows of, 06 new due date
  ("segunda via") and 47 new amount (31 in Itaú and Bradesco CNAB 400), each when the invoice
  differs from what the bank last received (the stored lines) — stores the file with its SHA-256 and one ``RemittanceItem`` per line (the
  values sent), and marks the entries ``sent``. With nothing pending it makes **no file** and
  returns ``remittance=None`` ("nothing new"): file numbers are not spent on empty files.
- The unique constraint (invoice, movement, change) of ``RemittanceItem`` keeps a movement from
  going out twice, also when two generations race (the second waits on the lock, then finds
  nothing pending; a stale read would fail on the constraint and write nothing).
- ``remittance_rebuild_bytes(remittance)`` writes the file again from the stored header and items:
  the same bytes, checked against the stored SHA-256.

Invoices are read in chunks of ``CHUNK`` and the items written as they go (COPY on PostgreSQL),
so memory holds the file's text and one chunk (``bench/billing.py``: 100,000 titles).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import orjson
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError
from enlace.core.models import City, Wallet
from enlace.core.services import operator_of
from enlace.core.types import Actor
from enlace.customers.models import Customer

from .. import boleto
from ..cnab import Movement, RemittanceError, RemittanceHeader, RemittanceTitle, build_remittance
from ..cnab.remittance import MOVEMENT_CODES, only_digits
from ..models import Invoice, RegistrationStatus, Remittance, RemittanceItem, WalletRegistration
from ..registration import RegistrationResult
from ..selectors import pending_changes, pending_entries, pending_write_offs

CHUNK = 2000

_DATES = ("due_date", "issue_date", "discount_until")
_DECIMALS = ("amount", "interest_per_day", "interest_rate", "fine_rate", "discount", "abatement")


# --- The wallet's registration settings ------------------------------------------------------------


def wallet_registration(wallet: Wallet) -> WalletRegistration:
    registration, _created = WalletRegistration.objects.get_or_create(wallet=wallet)
    return registration


def wallet_registration_set(
    *, wallet: Wallet, required: bool, actor: Actor, variation: str | None = None
) -> WalletRegistration:
    """Mark ``wallet``'s titles as needing registration through remittances or not (its invoices
    still pending, or marked not required, follow) and, when given, Banco do Brasil's variação
    da carteira (up to 3 digits)."""
    if variation is not None:
        variation = variation.strip()
        if variation and not (variation.isdigit() and len(variation) <= 3):
            raise ValidationError({"variation": [_("The wallet variation has up to 3 digits.")]})
    with transaction.atomic():
        registration = wallet_registration(wallet)
        registration = WalletRegistration.objects.select_for_update().get(pk=registration.pk)
        registration.required = required
        fields = ["required"]
        if variation is not None:
            registration.variation = variation
            fields.append("variation")
        registration.save(update_fields=fields)
        before, after = (
            (RegistrationStatus.NOT_REQUIRED, RegistrationStatus.PENDING)
            if required
            else (RegistrationStatus.PENDING, RegistrationStatus.NOT_REQUIRED)
        )
        Invoice.objects.filter(wallet=wallet, registration_status=before).update(registration_status=after)
    return registration


# --- From the wallet and the invoice to the file's values ---------------------------------------


def remittance_header(
    wallet: Wallet, *, sequence: int, created_at: datetime, sicredi_byte: str = "2", variation: str = ""
) -> RemittanceHeader:
    """The file's header values from ``wallet`` (and its branch: name and CNPJ of the beneficiary)."""
    layout = wallet.cnab_layout
    if (layout, wallet.bank_code) not in MOVEMENT_CODES:
        raise ApplicationError(
            _(
                "Bank %(bank)s has no CNAB %(layout)s remittance layout here; choose another layout on the wallet."
            )
            % {"bank": wallet.bank_code, "layout": layout},
            code="no_remittance_layout",
            field="wallet",
        )
    agency, posto = wallet.agency.strip(), ""
    if wallet.bank_code == "748" and "." in agency:  # Sicredi: "cooperativa.posto", as on the boleto
        agency, _sep, posto = agency.partition(".")
    branch = wallet.branch
    return RemittanceHeader(
        bank=wallet.bank_code,
        layout=layout,
        agency=only_digits(agency),
        agency_dv=wallet.agency_digit,
        account=only_digits(wallet.account),
        account_dv=wallet.account_digit,
        convenio=only_digits(wallet.convenio),
        carteira=wallet.carteira.strip(),
        variation=only_digits(variation),
        posto=posto,
        sicredi_byte=sicredi_byte,
        company_name=branch.legal_name or branch.name,
        company_document=branch.cnpj,
        sequence=sequence,
        created_at=created_at,
    )


#: What a title line reads of an invoice and of its customer: ``values_list`` rows, no model
#: instances (six per invoice with the customer's cities would cost most of a 100,000-title file).
#: A title's row is the invoice's values without ``customer_id`` followed by the customer's without
#: its id (``_rows``); the cities' names and states come from ``_Places``.
_INVOICE = ("pk", "nosso_numero", "due_date", "amount", "issue_date", "discount", "changes", "customer_id")
_CUSTOMER = (
    "pk",
    "cpf_cnpj",
    "name",
    "billing_cep",
    "billing_street",
    "billing_number",
    "billing_neighborhood",
    "billing_city_id",
    "cep",
    "street",
    "number",
    "neighborhood",
    "city_id",
)


def _rows(ids: list[int]) -> list[tuple]:
    """The title rows of the invoices ``ids``, by primary key: the invoices, then their customers
    by primary key, joined here (joined in SQL, PostgreSQL read the whole customer table for every
    chunk)."""
    invoices = list(Invoice.objects.filter(pk__any=ids).order_by("pk").values_list(*_INVOICE))
    customer_ids = list({row[7] for row in invoices})
    customers = {
        row[0]: row[1:] for row in Customer.objects.filter(pk__any=customer_ids).values_list(*_CUSTOMER)
    }
    return [row[:7] + customers[row[7]] for row in invoices]


class _Places:
    """City id → (name, UF), read once per city a file meets."""

    def __init__(self):
        self.known: dict[int | None, tuple[str, str]] = {None: ("", "")}

    def learn(self, rows: list[tuple]) -> None:
        missing = {row[i] for row in rows for i in (13, 18)} - self.known.keys()
        if missing:
            cities = City.objects.filter(pk__any=list(missing)).values_list("pk", "name", "state__abbr")
            self.known.update((pk, (name, uf)) for pk, name, uf in cities)

    def payer(self, row) -> tuple[str, str, str, str, str]:
        """(address, neighbourhood, CEP, city, UF): the billing address when it has a CEP, else
        the customer's main address."""
        cep, street, number, neighbourhood, city_id = row[9:14] if row[9] else row[14:19]
        city, uf = self.known.get(city_id, ("", ""))
        return (
            (f"{street}, {number}" if street and number else street or ""),
            neighbourhood or "",
            cep or "",
            city,
            uf,
        )


def _wallet_number(bank_code: str, number: int) -> tuple[int, str]:
    """(the sequence the remittance writer numbers with, Sicredi's byte): Sicredi keeps
    ``YYBNNNNN`` on the invoice (``services.common.take_nosso_numeros``)."""
    if bank_code == "748" and number >= 1_000_000:
        _year, byte, sequence = boleto.sicredi_split(number)
        return sequence, byte
    return number, "2"


class _TitleMaker:
    """Builds the title line of an invoice row (``_rows``) and the snapshot stored with it: the
    nosso número, due date, amount, discount, the wallet's fine and interest (capped as
    everywhere: 2 % and 1 % a month) and the payer."""

    def __init__(self, wallet: Wallet):
        self.bank_code = wallet.bank_code
        self.places = _Places()
        interest = min(wallet.interest_percent_month, Wallet.MAX_INTEREST) or None
        fine = min(wallet.fine_percent, Wallet.MAX_FINE) or None
        self.interest, self.fine = interest, fine
        self.interest_text = None if interest is None else str(interest)
        self.fine_text = None if fine is None else str(fine)

    def make(self, row, movement: Movement) -> tuple[RemittanceTitle, dict]:
        pk, number, due, amount, issued, discount = row[:6]
        address, neighbourhood, cep, city, uf = self.places.payer(row)
        sequence, _byte = _wallet_number(self.bank_code, number or 0)
        document = only_digits(row[7])
        discount = discount or None
        title = RemittanceTitle(
            movement=movement,
            nosso_numero=sequence,
            document_number=str(pk),
            due_date=due,
            amount=amount,
            issue_date=issued,
            interest_rate=self.interest,
            fine_rate=self.fine,
            discount=discount,
            company_use=str(pk),
            payer_document=document,
            payer_name=row[8],
            payer_address=address,
            payer_neighbourhood=neighbourhood,
            payer_cep=cep,
            payer_city=city,
            payer_uf=uf,
        )
        snapshot = {
            "movement": movement.value,
            "nosso_numero": sequence,
            "document_number": str(pk),
            "due_date": due.isoformat(),
            "amount": str(amount),
            "issue_date": issued.isoformat(),
            "interest_rate": self.interest_text,
            "fine_rate": self.fine_text,
            "discount": None if discount is None else str(discount),
            "company_use": str(pk),
            "payer_document": document,
            "payer_name": row[8],
            "payer_address": address,
            "payer_neighbourhood": neighbourhood,
            "payer_cep": cep,
            "payer_city": city,
            "payer_uf": uf,
        }
        return title, snapshot


def remittance_title(invoice: Invoice, movement: Movement) -> RemittanceTitle:
    """The line of one ``invoice`` for ``movement`` (what ``remittance_generate`` writes)."""
    (row,) = _rows([invoice.pk])
    maker = _TitleMaker(invoice.wallet)
    maker.places.learn([row])
    return maker.make(row, movement)[0]


def _not_sendable(title: RemittanceTitle) -> str:
    """Why the bank would refuse this title before reading it ("" when it can go)."""
    if len(title.payer_document) not in (11, 14):
        return _("Not sent to the bank: the customer has no valid CPF/CNPJ.")
    if len(only_digits(title.payer_cep)) != 8:
        return _("Not sent to the bank: the customer's address has no CEP.")
    return ""


def title_to_json(title: RemittanceTitle) -> dict:
    """The snapshot of ``title`` (what ``title_from_json`` reads back)."""
    data = dataclasses.asdict(title)
    for name, value in data.items():
        if isinstance(value, date | Decimal):
            data[name] = str(value) if isinstance(value, Decimal) else value.isoformat()
    data["movement"] = str(title.movement)
    return data


def title_from_json(data: dict) -> RemittanceTitle:
    values = dict(data)
    for name in _DATES:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    for name in _DECIMALS:
        if values.get(name) is not None:
            values[name] = Decimal(values[name])
    values["movement"] = Movement(values["movement"])
    return RemittanceTitle(**values)


def header_to_json(header: RemittanceHeader) -> dict:
    data = dataclasses.asdict(header)
    data["created_at"] = header.created_at.isoformat()
    return data


def header_from_json(data: dict) -> RemittanceHeader:
    return RemittanceHeader(**{**data, "created_at": datetime.fromisoformat(data["created_at"])})


# --- Generation ---------------------------------------------------------------------------------


def _chunks(queryset: QuerySet, places: _Places) -> Iterator[list[tuple]]:
    """The rows (``_rows``) of the invoices of ``queryset`` by primary key, ``CHUNK`` at a time:
    every id first (one query; a list of integers), then the rows of each chunk by primary key
    (reading chunks through the filter made PostgreSQL walk the invoices once per chunk)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        rows = _rows(ids[start : start + CHUNK])
        places.learn(rows)
        yield rows


class _Writer:
    """Feeds the file writer one title at a time and writes the items in batches as it goes."""

    def __init__(self, remittance: Remittance, wallet: Wallet):
        self.remittance = remittance
        self.maker = _TitleMaker(wallet)
        self.position = 0
        self.items: list[tuple] = []
        self.skipped: dict[int, str] = {}
        self.unchanged: list[tuple[int, int]] = []  # (invoice id, change counter)

    def titles(self, movements) -> Iterator[RemittanceTitle]:
        """The lines of ``movements``: (movement, invoices) pairs, where movement ``None`` means
        "what changed since the bank last heard of the invoice" (``_changed``)."""
        make = self.maker.make
        for movement, queryset in movements:
            for chunk in _chunks(queryset, self.maker.places):
                known = _last_sent(chunk) if movement is None else {}
                for row in chunk:
                    lines = (movement,) if movement is not None else self._changed(row, known.get(row[0], {}))
                    for line in lines:
                        title, snapshot = make(row, line)
                        if line == Movement.ENTRY and (reason := _not_sendable(title)):
                            self.skipped[row[0]] = reason
                            continue
                        self.position += 1
                        # An entry and a change carry the invoice's change counter (an entry the
                        # bank rejected goes out again under the next one); a write-off has 0.
                        change = row[6] if line != Movement.WRITE_OFF else 0
                        self.items.append((self.position, row[0], line.value, change, snapshot))
                        yield title
                self.flush()

    def _changed(self, row, known: dict) -> tuple[Movement, ...]:
        """A due-date change (06) and/or an amount change (47; 31 in Itaú and Bradesco CNAB 400)
        where the invoice differs from what the bank last received; none when it is the same
        again (its change counter is then marked sent as it is)."""
        lines = []
        if known.get("due_date") != row[2].isoformat():
            lines.append(Movement.DUE_DATE)
        if known.get("amount") != str(row[3]):
            lines.append(Movement.AMOUNT)
        if not lines:
            self.unchanged.append((row[0], row[6]))
        return tuple(lines)

    def flush(self) -> None:
        if self.items:
            _insert_items(self.remittance.pk, self.items)
        self.items = []


def _last_sent(rows: list[tuple]) -> dict[int, dict]:
    """What the bank last received of each invoice of ``rows`` (its entry's values, updated by
    the changes sent since), from the stored lines."""
    known: dict[int, dict] = {}
    items = (
        RemittanceItem.objects.filter(invoice_id__any=[row[0] for row in rows])
        .exclude(movement=RemittanceItem.Movement.WRITE_OFF)
        .order_by("remittance_id", "position")
        .values_list("invoice_id", "snapshot")
    )
    for invoice_id, snapshot in items:
        known.setdefault(invoice_id, {}).update(snapshot)
    return known


def _insert_items(remittance_id: int, items: list[tuple]) -> None:
    """Write (position, invoice id, movement, change, snapshot) rows: COPY on PostgreSQL,
    ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        RemittanceItem.objects.bulk_create(
            [
                RemittanceItem(
                    remittance_id=remittance_id,
                    position=position,
                    invoice_id=invoice_id,
                    movement=movement,
                    change=change,
                    snapshot=snapshot,
                )
                for position, invoice_id, movement, change, snapshot in items
            ],
            batch_size=1000,
        )
        return
    from psycopg.types.json import Jsonb

    table = connection.ops.quote_name(RemittanceItem._meta.db_table)
    sql = f'COPY {table} ("remittance_id", "position", "invoice_id", "movement", "change", "snapshot") FROM STDIN'
    dumps = orjson.dumps  # the snapshots hold strings, numbers and nulls only; 10× the json module
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for position, invoice_id, movement, change, snapshot in items:
            copy.write_row((remittance_id, position, invoice_id, movement, change, Jsonb(snapshot, dumps)))


def remittance_generate(*, wallet: Wallet, actor: Actor) -> RegistrationResult:
    """One remittance file of ``wallet`` with every movement not sent yet (see the module's doc).
    ``ApplicationError`` when the wallet needs no registration or its bank/layout has no writer;
    ``ValidationError`` naming the wallet when a value does not fit the file."""
    with transaction.atomic():
        registration = wallet_registration(wallet)
        registration = WalletRegistration.objects.select_for_update().get(pk=registration.pk)
        if not registration.required:
            raise ApplicationError(
                _("Wallet %(wallet)s is marked 'registration not required': it sends no remittance files.")
                % {"wallet": wallet},
                code="registration_not_required",
                field="wallet",
            )
        movements = [
            (Movement.ENTRY, pending_entries(wallet)),
            (Movement.WRITE_OFF, pending_write_offs(wallet)),
            (None, pending_changes(wallet)),
        ]
        result = RegistrationResult()
        if not any(qs.exists() for _movement, qs in movements):
            return result  # nothing new: no file
        sequence = registration.next_sequence
        now = timezone.localtime()
        sicredi_byte = "2"
        if wallet.bank_code == "748":
            first = pending_entries(wallet).order_by("pk").values_list("nosso_numero", flat=True).first()
            if first is not None:
                sicredi_byte = _wallet_number(wallet.bank_code, first)[1]
        header = remittance_header(
            wallet,
            sequence=sequence,
            created_at=now,
            sicredi_byte=sicredi_byte,
            variation=registration.variation,
        )
        try:
            with transaction.atomic():  # a savepoint: undone when every pending title was skipped
                remittance, writer, data = _write(wallet, header, movements, result, actor)
        except _NothingSent as nothing:
            result.skipped = nothing.skipped
            _note_skipped(nothing.skipped)
            _mark_unchanged(nothing.unchanged)
            return result
        storage = Remittance._meta.get_field("file").storage
        name = storage.save(f"remittances/{now:%Y/%m}/{remittance.file_name}", ContentFile(data))
        try:
            Remittance.objects.filter(pk=remittance.pk).update(
                file=name,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                title_count=writer.position,
            )
            WalletRegistration.objects.filter(pk=registration.pk).update(next_sequence=sequence + 1)
            _mark_sent(remittance, writer.unchanged)
            _note_skipped(writer.skipped)
        except BaseException:
            storage.delete(name)
            raise
    remittance.refresh_from_db()
    result.remittance = remittance
    result.sent = remittance.title_count
    result.skipped = writer.skipped
    return result


class _NothingSent(Exception):
    def __init__(self, skipped: dict[int, str], unchanged: list[tuple[int, int]]):
        self.skipped, self.unchanged = skipped, unchanged


def _write(wallet, header, movements, result, actor) -> tuple[Remittance, _Writer, bytes]:
    remittance = Remittance.objects.create(
        wallet=wallet,
        sequence=header.sequence,
        layout=header.layout,
        bank_code=header.bank,
        file_name=f"remessa-{wallet.pk}-{header.sequence:06d}.rem",
        sha256="",
        size=0,
        title_count=0,
        header=header_to_json(header),
        operator=operator_of(actor),
    )
    writer = _Writer(remittance, wallet)
    try:
        data = build_remittance(header, writer.titles(movements))
    except RemittanceError as exc:
        raise ValidationError(
            {"wallet": [_("The remittance could not be written: %(error)s") % {"error": exc.message}]}
        ) from exc
    writer.flush()
    if writer.position == 0:
        raise _NothingSent(writer.skipped, writer.unchanged)  # every pending title was skipped: no file
    return remittance, writer, data


def _mark_sent(remittance: Remittance, unchanged: list[tuple[int, int]]) -> None:
    items = RemittanceItem.objects.filter(remittance=remittance)
    entries = items.filter(movement=RemittanceItem.Movement.ENTRY)
    Invoice.objects.filter(pk__in=entries.values("invoice_id")).update(
        registration_status=RegistrationStatus.SENT, registration_message="", sent_changes=F("changes")
    )
    changes = items.filter(movement__in=(RemittanceItem.Movement.DUE_DATE, RemittanceItem.Movement.AMOUNT))
    Invoice.objects.filter(pk__in=changes.values("invoice_id")).update(
        sent_changes=Subquery(changes.filter(invoice_id=OuterRef("pk")).values("change")[:1])
    )
    _mark_unchanged(unchanged)


def _mark_unchanged(unchanged: list[tuple[int, int]]) -> None:
    """Invoices changed back to what the bank has: their changes count as sent."""
    for invoice_id, change in unchanged:
        Invoice.objects.filter(pk=invoice_id, sent_changes__lt=change).update(sent_changes=change)


def _note_skipped(skipped: dict[int, str]) -> None:
    for invoice_id, reason in skipped.items():
        Invoice.objects.filter(pk=invoice_id).update(registration_message=reason[:500])


def remittance_rebuild_bytes(remittance: Remittance) -> bytes:
    """The file of ``remittance`` written again from its stored header and items: byte for byte
    the stored file (the SHA-256 tells)."""
    header = header_from_json(remittance.header)
    snapshots = (
        RemittanceItem.objects.filter(remittance=remittance)
        .order_by("position")
        .values_list("snapshot", flat=True)
    )
    return build_remittance(header, (title_from_json(s) for s in snapshots.iterator(chunk_size=CHUNK)))
