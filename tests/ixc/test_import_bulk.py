"""The bulk path of the receivables (``importer.receivables``) keeps every rule of the screens: a bad
receivable among good ones is refused with its IXC id and the screens' reason, the others are
written in bulk with the audit row the services would record; ``Validator`` checks each distinct
value once and refuses as ``full_clean`` does."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enlace.billing.models import Invoice, InvoiceKind, InvoiceStatus
from enlace.core.audit import serialize
from enlace.core.models import ObjectChange, PaymentCondition
from enlace.ixc.importer.receivables import INVOICE_EXCLUDE
from enlace.ixc.importer.runner import error_text, import_all, make_run
from enlace.ixc.importer.sources import MysqlSource
from enlace.ixc.importer.validation import Validator
from enlace.ixc.models import ExternalId

pytestmark = pytest.mark.django_db

# Receivables of customer 1 / contract 1 (tests/ixc/ixc_rows.sql) beside the four of the file:
# three good ones and, among them, one bad one of each kind, each with the reason the screens give.
EXTRA = """
INSERT INTO fn_areceber (id, id_cliente, id_contrato, data_emissao, data_vencimento, valor, valor_aberto,
  valor_recebido, status, nn_boleto, pagamento_data, filial_id, obs) VALUES
  (10, 1, 1, '2026-07-20', '2026-08-10', 99.90, 0, 99.90, 'R', '1210', '2026-08-09', 1, 'Mensalidade 08/2026'),
  (11, 1, 1, '2026-07-20', '2026-08-10', 0, 0, 0, 'A', '1211', NULL, 1, 'Sem valor'),
  (12, 1, 1, '2026-06-20', '2026-07-10', 99.90, 49.95, 49.95, 'P', '1212', '2026-07-10', 1, 'Parcial'),
  (13, 1, 1, '2026-07-20', '2026-08-10', 99.90, 99.90, 0, 'A', '1234', NULL, 1, 'Número repetido'),
  (14, 1, 1, '2026-07-20', '2026-08-10', 99.90, 99.90, 0, 'X', '1214', NULL, 1, 'Status estranho'),
  (15, 1, 2, '2026-07-20', '2026-08-10', 99.90, 99.90, 0, 'A', '1215', NULL, 1, 'Contrato de outro'),
  (16, 1, 1, '2026-07-20', '2026-08-10', 99.90, 0, 120.00, 'P', '1216', '2026-08-10', 1, 'Pagou demais'),
  (17, 1, 1, '2026-07-20', NULL, 99.90, 99.90, 0, 'A', '1217', NULL, 1, 'Sem vencimento'),
  (18, 1, 1, '2026-05-20', '2026-06-10', 99.90, 99.90, 0, 'A', '', NULL, 1, 'Sem nosso número');
