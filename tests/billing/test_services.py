"""Writers of receivables and payments (SPEC F-1, F-2, F-4, F-6, F-7, F-8): late charges and their
caps, discounts, partial payments, refusals that name the field and leave nothing half-saved,
nosso número under concurrency (PostgreSQL) and the renegotiation wizard's steps."""

import datetime
import threading
from contextlib import contextmanager
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import translation

from enlace.billing.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    RenegotiatedInvoice,
    Renegotiation,
    WalletSequence,
)
from enlace.billing.selectors import amount_due, late_charges
from enlace.billing.services.common import take_nosso_numeros
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.billing.services.payments import payment_create, payment_reverse
from enlace.billing.services.renegotiation import (
    renegotiation_cancel,
    renegotiation_finish,
    renegotiation_preview,
    renegotiation_start,
    renegotiation_update,
)
from enlace.contracts.services import contract_create
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange, PaymentCondition, Wallet
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids (the pt-BR catalog translates them)."""
    with translation.override("en"):
        yield


D = Decimal
DUE = datetime.date(2026, 12, 10)


def at(day: datetime.date):
    """Travel to noon (UTC) of ``day``: the local date (America/Sao_Paulo) is the same day."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def make_invoice(admin_user, customer, wallet):
    def make(amount="100.00", due=DUE, **extra):
        values = {"customer": customer, "wallet": wallet, "due_date": due, "amount": amount}
        values.update(extra)
        return invoice_create(actor=admin_user, **values)

    return make


def counts() -> dict:
    """What a refused operation must leave exactly as it was."""
    return {
        "invoices": Invoice.objects.count(),
        "payments": Payment.objects.count(),
        "audit": ObjectChange.objects.count(),
        "sequences": list(WalletSequence.objects.order_by("pk").values_list("pk", "next_value")),
        "statuses": list(Invoice.objects.order_by("pk").values_list("pk", "status", "paid_amount")),
        "renegotiations": list(Renegotiation.objects.order_by("pk").values_list("pk", "status")),
        "links": RenegotiatedInvoice.objects.filter(open=True).count(),
    }


