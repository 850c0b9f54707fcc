"""contract_change_plan (upgrade/downgrade) and contract_set_access_status (collection routine)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enlace.contracts import services, signals
from enlace.contracts.models import ContractHistory
from enlace.core.exceptions import ApplicationError
from tests.helpers.contracts import make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(contract, admin_user):
    return services.contract_activate(actor=admin_user, contract=contract)


@pytest.fixture
def faster(branch_a):
    return make_plan(branch_a, name="Fibra 1 Giga", price=Decimal("149.90"))


@pytest.fixture
def plan_events():
    events = []

    def handler(sender, **kwargs):
        events.append((kwargs["old"].name, kwargs["new"].name, kwargs["kind"]))

    signals.plan_changed.connect(handler, dispatch_uid="test_plan_changed")
    yield events
    signals.plan_changed.disconnect(dispatch_uid="test_plan_changed")


def test_upgrade(active, faster, admin_user, plan_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_change_plan(
            actor=admin_user, contract=active, plan=faster, effective_date=datetime.date(2026, 12, 1)
        )
    active.refresh_from_db()
    assert active.plan == faster
    entry = ContractHistory.objects.filter(contract=active).first()
    assert entry.kind == ContractHistory.Kind.PLAN_CHANGED and "Fibra 1 Giga" in entry.text
    assert plan_events == [("Fibra 500", "Fibra 1 Giga", "upgrade")]


def test_downgrade(active, branch_a, admin_user, plan_events, django_capture_on_commit_callbacks):
    cheaper = make_plan(branch_a, name="Fibra 100", price=Decimal("59.90"))
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_change_plan(actor=admin_user, contract=active, plan=cheaper)
    assert plan_events[0][2] == "downgrade"


def test_change_plan_refusals(active, plan, admin_user, branch_a, plan_b):
    with pytest.raises(ValidationError) as exc:
        services.contract_change_plan(actor=admin_user, contract=active, plan=plan)
    assert "plan" in exc.value.message_dict
    inactive = make_plan(branch_a, name="Antigo", active=False)
    with pytest.raises(ValidationError):
        services.contract_change_plan(actor=admin_user, contract=active, plan=inactive)
    with pytest.raises(ValidationError) as exc:
        services.contract_change_plan(actor=admin_user, contract=active, plan=plan_b)
    assert "plan" in exc.value.message_dict
    phone = make_plan(branch_a, name="Fone", type="T", download_kbps=None, upload_kbps=None)
    with pytest.raises(ValidationError) as exc:
        services.contract_change_plan(actor=admin_user, contract=active, plan=phone)
    assert "type" in exc.value.message_dict
    active.refresh_from_db()
    assert active.plan == plan


def test_change_plan_of_cancelled_refused(active, faster, admin_user):
    services.contract_cancel(actor=admin_user, contract=active, reason="Fim")
    with pytest.raises(ApplicationError) as exc:
        services.contract_change_plan(actor=admin_user, contract=active, plan=faster)
    assert exc.value.code == "invalid_transition"


def test_set_access_status_overdue_and_back(active):
    services.contract_set_access_status(
        actor=None, contract=active, access_status="FA", reason="Fatura vencida"
    )
    active.refresh_from_db()
    assert active.access_status == "FA"
    entry = ContractHistory.objects.filter(contract=active).first()
    assert entry.kind == ContractHistory.Kind.ACCESS_STATUS and entry.operator is None
    services.contract_set_access_status(actor=None, contract=active, access_status="A")
    active.refresh_from_db()
    assert active.access_status == "A"


def test_set_access_status_respects_no_block_until(active, admin_user):
    services.contract_update(
        actor=admin_user, contract=active, no_block_until=timezone.localdate() + datetime.timedelta(days=3)
    )
    with pytest.raises(ApplicationError) as exc:
        services.contract_set_access_status(actor=None, contract=active, access_status="CA")
    assert exc.value.code == "no_block_until"
    active.refresh_from_db()
    assert active.access_status == "A"
    # An operator's deliberate change is not automatic.
    services.contract_set_access_status(
        actor=admin_user, contract=active, access_status="CA", automatic=False
    )
    active.refresh_from_db()
    assert active.access_status == "CA"


def test_set_access_status_refusals(contract, active):
    with pytest.raises(ValidationError):
        services.contract_set_access_status(actor=None, contract=active, access_status="ZZ")


def test_set_access_status_needs_an_active_contract(contract):
    with pytest.raises(ApplicationError):
        services.contract_set_access_status(actor=None, contract=contract, access_status="CA")


def test_change_plan_api(admin_api, active, faster, plan_b, operator_a_api):
    url = f"/api/v1/contracts/{active.pk}/change-plan/"
    response = admin_api.post(url, {"plan": plan_b.pk}, format="json")
    assert response.status_code == 400 and "plan" in response.json()
    response = admin_api.post(url, {"plan": faster.pk, "effective_date": "2026-12-01"}, format="json")
    assert response.status_code == 200 and response.json()["plan"] == faster.pk
    assert operator_a_api.post(url, {"plan": faster.pk}, format="json").status_code == 403


def test_change_plan_api_branch_scope(operator_a_admin_api, active, plan_b):
    response = operator_a_admin_api.post(
        f"/api/v1/contracts/{active.pk}/change-plan/", {"plan": plan_b.pk}, format="json"
    )
    assert response.status_code == 400 and "plan" in response.json()
