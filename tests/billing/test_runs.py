"""The billing run (SPEC F-3): one recurring invoice per active contract and period, due on the
contract's due day, pro rata for the first period; a second run — or a run started again after a
crash half-way — creates nothing twice."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enlace.billing import pix
from enlace.billing.boleto import parse_boleto
from enlace.billing.models import BillingRun, Invoice, InvoiceKind
from enlace.billing.selectors import parse_period
from enlace.billing.services.runs import (
    _bill_chunk,
    billing_run_execute,
    billing_run_start,
    billing_run_start_and_execute,
)
from enlace.contracts.services import contract_activate, contract_cancel, contract_create
from enlace.core.models import ObjectChange, Wallet
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids (the pt-BR catalog translates them)."""
    with translation.override("en"):
        yield


D = Decimal
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"


@pytest.fixture
def new_contract(admin_user, contract_data):
    """A contract activated on ``activated`` (``None``: left a pre-contract)."""

    def make(activated=datetime.date(2026, 12, 1), first_billing=datetime.date(2026, 12, 1), **extra):
        contract = contract_create(
            actor=admin_user, **contract_data(first_billing_date=first_billing, **extra)
        )
        if activated:
            contract_activate(actor=admin_user, contract=contract, activation_date=activated)
        return contract

    return make


def invoices_of(contract) -> list[Invoice]:
    return list(Invoice.objects.filter(contract=contract).order_by("period"))


def test_one_invoice_per_contract_due_on_its_day(admin_user, new_contract, wallet):
    Wallet.objects.filter(pk=wallet.pk).update(pix_key=PIX_KEY)
    contracts = [new_contract(due_day=day) for day in (1, 10, 28)]
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert (run.status, run.total, run.processed, run.created, run.skipped, run.errors) == (
        "done",
        3,
        3,
        3,
        0,
        0,
    )
    assert run.amount == D("299.70") and run.started_at and run.finished_at
    for contract, day in zip(contracts, (1, 10, 28), strict=True):
        (invoice,) = invoices_of(contract)
        assert invoice.kind == InvoiceKind.RECURRING and invoice.period == "2026-12"
        assert invoice.due_date == datetime.date(2026, 12, day) and invoice.amount == D("99.90")
        assert invoice.customer_id == contract.customer_id and invoice.branch_id == contract.branch_id
        assert invoice.wallet_id == contract.wallet_id and invoice.billing_run_id == run.pk
        assert invoice.nosso_numero and len(invoice.barcode) == 44
        slip = parse_boleto(invoice.digitable_line)
        assert slip.amount == D("99.90") and slip.due_date == invoice.due_date
        brcode = pix.parse_brcode(invoice.pix_payload)
        assert brcode.amount == D("99.90")
    numbers = [i.nosso_numero for i in Invoice.objects.all()]
    assert len(set(numbers)) == 3
    # the audit trail records the run, not one entry per invoice
    assert ObjectChange.objects.filter(content_type__model="invoice").count() == 0
    assert ObjectChange.objects.filter(content_type__model="billingrun", object_id=str(run.pk)).exists()


def test_second_run_creates_nothing(admin_user, new_contract):
    for _n in range(4):
        new_contract()
    first = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    numbers = sorted(Invoice.objects.values_list("pk", "nosso_numero", "amount"))
    second = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert first.created == 4
    assert (second.total, second.created, second.skipped, second.errors) == (0, 0, 0, 0)
    assert sorted(Invoice.objects.values_list("pk", "nosso_numero", "amount")) == numbers
    assert BillingRun.objects.count() == 2


def test_run_crashed_half_way_and_started_again_creates_one_invoice_per_contract(admin_user, new_contract):
    contracts = [new_contract() for _n in range(5)]
    run = billing_run_start(actor=admin_user, period="2026-12")
    calls = []

    def crash(count):
        calls.append(count)
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError, match="worker killed"):
        billing_run_execute(run, chunk=2, progress=crash)
    run.refresh_from_db()
    assert (
        calls == [2] and run.status == BillingRun.Status.FAILED and "worker killed" in run.error_messages[-1]
    )
    assert Invoice.objects.count() == 2  # the first chunk committed on its own

    again = billing_run_execute(billing_run_start(actor=admin_user, period="2026-12"), chunk=2)
    assert (again.total, again.created, again.errors) == (3, 3, 0)
    for contract in contracts:
        assert len(invoices_of(contract)) == 1
    assert billing_run_start_and_execute(actor=admin_user, period="2026-12").created == 0


