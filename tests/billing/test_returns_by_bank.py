"""Returns as each bank writes them (docs/cnab.md, "Nosso número as each bank writes it").

Caixa and Sicredi CNAB 240 files written by an implementation Enlace did not write
(@banco-br/nodejs-cnab 0.2.0 over @banco-br/cnab_yaml 2.1.0; how: tests/fixtures/cnab/README.md)
are imported through the real import service and settle their invoices; Sicredi's yearly
sequence; a Bradesco CNAB 400 trailer with blank counts is accepted with a warning."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from enlace.billing.cnab import parse_return
from enlace.billing.models import CnabRecord, Invoice, InvoiceStatus, WalletSequence
from enlace.billing.services.common import take_nosso_numeros
from enlace.billing.services.imports import cnab_import
from enlace.billing.services.invoices import invoice_boleto, invoice_create
from enlace.core.exceptions import ApplicationError
from tests.helpers.contracts import make_wallet
from tests.helpers.fixtures import CNAB_FIXTURES

pytestmark = pytest.mark.django_db

D = Decimal
OUTCOME = CnabRecord.Outcome
ISSUED = datetime.date(2026, 3, 1)
DUE = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def caixa(branch_a):
    return make_wallet(
        branch_a,
        name="Caixa",
        bank_code="104",
        agency="1234",
        account="5678",
        carteira="1",
        convenio="1100123",
    )


@pytest.fixture
def sicredi(branch_a):
    return make_wallet(
        branch_a,
        name="Sicredi",
        bank_code="748",
        agency="0101.02",
        account="5678",
        carteira="1",
        convenio="12345",
    )


def _invoices(admin_user, customer, wallet, amounts):
    return [
        invoice_create(
            actor=admin_user,
            customer=customer,
            wallet=wallet,
            issue_date=ISSUED,
            due_date=DUE,
            amount=D(amount),
            description="Mensalidade",
        )
        for amount in amounts
    ]


def _import(admin_user, wallet, name):
    data = (CNAB_FIXTURES / name).read_bytes()
    return cnab_import(actor=admin_user, wallet=wallet, data=data, file_name=name)


def _outcomes(result):
    return list(
        CnabRecord.objects.filter(cnab_import=result.cnab_import)
        .order_by("line")
        .values_list("outcome", flat=True)
    )


def test_caixa_return_written_by_nodejs_cnab_settles(admin_user, customer, caixa):
    invoices = _invoices(admin_user, customer, caixa, ["99.90", "149.90", "99.90"])
    assert [i.nosso_numero for i in invoices] == [1, 2, 3]
    records = parse_return((CNAB_FIXTURES / "CNAB240CAIXA_NODEJS_CNAB.RET").read_bytes()).records
    # The boleto prints the nosso número the bank writes back: modalidade 14 + 15 digits.
    assert [invoice_boleto(i).nosso_numero for i in invoices] == [r.nosso_numero for r in records]

    result = _import(admin_user, caixa, "CNAB240CAIXA_NODEJS_CNAB.RET")

    assert _outcomes(result) == [OUTCOME.SETTLED, OUTCOME.SETTLED, OUTCOME.INFO]
    assert result.cnab_import.settled == 2
    assert result.cnab_import.settled_amount == D("252.55")
    first, second, third = (Invoice.objects.get(pk=i.pk) for i in invoices)
    assert (first.status, first.paid_amount) == (InvoiceStatus.RECEIVED, D("99.90"))
    assert (second.status, second.paid_amount) == (InvoiceStatus.RECEIVED, D("149.90"))
    assert second.payments.get().interest == D("2.75")
    assert third.status == InvoiceStatus.OPEN
    assert result.cnab_import.warnings == []


def test_sicredi_return_written_by_nodejs_cnab_settles(admin_user, customer, sicredi):
    invoices = _invoices(admin_user, customer, sicredi, ["99.90", "149.90", "99.90"])
    assert [i.nosso_numero for i in invoices] == [26200001, 26200002, 26200003]
    records = parse_return((CNAB_FIXTURES / "CNAB240SICREDI_NODEJS_CNAB.RET").read_bytes()).records
    # YYBNNNNND: the boleto's number and check digit are what Sicredi writes in the return.
    assert [(s := invoice_boleto(i)).nosso_numero + s.nosso_numero_dv for i in invoices] == [
        r.nosso_numero for r in records
    ]
    assert [i.nosso_numero_display for i in invoices] == ["26/200001-7", "26/200002-5", "26/200003-3"]

    result = _import(admin_user, sicredi, "CNAB240SICREDI_NODEJS_CNAB.RET")

    assert _outcomes(result) == [OUTCOME.SETTLED, OUTCOME.SETTLED, OUTCOME.INFO]
    statuses = [Invoice.objects.get(pk=i.pk).status for i in invoices]
    assert statuses == [InvoiceStatus.RECEIVED, InvoiceStatus.RECEIVED, InvoiceStatus.OPEN]


def test_a_return_of_another_wallets_numbers_settles_nothing(admin_user, customer, sicredi):
    """The same sequence in another year is another number: a 2025 invoice 25200001 is not the
    2026 title 262000017 of the file."""
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=sicredi,
        issue_date=datetime.date(2025, 12, 1),
        due_date=DUE,
        amount=D("99.90"),
        description="Mensalidade",
    )
    assert invoice.nosso_numero == 25200001
    result = _import(admin_user, sicredi, "CNAB240SICREDI_NODEJS_CNAB.RET")
    assert _outcomes(result) == [OUTCOME.NOT_FOUND, OUTCOME.NOT_FOUND, OUTCOME.INFO]
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.OPEN


# -- Sicredi's yearly sequence ----------------------------------------------------------------------


def test_sicredi_sequence_restarts_each_year_and_never_repeats(sicredi):
    first_2026 = take_nosso_numeros(sicredi, 3, issue_date=datetime.date(2026, 1, 5))
    more_2026 = take_nosso_numeros(sicredi, 2, issue_date=datetime.date(2026, 12, 31))
    first_2027 = take_nosso_numeros(sicredi, 2, issue_date=datetime.date(2027, 1, 1))
    assert list(first_2026) == [26200001, 26200002, 26200003]
    assert list(more_2026) == [26200004, 26200005]
    assert list(first_2027) == [27200001, 27200002]
    taken = [*first_2026, *more_2026, *first_2027]
    assert len(set(taken)) == len(taken)
    assert WalletSequence.objects.get(wallet=sicredi).year == 2027


def test_sicredi_sequence_moves_to_the_next_byte_then_stops_until_next_year(sicredi):
    take_nosso_numeros(sicredi, issue_date=datetime.date(2026, 5, 1))
    WalletSequence.objects.filter(wallet=sicredi).update(next_value=99_998)
    # 99,999 titles on byte 2, then byte 3 from 1 again: the numbers stay distinct.
    assert list(take_nosso_numeros(sicredi, 3, issue_date=datetime.date(2026, 5, 2))) == [
        26299998,
        26299999,
        26300001,
    ]
    WalletSequence.objects.filter(wallet=sicredi).update(next_value=8 * 99_999)
    assert list(take_nosso_numeros(sicredi, issue_date=datetime.date(2026, 5, 2))) == [26999999]
    with pytest.raises(ApplicationError) as caught:
        take_nosso_numeros(sicredi, issue_date=datetime.date(2026, 5, 3))
    assert caught.value.code == "nosso_numero_exhausted"
    assert list(take_nosso_numeros(sicredi, issue_date=datetime.date(2027, 1, 2))) == [27200001]


def test_sicredi_refuses_a_title_of_an_earlier_year(sicredi):
    take_nosso_numeros(sicredi, issue_date=datetime.date(2027, 1, 2))
    with pytest.raises(ApplicationError) as caught:
        take_nosso_numeros(sicredi, issue_date=datetime.date(2026, 12, 31))
    assert caught.value.code == "nosso_numero_year"


def test_a_sequence_numbered_before_the_yearly_rule_goes_on(sicredi):
    """A Sicredi sequence without a year (numbered before the rule) continues in the current year:
    its earlier numbers of this year are below it."""
    WalletSequence.objects.create(wallet=sicredi, next_value=41)
    assert list(take_nosso_numeros(sicredi, issue_date=datetime.date(2026, 6, 1))) == [26200041]
    assert list(take_nosso_numeros(sicredi, issue_date=datetime.date(2027, 1, 1))) == [27200001]


def test_other_banks_keep_one_sequence(caixa):
    assert list(take_nosso_numeros(caixa, 2, issue_date=datetime.date(2026, 12, 31))) == [1, 2]
    assert list(take_nosso_numeros(caixa, 1, issue_date=datetime.date(2027, 1, 1))) == [3]
    assert WalletSequence.objects.get(wallet=caixa).year is None


def test_migration_gives_old_sicredi_numbers_their_year(admin_user, customer, sicredi):
    """Invoices numbered before the rule keep the nosso número their boleto prints, now with its
    year and byte in front, which is how Sicredi's return names them."""
    invoice = _invoices(admin_user, customer, sicredi, ["99.90"])[0]
    Invoice.objects.filter(pk=invoice.pk).update(nosso_numero=17)  # as numbered before the rule
    old_barcode = invoice.barcode
    migration = importlib.import_module("enlace.billing.migrations.0006_sicredi_yearly_sequence")
    migration.sicredi_numbers_with_year(django_apps, None)
    invoice.refresh_from_db()
    assert invoice.nosso_numero == 26200017
    assert invoice_boleto(invoice).nosso_numero == "26200017"
    assert old_barcode  # the stored barcode stays what was printed
    assert invoice.barcode == old_barcode


