"""Import of bank return files (SPEC F-6): the four real files of tests/fixtures/cnab/ and
synthetic CNAB 240 / 400 files; one transaction per file, the same content never settles twice,
a malformed file changes nothing."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from enlace.billing.cnab import SyntheticRecord, build_cnab240, build_cnab400, nosso_numero_for, parse_return
from enlace.billing.models import CnabImport, CnabRecord, Invoice, InvoiceStatus, Payment
from enlace.billing.services.imports import cnab_import
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange
from tests.helpers.contracts import make_wallet
from tests.helpers.fixtures import CNAB_FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids (the pt-BR catalog translates them)."""
    with translation.override("en"):
        yield


D = Decimal
FIXTURES = CNAB_FIXTURES
OUTCOME = CnabRecord.Outcome

#: wallet fields per bank of the real files (bank, layout, agency, account, carteira, convênio)
BANK_WALLETS = {
    "001": {
        "agency": "1234",
        "account": "12345",
        "carteira": "17",
        "convenio": "1449957",
        "cnab_layout": "240",
    },
    "756": {
        "agency": "3069",
        "account": "12345",
        "carteira": "1",
        "convenio": "123456",
        "cnab_layout": "240",
    },
    "341": {
        "agency": "1234",
        "account": "12345",
        "account_digit": "1",  # Itaú checks the account's DAC
        "carteira": "109",
        "convenio": "",
        "cnab_layout": "400",
    },
    "237": {"agency": "1234", "account": "1234567", "carteira": "09", "convenio": "", "cnab_layout": "400"},
}
FILES = {
    "CNAB240.RET": "001",
    "CNAB240SICOOB.RET": "756",
    "CNAB400ITAU.RET": "341",
    "CNAB400BRADESCO.RET": "237",
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def bank_wallet(branch, bank_code: str):
    return make_wallet(branch, name=f"Carteira {bank_code}", bank_code=bank_code, **BANK_WALLETS[bank_code])


def invoices_for(actor, customer, wallet, numbers_amounts) -> dict[int, Invoice]:
    """One open invoice per (nosso número, amount), the number set with a queryset update (the
    sequence gives 1, 2, 3… — the real files carry the bank's numbers)."""
    created = {}
    for number, amount in numbers_amounts:
        invoice = invoice_create(
            actor=actor, customer=customer, wallet=wallet, due_date=datetime.date(2030, 1, 10), amount=amount
        )
        created[number] = invoice
    Invoice.objects.filter(pk__in=[i.pk for i in created.values()]).update(nosso_numero=None)
    for number, invoice in created.items():
        Invoice.objects.filter(pk=invoice.pk).update(nosso_numero=number)
        invoice.nosso_numero = number
    return created


def file_invoices(actor, customer, wallet, name: str, *, leave_out=()) -> dict[int, Invoice]:
    """Invoices for the titles of a real file (amount = the title's face value), except ``leave_out``."""
    records = parse_return(fixture_bytes(name)).records
    return invoices_for(
        actor,
        customer,
        wallet,
        [
            (int(r.nosso_numero_normalized), r.face_value)
            for r in records
            if int(r.nosso_numero_normalized) not in leave_out
        ],
    )


def run_import(actor, wallet, data: bytes, name: str = "RETORNO.RET"):
    return cnab_import(actor=actor, wallet=wallet, data=data, file_name=name, store_file=False)


def outcomes(imp: CnabImport) -> dict[str, int]:
    found: dict[str, int] = {}
    for outcome in imp.items.values_list("outcome", flat=True):
        found[outcome] = found.get(outcome, 0) + 1
    return found


def snapshot() -> dict:
    return {
        "imports": CnabImport.objects.count(),
        "records": CnabRecord.objects.count(),
        "payments": Payment.objects.count(),
        "audit": ObjectChange.objects.count(),
        "invoices": list(
            Invoice.objects.order_by("pk").values_list("pk", "status", "paid_amount", "paid_date")
        ),
    }


# --- The real files ------------------------------------------------------------------------------

# file → (titles, settled, info, not found, invoices left out)
REAL = {
    "CNAB240.RET": (35, 33, 0, 2, {7451637, 7451702}),
    "CNAB240SICOOB.RET": (3, 3, 0, 0, set()),
    "CNAB400ITAU.RET": (52, 49, 1, 2, {4026, 27615123}),
    "CNAB400BRADESCO.RET": (6, 0, 6, 0, set()),
}


@pytest.mark.parametrize("name", list(REAL))
def test_real_file_counts(admin_user, customer, branch_a, name):
    titles, settled, info, not_found, leave_out = REAL[name]
    wallet = bank_wallet(branch_a, FILES[name])
    invoices = file_invoices(admin_user, customer, wallet, name, leave_out=leave_out)
    parsed = parse_return(fixture_bytes(name))

    result = run_import(admin_user, wallet, fixture_bytes(name), name)
    imp = result.cnab_import
    assert (imp.records, imp.settled, imp.not_settled) == (titles, settled, titles - settled)
    assert (imp.layout, imp.bank_code, imp.sha256) == (parsed.layout, FILES[name], parsed.sha256)
    found = outcomes(imp)
    assert found.get(OUTCOME.SETTLED, 0) == settled
    assert found.get(OUTCOME.INFO, 0) == info
    assert found.get(OUTCOME.NOT_FOUND, 0) == not_found
    expected_amount = sum(
        (
            r.payer_amount
            for r in parsed.records
            if r.is_settlement and int(r.nosso_numero_normalized) not in leave_out
        ),
        D("0"),
    )
    assert imp.settled_amount == expected_amount
    assert sorted(result.settled_invoices) == sorted(
        invoices[int(r.nosso_numero_normalized)].pk
        for r in parsed.records
        if r.is_settlement and int(r.nosso_numero_normalized) not in leave_out
    )
    assert Payment.objects.count() == settled
    assert Invoice.objects.filter(status=InvoiceStatus.RECEIVED).count() == settled
    # every settled invoice is paid in full (the payer paid at least the face value)
    for invoice in Invoice.objects.filter(status=InvoiceStatus.RECEIVED):
        assert invoice.paid_amount == invoice.amount and invoice.balance == 0
    # the audit trail has the payments and the invoice changes, written in bulk
    assert ObjectChange.objects.filter(content_type__model="payment").count() == settled
    assert ObjectChange.objects.filter(content_type__model="cnabimport", action="create").count() == 1


def test_bb_cnab240_first_record(admin_user, customer, branch_a):
    wallet = bank_wallet(branch_a, "001")
    invoices = file_invoices(admin_user, customer, wallet, "CNAB240.RET")
    imp = run_import(admin_user, wallet, fixture_bytes("CNAB240.RET")).cnab_import
    item = imp.items.order_by("line").first()
    # README: nosso número 00020673, título 344.00, recebido 344.00, juros 0.09, desconto 0.01,
    # tarifa 1.03, crédito 02/01/2012
    assert item.nosso_numero.endswith("00020673") and item.invoice_id == invoices[20673].pk
    assert (item.face_value, item.paid_amount, item.interest, item.discount, item.fee) == (
        D("344.00"),
        D("344.00"),
        D("0.09"),
        D("0.01"),
        D("1.03"),
    )
    assert item.credit_date == datetime.date(2012, 1, 2) and item.occurrence == "17"
    assert item.outcome == OUTCOME.SETTLED
    payment = item.payment
    assert payment.amount == D("344.00") and payment.method == "B"
    assert payment.date == item.occurrence_date == datetime.date(2011, 12, 29)
    invoice = invoices[20673]
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED and invoice.paid_date == datetime.date(2011, 12, 29)


def test_sicoob_cnab240_first_record(admin_user, customer, wallet):
    invoices = file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    imp = run_import(admin_user, wallet, fixture_bytes("CNAB240SICOOB.RET")).cnab_import
    item = imp.items.order_by("line").first()
    # README: nosso número 0000000083, vencimento 13/08/2015, título 2.00, recebido 2.00,
    # tarifa 1.70, ocorrência 06 on 10/08/2015, crédito 10/08/2015
    assert item.nosso_numero == "0000000083" and item.invoice_id == invoices[8].pk
    assert (item.face_value, item.paid_amount, item.fee, item.occurrence) == (
        D("2.00"),
        D("2.00"),
        D("1.70"),
        "06",
    )
    assert item.occurrence_date == item.credit_date == datetime.date(2015, 8, 10)
    assert item.payment.amount == D("2.00") and item.payment.date == datetime.date(2015, 8, 10)
    invoices[8].refresh_from_db()
    assert invoices[8].status == InvoiceStatus.RECEIVED and invoices[8].paid_date == datetime.date(
        2015, 8, 10
    )


def test_itau_cnab400_first_record_adds_the_fee_back(admin_user, customer, branch_a):
    wallet = bank_wallet(branch_a, "341")
    invoices = file_invoices(admin_user, customer, wallet, "CNAB400ITAU.RET")
    imp = run_import(admin_user, wallet, fixture_bytes("CNAB400ITAU.RET")).cnab_import
    item = imp.items.order_by("line").first()
    # README: nosso número 00000011, título 40.00, recebido 37.90 (net of the fee), tarifa 2.10,
    # ocorrência 06 on 20/05/2013, crédito 21/05/2013: the payer paid 40.00
    assert item.nosso_numero == "00000011" and item.invoice_id == invoices[11].pk
    assert (item.face_value, item.paid_amount, item.fee) == (D("40.00"), D("40.00"), D("2.10"))
    assert item.occurrence_date == datetime.date(2013, 5, 20) and item.credit_date == datetime.date(
        2013, 5, 21
    )
    payment = item.payment
    assert (payment.amount, payment.interest, payment.date) == (
        D("40.00"),
        D("0.00"),
        datetime.date(2013, 5, 20),
    )
    invoices[11].refresh_from_db()
    assert invoices[11].status == InvoiceStatus.RECEIVED and invoices[11].paid_amount == D("40.00")
    # paid above the face value: the excess is interest
    late = imp.items.get(nosso_numero="00003136").payment
    assert (late.amount, late.interest, late.principal) == (D("49.77"), D("1.02"), D("48.75"))


def test_bradesco_cnab400_settles_nothing(admin_user, customer, branch_a):
    wallet = bank_wallet(branch_a, "237")
    invoices = file_invoices(admin_user, customer, wallet, "CNAB400BRADESCO.RET")
    before = list(Invoice.objects.order_by("pk").values_list("pk", "status", "paid_amount"))
    imp = run_import(admin_user, wallet, fixture_bytes("CNAB400BRADESCO.RET")).cnab_import
    item = imp.items.order_by("line").first()
    # README: nosso número 000000000303, vencimento 25/05/2015, título 1,450.00, tarifa 1.60,
    # ocorrência 02 (entrada confirmada) on 15/05/2015
    assert item.nosso_numero == "000000000303" and item.invoice_id == invoices[30].pk
    assert (item.face_value, item.fee, item.occurrence) == (D("1450.00"), D("1.60"), "02")
    assert item.occurrence_date == datetime.date(2015, 5, 15) and item.outcome == OUTCOME.INFO
    assert imp.settled == 0 and Payment.objects.count() == 0
    assert list(Invoice.objects.order_by("pk").values_list("pk", "status", "paid_amount")) == before


def test_importing_twice_settles_once(admin_user, customer, wallet):
    file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    data = fixture_bytes("CNAB240SICOOB.RET")
    first = run_import(admin_user, wallet, data, "CNAB240SICOOB.RET").cnab_import
    assert first.settled == 3
    before = snapshot()
    with pytest.raises(ApplicationError) as exc:
        run_import(admin_user, wallet, data, "copia.RET")
    assert exc.value.code == "already_imported" and exc.value.field == "file"
    assert "CNAB240SICOOB.RET" in exc.value.message
    assert snapshot() == before


def test_same_content_with_other_line_endings_is_another_file(admin_user, customer, wallet):
    """The SHA-256 is of the bytes: the same titles with LF endings are imported, and find their
    invoices already paid."""
    file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    data = fixture_bytes("CNAB240SICOOB.RET")
    run_import(admin_user, wallet, data)
    again = run_import(admin_user, wallet, data.replace(b"\r\n", b"\n")).cnab_import
    assert again.settled == 0 and outcomes(again) == {OUTCOME.ALREADY_PAID: 3}
    assert Payment.objects.count() == 3


@pytest.mark.parametrize("name", list(REAL))
def test_truncated_file_is_refused_with_the_line_and_nothing_written(admin_user, customer, branch_a, name):
    wallet = bank_wallet(branch_a, FILES[name])
    file_invoices(admin_user, customer, wallet, name)
    data = fixture_bytes(name)
    lines = data.splitlines(keepends=True)
    cut = b"".join(lines[: len(lines) // 2 + 1])
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        run_import(admin_user, wallet, cut, "cortado.RET")
    assert set(exc.value.message_dict) == {"file"}
    assert "line " in exc.value.message_dict["file"][0]
    assert snapshot() == before


def test_garbage_in_a_record_is_refused_naming_its_line(admin_user, customer, wallet):
    file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    lines = fixture_bytes("CNAB240SICOOB.RET").split(b"\r\n")
    # the paid amount of the first U segment (line 4, positions 78-92) is not a number
    lines[3] = lines[3][:77] + b"0000000000ABCDE" + lines[3][92:]
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        run_import(admin_user, wallet, b"\r\n".join(lines))
    assert "line 4" in exc.value.message_dict["file"][0]
    assert snapshot() == before


def test_file_of_another_bank_is_refused_naming_file(admin_user, customer, wallet, branch_a):
    itau = bank_wallet(branch_a, "341")
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        run_import(admin_user, itau, fixture_bytes("CNAB240SICOOB.RET"))
    assert set(exc.value.message_dict) == {"file"}
    assert "756" in exc.value.message_dict["file"][0] and "341" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        run_import(admin_user, wallet, fixture_bytes("CNAB400ITAU.RET"))
    assert set(exc.value.message_dict) == {"file"}
    assert snapshot() == before


def test_not_a_return_file_is_refused(admin_user, wallet):
    before = snapshot()
    for data in (b"", b"hello world\r\n", "Olá, mundo".encode()):
        with pytest.raises(ValidationError) as exc:
            run_import(admin_user, wallet, data)
        assert set(exc.value.message_dict) == {"file"} and "line 1" in exc.value.message_dict["file"][0]
    assert snapshot() == before


# --- Synthetic files --------------------------------------------------------------------------------


@pytest.fixture
def three_invoices(admin_user, customer):
    def make(wallet):
        return [
            invoice_create(
                actor=admin_user,
                customer=customer,
                wallet=wallet,
                due_date=datetime.date(2026, 12, 10),
                amount="100.00",
            )
            for _n in range(3)
        ]

    return make


def test_synthetic_cnab240_full_partial_interest_unknown(admin_user, wallet, three_invoices):
    a, b, c = three_invoices(wallet)
    day = datetime.date(2026, 12, 15)

    def nn(n):
        return nosso_numero_for("240", "756", n, agency=wallet.agency, account=wallet.account)

    records = [
        SyntheticRecord(
            nosso_numero=nn(a.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("100.00"),
            occurrence_date=day,
        ),
        SyntheticRecord(
            nosso_numero=nn(b.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("40.00"),
            occurrence_date=day,
        ),
        SyntheticRecord(
            nosso_numero=nn(c.nosso_numero),
            occurrence_code="17",
            face_value=D("100.00"),
            paid_amount=D("102.50"),
            interest=D("2.50"),
            occurrence_date=day,
        ),
        SyntheticRecord(nosso_numero=nn(c.nosso_numero), occurrence_code="02", face_value=D("100.00")),
        SyntheticRecord(
            nosso_numero=nn(987654), face_value=D("55.00"), paid_amount=D("55.00"), occurrence_date=day
        ),
    ]
    imp = run_import(
        admin_user, wallet, build_cnab240("756", records, agency=wallet.agency, account=wallet.account)
    ).cnab_import
    assert (imp.records, imp.settled, imp.settled_amount) == (5, 3, D("242.50"))
    assert outcomes(imp) == {OUTCOME.SETTLED: 3, OUTCOME.INFO: 1, OUTCOME.NOT_FOUND: 1}
    for invoice in (a, b, c):
        invoice.refresh_from_db()
    assert a.status == InvoiceStatus.RECEIVED and a.paid_date == day
    assert b.status == InvoiceStatus.PARTIAL and b.balance == D("60.00") and b.paid_date is None
    # the audit trail has each settlement: the payment created, the invoice before → after
    change = ObjectChange.objects.get(content_type__model="invoice", object_id=str(a.pk), action="update")
    assert change.diff() == [
        ("paid_amount", "0.00", "100.00"),
        ("paid_date", None, "2026-12-15"),
        ("status", "A", "R"),
    ]
    assert change.user_id == admin_user.pk
    payment = a.payments.get()
    created = ObjectChange.objects.get(content_type__model="payment", object_id=str(payment.pk))
    assert created.action == "create" and created.postchange_data["amount"] == "100.00"
    assert c.status == InvoiceStatus.RECEIVED and c.payments.get().interest == D("2.50")

    # the rest of b in the next file; a again is reported as already paid
    later = datetime.date(2026, 12, 20)
    records = [
        SyntheticRecord(
            nosso_numero=nn(b.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("60.00"),
            occurrence_date=later,
        ),
        SyntheticRecord(
            nosso_numero=nn(a.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("100.00"),
            occurrence_date=later,
        ),
    ]
    imp = run_import(
        admin_user,
        wallet,
        build_cnab240("756", records, agency=wallet.agency, account=wallet.account, file_sequence=2),
    ).cnab_import
    assert outcomes(imp) == {OUTCOME.SETTLED: 1, OUTCOME.ALREADY_PAID: 1}
    b.refresh_from_db()
    assert b.status == InvoiceStatus.RECEIVED and b.paid_date == later and b.paid_amount == D("100.00")
    assert Payment.objects.count() == 4


def test_synthetic_cnab400_itau_partial_and_unknown(admin_user, branch_a, three_invoices):
    wallet = bank_wallet(branch_a, "341")
    a, b, c = three_invoices(wallet)
    day = datetime.date(2026, 12, 15)

    def nn(n):
        return nosso_numero_for("400", "341", n)

    records = [
        # Itaú writes the amount net of its fee: 97.90 + 2.10 paid by the payer
        SyntheticRecord(
            nosso_numero=nn(a.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("97.90"),
            bank_fee=D("2.10"),
            occurrence_date=day,
        ),
        SyntheticRecord(
            nosso_numero=nn(b.nosso_numero),
            occurrence_code="07",  # liquidação parcial
            face_value=D("100.00"),
            paid_amount=D("28.00"),
            bank_fee=D("2.00"),
            occurrence_date=day,
        ),
        SyntheticRecord(nosso_numero=nn(c.nosso_numero), occurrence_code="09", face_value=D("100.00")),
        SyntheticRecord(
            nosso_numero=nn(4242), face_value=D("10.00"), paid_amount=D("10.00"), occurrence_date=day
        ),
    ]
    imp = run_import(
        admin_user, wallet, build_cnab400("341", records, agency=wallet.agency, account=wallet.account)
    ).cnab_import
    assert outcomes(imp) == {OUTCOME.SETTLED: 2, OUTCOME.INFO: 1, OUTCOME.NOT_FOUND: 1}
    assert imp.settled_amount == D("130.00")
    for invoice in (a, b, c):
        invoice.refresh_from_db()
    assert a.status == InvoiceStatus.RECEIVED and a.payments.get().amount == D("100.00")
    assert b.status == InvoiceStatus.PARTIAL and b.balance == D("70.00")
    assert c.status == InvoiceStatus.OPEN and not c.payments.exists()


@pytest.mark.parametrize("bank", ["237", "001"])
def test_synthetic_cnab400_bradesco_and_bb(admin_user, branch_a, three_invoices, bank):
    wallet = bank_wallet(branch_a, bank)
    a, b, _c = three_invoices(wallet)
    day = datetime.date(2026, 12, 15)

    def nn(n):
        return nosso_numero_for("400", bank, n, convenio=wallet.convenio, wallet=wallet.carteira)

    records = [
        SyntheticRecord(
            nosso_numero=nn(a.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("100.00"),
            occurrence_date=day,
        ),
        SyntheticRecord(
            nosso_numero=nn(b.nosso_numero),
            face_value=D("100.00"),
            paid_amount=D("25.00"),
            occurrence_date=day,
        ),
        SyntheticRecord(
            nosso_numero=nn(777), face_value=D("100.00"), paid_amount=D("100.00"), occurrence_date=day
        ),
    ]
    data = build_cnab400(
        bank, records, agency=wallet.agency, account=wallet.account, convenio=wallet.convenio
    )
    imp = run_import(admin_user, wallet, data).cnab_import
    assert outcomes(imp) == {OUTCOME.SETTLED: 2, OUTCOME.NOT_FOUND: 1}
    a.refresh_from_db()
    b.refresh_from_db()
    assert (
        a.status == InvoiceStatus.RECEIVED and b.status == InvoiceStatus.PARTIAL and b.balance == D("75.00")
    )


def test_invoice_twice_in_one_file_is_settled_once(admin_user, wallet, three_invoices):
    a, b, _c = three_invoices(wallet)
    day = datetime.date(2026, 12, 15)

    def record(invoice, paid):
        return SyntheticRecord(
            nosso_numero=nosso_numero_for(
                "240", "756", invoice.nosso_numero, agency=wallet.agency, account=wallet.account
            ),
            face_value=D("100.00"),
            paid_amount=D(paid),
            occurrence_date=day,
        )

    data = build_cnab240(
        "756", [record(a, "100.00"), record(a, "100.00"), record(b, "30.00"), record(b, "70.00")]
    )
    imp = run_import(admin_user, wallet, data).cnab_import
    items = list(imp.items.order_by("line").values_list("invoice_id", "outcome"))
    assert items == [
        (a.pk, OUTCOME.SETTLED),
        (a.pk, OUTCOME.REPEATED),
        (b.pk, OUTCOME.SETTLED),
        (b.pk, OUTCOME.REPEATED),  # one settlement per nosso número per file, partial or not
    ]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.payments.count() == 1 and a.status == InvoiceStatus.RECEIVED and a.paid_amount == D("100.00")
    assert b.payments.count() == 1 and b.status == InvoiceStatus.PARTIAL and b.paid_amount == D("30.00")


def test_cancelled_and_other_wallets_invoices_are_not_settled(admin_user, wallet, branch_a, three_invoices):
    a, _b, _c = three_invoices(wallet)
    invoice_cancel(actor=admin_user, invoice=a, reason="Duplicada")
    other = make_wallet(branch_a, name="Outra Sicoob")
    (theirs,) = invoices_for(admin_user, a.customer, other, [(777, "100.00")]).values()
    day = datetime.date(2026, 12, 15)
    records = [
        SyntheticRecord(
            nosso_numero=nosso_numero_for("240", "756", n, agency=wallet.agency, account=wallet.account),
            face_value=D("100.00"),
            paid_amount=D("100.00"),
            occurrence_date=day,
        )
        for n in (a.nosso_numero, 777)
    ]
    imp = run_import(admin_user, wallet, build_cnab240("756", records)).cnab_import
    assert outcomes(imp) == {OUTCOME.ALREADY_PAID: 1, OUTCOME.NOT_FOUND: 1}
    theirs.refresh_from_db()
    assert theirs.status == InvoiceStatus.OPEN and Payment.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_settle_once(admin_user, customer, wallet):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers (one database lock): concurrency is tried on PostgreSQL")
    file_invoices(admin_user, customer, wallet, "CNAB240SICOOB.RET")
    data = fixture_bytes("CNAB240SICOOB.RET")
    barrier = threading.Barrier(3)
    results: list = []

    def work(n):
        try:
            barrier.wait()
            results.append(run_import(admin_user, wallet, data, f"copia{n}.RET").cnab_import.settled)
        except ApplicationError as exc:
            results.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - asserted below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=str) == [3, "already_imported", "already_imported"]
    assert Payment.objects.count() == 3 and CnabImport.objects.count() == 1