def test_run_skips_contracts_billed_by_another_run_meanwhile(admin_user, new_contract):
    """A chunk whose insert hits the unique (contract, period) constraint is taken again without
    the contracts another run billed meanwhile."""
    a, b = new_contract(), new_contract()
    run = billing_run_start(actor=admin_user, period="2026-12")
    first, last = parse_period("2026-12")
    other = billing_run_start(actor=admin_user, period="2026-12")
    _bill_chunk(other, [a.pk], first, last)  # the other run bills a first
    created, skipped, amount, errors = _bill_chunk(run, [a.pk, b.pk], first, last)
    assert (created, skipped, errors) == (1, 1, [])
    assert len(invoices_of(a)) == len(invoices_of(b)) == 1


@pytest.mark.parametrize(
    ("period", "activated", "due_day", "first_billing", "amount"),
    [
        # 31-day month: 17/12 → 31/12 = 15 days
        ("2026-12", datetime.date(2026, 12, 17), 20, datetime.date(2026, 12, 20), D("48.34")),
        # activated on the 1st: the whole month
        ("2026-12", datetime.date(2026, 12, 1), 10, datetime.date(2026, 12, 10), D("99.90")),
        # the example of docs/billing.md: 20/11 → 31/12 = 42 days of a 31-day month
        ("2026-12", datetime.date(2026, 11, 20), 10, datetime.date(2026, 12, 10), D("135.35")),
        # 30-day month: 16/04 → 30/04 = 15 days
        ("2027-04", datetime.date(2027, 4, 16), 25, datetime.date(2027, 4, 25), D("49.95")),
        # 28-day month: 15/02 → 28/02 = 14 days
        ("2027-02", datetime.date(2027, 2, 15), 20, datetime.date(2027, 2, 20), D("49.95")),
        # 28-day month, activated in January, first billed in February: 40 days
        ("2027-02", datetime.date(2027, 1, 20), 10, datetime.date(2027, 2, 10), D("142.71")),
        # leap year: 15/02 → 29/02 = 15 days of 29
        ("2028-02", datetime.date(2028, 2, 15), 20, datetime.date(2028, 2, 20), D("51.67")),
    ],
)
def test_first_invoice_is_pro_rata(
    admin_user, new_contract, period, activated, due_day, first_billing, amount
):
    contract = new_contract(activated=activated, first_billing=first_billing, due_day=due_day)
    run = billing_run_start_and_execute(actor=admin_user, period=period)
    assert run.created == 1
    (invoice,) = invoices_of(contract)
    assert invoice.amount == amount
    year, month = map(int, period.split("-"))
    assert invoice.due_date == datetime.date(year, month, due_day)
    # the next period charges the monthly amount
    following = f"{year + month // 12}-{month % 12 + 1:02d}"
    billing_run_start_and_execute(actor=admin_user, period=following)
    assert invoices_of(contract)[-1].amount == D("99.90")


def test_first_billing_date_is_respected(admin_user, new_contract):
    contract = new_contract(
        activated=datetime.date(2026, 12, 5), first_billing=datetime.date(2027, 1, 10), due_day=10
    )
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert (run.total, run.created, run.skipped) == (1, 0, 1)
    run = billing_run_start_and_execute(actor=admin_user, period="2027-01")
    (invoice,) = invoices_of(contract)
    # the first invoice covers 05/12 → 31/01: 58 days of a 31-day month
    assert invoice.period == "2027-01" and invoice.amount == D("186.91")


def test_contract_activated_long_before_its_first_invoice_pays_no_back_fees(admin_user, new_contract):
    """A contract brought over from another system (activated months before its first billing
    date) starts with the plain monthly amount."""
    contract = new_contract(
        activated=datetime.date(2025, 3, 17), first_billing=datetime.date(2027, 1, 10), due_day=10
    )
    assert billing_run_start_and_execute(actor=admin_user, period="2026-12").created == 0
    assert billing_run_start_and_execute(actor=admin_user, period="2027-01").created == 1
    assert invoices_of(contract)[0].amount == D("99.90")