"""


def _import(ixc_db, admin_user, ixc_setup, caplog):
    source = MysqlSource(host="127.0.0.1", port=ixc_db.port, database=ixc_db.database)
    run = make_run(
        actor=admin_user,
        default_branch=ixc_setup["branch_a"],
        payment_condition=PaymentCondition.objects.get(),
    )
    with caplog.at_level("WARNING", logger="enlace.ixc.importer.runner"), translation.override("en"):
        reports = import_all(source, run)
    source.close()
    return {r.table: r for r in reports}


def test_a_bad_receivable_among_good_ones_is_refused_with_its_reason(ixc_db, ixc_setup, admin_user, caplog):
    ixc_db.execute(ixc_db.database, EXTRA)
    report = _import(ixc_db, admin_user, ixc_setup, caplog)["fn_areceber"]
    # No chunk fell back to the per-row services: the refusals are the bulk path's own.
    assert not [r for r in caplog.records if "row by row" in r.getMessage()], caplog.text
    assert dict(report.refused) == {
        "11": "amount: Ensure this value is greater than or equal to 0.01.",
        "13": "nn_boleto: Nosso número 1234 is already used in the wallet.",
        "14": "Unknown fn_areceber status X.",
        "15": "contract: The contract belongs to another customer.",
        "16": "amount: The amount exceeds what is due (R$ 99,90).",
        "17": "due_date: This field is required.",
    }
    assert (report.read, report.created) == (13, 7)
    imported = {
        e.ixc_id: Invoice.objects.get(pk=e.object_id) for e in ExternalId.objects.filter(kind="fn_areceber")
    }
    assert sorted(imported, key=int) == ["1", "2", "3", "4", "10", "12", "18"]
    assert imported["10"].status == InvoiceStatus.RECEIVED and imported[
        "10"
    ].payments.get().amount == Decimal("99.90")
    assert imported["12"].status == InvoiceStatus.PARTIAL and imported["12"].paid_amount == Decimal("49.95")
    # Without nn_boleto the number comes from the wallet's sequence, and the boleto with it.
    assert imported["18"].nosso_numero and imported["18"].digitable_line


def test_the_audit_row_of_a_bulk_receivable_is_what_the_services_record(
    ixc_db, ixc_setup, admin_user, caplog
):
    ixc_db.execute(ixc_db.database, EXTRA)
    _import(ixc_db, admin_user, ixc_setup, caplog)
    for ixc_id in ("10", "12", "18"):
        invoice = Invoice.objects.get(pk=ExternalId.objects.get(kind="fn_areceber", ixc_id=ixc_id).object_id)
        change = ObjectChange.objects.get(
            content_type__model="invoice", object_id=str(invoice.pk), action=ObjectChange.Action.CREATE
        )
        with translation.override("en"):  # the language of the import above
            assert change.user_id == admin_user.pk and change.object_repr == str(invoice)
        # core.audit.serialize of the saved record, as JSON stores it
        assert change.postchange_data == json.loads(json.dumps(serialize(invoice, with_m2m=False)))
        for payment in invoice.payments.all():
            row = ObjectChange.objects.get(content_type__model="payment", object_id=str(payment.pk))
            assert row.postchange_data == json.loads(json.dumps(serialize(payment, with_m2m=False)))


def _invoice(**values) -> Invoice:
    data = {
        "customer_id": 1,
        "branch_id": 1,
        "wallet_id": 1,
        "kind": InvoiceKind.ONE_OFF,
        "description": "Mensalidade",
        "issue_date": datetime.date(2026, 1, 1),
        "due_date": datetime.date(2026, 1, 10),
        "amount": Decimal("99.90"),
    }
    return Invoice(**{**data, **values})


def _refusal(check, invoice) -> str | None:
    try:
        check(invoice)
    except ValidationError as exc:
        return error_text(exc)
    return None


@pytest.mark.parametrize(
    "values",
    [
        {"amount": Decimal("99.900")},  # equal to 99.90, but three decimal places
        {"amount": Decimal("0.00")},
        {"description": " Mensalidade"},  # SPEC G-2: no edge spaces
        {"description": "x" * 201},
        {"status": "Z"},
        {"discount": Decimal("100.00")},  # more than the amount (check constraint)
        {"paid_amount": Decimal("-1.00")},
    ],
)
def test_validator_refuses_as_full_clean_after_good_values(values):
    validator = Validator(Invoice, exclude=INVOICE_EXCLUDE)
    for _ in range(2):  # the good values are remembered
        validator.full_clean(_invoice())
    with translation.override("en"):
        expected = _refusal(
            lambda i: i.full_clean(exclude=INVOICE_EXCLUDE, validate_unique=False), _invoice(**values)
        )
        assert expected
        assert _refusal(validator.full_clean, _invoice(**values)) == expected


def test_a_chunk_whose_writes_fail_is_imported_row_by_row(ixc_db, ixc_setup, admin_user, caplog):
    """A database rule the chunk's checks do not know (here a check constraint added for the test)
    fails the chunk's COPY — on PostgreSQL in the writer thread, raised at the chunk's end — and
    the chunk is rolled back and imported row by row: the other rows are created, the bad one is
    refused with the database's reason."""
    from django.db import connection

    ixc_db.execute(ixc_db.database, EXTRA)
    ixc_db.execute(ixc_db.database, "UPDATE fn_areceber SET obs = 'Proibido' WHERE id = 12")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE billing_invoice ADD CONSTRAINT test_forbidden CHECK (description <> 'Proibido')"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_forbidden BEFORE INSERT ON billing_invoice "
                "WHEN NEW.description = 'Proibido' BEGIN SELECT RAISE(ABORT, 'test_forbidden'); END"
            )
    report = _import(ixc_db, admin_user, ixc_setup, caplog)["fn_areceber"]
    assert report.fallbacks == 1
    # the per-row path refuses what the bulk path refuses, with the services' messages
    refused = dict(report.refused)
    assert (
        refused.pop("12").startswith("The record conflicts with another one:")
        and "test_forbidden" in (dict(report.refused)["12"])
    )
    assert refused == {
        "11": "amount: Ensure this value is greater than or equal to 0.01.",
        "13": "Nosso número 1234 is already used in the wallet.",
        "14": "Unknown fn_areceber status X.",
        "15": "contract: The contract belongs to another customer.",
        "16": "amount: The amount exceeds what is due (R$ 99,90).",
        "17": "due_date: This field is required.",
    }
    assert report.created == 6
    assert set(ExternalId.objects.filter(kind="fn_areceber").values_list("ixc_id", flat=True)) == {
        "1",
        "2",
        "3",
        "4",
        "10",
        "18",
    }