@contextmanager
def wallet_caps_not_enforced():
    """Let a wallet row hold more than the legal caps, as a row written before the check
    constraints (or by hand in the database) would. Undone by the test's rollback (PostgreSQL)
    or at the end of the block (SQLite)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA ignore_check_constraints = OFF")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks
            cursor.execute("ALTER TABLE core_wallet DROP CONSTRAINT wallet_fine_percent_cap")
            cursor.execute("ALTER TABLE core_wallet DROP CONSTRAINT wallet_interest_percent_cap")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        yield


# --- Late charges (F-7) -------------------------------------------------------------------


def test_late_charges_nothing_up_to_the_due_date(make_invoice):
    invoice = make_invoice()
    assert late_charges(invoice, DUE) == (0, 0)
    assert late_charges(invoice, DUE - datetime.timedelta(days=3)) == (0, 0)


def test_late_charges_fine_once_and_interest_per_day(make_invoice):
    invoice = make_invoice("300.00")
    # 2 % fine; 1 % a month pro rata per day: 300 × 1 % / 30 × 45 days = 4.50
    assert late_charges(invoice, DUE + datetime.timedelta(days=45)) == (D("6.00"), D("4.50"))
    assert late_charges(invoice, DUE + datetime.timedelta(days=1)) == (D("6.00"), D("0.10"))


def test_wallet_above_the_caps_is_refused_by_the_database(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(fine_percent=D("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(interest_percent_month=D("5.00"))


def test_late_charges_capped_even_when_the_wallet_row_holds_more(admin_user, make_invoice, wallet):
    invoice = make_invoice("100.00")
    with wallet_caps_not_enforced():
        # a queryset update skips the model validation (the form refuses more than 2 % / 1 %)
        Wallet.objects.filter(pk=wallet.pk).update(fine_percent=D("10.00"), interest_percent_month=D("6.00"))
        invoice = Invoice.objects.select_related("wallet").get(pk=invoice.pk)
        assert invoice.wallet.fine_percent == D("10.00")
        on = DUE + datetime.timedelta(days=30)
        # capped: 2 % fine and 1 % for 30 days
        assert late_charges(invoice, on) == (D("2.00"), D("1.00"))
        due = amount_due(invoice, on)
        assert due["total"] == D("103.00")
        payment = payment_create(actor=admin_user, invoice=invoice, date=on)
        assert (payment.amount, payment.fine, payment.interest) == (D("103.00"), D("2.00"), D("1.00"))


def test_late_charges_follow_a_lower_wallet_rate(admin_user, make_invoice, wallet):
    Wallet.objects.filter(pk=wallet.pk).update(fine_percent=D("1.00"), interest_percent_month=D("0.50"))
    invoice = Invoice.objects.select_related("wallet").get(pk=make_invoice("200.00").pk)
    assert late_charges(invoice, DUE + datetime.timedelta(days=60)) == (D("2.00"), D("2.00"))


# --- Discount and payments (F-6) ------------------------------------------------------------


def test_discount_only_up_to_the_due_date(admin_user, make_invoice):
    invoice = make_invoice("100.00", discount="5.00")
    assert amount_due(invoice, DUE - datetime.timedelta(days=9))["total"] == D("95.00")
    assert amount_due(invoice, DUE)["discount"] == D("5.00")
    late = amount_due(invoice, DUE + datetime.timedelta(days=1))
    assert late["discount"] == 0 and late["total"] == D("102.03")  # 100 + 2.00 + 0.03

    payment = payment_create(actor=admin_user, invoice=invoice, date=DUE)
    invoice.refresh_from_db()
    assert payment.amount == D("95.00") and payment.discount == D("5.00")
    assert invoice.status == InvoiceStatus.RECEIVED and invoice.paid_date == DUE
    assert invoice.paid_amount == D("100.00") and invoice.balance == 0
    assert invoice.color(DUE) == "lightgreen"


def test_late_payment_gets_no_discount(admin_user, make_invoice):
    invoice = make_invoice("100.00", discount="5.00")
    payment = payment_create(actor=admin_user, invoice=invoice, date=DUE + datetime.timedelta(days=10))
    assert payment.discount == 0 and payment.amount == D("102.33")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED and invoice.color() == "darkgreen"


def test_partial_payment_on_time_gets_no_discount(admin_user, make_invoice):
    """The discount is for payment in full up to the due date: 85 paid of a 100 invoice with a
    5.00 discount leaves 15 to pay, not a settled invoice."""
    invoice = make_invoice("100.00", discount="5.00")
    payment = payment_create(actor=admin_user, invoice=invoice, amount="85.00", date=DUE)
    invoice.refresh_from_db()
    assert payment.discount == 0
    assert invoice.status == InvoiceStatus.PARTIAL and invoice.balance == D("15.00")


def test_partial_then_full_payment(admin_user, make_invoice):
    invoice = make_invoice("100.00")
    first = payment_create(
        actor=admin_user, invoice=invoice, amount="40.00", date=DUE - datetime.timedelta(days=2)
    )
    invoice.refresh_from_db()
    assert (first.fine, first.interest) == (0, 0)
    assert invoice.status == InvoiceStatus.PARTIAL and invoice.paid_amount == D("40.00")
    assert invoice.balance == D("60.00") and invoice.paid_date is None and invoice.is_open

    late = DUE + datetime.timedelta(days=15)
    due = amount_due(invoice, late)
    # charges on what is still owed: 60 × 2 % = 1.20; 60 × 1 % / 30 × 15 = 0.30
    assert (due["fine"], due["interest"], due["total"]) == (D("1.20"), D("0.30"), D("61.50"))
    second = payment_create(actor=admin_user, invoice=invoice, date=late)
    invoice.refresh_from_db()
    assert second.amount == D("61.50") and (second.fine, second.interest) == (D("1.20"), D("0.30"))
    assert invoice.status == InvoiceStatus.RECEIVED and invoice.paid_date == late
    assert invoice.paid_amount == D("100.00") and invoice.payments.count() == 2


def test_partial_late_payment_pays_the_charges_of_its_part(admin_user, make_invoice):
    invoice = make_invoice("100.00")
    late = DUE + datetime.timedelta(days=30)
    payment = payment_create(actor=admin_user, invoice=invoice, amount="51.50", date=late)
    # 51.50 covers 50.00 of the face value plus 2 % (1.00) and 1 % (0.50) on that part
    assert (payment.fine, payment.interest) == (D("1.00"), D("0.50"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL and invoice.balance == D("50.00")


def test_overpayment_is_refused_naming_amount(admin_user, make_invoice):
    invoice = make_invoice("100.00")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        payment_create(actor=admin_user, invoice=invoice, amount="100.01", date=DUE)
    assert set(exc.value.message_dict) == {"amount"}
    assert "100,00" in exc.value.message_dict["amount"][0]  # names what is due
    assert counts() == before


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_amount_must_be_positive(admin_user, make_invoice, amount):
    invoice = make_invoice()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        payment_create(actor=admin_user, invoice=invoice, amount=amount, date=DUE)
    assert set(exc.value.message_dict) == {"amount"}
    assert counts() == before


def test_amount_that_does_not_cover_the_charges_is_refused(admin_user, make_invoice):
    invoice = make_invoice()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        payment_create(
            actor=admin_user,
            invoice=invoice,
            amount="1.00",
            fine="2.00",
            interest="0.00",
            date=DUE + datetime.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"amount"}
    assert counts() == before


def test_unknown_method_is_refused_naming_method(admin_user, make_invoice):
    invoice = make_invoice()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        payment_create(actor=admin_user, invoice=invoice, method="XX")
    assert set(exc.value.message_dict) == {"method"}
    assert counts() == before


def test_settle_cancelled_invoice_is_refused(admin_user, make_invoice):
    invoice = make_invoice()
    invoice_cancel(actor=admin_user, invoice=invoice, reason="Lançada em duplicidade")
    before = counts()
    with pytest.raises(ApplicationError) as exc:
        payment_create(actor=admin_user, invoice=invoice, date=DUE)
    assert exc.value.code == "not_open"
    assert counts() == before


def test_settle_renegotiated_invoice_is_refused(admin_user, customer, make_invoice):
    invoice = make_invoice()
    r = renegotiation_start(actor=admin_user, customer=customer, invoices=[invoice])
    renegotiation_finish(actor=admin_user, renegotiation=r)
    invoice.refresh_from_db()
    assert invoice.renegotiated and invoice.status == InvoiceStatus.CANCELLED
    before = counts()
    with pytest.raises(ApplicationError) as exc:
        payment_create(actor=admin_user, invoice=invoice, date=DUE)
    assert exc.value.code == "not_open" and "renegotiated" in exc.value.message
    assert counts() == before


def test_settle_received_invoice_is_refused(admin_user, make_invoice):
    invoice = make_invoice()
    payment_create(actor=admin_user, invoice=invoice, date=DUE)
    before = counts()
    with pytest.raises(ApplicationError) as exc:
        payment_create(actor=admin_user, invoice=invoice, amount="1.00", date=DUE)
    assert exc.value.code == "not_open"
    assert counts() == before


# --- Reversal and cancel ---------------------------------------------------------------------


def test_reverse_keeps_both_movements_and_twice_is_refused(admin_user, make_invoice):
    invoice = make_invoice()
    payment = payment_create(actor=admin_user, invoice=invoice, date=DUE)
    reversal = payment_reverse(actor=admin_user, payment=payment, reason="Cheque devolvido")
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert payment.reversed and reversal.reversal_of_id == payment.pk
    assert reversal.amount == payment.amount and reversal.principal == -payment.principal
    assert invoice.status == InvoiceStatus.OPEN and invoice.paid_amount == 0 and invoice.paid_date is None

    before = counts()
    with pytest.raises(ApplicationError) as exc:
        payment_reverse(actor=admin_user, payment=payment, reason="De novo")
    assert exc.value.code == "already_reversed"
    with pytest.raises(ApplicationError) as exc:
        payment_reverse(actor=admin_user, payment=reversal, reason="O estorno do estorno")
    assert exc.value.code == "already_reversed"
    assert counts() == before


def test_reverse_one_of_two_payments_leaves_the_invoice_partial(admin_user, make_invoice):
    invoice = make_invoice("100.00")
    first = payment_create(actor=admin_user, invoice=invoice, amount="30.00", date=DUE)
    payment_create(actor=admin_user, invoice=invoice, amount="70.00", date=DUE)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.RECEIVED
    payment_reverse(actor=admin_user, payment=first, reason="Cartão contestado")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIAL and invoice.balance == D("30.00")
    assert Payment.objects.filter(invoice=invoice).count() == 3


def test_reverse_needs_a_reason(admin_user, make_invoice):
    payment = payment_create(actor=admin_user, invoice=make_invoice(), date=DUE)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        payment_reverse(actor=admin_user, payment=payment, reason="  ")
    assert set(exc.value.message_dict) == {"reason"}
    assert counts() == before


def test_cancel_with_payments_is_refused(admin_user, make_invoice):
    invoice = make_invoice()
    payment_create(actor=admin_user, invoice=invoice, amount="10.00", date=DUE)
    before = counts()
    with pytest.raises(ApplicationError) as exc:
        invoice_cancel(actor=admin_user, invoice=invoice, reason="Cliente desistiu")
    assert exc.value.code == "has_payments"
    assert counts() == before


def test_cancel_needs_a_reason_and_an_open_invoice(admin_user, make_invoice):
    invoice = make_invoice()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        invoice_cancel(actor=admin_user, invoice=invoice, reason="")
    assert set(exc.value.message_dict) == {"reason"}
    assert counts() == before
    invoice_cancel(actor=admin_user, invoice=invoice, reason="Lançada em duplicidade")
    assert invoice.status == InvoiceStatus.CANCELLED and invoice.color() == "grey"
    with pytest.raises(ApplicationError) as exc:
        invoice_cancel(actor=admin_user, invoice=invoice, reason="De novo")
    assert exc.value.code == "invalid_transition"


# --- One-off invoices (F-1, F-4, F-5) ---------------------------------------------------------


def test_one_off_invoice_takes_the_next_nosso_numero(make_invoice, wallet):
    first, second = make_invoice(), make_invoice()
    assert second.nosso_numero == first.nosso_numero + 1
    assert first.branch_id == first.customer.branch_id and first.kind == "one-off"
    assert len(first.barcode) == 44 and len(first.digitable_line) == 47
    assert WalletSequence.objects.get(wallet=wallet).next_value == second.nosso_numero + 1


def test_one_off_invoice_wallet_of_another_branch(admin_user, customer, wallet_b):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        invoice_create(actor=admin_user, customer=customer, wallet=wallet_b, due_date=DUE, amount="10.00")
    assert set(exc.value.message_dict) == {"wallet"}
    assert counts() == before


def test_one_off_invoice_inactive_wallet(admin_user, customer, wallet):
    Wallet.objects.filter(pk=wallet.pk).update(active=False)
    wallet.refresh_from_db()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        invoice_create(actor=admin_user, customer=customer, wallet=wallet, due_date=DUE, amount="10.00")
    assert set(exc.value.message_dict) == {"wallet"}
    assert counts() == before


def test_one_off_invoice_contract_of_another_customer(admin_user, customer, wallet, contract_b):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        invoice_create(
            actor=admin_user,
            customer=customer,
            contract=contract_b,
            wallet=wallet,
            due_date=DUE,
            amount="10.00",
        )
    assert set(exc.value.message_dict) == {"contract"}
    assert counts() == before


def test_one_off_invoice_recurring_kind_refused(admin_user, customer, wallet, contract):
    before = counts()
    with pytest.raises(ValidationError) as exc:
        invoice_create(
            actor=admin_user,
            customer=customer,
            contract=contract,
            wallet=wallet,
            kind="recurring",
            period="2026-12",
            due_date=DUE,
            amount="10.00",
        )
    assert set(exc.value.message_dict) == {"kind"}
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-1.00"}, "amount"),
        ({"discount": "-1.00"}, "discount"),
        ({"description": " Mensalidade"}, "description"),
        ({"amount": "100000000.00"}, "amount"),
    ],
)
def test_one_off_invoice_errors_name_the_field_and_save_nothing(admin_user, customer, wallet, change, field):
    invoice_create(actor=admin_user, customer=customer, wallet=wallet, due_date=DUE, amount="1.00")
    before = counts()
    data = {"customer": customer, "wallet": wallet, "due_date": DUE, "amount": "10.00", **change}
    with pytest.raises(ValidationError) as exc:
        invoice_create(actor=admin_user, **data)
    assert field in exc.value.message_dict
    assert counts() == before  # the nosso número taken inside is given back too


def test_wallet_that_cannot_issue_names_the_wallet(admin_user, customer, branch_a):
    bad = make_wallet(branch_a, name="Sicoob agência errada", agency="306999")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        invoice_create(actor=admin_user, customer=customer, wallet=bad, due_date=DUE, amount="10.00")
    assert set(exc.value.message_dict) == {"wallet"} and "agency" in exc.value.message_dict["wallet"][0]
    assert counts() == before


# --- Nosso número ------------------------------------------------------------------------------


def test_take_nosso_numeros_consecutive_ranges(wallet):
    assert take_nosso_numeros(wallet, 0) == range(0)
    assert take_nosso_numeros(wallet, 3) == range(1, 4)
    assert take_nosso_numeros(wallet) == range(4, 5)
    other = make_wallet(wallet.branch, name="Outra carteira")
    assert take_nosso_numeros(other, 2) == range(1, 3)  # one sequence per wallet


def _in_threads(count: int, work) -> list:
    """Run ``work(n)`` in ``count`` threads released together; results (or exceptions) by n."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            results[n] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers (one database lock): concurrency is tried on PostgreSQL")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_use", [True, False], ids=["new-sequence", "existing-sequence"])
