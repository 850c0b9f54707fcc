"""/api/v1/plans/, /api/v1/wallets/ and /api/v1/contracts/ with its actions (SPEC §14)."""

import pytest

from enlace.contracts.models import Contract, ContractHistory, Plan
from enlace.core.models import Wallet

pytestmark = pytest.mark.django_db

PLAN_FIELDS = {"id", "name", "type", "price", "branch", "active", "download_kbps", "upload_kbps"}
WALLET_FIELDS = {
    "id",
    "name",
    "bank_code",
    "agency",
    "account",
    "carteira",
    "convenio",
    "cnab_layout",
    "fine_percent",
    "interest_percent_month",
    "pix_key",
    "branch",
}
CONTRACT_FIELDS = {
    "id",
    "customer",
    "plan",
    "branch",
    "type",
    "status",
    "access_status",
    "activation_date",
    "due_day",
    "wallet",
    "payment_condition",
    "first_billing_date",
    "price",
    "no_block_until",
}


def plan_payload(branch, **extra):
    data = {
        "name": "Fibra 300",
        "type": "I",
        "price": "89.90",
        "branch": branch.pk,
        "download_kbps": 300000,
        "upload_kbps": 150000,
    }
    data.update(extra)
    return data


def wallet_payload(branch, **extra):
    data = {"name": "Itaú", "branch": branch.pk, "bank_code": "341", "agency": "0001", "account": "12345"}
    data.update(extra)
    return data


def contract_payload(customer, plan, wallet, condition, **extra):
    data = {
        "customer": customer.pk,
        "branch": customer.branch_id,
        "plan": plan.pk,
        "type": "I",
        "due_day": 10,
        "wallet": wallet.pk,
        "payment_condition": condition.pk,
        "first_billing_date": "2026-12-10",
    }
    data.update(extra)
    return data


# --- Plans ----------------------------------------------------------------------------------


