"""Bank registration (issue 16): remittance files from the invoices, the registration status from
the bank's return, movements that never go out twice, byte-for-byte rebuild, write-off and due-date
change movements, a wallet that needs no registration.

The acceptance path as an operator walks it: a billing run, "Gerar remessa" on a Banco do Brasil
CNAB 240 wallet (segment P has each invoice's nosso número, due date and amount; Q the payer's CPF
and name), a second generation gives nothing new, the return with 02 registers, 03 rejects with the
reason in words. The files are read back with python3-cnab (an implementation Enlace did not
write) besides the positions of the manual."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from enlace.billing.cnab import SyntheticRecord, build_cnab240, build_cnab400, nosso_numero_for, parse_return
from enlace.billing.models import (
    Invoice,
    RegistrationStatus,
    Remittance,
    RemittanceItem,
    WalletRegistration,
)
from enlace.billing.registration import adapter_for
from enlace.billing.registration.cnab import CnabFileAdapter
from enlace.billing.registration.reasons import rejection_message
from enlace.billing.services.imports import cnab_import
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.billing.services.remittances import (
    remittance_generate,
    remittance_rebuild_bytes,
    wallet_registration_set,
)
from enlace.billing.services.runs import billing_run_start_and_execute
from enlace.billing.services.second_copy import invoice_registration_resend
from enlace.contracts.services import contract_activate, contract_create
from enlace.core.exceptions import ApplicationError
from enlace.customers.models import Customer
from tests.billing.test_remittance import _ddmmyyyy, read240, value_at
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.django_db

D = Decimal
BB_CONVENIO = "1234567"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def make_bb_wallet(branch):
    """A Banco do Brasil CNAB 240 wallet."""
    return make_wallet(
        branch,
        name="Banco do Brasil",
        bank_code="001",
        agency="1234",
        agency_digit="5",
        account="12345678",
        account_digit="9",
        convenio=BB_CONVENIO,
        carteira="17",
        cnab_layout="240",
    )


def give_address(customer, city):
    Customer.objects.filter(pk=customer.pk).update(
        cep="01001000", street="Praça da Sé", number="100", neighborhood="Sé", city=city
    )
    customer.refresh_from_db()
    return customer


def bill_two(admin_user, contract_data) -> list[Invoice]:
    """Two contracts activated in December and the run of 2026-12: two invoices."""
    for due_day in (10, 20):
        contract = contract_create(
            actor=admin_user,
            **contract_data(due_day=due_day, first_billing_date=datetime.date(2026, 12, 1)),
        )
        contract_activate(actor=admin_user, contract=contract, activation_date=datetime.date(2026, 12, 1))
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert run.created == 2
    return list(Invoice.objects.filter(billing_run=run).order_by("due_date"))


@pytest.fixture
def wallet(branch_a):
    """The contracts of ``contract_data`` use it."""
    return make_bb_wallet(branch_a)


@pytest.fixture
def addressed(customer, city):
    return give_address(customer, city)


@pytest.fixture
def billed(admin_user, contract_data, addressed):
    return bill_two(admin_user, contract_data)


def segments(data: bytes, kind: str) -> list[str]:
    lines = data.decode("latin-1").split("\r\n")[:-1]
    return [line for line in lines if line[7] == "3" and line[13] == kind]


def test_generate_after_a_billing_run_bb_240(admin_user, wallet, billed):
    result = remittance_generate(wallet=wallet, actor=admin_user)

    remittance = result.remittance
    assert result.sent == remittance.title_count == 2
    assert remittance.sequence == 1
    data = remittance.file.read()
    assert hashlib.sha256(data).hexdigest() == remittance.sha256
    assert remittance.size == len(data)
    p_lines, q_lines = segments(data, "P"), segments(data, "Q")
    assert len(p_lines) == len(q_lines) == 2
    for invoice, p, q in zip(billed, p_lines, q_lines, strict=True):
        # P: movement 01, nosso número (convênio of 7 + 10 digits) at 38-57, due date, amount
        assert p[15:17] == "01"
        assert p[37:57].strip() == BB_CONVENIO + str(invoice.nosso_numero).zfill(10)
        assert p[77:85] == invoice.due_date.strftime("%d%m%Y")
        assert int(p[85:100]) == int(invoice.amount * 100)
        # Q: the payer's CPF and name
        assert q[17] == "1" and q[18:33] == "0000" + "52998224725"
        assert q[33:73].strip() == "MARIA SOUZA"
    for invoice in billed:
        invoice.refresh_from_db()
        assert invoice.registration_status == RegistrationStatus.SENT

    # a second click: nothing new, no file and no file number spent
    again = remittance_generate(wallet=wallet, actor=admin_user)
    assert again.remittance is None and again.sent == 0
    assert Remittance.objects.count() == 1
    assert WalletRegistration.objects.get(wallet=wallet).next_sequence == 2


def test_read_back_by_python3_cnab(admin_user, wallet, billed):
    """python3-cnab's Banco do Brasil specs read what "Gerar remessa" wrote."""
    data = remittance_generate(wallet=wallet, actor=admin_user).remittance.file.read()
    records = read240("001", data)
    p_segments = [segment for kind, segment in records["details"] if kind == "P"]
    q_segments = [segment for kind, segment in records["details"] if kind == "Q"]
    for invoice, p, q in zip(billed, p_segments, q_segments, strict=True):
        assert _ddmmyyyy(value_at(p, 78)) == invoice.due_date
        assert D(value_at(p, 86)) == invoice.amount
        assert int(value_at(q, 19)) == 52998224725