def test_concurrent_nosso_numeros_are_disjoint(wallet, first_use):
    _postgresql_only()
    if not first_use:
        take_nosso_numeros(wallet, 5)

    def take(n):
        numbers = []
        for _round in range(5):
            numbers.extend(take_nosso_numeros(wallet, 1 + n % 3))
        return numbers

    results = _in_threads(6, take)
    assert not [r for r in results if isinstance(r, Exception)], results
    taken = [number for numbers in results for number in numbers]
    assert len(taken) == len(set(taken)) == sum(5 * (1 + n % 3) for n in range(6))
    start = 1 if first_use else 6
    assert sorted(taken) == list(range(start, start + len(taken)))  # no gap, no overlap


@pytest.mark.django_db(transaction=True)
def test_concurrent_invoice_create_never_duplicates(admin_user, customer, wallet):
    _postgresql_only()

    def create(n):
        return [
            invoice_create(
                actor=admin_user, customer=customer, wallet=wallet, due_date=DUE, amount=f"{10 + n}.{k:02d}"
            ).nosso_numero
            for k in range(4)
        ]

    results = _in_threads(6, create)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [number for numbers in results for number in numbers]
    assert len(numbers) == len(set(numbers)) == 24
    stored = list(Invoice.objects.filter(wallet=wallet).values_list("nosso_numero", flat=True))
    assert sorted(stored) == sorted(numbers)
    assert len(set(Invoice.objects.values_list("digitable_line", flat=True))) == 24


