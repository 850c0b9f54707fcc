"""The collection routine (SPEC F-9) across the days with time-machine: notice after N days,
automatic block 15 days after the notice, release on payment (on-commit check), exempt contracts,
manual blocks, the trust unlock, parameters, idempotence, and the effect on RADIUS."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from enlace.billing.cnab import SyntheticRecord, build_cnab240, nosso_numero_for
from enlace.billing.models import CollectionState
from enlace.billing.selectors import trust_unlock_available
from enlace.billing.services.collection import collection_run, trust_unlock, trust_unlock_forbid
from enlace.billing.services.imports import cnab_import
from enlace.billing.services.invoices import invoice_cancel, invoice_create
from enlace.billing.services.payments import payment_create
from enlace.contracts.models import Contract, ContractHistory
from enlace.contracts.services import contract_block, plan_save
from enlace.core.exceptions import ApplicationError
from enlace.core.services import parameters_update
from enlace.radius.freeradius import RadUserGroup
from enlace.radius.projection import BLOCKED_GROUP, plan_group
from enlace.radius.services import login_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted by their English msgids (the pt-BR catalog translates them)."""
    with translation.override("en"):
        yield


DUE = datetime.date(2026, 12, 10)


def at(day: datetime.date):
    """Noon UTC of ``day``: the same local date (America/Sao_Paulo)."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False
    )


def dec(day: int) -> datetime.date:
    return datetime.date(2026, 12, day) if day <= 31 else datetime.date(2027, 1, day - 31)


@pytest.fixture
def overdue(admin_user, active_contract, wallet):
    """An invoice of ``active_contract`` due on 10/12/2026."""
    return invoice_create(
        actor=admin_user,
        customer=active_contract.customer,
        contract=active_contract,
        wallet=wallet,
        due_date=DUE,
        amount="99.90",
    )


@pytest.fixture
def routine(active_contract):
    """Run the routine on a day of December (32 = 1/1/2027…); the contract's access status after."""

    def run(day: int, contract=None):
        contract = contract or active_contract
        with at(dec(day)):
            summary = collection_run()
        contract.refresh_from_db()
        run.last = summary
        return contract.access_status

    return run


def history(contract) -> int:
    return ContractHistory.objects.filter(contract=contract).count()


def state(contract) -> CollectionState:
    return CollectionState.objects.get(contract=contract)


def test_notice_then_block_after_15_days(active_contract, overdue, routine):
    assert routine(10) == "A"  # due today: not overdue yet
    entries = history(active_contract)
    assert routine(11) == "FA" and routine.last.notified == 1
    assert history(active_contract) == entries + 1
    entry = ContractHistory.objects.filter(contract=active_contract).order_by("-id").first()
    assert "10/12/2026" in entry.text and not entry.manual
    assert state(active_contract).notified_on == dec(11) and state(active_contract).overdue_since == DUE
    assert routine(25) == "FA"
    assert routine(26) == "CA" and routine.last.blocked == 1
    assert state(active_contract).blocked_on == dec(26)
    assert history(active_contract) == entries + 2
    assert routine(40) == "CA"  # stays blocked until paid or trust-unlocked
    assert history(active_contract) == entries + 2


def test_payment_releases_at_once_through_the_on_commit_check(
    admin_user, active_contract, overdue, routine, django_capture_on_commit_callbacks
):
    routine(11)
    assert routine(26) == "CA"
    with at(dec(27)), django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment_create(actor=admin_user, invoice=overdue)
    assert callbacks  # the check is queued after the commit, not run inside the payment
    active_contract.refresh_from_db()
    assert active_contract.access_status == "A"  # without waiting for the next routine
    st = state(active_contract)
    assert st.overdue_since is None and st.notified_on is None and st.blocked_on is None
    entries = history(active_contract)
    assert routine(28) == "A" and history(active_contract) == entries


def test_payment_of_the_oldest_invoice_keeps_the_block_while_another_is_overdue(
    admin_user, active_contract, wallet, overdue, routine, django_capture_on_commit_callbacks
):
    newer = invoice_create(
        actor=admin_user,
        customer=active_contract.customer,
        contract=active_contract,
        wallet=wallet,
        due_date=dec(15),
        amount="99.90",
    )
    routine(11)
    assert routine(26) == "CA"
    with at(dec(27)), django_capture_on_commit_callbacks(execute=True):
        payment_create(actor=admin_user, invoice=overdue)
    active_contract.refresh_from_db()
    assert active_contract.access_status == "CA" and state(active_contract).overdue_since == dec(15)
    with at(dec(27)), django_capture_on_commit_callbacks(execute=True):
        payment_create(actor=admin_user, invoice=newer)
    active_contract.refresh_from_db()
    assert active_contract.access_status == "A"


