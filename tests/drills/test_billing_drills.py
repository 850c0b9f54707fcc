"""Fault drills of the billing run and the collection routine, with real Celery workers on a real
Redis broker (tests/drills/conftest.py):

- a worker killed with SIGKILL in the middle of a billing run, then the run taken again by a new
  worker: every contract billed exactly once, the run ends DONE with exact figures;
- two workers executing the same billing run (plus a second run of the same period) and the same
  collection routine at once: no invoice and no status change twice.
"""

import datetime
import re

import pytest
from django.db import connection, connections
from django.utils import timezone

from enlace.billing.models import BillingRun, Invoice, InvoiceKind, WalletSequence
from enlace.billing.selectors import STALE_AFTER
from enlace.billing.services.runs import billing_run_claim, billing_run_start
from enlace.contracts.models import AccessStatus, ContractHistory
from enlace.contracts.services import contract_activate, contract_create
from tests.drills.conftest import wait_for
from tests.helpers.contracts import make_wallet

pytestmark = pytest.mark.services

EXECUTE = "enlace.billing.tasks.execute_billing_run"


@pytest.fixture
def new_contract(admin_user, contract_data):
    def make(*, activated, **extra):
        contract = contract_create(actor=admin_user, **contract_data(first_billing_date=activated, **extra))
        return contract_activate(actor=admin_user, contract=contract, activation_date=activated)

    return make


def invoices_per_contract(period: str) -> dict[int, int]:
    counts: dict[int, int] = {}
    for contract_id in Invoice.objects.filter(kind=InvoiceKind.RECURRING, period=period).values_list(
        "contract_id", flat=True
    ):
        counts[contract_id] = counts.get(contract_id, 0) + 1
    return counts


def backends_waiting_on_a_lock() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL-only drill: the worker is stopped at a row lock, which SQLite does not have",
)
def test_worker_killed_mid_run_then_taken_again_bills_every_contract_once(
    workers, admin_user, new_contract, wallet, branch_a
):
    december = datetime.date(2026, 12, 1)
    other_wallet = make_wallet(branch_a, name="Carteira B", convenio="654321")
    first = [new_contract(activated=december) for _ in range(6)]
    later = [new_contract(activated=december, wallet=other_wallet) for _ in range(4)]
    WalletSequence.objects.get_or_create(wallet=other_wallet)
    run = billing_run_start(actor=admin_user, period="2026-12")

    # Another transaction holds the second wallet's nosso número row: the worker bills the first
    # wallet's contracts (3 chunks of 2, each committed) and then waits on that lock, mid-chunk.
    blocker = connections.create_connection("default")
    try:
        blocker.set_autocommit(False)
        with blocker.cursor() as cursor:
            cursor.execute(
                "SELECT next_value FROM billing_walletsequence WHERE wallet_id = %s FOR UPDATE",
                [other_wallet.pk],
            )
        worker = workers.start("billing")
        workers.broker.send(EXECUTE, run.pk, chunk=2)
        waiting = wait_for(backends_waiting_on_a_lock, what="the worker to wait on the wallet's lock")
        run.refresh_from_db()
        assert (run.status, run.processed, run.created) == (BillingRun.Status.RUNNING, 6, 6)

        worker.kill()  # SIGKILL, mid-chunk: its open transaction never commits
        with connection.cursor() as cursor:  # the server would notice the dead client later
            cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [waiting])
    finally:
        blocker.rollback()
        blocker.close()

    run.refresh_from_db()
    assert run.status == BillingRun.Status.RUNNING  # nobody wrote its end
    assert invoices_per_contract("2026-12") == {c.pk: 1 for c in first}
    assert billing_run_claim(run.pk) is None  # its heartbeat is fresh: it could still be alive

    # Ten minutes without a heartbeat: beat's resume_billing_runs sends it to a worker again.
    BillingRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1)
    )
    workers.start("again")
    workers.broker.send("enlace.billing.tasks.resume_billing_runs")
    wait_for(
        lambda: BillingRun.objects.get(pk=run.pk).status == BillingRun.Status.DONE,
        what="the run to be taken again and finish",
    )
    run.refresh_from_db()
    assert invoices_per_contract("2026-12") == {c.pk: 1 for c in first + later}
    assert (run.total, run.processed, run.created, run.errors) == (10, 10, 10, 0)
    numbers = list(Invoice.objects.values_list("wallet_id", "nosso_numero"))
    assert len(set(numbers)) == 10
    assert BillingRun.objects.count() == 1


def test_two_workers_on_the_same_run_and_the_same_collection_routine_double_nothing(
    workers, admin_user, new_contract
):
    # Contracts billed two months ago and never paid: the collection routine notifies them.
    past = timezone.localdate().replace(day=1) - datetime.timedelta(days=45)
    activated = past.replace(day=1)
    period = f"{activated:%Y-%m}"
    contracts = [new_contract(activated=activated, due_day=10) for _ in range(10)]
    run = billing_run_start(actor=admin_user, period=period)
    rival = billing_run_start(actor=admin_user, period=period)

    one, two = workers.start("one"), workers.start("two")
    # The same run twice (a redelivered message, a double click) and a second run of the period.
    workers.broker.send(EXECUTE, run.pk, chunk=3)
    workers.broker.send(EXECUTE, run.pk, chunk=3)
    workers.broker.send(EXECUTE, rival.pk, chunk=3)
    wait_for(
        lambda: set(BillingRun.objects.values_list("status", flat=True)) == {BillingRun.Status.DONE},
        what="both runs to finish",
    )
    assert invoices_per_contract(period) == {c.pk: 1 for c in contracts}
    run.refresh_from_db()
    rival.refresh_from_db()
    assert run.created + rival.created == 10
    assert "'status': 'taken'" in one.text() + two.text()

    before = timezone.now()
    workers.broker.send("enlace.billing.tasks.collection_routine")
    workers.broker.send("enlace.billing.tasks.collection_routine")
    done = re.compile(r"Task enlace\.billing\.tasks\.collection_routine\[[^\]]+\] succeeded")
    wait_for(
        lambda: len(done.findall(one.text() + two.text())) == 2,
        what="both collection routines to finish",
    )
    for contract in contracts:
        contract.refresh_from_db()
        assert contract.access_status == AccessStatus.OVERDUE
        changes = ContractHistory.objects.filter(
            contract=contract, kind=ContractHistory.Kind.ACCESS_STATUS, created_at__gte=before
        )
        assert changes.count() == 1, list(changes.values_list("text", flat=True))