def test_plan_create_and_fields(admin_api, branch_a):
    response = admin_api.post("/api/v1/plans/", plan_payload(branch_a), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= PLAN_FIELDS
    assert body["price"] == "89.90"
    assert body["type"] == "I" and body["branch"] == branch_a.pk
    assert admin_api.get(f"/api/v1/plans/{body['id']}/").json()["download_kbps"] == 300000


def test_plan_internet_without_speed_400(admin_api, branch_a):
    response = admin_api.post("/api/v1/plans/", plan_payload(branch_a, download_kbps=None), format="json")
    assert response.status_code == 400
    assert "download_kbps" in response.json()


def test_plan_leading_space_400(admin_api, branch_a):
    response = admin_api.post("/api/v1/plans/", plan_payload(branch_a, name=" Fibra"), format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert not Plan.objects.exists()


def test_plan_negative_price_400(admin_api, branch_a):
    response = admin_api.post("/api/v1/plans/", plan_payload(branch_a, price="-1.00"), format="json")
    assert response.status_code == 400 and "price" in response.json()


def test_plan_branch_scope(operator_a_admin_api, plan, plan_b, branch_b):
    ids = {row["id"] for row in operator_a_admin_api.get("/api/v1/plans/").json()["results"]}
    assert ids == {plan.pk}
    assert operator_a_admin_api.get(f"/api/v1/plans/{plan_b.pk}/").status_code == 404
    response = operator_a_admin_api.post("/api/v1/plans/", plan_payload(branch_b), format="json")
    assert response.status_code == 400 and "branch" in response.json()


def test_plan_permissions(noperm_api, operator_a_api, plan, branch_a):
    assert noperm_api.get("/api/v1/plans/").status_code == 403
    # Atendimento reads contracts and plans but does not write them.
    assert operator_a_api.get("/api/v1/plans/").status_code == 200
    assert operator_a_api.post("/api/v1/plans/", plan_payload(branch_a), format="json").status_code == 403


# --- Wallets --------------------------------------------------------------------------------


def test_wallet_create_and_fields(admin_api, branch_a):
    response = admin_api.post("/api/v1/wallets/", wallet_payload(branch_a), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= WALLET_FIELDS
    assert body["fine_percent"] == "2.00" and body["interest_percent_month"] == "1.00"
    assert body["cnab_layout"] == "400"


@pytest.mark.parametrize(
    ("field", "value"),
    [("fine_percent", "2.50"), ("interest_percent_month", "1.50"), ("bank_code", "12"), ("name", "Itaú ")],
)
def test_wallet_invalid_400(admin_api, branch_a, field, value):
    response = admin_api.post("/api/v1/wallets/", wallet_payload(branch_a, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Wallet.objects.exists()


def test_wallet_branch_scope(operator_a_admin_api, wallet, wallet_b):
    ids = {row["id"] for row in operator_a_admin_api.get("/api/v1/wallets/").json()["results"]}
    assert ids == {wallet.pk}
    assert operator_a_admin_api.get(f"/api/v1/wallets/{wallet_b.pk}/").status_code == 404


def test_wallet_permissions(noperm_api, django_user_model, branch_a):
    from django.contrib.auth.models import Group

    from enlace.core import roles
    from tests.conftest import _api_client

    assert noperm_api.get("/api/v1/wallets/").status_code == 403
    finance = django_user_model.objects.create_user("fin", password="x")
    finance.groups.add(Group.objects.get(name=roles.FINANCE))
    response = _api_client(finance).post("/api/v1/wallets/", wallet_payload(branch_a), format="json")
    assert response.status_code == 201


# --- Contracts ------------------------------------------------------------------------------


def test_contract_create_and_fields(admin_api, customer, plan, wallet, condition):
    response = admin_api.post(
        "/api/v1/contracts/",
        contract_payload(customer, plan, wallet, condition, price="79.90"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["status"] == "P" and body["access_status"] == "AA"
    assert body["price"] == "79.90"
    assert body["first_billing_date"] == "2026-12-10"
    assert ContractHistory.objects.filter(contract_id=body["id"], kind="NEW").exists()


def test_contract_status_is_read_only(admin_api, customer, plan, wallet, condition):
    payload = contract_payload(customer, plan, wallet, condition, status="A", access_status="A")
    body = admin_api.post("/api/v1/contracts/", payload, format="json").json()
    assert body["status"] == "P" and body["access_status"] == "AA"


def test_contract_invalid_due_day_400(admin_api, customer, plan, wallet, condition):
    response = admin_api.post(
        "/api/v1/contracts/", contract_payload(customer, plan, wallet, condition, due_day=29), format="json"
    )
    assert response.status_code == 400 and "due_day" in response.json()


def test_contract_notes_leading_space_400(admin_api, customer, plan, wallet, condition):
    response = admin_api.post(
        "/api/v1/contracts/", contract_payload(customer, plan, wallet, condition, notes=" x"), format="json"
    )
    assert response.status_code == 400 and "notes" in response.json()
    assert not Contract.objects.exists()


def test_contract_branch_scope(
    operator_a_admin_api, contract, contract_b, customer_b, plan_b, wallet_b, condition
):
    ids = {row["id"] for row in operator_a_admin_api.get("/api/v1/contracts/").json()["results"]}
    assert ids == {contract.pk}
    assert operator_a_admin_api.get(f"/api/v1/contracts/{contract_b.pk}/").status_code == 404
    assert operator_a_admin_api.post(f"/api/v1/contracts/{contract_b.pk}/activate/").status_code == 404
    response = operator_a_admin_api.post(
        "/api/v1/contracts/", contract_payload(customer_b, plan_b, wallet_b, condition), format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_contract_permissions(noperm_api, operator_a_api, contract):
    assert noperm_api.get("/api/v1/contracts/").status_code == 403
    assert operator_a_api.get(f"/api/v1/contracts/{contract.pk}/").status_code == 200
    assert operator_a_api.post(f"/api/v1/contracts/{contract.pk}/activate/").status_code == 403
    contract.refresh_from_db()
    assert contract.status == "P"


def test_contract_no_delete(admin_api, contract):
    assert admin_api.delete(f"/api/v1/contracts/{contract.pk}/").status_code == 405


def test_acceptance_block_unblock_and_cancelled(admin_api, contract, admin_user):
    url = f"/api/v1/contracts/{contract.pk}"
    response = admin_api.post(f"{url}/activate/", {"activation_date": "2026-11-20"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "A" and response.json()["activation_date"] == "2026-11-20"

    response = admin_api.post(f"{url}/block/", {"reason": "Solicitação do cliente"}, format="json")
    assert response.status_code == 200 and response.json()["access_status"] == "CM"
    entry = ContractHistory.objects.filter(contract=contract).first()  # newest first
    assert entry.kind == "BLK" and "Solicitação do cliente" in entry.text and entry.operator == admin_user

    response = admin_api.post(f"{url}/unblock/", {}, format="json")
    assert response.status_code == 200 and response.json()["access_status"] == "A"
    assert ContractHistory.objects.filter(contract=contract).first().kind == "UNB"

    response = admin_api.post(f"{url}/cancel/", {"reason": "Mudou-se", "origin": "M"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "I" and response.json()["cancellation_reason"] == "Mudou-se"

    count = ContractHistory.objects.count()
    response = admin_api.post(f"{url}/activate/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition" and response.json()["detail"]
    contract.refresh_from_db()
    assert contract.status == "I" and ContractHistory.objects.count() == count


def test_block_without_reason_400_naming_reason(admin_api, contract, admin_user):
    from enlace.contracts.services import contract_activate

    contract_activate(actor=admin_user, contract=contract)
    response = admin_api.post(f"/api/v1/contracts/{contract.pk}/block/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = admin_api.post(f"/api/v1/contracts/{contract.pk}/block/", {"reason": "x "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_schema_lists_the_resources(admin_api):
    response = admin_api.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in ("/api/v1/plans/", "/api/v1/wallets/", "/api/v1/contracts/{id}/block/"):
        assert path in text


def test_contract_patch_customer_refused(admin_api, contract, customer_b):
    response = admin_api.patch(
        f"/api/v1/contracts/{contract.pk}/", {"customer": customer_b.pk}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()
    response = admin_api.patch(f"/api/v1/contracts/{contract.pk}/", {"due_day": 20}, format="json")
    assert response.status_code == 200 and response.json()["due_day"] == 20
