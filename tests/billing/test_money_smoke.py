"""Smoke of the finance core: a one-off invoice gets its boleto and PIX, is settled late with the
capped charges, reversed, and the colours follow."""

import datetime
from decimal import Decimal

import pytest

from enlace.billing import boleto, pix
from enlace.billing.models import InvoiceStatus
from enlace.billing.selectors import amount_due
from enlace.billing.services.collection import collection_run, trust_unlock
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create, payment_reverse
from enlace.billing.services.renegotiation import (
    renegotiation_finish,
    renegotiation_preview,
    renegotiation_start,
    renegotiation_update,
)
from enlace.billing.services.runs import billing_run_start_and_execute
from tests.helpers.fixtures import CNAB_FIXTURES

pytestmark = pytest.mark.django_db


def test_invoice_settle_reverse(admin_user, customer, wallet):
    wallet.pix_key = "123e4567-e12b-12d1-a456-426655440000"
    wallet.save()
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=wallet,
        due_date=datetime.date(2026, 12, 10),
        amount=Decimal("100.00"),
    )
    assert len(invoice.barcode) == 44 and len(invoice.digitable_line) == 47
    boleto.parse_boleto(invoice.digitable_line)
    assert pix.parse_brcode(invoice.pix_payload).amount == Decimal("100.00")
    assert invoice.color(datetime.date(2026, 12, 1)) == "blue"
    assert invoice.color(datetime.date(2026, 12, 10)) == "orange"
    assert invoice.color(datetime.date(2026, 12, 11)) == "red"

    due = amount_due(invoice, datetime.date(2026, 12, 20))
    assert due["fine"] == Decimal("2.00") and due["interest"] == Decimal("0.33")
    payment = payment_create(actor=admin_user, invoice=invoice, date=datetime.date(2026, 12, 20))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED and payment.amount == Decimal("102.33")
    assert invoice.color() == "darkgreen"

    payment_reverse(actor=admin_user, payment=payment, reason="cheque devolvido")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.paid_amount == 0
    assert invoice.payments.count() == 2

    payment_create(actor=admin_user, invoice=invoice, amount="50.00", date=datetime.date(2026, 12, 5))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL and invoice.balance == Decimal("50.00")


def test_cnab_sicoob_fixture_settles_once(admin_user, customer, wallet):

    from django.core.exceptions import ValidationError

    from enlace.billing.services.imports import cnab_import
    from enlace.core.exceptions import ApplicationError

    wallet.bank_code = "756"
    wallet.save()
    data = (CNAB_FIXTURES / "CNAB240SICOOB.RET").read_bytes()
    invoices = []
    for number in (8, 11, 12):
        inv = invoice_create(
            actor=admin_user,
            customer=customer,
            wallet=wallet,
            due_date=datetime.date(2015, 8, 13),
            amount="2.00",
        )
        type(inv).objects.filter(pk=inv.pk).update(nosso_numero=number)
        invoices.append(inv)
    with pytest.raises(ValidationError):
        cnab_import(
            actor=admin_user,
            wallet=wallet,
            data=data[: len(data) // 2],
            file_name="cut.RET",
            store_file=False,
        )
    assert not any(i.payments.exists() for i in invoices)
    result = cnab_import(
        actor=admin_user, wallet=wallet, data=data, file_name="CNAB240SICOOB.RET", store_file=False
    )
    assert result.cnab_import.settled == 3
    for inv in invoices:
        inv.refresh_from_db()
        assert inv.status == InvoiceStatus.RECEIVED and inv.paid_date == datetime.date(2015, 8, 10)
    with pytest.raises(ApplicationError):
        cnab_import(actor=admin_user, wallet=wallet, data=data, file_name="again.RET", store_file=False)
    assert sum(i.payments.count() for i in invoices) == 3


def test_billing_run_twice(admin_user, active_contract):
    from enlace.billing.models import Invoice

    active_contract.activation_date = datetime.date(2026, 11, 20)
    active_contract.first_billing_date = datetime.date(2026, 12, 10)
    type(active_contract).objects.filter(pk=active_contract.pk).update(
        activation_date=active_contract.activation_date, first_billing_date=active_contract.first_billing_date
    )
    run = billing_run_start_and_execute(actor=admin_user, period="2026-11")
    assert run.created == 0 and run.skipped == 1
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert run.created == 1
    invoice = Invoice.objects.get()
    # first invoice: 20/11 → 31/12 = 42 days of a 31-day month at 99.90
    assert invoice.amount == Decimal("135.35") and invoice.due_date == datetime.date(2026, 12, 10)
    assert len(invoice.digitable_line) == 47
    again = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert again.created == 0 and Invoice.objects.count() == 1
    run = billing_run_start_and_execute(actor=admin_user, period="2027-01")
    assert Invoice.objects.get(period="2027-01").amount == Decimal("99.90")


def test_renegotiation(admin_user, customer, wallet):
    from enlace.core.exceptions import ApplicationError

    a = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=wallet,
        due_date=datetime.date(2026, 10, 10),
        amount="100.00",
    )
    b = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=wallet,
        due_date=datetime.date(2026, 11, 10),
        amount="100.00",
    )
    r = renegotiation_start(actor=admin_user, customer=customer, invoices=[a, b])
    with pytest.raises(ApplicationError):
        renegotiation_start(actor=admin_user, customer=customer, invoices=[b])
    renegotiation_update(
        actor=admin_user,
        renegotiation=r,
        instalments=3,
        discount="10.00",
        first_due_date=datetime.date(2027, 1, 5),
    )
    plan = renegotiation_preview(r)
    assert len(plan) == 3 and sum(p[1] for p in plan) == r.total
    new = renegotiation_finish(actor=admin_user, renegotiation=r)
    a.refresh_from_db()
    assert a.renegotiated and a.color() == "grey" and len(new) == 3
    assert [n.due_date for n in new] == [
        datetime.date(2027, 1, 5),
        datetime.date(2027, 2, 5),
        datetime.date(2027, 3, 5),
    ]


def test_collection_routine(admin_user, active_contract, wallet, django_capture_on_commit_callbacks):
    import time_machine

    from enlace.core.exceptions import ApplicationError

    invoice = invoice_create(
        actor=admin_user,
        customer=active_contract.customer,
        contract=active_contract,
        wallet=wallet,
        due_date=datetime.date(2026, 12, 10),
        amount="99.90",
    )

    def status(day):
        with time_machine.travel(datetime.datetime(2026, 12, day, 12, tzinfo=datetime.UTC), tick=False):
            collection_run()
        active_contract.refresh_from_db()
        return active_contract.access_status

    assert status(10) == "A"
    assert status(11) == "FA"
    assert status(25) == "FA"
    assert status(26) == "CA"
    assert status(27) == "CA"
    with time_machine.travel(datetime.datetime(2026, 12, 27, 12, tzinfo=datetime.UTC), tick=False):
        trust_unlock(actor=admin_user, contract=active_contract)
        active_contract.refresh_from_db()
        assert active_contract.access_status == "A"
    assert status(29) == "A"
    assert status(31) == "CA"
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ApplicationError):
            trust_unlock(actor=admin_user, contract=active_contract)
        with django_capture_on_commit_callbacks(execute=True):
            payment_create(actor=admin_user, invoice=invoice)
    active_contract.refresh_from_db()
    assert active_contract.access_status == "A"