def test_cancel_and_bank_file_release_too(
    admin_user, active_contract, wallet, overdue, routine, django_capture_on_commit_callbacks
):
    routine(11)
    assert routine(26) == "CA"
    with at(dec(27)), django_capture_on_commit_callbacks(execute=True):
        invoice_cancel(actor=admin_user, invoice=overdue, reason="Cobrança indevida")
    active_contract.refresh_from_db()
    assert active_contract.access_status == "A"

    second = invoice_create(
        actor=admin_user,
        customer=active_contract.customer,
        contract=active_contract,
        wallet=wallet,
        due_date=dec(12),
        amount="99.90",
    )
    routine(13)
    assert routine(28) == "CA"
    record = SyntheticRecord(
        nosso_numero=nosso_numero_for(
            "240", "756", second.nosso_numero, agency=wallet.agency, account=wallet.account
        ),
        face_value=Decimal("99.90"),
        paid_amount=Decimal("99.90"),
        occurrence_date=dec(28),
    )
    with at(dec(29)), django_capture_on_commit_callbacks(execute=True):
        result = cnab_import(
            actor=admin_user,
            wallet=wallet,
            data=build_cnab240("756", [record]),
            file_name="r.RET",
            store_file=False,
        )
    assert result.cnab_import.settled == 1
    active_contract.refresh_from_db()
    assert active_contract.access_status == "A"


def test_routine_is_idempotent(active_contract, overdue, routine):
    for day in (11, 20, 26, 27):
        routine(day)
        entries = history(active_contract)
        status = active_contract.access_status
        st = state(active_contract)
        assert routine(day) == status
        assert history(active_contract) == entries
        assert (routine.last.notified, routine.last.blocked, routine.last.released) == (0, 0, 0)
        again = state(active_contract)
        assert (again.notified_on, again.blocked_on, again.overdue_since) == (
            st.notified_on,
            st.blocked_on,
            st.overdue_since,
        )


def test_routine_catches_up_after_days_without_running(active_contract, overdue, routine):
    """The routine did not run for a while: the first run notifies, the block still waits for
    15 days after that notice (Anatel)."""
    assert routine(30) == "FA" and state(active_contract).notified_on == dec(30)
    assert routine(44) == "FA"
    assert routine(45) == "CA"


def test_exempt_contract_is_skipped_until_its_date(active_contract, overdue, routine):
    Contract.objects.filter(pk=active_contract.pk).update(no_block_until=dec(20))
    entries = history(active_contract)
    assert routine(11) == "A" and routine.last.skipped == 1
    assert routine(20) == "A" and routine.last.skipped == 1
    assert history(active_contract) == entries
    assert routine(21) == "FA"
    # an exemption given while in notice holds the block back too
    Contract.objects.filter(pk=active_contract.pk).update(no_block_until=dec(40))
    assert routine(36) == "FA" and routine.last.skipped == 1
    assert routine(41) == "CA"


def test_manual_block_is_untouched(
    admin_user, active_contract, overdue, routine, django_capture_on_commit_callbacks
):
    contract_block(actor=admin_user, contract=active_contract, reason="Pedido do cliente")
    entries = history(active_contract)
    for day in (11, 26, 40):
        assert routine(day) == "CM"
    assert history(active_contract) == entries
    with at(dec(41)), django_capture_on_commit_callbacks(execute=True):
        payment_create(actor=admin_user, invoice=overdue)
    active_contract.refresh_from_db()
    assert active_contract.access_status == "CM" and history(active_contract) == entries


def test_contract_without_overdue_invoice_is_untouched(
    admin_user, active_contract, contract_data, overdue, routine
):
    from enlace.contracts.services import contract_activate, contract_create

    other = contract_activate(actor=admin_user, contract=contract_create(actor=admin_user, **contract_data()))
    entries = history(other)
    assert routine(11) == "FA"
    other.refresh_from_db()
    assert other.access_status == "A" and history(other) == entries
    assert routine.last.checked == 1  # only contracts with something to judge are looked at


def test_trust_unlock_once_per_block(admin_user, active_contract, overdue, routine):
    routine(11)
    with at(dec(20)), pytest.raises(ApplicationError) as exc:  # in notice: nothing to unlock
        trust_unlock(actor=admin_user, contract=active_contract)
    assert exc.value.code == "trust_unlock_refused"
    assert routine(26) == "CA"
    assert trust_unlock_available(active_contract) == (True, "")
    with at(dec(27)):
        trust_unlock(actor=admin_user, contract=active_contract)
    assert active_contract.access_status == "A" and state(active_contract).trust_until == dec(30)
    entry = ContractHistory.objects.filter(contract=active_contract).order_by("-id").first()
    assert "30/12/2026" in entry.text and entry.operator_id == admin_user.pk
    for day in (27, 28, 30):  # the default 3 days
        assert routine(day) == "A"
    entries = history(active_contract)
    assert routine(31) == "CA" and routine.last.blocked == 1  # trust ended with the invoice open
    assert history(active_contract) == entries + 1
    allowed, why = trust_unlock_available(active_contract)
    assert not allowed and "already used" in why
    with at(dec(31)), pytest.raises(ApplicationError) as exc:
        trust_unlock(actor=admin_user, contract=active_contract)
    assert exc.value.code == "trust_unlock_refused"
    assert routine(32) == "CA"