def _return(records) -> bytes:
    return build_cnab240("001", records, convenio=BB_CONVENIO, agency="1234", account="12345678")


def _synthetic(invoice, code, reasons=()):
    number = nosso_numero_for("240", "001", invoice.nosso_numero, convenio=BB_CONVENIO)
    return SyntheticRecord(
        nosso_numero=number, occurrence_code=code, face_value=invoice.amount, reasons=reasons
    )


def test_return_02_registers_and_03_rejects_with_words(admin_user, wallet, billed):
    remittance_generate(wallet=wallet, actor=admin_user)
    first, second = billed
    data = _return([_synthetic(first, "02"), _synthetic(second, "03", ("48", "45"))])

    cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="ret.ret")

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.registration_status == RegistrationStatus.REGISTERED
    assert first.registration_message == ""
    assert second.registration_status == RegistrationStatus.REJECTED
    assert second.registration_message == "48 – Invalid CEP; 45 – Payer name missing"


def test_a_rejected_title_goes_out_again_after_correction(admin_user, wallet, billed, city):
    """The bank refuses a title (03, invalid CEP); the operator corrects the customer's address
    and sends it again: the next file carries a new entry (01) with the corrected CEP, once."""
    remittance_generate(wallet=wallet, actor=admin_user)
    rejected = billed[1]
    data = _return([_synthetic(billed[0], "02"), _synthetic(rejected, "03", ("48",))])
    cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="ret.ret")
    rejected.refresh_from_db()
    assert rejected.registration_status == RegistrationStatus.REJECTED
    # nothing goes out on its own: the data the bank refused is still the same
    assert remittance_generate(wallet=wallet, actor=admin_user).remittance is None

    Customer.objects.filter(pk=rejected.customer_id).update(cep="01310100")
    invoice_registration_resend(actor=admin_user, invoice=rejected)
    assert rejected.registration_status == RegistrationStatus.PENDING
    assert rejected.registration_message == ""
    with pytest.raises(ApplicationError) as refused:  # pending already: nothing to send again
        invoice_registration_resend(actor=admin_user, invoice=rejected)
    assert refused.value.code == "invalid_transition"

    result = remittance_generate(wallet=wallet, actor=admin_user)
    assert result.sent == 1
    data = result.remittance.file.read()
    (p,), (q,) = segments(data, "P"), segments(data, "Q")
    assert p[15:17] == "01"
    assert p[37:57].strip() == BB_CONVENIO + str(rejected.nosso_numero).zfill(10)
    assert q[128:136] == "01310100"
    rejected.refresh_from_db()
    assert rejected.registration_status == RegistrationStatus.SENT
    entries = RemittanceItem.objects.filter(invoice=rejected, movement=RemittanceItem.Movement.ENTRY)
    assert sorted(entries.values_list("change", flat=True)) == [0, 1]
    # once: the next click has nothing new, and no due-date or amount change is made up
    assert remittance_generate(wallet=wallet, actor=admin_user).remittance is None


def test_only_a_rejected_open_title_is_sent_again(admin_user, wallet, billed):
    remittance_generate(wallet=wallet, actor=admin_user)
    with pytest.raises(ApplicationError) as sent:
        invoice_registration_resend(actor=admin_user, invoice=billed[0])
    assert sent.value.code == "invalid_transition"
    Invoice.objects.filter(pk=billed[0].pk).update(registration_status=RegistrationStatus.REJECTED)
    invoice_cancel(actor=admin_user, invoice=billed[0], reason="Cliente desistiu")
    with pytest.raises(ApplicationError) as cancelled:
        invoice_registration_resend(actor=admin_user, invoice=billed[0])
    assert cancelled.value.code == "invalid_transition"


def test_rejection_words_in_pt_br(admin_user, wallet, billed):
    """After the lead merges /work/po/remit.po the reasons read in Portuguese."""
    remittance_generate(wallet=wallet, actor=admin_user)
    data = _return([_synthetic(billed[0], "03", ("99",))])
    cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="ret.ret")
    billed[0].refresh_from_db()
    assert billed[0].registration_message == "99 – reason 99 (see the bank's manual)"