def test_inactive_pre_contract_and_later_contracts_are_skipped(admin_user, new_contract):
    billed = new_contract()
    pre = new_contract(activated=None)
    cancelled = new_contract()
    contract_cancel(actor=admin_user, contract=cancelled, reason="Mudou de cidade")
    later = new_contract(activated=datetime.date(2027, 1, 5), first_billing=datetime.date(2027, 1, 10))
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert (run.total, run.created) == (1, 1)
    assert len(invoices_of(billed)) == 1
    assert invoices_of(pre) == invoices_of(cancelled) == invoices_of(later) == []


def test_contract_discount_and_price_override(admin_user, new_contract):
    discounted = new_contract(discount=D("9.90"))
    own_price = new_contract(price=D("150.00"), discount=D("20.00"))
    free = new_contract(price=D("0.00"))
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert invoices_of(discounted)[0].amount == D("90.00")
    assert invoices_of(own_price)[0].amount == D("130.00")
    assert invoices_of(free) == []  # nothing to charge
    assert (run.created, run.skipped, run.amount) == (2, 1, D("220.00"))


def test_branch_filter(admin_user, new_contract, contract_b, branch_a, branch_b):
    mine = new_contract()
    contract_activate(actor=admin_user, contract=contract_b, activation_date=datetime.date(2026, 11, 1))
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12", branch=branch_a)
    assert (run.total, run.created, run.branch_id) == (1, 1, branch_a.pk)
    assert len(invoices_of(mine)) == 1 and invoices_of(contract_b) == []
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert run.created == 1
    (invoice,) = invoices_of(contract_b)
    assert invoice.branch_id == branch_b.pk and invoice.due_date == datetime.date(2026, 12, 5)


def test_operator_of_one_branch_runs_only_that_branch(operator_a, branch_a, branch_b):
    with pytest.raises(ValidationError) as exc:
        billing_run_start(actor=operator_a, period="2026-12")
    assert set(exc.value.message_dict) == {"branch"}
    with pytest.raises(ValidationError) as exc:
        billing_run_start(actor=operator_a, period="2026-12", branch=branch_b)
    assert set(exc.value.message_dict) == {"branch"}
    assert billing_run_start(actor=operator_a, period="2026-12", branch=branch_a).branch_id == branch_a.pk


def test_wallet_that_cannot_issue_is_reported_while_others_are_created(admin_user, new_contract, branch_a):
    bad = make_wallet(branch_a, name="Sicoob agência errada", agency="306999", convenio="654321")
    good = [new_contract(), new_contract()]
    broken = new_contract(wallet=bad)
    run = billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert (run.status, run.created, run.errors) == ("done", 2, 1)
    assert f"Contract {broken.pk}" in run.error_messages[0] and "agency" in run.error_messages[0]
    assert all(len(invoices_of(c)) == 1 for c in good) and invoices_of(broken) == []
    # fixed, the next run bills it
    Wallet.objects.filter(pk=bad.pk).update(agency="3069")
    assert billing_run_start_and_execute(actor=admin_user, period="2026-12").created == 1
    assert len(invoices_of(broken)) == 1


@pytest.mark.parametrize("period", ["2026-13", "2026-1", "26-12", "", "2026/12", "dezembro"])
def test_bad_period_is_refused_naming_period(admin_user, period):
    with pytest.raises(ValidationError) as exc:
        billing_run_start_and_execute(actor=admin_user, period=period)
    assert set(exc.value.message_dict) == {"period"}
    assert BillingRun.objects.count() == 0


def test_progress_reports_every_chunk(admin_user, new_contract):
    for _n in range(5):
        new_contract()
    seen = []
    run = billing_run_execute(
        billing_run_start(actor=admin_user, period="2026-12"), chunk=2, progress=seen.append
    )
    assert seen == [2, 2, 1] and run.processed == 5 and run.created == 5


def test_chunks_take_each_wallet_numbers_in_one_go(admin_user, new_contract, branch_a):
    other = make_wallet(branch_a, name="Carteira 2")
    a = [new_contract() for _n in range(3)]
    b = [new_contract(wallet=other) for _n in range(2)]
    billing_run_start_and_execute(actor=admin_user, period="2026-12")
    assert sorted(i.nosso_numero for c in a for i in invoices_of(c)) == [1, 2, 3]
    assert sorted(i.nosso_numero for c in b for i in invoices_of(c)) == [1, 2]