def test_trust_unlock_again_for_a_new_block(
    admin_user, active_contract, wallet, overdue, routine, django_capture_on_commit_callbacks
):
    routine(11)
    routine(26)
    with at(dec(27)):
        trust_unlock(actor=admin_user, contract=active_contract)
    with at(dec(28)), django_capture_on_commit_callbacks(execute=True):
        payment_create(actor=admin_user, invoice=overdue)
    active_contract.refresh_from_db()
    assert active_contract.access_status == "A" and state(active_contract).trust_until is None
    invoice_create(
        actor=admin_user,
        customer=active_contract.customer,
        contract=active_contract,
        wallet=wallet,
        due_date=dec(41),
        amount="99.90",
    )
    assert routine(42) == "FA"
    assert routine(57) == "CA"
    with at(dec(57)):
        trust_unlock(actor=admin_user, contract=active_contract, source="portal")
    assert active_contract.access_status == "A"
    entry = ContractHistory.objects.filter(contract=active_contract).order_by("-id").first()
    assert "portal" in entry.text


def test_trust_unlock_refused_when_forbidden(admin_user, active_contract, overdue, routine):
    entries = history(active_contract)
    trust_unlock_forbid(actor=admin_user, contract=active_contract)
    assert history(active_contract) == entries + 1
    routine(11)
    assert routine(26) == "CA"
    allowed, why = trust_unlock_available(active_contract)
    assert not allowed and "forbidden" in why
    with at(dec(27)), pytest.raises(ApplicationError) as exc:
        trust_unlock(actor=admin_user, contract=active_contract)
    assert exc.value.code == "trust_unlock_refused"
    active_contract.refresh_from_db()
    assert active_contract.access_status == "CA"
    trust_unlock_forbid(actor=admin_user, contract=active_contract, forbidden=False)
    with at(dec(27)):
        trust_unlock(actor=admin_user, contract=active_contract)
    assert active_contract.access_status == "A"


def test_changed_parameters_take_effect(admin_user, active_contract, overdue, routine):
    parameters_update(
        actor=admin_user, collection_notice_days=5, collection_block_days=3, trust_unlock_days=1
    )
    assert routine(14) == "A"
    assert routine(15) == "FA"  # 5 days after the due date
    assert routine(17) == "FA"
    assert routine(18) == "CA"  # 3 days after the notice
    with at(dec(18)):
        trust_unlock(actor=admin_user, contract=active_contract)
    assert state(active_contract).trust_until == dec(19)
    assert routine(19) == "A"
    assert routine(20) == "CA"


# --- RADIUS ----------------------------------------------------------------------------------------


def group_of(login) -> str:
    return RadUserGroup.objects.get(username=login.username).groupname


def test_radius_follows_the_routine(
    admin_user, active_contract, overdue, routine, django_capture_on_commit_callbacks
):
    login = login_create(
        actor=admin_user, contract=active_contract, username="maria@fibra", password="segredo123"
    )
    assert group_of(login) == plan_group(active_contract.plan_id)
    assert routine(11) == "FA"
    # the plan has no reduced speed: the notice keeps the plan's group
    assert group_of(login) == plan_group(active_contract.plan_id)
    assert routine(26) == "CA"
    assert group_of(login) == BLOCKED_GROUP == "enlace_blocked"
    with at(dec(27)), django_capture_on_commit_callbacks(execute=True):
        payment_create(actor=admin_user, invoice=overdue)
    assert group_of(login) == plan_group(active_contract.plan_id)


def test_radius_reduced_speed_in_notice(admin_user, active_contract, overdue, routine):
    plan = active_contract.plan
    plan.reduced_download_kbps, plan.reduced_upload_kbps = 1_000, 512
    plan_save(plan, actor=admin_user)
    login = login_create(
        actor=admin_user, contract=active_contract, username="maria@fibra", password="segredo123"
    )
    assert routine(11) == "FA"
    assert group_of(login) == plan_group(plan.pk, reduced=True) == f"plan_{plan.pk}_reduced"
    assert routine(26) == "CA"
    assert group_of(login) == BLOCKED_GROUP
    with at(dec(26)):
        trust_unlock(actor=admin_user, contract=active_contract)
    assert group_of(login) == plan_group(plan.pk)