def test_rebuild_gives_the_same_bytes(admin_user, wallet, billed):
    remittance = remittance_generate(wallet=wallet, actor=admin_user).remittance
    stored = remittance.file.read()
    # the wallet changes afterwards: the file is rebuilt from what was stored
    type(wallet).objects.filter(pk=wallet.pk).update(fine_percent=D("1.00"))
    Customer.objects.update(name="Outro Nome")
    assert remittance_rebuild_bytes(remittance) == stored


def test_a_remittance_is_immutable(admin_user, wallet, billed):
    remittance = remittance_generate(wallet=wallet, actor=admin_user).remittance
    remittance.title_count = 9
    with pytest.raises(ValueError, match="immutable"):
        remittance.save()


def test_the_same_movement_never_goes_out_twice(admin_user, wallet, billed):
    remittance = remittance_generate(wallet=wallet, actor=admin_user).remittance
    item = RemittanceItem.objects.filter(remittance=remittance).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        RemittanceItem.objects.create(
            remittance=remittance, position=99, invoice=item.invoice, movement=item.movement, change=0
        )


def test_cancelled_invoice_goes_as_write_off_once(admin_user, wallet, billed):
    first_file = remittance_generate(wallet=wallet, actor=admin_user).remittance
    invoice_cancel(actor=admin_user, invoice=billed[0], reason="Cliente desistiu")

    result = remittance_generate(wallet=wallet, actor=admin_user)

    assert result.remittance.sequence == first_file.sequence + 1
    data = result.remittance.file.read()
    p_lines = segments(data, "P")
    assert len(p_lines) == 1 and p_lines[0][15:17] == "02"
    assert remittance_generate(wallet=wallet, actor=admin_user).remittance is None


def test_an_invoice_cancelled_before_it_was_sent_is_not_sent(admin_user, wallet, billed):
    invoice_cancel(actor=admin_user, invoice=billed[0], reason="Erro")
    result = remittance_generate(wallet=wallet, actor=admin_user)
    assert result.sent == 1
    assert list(result.remittance.items.values_list("invoice_id", flat=True)) == [billed[1].pk]


def test_payer_without_cep_is_skipped_and_said(admin_user, wallet, customer):
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=wallet,
        due_date=datetime.date(2026, 12, 10),
        amount=D("50"),
    )
    result = remittance_generate(wallet=wallet, actor=admin_user)
    assert result.remittance is None
    assert invoice.pk in result.skipped
    invoice.refresh_from_db()
    assert invoice.registration_status == RegistrationStatus.PENDING
    assert "CEP" in invoice.registration_message


def test_wallet_registration_not_required(admin_user, wallet, billed):
    wallet_registration_set(wallet=wallet, required=False, actor=admin_user)
    assert set(Invoice.objects.values_list("registration_status", flat=True)) == {
        RegistrationStatus.NOT_REQUIRED
    }
    with pytest.raises(ApplicationError, match="registration not required"):
        remittance_generate(wallet=wallet, actor=admin_user)
    wallet_registration_set(wallet=wallet, required=True, actor=admin_user)
    assert remittance_generate(wallet=wallet, actor=admin_user).sent == 2


def test_adapter_interface(admin_user, wallet, billed):
    adapter = adapter_for(wallet)
    assert isinstance(adapter, CnabFileAdapter)
    assert adapter.register(wallet=wallet, actor=admin_user).sent == 2


def test_itau_400_rejection_reasons_in_words():
    """Itaú's CNAB 400 return gives its own reason numbers (nota 20, tabela 1) at 378-385: they
    are shown in words, not as bare codes; a number the table lacks keeps its code."""
    record = SyntheticRecord(
        nosso_numero=nosso_numero_for("400", "341", 7), occurrence_code="03", reasons=("03", "14")
    )
    (parsed,) = parse_return(build_cnab400("341", [record])).records
    assert parsed.occurrence_reasons == ("03", "14")
    assert rejection_message("400", "341", parsed.occurrence_reasons) == (
        "03 – No collecting agency for the CEP, or invalid CEP; "
        "14 – Nosso número already registered at the bank or out of range"
    )
    assert rejection_message("400", "341", ["97"]) == "97 – reason 97 (see the bank's manual)"


def test_banco_do_brasil_400_rejection_reasons_in_words():
    """Banco do Brasil's CBR643 return (convênio of 7 digits) gives its "motivos de recusa" of
    comando 03: shown in words."""
    record = SyntheticRecord(
        nosso_numero=nosso_numero_for("400", "001", 7, convenio=BB_CONVENIO),
        occurrence_code="03",
        reasons=("82",),
    )
    (parsed,) = parse_return(build_cnab400("001", [record], convenio=BB_CONVENIO)).records
    assert parsed.occurrence_reasons == ("82",)
    assert rejection_message("400", "001", parsed.occurrence_reasons) == "82 – Invalid CEP"
    assert rejection_message("400", "001", ["33", "63"]) == (
        "33 – Nosso número already exists; 63 – Invalid nosso número check digit"
    )