# --- Renegotiation (F-8) -----------------------------------------------------------------------


@pytest.fixture
def two_overdue(make_invoice):
    return (
        make_invoice("100.00", due=datetime.date(2026, 10, 10)),
        make_invoice("50.00", due=datetime.date(2026, 11, 10)),
    )


def test_renegotiation_total_includes_todays_fine_and_interest(admin_user, customer, two_overdue):
    a, b = two_overdue
    today = datetime.date(2026, 12, 10)
    with at(today):
        r = renegotiation_start(actor=admin_user, customer=customer, invoices=[a, b])
        # a: 100 + 2.00 + 100 × 1 % / 30 × 61 days = 2.03; b: 50 + 1.00 + 0.50 (30 days)
        assert r.original_total == D("100.00") + D("2.00") + D("2.03") + D("50.00") + D("1.00") + D("0.50")
        assert r.original_total == sum(amount_due(i, today)["total"] for i in (a, b))
        renegotiation_update(
            actor=admin_user, renegotiation=r, additions="10.00", discount="5.53", instalments=1
        )
    assert r.total == r.original_total + D("10.00") - D("5.53") == D("160.00")


def test_renegotiation_instalments_sum_to_the_total_monthly(admin_user, customer, two_overdue):
    with at(datetime.date(2026, 12, 10)):
        r = renegotiation_start(actor=admin_user, customer=customer, invoices=list(two_overdue))
        renegotiation_update(
            actor=admin_user, renegotiation=r, instalments=7, first_due_date=datetime.date(2027, 1, 31)
        )
        plan = renegotiation_preview(r)
    amounts = [amount for _due, amount in plan]
    assert sum(amounts) == r.total and len(plan) == 7
    assert max(amounts) - min(amounts) < D("0.07")  # equal parts, the cents left on the first
    assert amounts[1:] == [amounts[1]] * 6 and amounts[0] >= amounts[1]
    # monthly, the day kept where the month has it (31 → 28/30)
    assert [due for due, _amount in plan] == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 4, 30),
        datetime.date(2027, 5, 31),
        datetime.date(2027, 6, 30),
        datetime.date(2027, 7, 31),
    ]