# -- Bradesco CNAB 400 with blank trailer counts ------------------------------------------------------


def _blank_trailer_counts(data: bytes) -> bytes:
    lines = data.decode("latin-1").split("\r\n") if b"\r\n" in data else data.decode("latin-1").split("\n")
    index = max(i for i, line in enumerate(lines) if line.startswith("9"))
    trailer = lines[index].ljust(400)
    trailer = trailer[:57] + " " * 5 + trailer[62:103] + " " * 5 + trailer[108:]
    lines[index] = trailer
    return ("\r\n" if b"\r\n" in data else "\n").join(lines).encode("latin-1")


def test_bradesco_blank_trailer_counts_are_accepted_with_a_warning():
    data = _blank_trailer_counts((CNAB_FIXTURES / "CNAB400BRADESCO.RET").read_bytes())
    parsed = parse_return(data)
    original = parse_return((CNAB_FIXTURES / "CNAB400BRADESCO.RET").read_bytes())
    assert parsed.records == original.records
    assert original.warnings == ()
    assert len(parsed.warnings) == 2
    assert "number of occurrence 02 records (positions 58-62) is blank" in parsed.warnings[0]
    assert "number of occurrence 09 and 10 records (positions 104-108) is blank" in parsed.warnings[1]


def test_bradesco_wrong_trailer_count_is_still_refused():
    data = (CNAB_FIXTURES / "CNAB400BRADESCO.RET").read_bytes().decode("latin-1")
    lines = data.splitlines()
    index = max(i for i, line in enumerate(lines) if line.startswith("9"))
    lines[index] = lines[index][:57] + "00099" + lines[index][62:]
    with pytest.raises(ValueError, match="occurrence 02 records"):
        parse_return("\r\n".join(lines).encode("latin-1"))


def test_bradesco_blank_trailer_warning_on_the_page_and_in_the_api(
    admin_user, admin_web, admin_api, branch_a
):
    wallet = make_wallet(
        branch_a,
        name="Bradesco",
        bank_code="237",
        agency="1234",
        account="1234567",
        carteira="09",
        convenio="",
    )
    data = _blank_trailer_counts((CNAB_FIXTURES / "CNAB400BRADESCO.RET").read_bytes())
    imported = cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="BLANK.RET").cnab_import
    assert len(imported.warnings) == 2

    page = admin_web.get(imported.get_absolute_url())
    assert page.status_code == 200
    assert 'id="import-warnings"' in page.content.decode()
    assert "positions 58-62" in page.content.decode()

    body = admin_api.get(f"/api/v1/cnab-imports/{imported.pk}/").json()
    assert body["warnings"] == imported.warnings
