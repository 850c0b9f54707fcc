"""/api/v1/history/ and the history services: manual entries editable, automatic ones not (H-2)."""

import pytest
from django.contrib.contenttypes.models import ContentType

from enlace.contracts import services
from enlace.contracts.models import ContractHistory
from enlace.core.exceptions import ApplicationError
from enlace.core.models import ObjectChange

pytestmark = pytest.mark.django_db

FIELDS = {"id", "customer", "contract", "kind", "text", "operator", "created_at", "manual"}


def test_create_manual_entry_from_the_contract(admin_api, contract, admin_user):
    response = admin_api.post(
        "/api/v1/history/", {"contract": contract.pk, "text": "Cliente ligou"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= FIELDS
    assert body["manual"] is True and body["customer"] == contract.customer_id
    assert body["operator"] == admin_user.pk and body["kind"] == "NOTE"


def test_create_needs_customer_or_contract(admin_api):
    response = admin_api.post("/api/v1/history/", {"text": "x"}, format="json")
    assert response.status_code == 400 and "customer" in response.json()


def test_create_leading_space_400(admin_api, contract):
    response = admin_api.post("/api/v1/history/", {"contract": contract.pk, "text": " x"}, format="json")
    assert response.status_code == 400 and "text" in response.json()


def test_contract_of_another_customer_refused(admin_api, contract, customer_b):
    response = admin_api.post(
        "/api/v1/history/", {"customer": customer_b.pk, "contract": contract.pk, "text": "x"}, format="json"
    )
    assert response.status_code == 400 and "contract" in response.json()


def test_list_newest_first_and_filtered(admin_api, contract, contract_b, admin_user):
    services.contract_activate(actor=admin_user, contract=contract)
    rows = admin_api.get(f"/api/v1/history/?contract={contract.pk}").json()["results"]
    assert [r["kind"] for r in rows] == ["ACT", "NEW"]
    rows = admin_api.get(f"/api/v1/history/?customer={contract_b.customer_id}").json()["results"]
    assert {r["contract"] for r in rows} == {contract_b.pk}


def test_automatic_entry_cannot_be_edited_or_deleted(admin_api, contract):
    entry = ContractHistory.objects.get(contract=contract)
    before = entry.text
    response = admin_api.patch(f"/api/v1/history/{entry.pk}/", {"text": "outro"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "automatic_entry"
    assert admin_api.delete(f"/api/v1/history/{entry.pk}/").status_code == 400
    entry.refresh_from_db()
    assert entry.text == before
    assert ContractHistory.objects.filter(pk=entry.pk).exists()


def test_manual_entry_edited_audited_and_deleted(admin_api, contract, admin_user):
    entry = services.history_add(actor=admin_user, contract=contract, text="Primeira", manual=True)
    response = admin_api.patch(f"/api/v1/history/{entry.pk}/", {"text": "Corrigida"}, format="json")
    assert response.status_code == 200 and response.json()["text"] == "Corrigida"
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(ContractHistory),
        object_id=str(entry.pk),
        action="update",
    )
    assert changes.exists()
    assert admin_api.delete(f"/api/v1/history/{entry.pk}/").status_code == 204
    assert not ContractHistory.objects.filter(pk=entry.pk).exists()


def test_entry_cannot_move(admin_api, contract, contract_b, admin_user):
    entry = services.history_add(actor=admin_user, contract=contract, text="x", manual=True)
    response = admin_api.patch(f"/api/v1/history/{entry.pk}/", {"contract": contract_b.pk}, format="json")
    assert response.status_code == 400 and "contract" in response.json()


def test_branch_scope_and_permissions(operator_a_admin_api, operator_a_api, noperm_api, contract, contract_b):
    entry_b = ContractHistory.objects.get(contract=contract_b)
    ids = {r["id"] for r in operator_a_admin_api.get("/api/v1/history/").json()["results"]}
    assert entry_b.pk not in ids and ids
    assert operator_a_admin_api.get(f"/api/v1/history/{entry_b.pk}/").status_code == 404
    response = operator_a_admin_api.post(
        "/api/v1/history/", {"contract": contract_b.pk, "text": "x"}, format="json"
    )
    assert response.status_code == 400 and "contract" in response.json()
    assert noperm_api.get("/api/v1/history/").status_code == 403
    assert operator_a_api.get("/api/v1/history/").status_code == 200


def test_services_refuse_automatic(contract, admin_user):
    entry = ContractHistory.objects.get(contract=contract)
    with pytest.raises(ApplicationError):
        services.history_update(actor=admin_user, entry=entry, text="x")
    with pytest.raises(ApplicationError):
        services.history_delete(actor=admin_user, entry=entry)