def test_renegotiation_by_payment_condition_days(admin_user, customer, wallet, two_overdue):
    condition = PaymentCondition.objects.create(
        name="3x a cada 15 dias", instalments=3, first_due_days=10, days_between=15
    )
    today = datetime.date(2026, 12, 10)
    with at(today):
        r = renegotiation_start(actor=admin_user, customer=customer, invoices=list(two_overdue))
        renegotiation_update(actor=admin_user, renegotiation=r, payment_condition=condition)
        assert r.instalments == 3 and r.first_due_date == today + datetime.timedelta(days=10)
        plan = renegotiation_preview(r)
        assert [due for due, _amount in plan] == [
            datetime.date(2026, 12, 20),
            datetime.date(2027, 1, 4),
            datetime.date(2027, 1, 19),
        ]
        new = renegotiation_finish(actor=admin_user, renegotiation=r)
    assert [(i.due_date, i.amount) for i in new] == plan
    assert sum(i.amount for i in new) == r.total
    for invoice in new:
        assert invoice.renegotiation_id == r.pk and invoice.kind == "one-off" and len(invoice.barcode) == 44
    for old in two_overdue:
        old.refresh_from_db()
        assert old.renegotiated and old.status == InvoiceStatus.CANCELLED and old.color() == "grey"
    assert Invoice.objects.count() == 5  # nothing deleted
    assert r.status == Renegotiation.Status.DONE


