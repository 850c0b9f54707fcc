"""Drill (issue 14, item 8): the PostgreSQL connection of a bank return import is cut
(``pg_terminate_backend``, from another connection) while the import is mid-way — after its first
batch of records and payments was written, before it commits. Nothing is half-written (no import,
record, payment, audit entry or stored file; the invoices stay open) and the same upload is then
imported successfully. docs/operations.md, "What happens when …".

The cut is placed by the upload itself, not by a sleep: the file object the import reads runs the
cut when the import, inside its transaction, asks for the bytes past the first batch's lines.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import InterfaceError, OperationalError, connection, connections

from enlace.billing.cnab import SyntheticRecord, build_cnab240, nosso_numero_for
from enlace.billing.models import CnabImport, CnabRecord, Invoice, InvoiceStatus, Payment
from enlace.billing.services.imports import BATCH_SIZE, cnab_import
from enlace.billing.services.invoices import invoice_create
from enlace.core.models import ObjectChange
from tests.conftest import require_service

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL-only drill: it terminates the import's PostgreSQL backend",
    ),
]

D = Decimal
DAY = datetime.date(2026, 12, 15)


def title(wallet, number: int) -> SyntheticRecord:
    return SyntheticRecord(
        nosso_numero=nosso_numero_for("240", "756", number, agency=wallet.agency, account=wallet.account),
        face_value=D("100.00"),
        paid_amount=D("100.00"),
        occurrence_date=DAY,
    )


class CutMidway(io.BytesIO):
    """The upload. When the import — inside its transaction — first reads past byte ``at``,
    another connection checks that the import's backend has written rows it has not committed,
    then terminates that backend and waits until it is gone."""

    def __init__(self, data: bytes, at: int):
        super().__init__(data)
        self.at = at
        self.seen: dict | None = None

    def read(self, size=-1):
        if self.seen is None and connection.in_atomic_block and self.tell() >= self.at:
            self.seen = cut(connection.connection.info.backend_pid)
        return super().read(size)


def cut(pid: int) -> dict:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock' "
                "AND relation IN ('billing_cnabrecord'::regclass, 'billing_payment'::regclass)",
                [pid],
            )
            (tables_written,) = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM billing_cnabrecord")
            (records_visible,) = cursor.fetchone()
            # the second argument waits (up to 10 s) until the backend has actually exited
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
            (terminated,) = cursor.fetchone()
    finally:
        other.close()
    return {"tables_written": tables_written, "records_visible": records_visible, "terminated": terminated}


def can_signal_backends() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_signal_backend', 'member') "
            "FROM pg_roles WHERE rolname = current_user"
        )
        return cursor.fetchone()[0]


def test_connection_cut_mid_import_leaves_nothing_and_the_same_upload_succeeds(
    admin_user, customer, wallet, settings, tmp_path
):
    if not can_signal_backends():
        require_service("PostgreSQL pg_signal_backend", "the test role cannot terminate a backend")
    settings.MEDIA_ROOT = tmp_path
    invoices = [
        invoice_create(
            actor=admin_user,
            customer=customer,
            wallet=wallet,
            due_date=datetime.date(2026, 12, 10),
            amount="100.00",
        )
        for _n in range(3)
    ]
    first, second, late = (inv.nosso_numero for inv in invoices)
    batch = BATCH_SIZE
    # two settlements in the first batch, one in the second; the rest name no invoice
    records = [
        title(wallet, first),
        title(wallet, second),
        *(title(wallet, 900_000 + n) for n in range(batch + 300)),
        title(wallet, late),
    ]
    data = build_cnab240("756", records)
    lines = data.split(b"\r\n")
    # header, lot header, then T + U per record: the T line of record batch + 100
    at = sum(len(line) + 2 for line in lines[: 2 + 2 * (batch + 100)])
    changes = ObjectChange.objects.count()

    upload = CutMidway(data, at)
    with pytest.raises((OperationalError, InterfaceError)):
        cnab_import(actor=admin_user, wallet=wallet, data=upload, file_name="RETORNO.RET")
    assert upload.seen == {"tables_written": 2, "records_visible": 0, "terminated": True}
    connection.close_if_unusable_or_obsolete()  # what the end of the web request does

    assert not CnabImport.objects.exists() and not CnabRecord.objects.exists()
    assert not Payment.objects.exists() and ObjectChange.objects.count() == changes
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.OPEN}
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    again = cnab_import(actor=admin_user, wallet=wallet, data=io.BytesIO(data), file_name="RETORNO.RET")
    imp = again.cnab_import
    assert (imp.records, imp.settled, imp.settled_amount) == (len(records), 3, D("300.00"))
    assert sorted(again.settled_invoices) == sorted(inv.pk for inv in invoices)
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.RECEIVED}
    assert Payment.objects.count() == 3 and imp.file.size == len(data)
