"""Contract services: creation, every allowed and refused transition, history, audit, signals,
branch scope."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from enlace.contracts import services, signals
from enlace.contracts.models import Contract, ContractHistory
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    events = []

    def handler(sender, **kwargs):
        events.append((kwargs["old"], kwargs["new"]))

    signals.access_status_changed.connect(handler, dispatch_uid="test_contracts_access")
    yield events
    signals.access_status_changed.disconnect(dispatch_uid="test_contracts_access")


def entries(contract):
    return list(ContractHistory.objects.filter(contract=contract).order_by("id"))


def test_create_writes_a_history_entry(contract, admin_user, customer):
    [entry] = entries(contract)
    assert entry.kind == ContractHistory.Kind.CREATED
    assert entry.customer == customer
    assert entry.operator == admin_user and entry.operator_name == "admin"
    assert entry.manual is False


def test_create_refuses_status_fields(admin_user, contract_data):
    with pytest.raises(ValidationError) as exc:
        services.contract_create(actor=admin_user, **contract_data(status="A"))
    assert "status" in exc.value.message_dict
    assert not Contract.objects.exists()


def test_create_invalid_writes_nothing(admin_user, contract_data):
    with pytest.raises(ValidationError):
        services.contract_create(actor=admin_user, **contract_data(due_day=30))
    assert not Contract.objects.exists() and not ContractHistory.objects.exists()


def test_create_refused_outside_the_operators_branches(
    operator_a_admin, admin_user, customer_b, plan_b, wallet_b, condition, branch_b
):
    with pytest.raises(ApplicationError) as exc:
        services.contract_create(
            actor=operator_a_admin,
            customer=customer_b,
            branch=branch_b,
            plan=plan_b,
            type="I",
            due_day=5,
            wallet=wallet_b,
            payment_condition=condition,
            first_billing_date=datetime.date(2026, 12, 5),
        )
    assert exc.value.code == "branch_scope"
    assert not Contract.objects.exists()


def test_activate(contract, admin_user, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_activate(
            actor=admin_user, contract=contract, activation_date=datetime.date(2026, 11, 20)
        )
    contract.refresh_from_db()
    assert (contract.status, contract.access_status) == ("A", "A")
    assert contract.activation_date == datetime.date(2026, 11, 20)
    assert contract.status_changed_at is not None and contract.access_status_changed_at is not None
    assert entries(contract)[-1].kind == ContractHistory.Kind.ACTIVATED
    assert received == [("AA", "A")]


def test_signals_not_sent_before_commit(contract, admin_user, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.contract_activate(actor=admin_user, contract=contract)
    assert received == [] and callbacks


@pytest.fixture
def active(contract, admin_user):
    return services.contract_activate(actor=admin_user, contract=contract)


def test_activate_twice_refused(active, admin_user):
    with pytest.raises(ApplicationError) as exc:
        services.contract_activate(actor=admin_user, contract=active)
    assert exc.value.code == "invalid_transition"


def test_block_and_unblock(active, admin_user, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_block(actor=admin_user, contract=active, reason="Pedido do cliente")
    active.refresh_from_db()
    assert active.access_status == "CM" and active.status == "A"
    entry = entries(active)[-1]
    assert entry.kind == ContractHistory.Kind.BLOCKED and "Pedido do cliente" in entry.text
    assert entry.operator == admin_user
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_unblock(actor=admin_user, contract=active, reason="Pagou")
    active.refresh_from_db()
    assert active.access_status == "A"
    assert entries(active)[-1].kind == ContractHistory.Kind.UNBLOCKED
    assert received == [("A", "CM"), ("CM", "A")]


@pytest.mark.parametrize("access", ["CA", "FA"])
def test_unblock_automatic_and_overdue(active, admin_user, access):
    Contract.objects.filter(pk=active.pk).update(access_status=access)
    services.contract_unblock(actor=admin_user, contract=active)
    active.refresh_from_db()
    assert active.access_status == "A"


def test_block_requires_a_reason(active, admin_user):
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            services.contract_block(actor=admin_user, contract=active, reason=reason)
        assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.contract_block(actor=admin_user, contract=active, reason=" motivo")
    assert "reason" in exc.value.message_dict
    active.refresh_from_db()
    assert active.access_status == "A"


def test_block_refused_unless_active(contract, admin_user):
    with pytest.raises(ApplicationError):
        services.contract_block(actor=admin_user, contract=contract, reason="x")
    contract.refresh_from_db()
    assert contract.access_status == "AA"
    assert len(entries(contract)) == 1


def test_block_twice_refused(active, admin_user):
    services.contract_block(actor=admin_user, contract=active, reason="x")
    with pytest.raises(ApplicationError):
        services.contract_block(actor=admin_user, contract=active, reason="y")


def test_unblock_refused_when_not_blocked(active, contract, admin_user):
    with pytest.raises(ApplicationError):
        services.contract_unblock(actor=admin_user, contract=active)


def test_cancel(active, admin_user, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_cancel(
            actor=admin_user,
            contract=active,
            reason="Mudou de cidade",
            origin="M",
            date=datetime.date(2026, 11, 27),
        )
    active.refresh_from_db()
    assert (active.status, active.access_status) == ("I", "D")
    assert active.cancellation_date == datetime.date(2026, 11, 27)
    assert active.cancellation_reason == "Mudou de cidade" and active.cancellation_origin == "M"
    assert entries(active)[-1].kind == ContractHistory.Kind.CANCELLED
    assert received == [("A", "D")]


def test_cancel_a_pre_contract(contract, admin_user):
    services.contract_cancel(actor=admin_user, contract=contract, reason="Desistiu", origin="A")
    contract.refresh_from_db()
    assert contract.status == "I" and contract.cancellation_origin == "A"


def test_cancel_requires_reason_and_valid_origin(active, admin_user):
    with pytest.raises(ValidationError) as exc:
        services.contract_cancel(actor=admin_user, contract=active, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.contract_cancel(actor=admin_user, contract=active, reason="x", origin="Z")
    assert "origin" in exc.value.message_dict


@pytest.mark.parametrize("action", ["activate", "block", "unblock", "cancel"])
def test_nothing_allowed_on_a_cancelled_contract(active, admin_user, action):
    services.contract_cancel(actor=admin_user, contract=active, reason="Fim")
    before = len(entries(active))
    kwargs = {"reason": "x"} if action in ("block", "cancel") else {}
    with pytest.raises(ApplicationError) as exc:
        getattr(services, f"contract_{action}")(actor=admin_user, contract=active, **kwargs)
    assert exc.value.code == "invalid_transition"
    active.refresh_from_db()
    assert (active.status, active.access_status) == ("I", "D")
    assert len(entries(active)) == before


def test_actions_refused_outside_the_operators_branches(contract_b, operator_a_admin):
    with pytest.raises(ApplicationError) as exc:
        services.contract_activate(actor=operator_a_admin, contract=contract_b)
    assert exc.value.code == "branch_scope"
    contract_b.refresh_from_db()
    assert contract_b.status == "P"
    assert len(entries(contract_b)) == 1


def test_actions_are_audited(active, admin_user):
    services.contract_block(actor=admin_user, contract=active, reason="x")
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract), object_id=str(active.pk), action="update"
    )
    assert any(c.postchange_data.get("access_status") == "CM" and c.user == admin_user for c in changes)


def test_update_cannot_change_status(contract, admin_user):
    with pytest.raises(ValidationError):
        services.contract_update(actor=admin_user, contract=contract, access_status="A")
    services.contract_update(actor=admin_user, contract=contract, due_day=20)
    contract.refresh_from_db()
    assert contract.due_day == 20 and contract.access_status == "AA"


def test_history_add_manual(contract, admin_user):
    entry = services.history_add(actor=admin_user, contract=contract, text="Cliente ligou", manual=True)
    assert entry.manual and entry.customer_id == contract.customer_id
    with pytest.raises(ValidationError) as exc:
        services.history_add(actor=admin_user, contract=contract, text=" com espaço")
    assert "text" in exc.value.message_dict


def test_contract_cannot_move_to_another_customer(contract, admin_user, customer_b, customer):
    with pytest.raises(ValidationError) as exc:
        services.contract_update(actor=admin_user, contract=contract, customer=customer_b)
    assert "customer" in exc.value.message_dict
    services.contract_update(actor=admin_user, contract=contract, customer=customer, notes="ok")
    contract.refresh_from_db()
    assert contract.customer == customer and contract.notes == "ok"