def test_renegotiation_invoice_settled_meanwhile_fails_with_nothing_written(
    admin_user, customer, two_overdue
):
    a, b = two_overdue
    with at(datetime.date(2026, 12, 10)):
        r = renegotiation_start(actor=admin_user, customer=customer, invoices=[a, b])
        renegotiation_update(
            actor=admin_user, renegotiation=r, instalments=2, first_due_date=datetime.date(2027, 1, 10)
        )
        payment_create(actor=admin_user, invoice=b)
        before = counts()
        with pytest.raises(ApplicationError) as exc:
            renegotiation_finish(actor=admin_user, renegotiation=r)
    assert exc.value.code == "changed" and str(b.pk) in exc.value.message
    assert counts() == before
    a.refresh_from_db()
    r.refresh_from_db()
    assert r.status == Renegotiation.Status.DRAFT and a.is_open and not a.renegotiated


def test_renegotiation_holds_its_invoices_until_abandoned(admin_user, customer, two_overdue):
    a, b = two_overdue
    with at(datetime.date(2026, 12, 10)):
        first = renegotiation_start(actor=admin_user, customer=customer, invoices=[a, b])
        before = counts()
        with pytest.raises(ApplicationError) as exc:
            renegotiation_start(actor=admin_user, customer=customer, invoices=[b])
        assert exc.value.code == "in_renegotiation" and exc.value.field == "invoices"
        assert counts() == before

        renegotiation_cancel(actor=admin_user, renegotiation=first)
        assert first.status == Renegotiation.Status.CANCELLED
        second = renegotiation_start(actor=admin_user, customer=customer, invoices=[b])
        with pytest.raises(ApplicationError) as exc:
            renegotiation_finish(actor=admin_user, renegotiation=first)
        assert exc.value.code == "not_draft"
        new = renegotiation_finish(actor=admin_user, renegotiation=second)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_open and not a.renegotiated  # freed by the abandoned draft, untouched
    assert b.renegotiated and len(new) == 1


def test_renegotiation_refuses_other_customers_and_closed_invoices(
    admin_user, customer, customer_b, make_invoice, wallet_b
):
    mine = make_invoice()
    theirs = invoice_create(
        actor=admin_user, customer=customer_b, wallet=wallet_b, due_date=DUE, amount="10.00"
    )
    before = counts()
    with pytest.raises(ValidationError) as exc:
        renegotiation_start(actor=admin_user, customer=customer, invoices=[mine, theirs])
    assert set(exc.value.message_dict) == {"invoices"}
    with pytest.raises(ValidationError) as exc:
        renegotiation_start(actor=admin_user, customer=customer, invoices=[])
    assert set(exc.value.message_dict) == {"invoices"}
    invoice_cancel(actor=admin_user, invoice=mine, reason="Duplicada")
    before = counts()
    with pytest.raises(ValidationError) as exc:
        renegotiation_start(actor=admin_user, customer=customer, invoices=[mine])
    assert set(exc.value.message_dict) == {"invoices"}
    assert counts() == before


def test_renegotiation_update_errors_name_the_field(admin_user, customer, make_invoice, wallet_b):
    with at(datetime.date(2026, 12, 1)):
        r = renegotiation_start(actor=admin_user, customer=customer, invoices=[make_invoice()])
        cases = [
            ({"instalments": 0}, "instalments"),
            ({"instalments": 49}, "instalments"),
            ({"wallet": wallet_b}, "wallet"),
            ({"first_due_date": datetime.date(2026, 11, 30)}, "first_due_date"),
            ({"discount": "100.00"}, "discount"),
        ]
        for change, field in cases:
            before = counts()
            with pytest.raises(ValidationError) as exc:
                renegotiation_update(actor=admin_user, renegotiation=r, **change)
            assert set(exc.value.message_dict) == {field}, change
            assert counts() == before


def test_renegotiation_of_one_contract_links_the_new_invoices_to_it(
    admin_user, customer, wallet, contract_data
):
    contract = contract_create(actor=admin_user, **contract_data())
    old = invoice_create(
        actor=admin_user, customer=customer, contract=contract, wallet=wallet, due_date=DUE, amount="80.00"
    )
    with at(datetime.date(2026, 12, 1)):
        r = renegotiation_start(actor=admin_user, customer=customer, invoices=[old])
        renegotiation_update(actor=admin_user, renegotiation=r, instalments=2)
        new = renegotiation_finish(actor=admin_user, renegotiation=r)
    assert {i.contract_id for i in new} == {contract.pk}
    assert sum(i.amount for i in new) == D("80.00")
