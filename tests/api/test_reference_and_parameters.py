"""Read-only resources (states, cities, audit trail) and the general parameters singleton."""

import pytest

from enlace.core import context
from enlace.core.models import AnalyticAccount, Department, GeneralParameters, ObjectChange
from enlace.core.services import object_save
from enlace.customers.models import CustomerSettings

from .conftest import url

pytestmark = pytest.mark.django_db


# --- States and cities ----------------------------------------------------------------------


def test_states_are_listed_with_ibge_codes(operator_a_api):
    body = operator_a_api.get(url("states"), {"page_size": 100}).json()
    assert body["count"] == 27
    assert {"code": 35, "abbr": "SP", "name": "São Paulo"} in body["results"]
    assert operator_a_api.get(url("states", 33)).json()["abbr"] == "RJ"
    assert [s["abbr"] for s in operator_a_api.get(url("states"), {"abbr": "mg"}).json()["results"]] == ["MG"]


def test_city_detail_by_ibge_code(operator_a_api):
    body = operator_a_api.get(url("cities", 3550308)).json()
    assert body == {"code": 3550308, "name": "São Paulo", "state": "SP", "state_code": 35}


def test_cities_filter_by_state_and_name(operator_a_api):
    body = operator_a_api.get(url("cities"), {"state": "SP", "name": "campinas"}).json()
    assert [(c["code"], c["name"]) for c in body["results"]] == [(3509502, "Campinas")]
    body = operator_a_api.get(url("cities"), {"state": "rj", "q": "rio de janeiro"}).json()
    assert [c["code"] for c in body["results"]] == [3304557]
    assert operator_a_api.get(url("cities"), {"state": "SP"}).json()["count"] == 645
    assert operator_a_api.get(url("cities")).json()["count"] > 5000


def test_unknown_city_is_404(operator_a_api):
    assert operator_a_api.get(url("cities", 1)).status_code == 404


# --- Audit trail ----------------------------------------------------------------------------


def test_changes_filter_by_content_type_and_object(admin_api, admin_user):
    with context.acting_as(admin_user, source="test"):
        dep = object_save(Department(name="Campo"), actor=admin_user)
        dep.name = "Campo N2"
        object_save(dep, actor=admin_user)
        object_save(AnalyticAccount(code="9", name="Outras"), actor=admin_user)

    body = admin_api.get(url("changes"), {"content_type": "core.department", "object_id": dep.pk}).json()
    assert [c["action"] for c in body["results"]] == ["update", "create"]  # newest first
    first = body["results"][0]
    assert first["content_type"] == "core.department"
    assert first["object_id"] == str(dep.pk)
    assert first["user"] == admin_user.pk
    assert first["user_name"] == "admin"
    assert first["source"] == "test"
    assert first["prechange_data"]["name"] == "Campo"
    assert first["postchange_data"]["name"] == "Campo N2"

    accounts = admin_api.get(url("changes"), {"content_type": "core.analyticaccount"}).json()
    assert [c["object_repr"] for c in accounts["results"]] == ["9 Outras"]
    assert admin_api.get(url("changes"), {"content_type": "nope.nothing"}).json()["count"] == 0
    assert admin_api.get(url("changes"), {"q": "campo n2"}).json()["count"] == 1
    assert (
        admin_api.get(url("changes"), {"action": "create", "content_type": "core.department"}).json()["count"]
        == 1
    )
    detail = admin_api.get(url("changes", first["id"]))
    assert detail.json() == first


def test_changes_made_through_the_api_are_listed(admin_api, admin_user):
    pk = admin_api.post(url("departments"), {"name": "Vendas"}, format="json").json()["id"]
    body = admin_api.get(url("changes"), {"content_type": "core.department", "object_id": pk}).json()
    assert body["count"] == 1
    assert body["results"][0]["source"] == "api"
    assert body["results"][0]["user"] == admin_user.pk


def test_changes_are_read_only(admin_api, admin_user, department):
    change = ObjectChange.objects.first()
    assert admin_api.patch(url("changes", change.pk), {"object_repr": "x"}, format="json").status_code == 405
    assert admin_api.delete(url("changes", change.pk)).status_code == 405


# --- General parameters ---------------------------------------------------------------------


def test_parameters_get(operator_a_api):
    response = operator_a_api.get(url("parameters"))
    assert response.status_code == 200
    body = response.json()
    assert body["company_name"] == "Enlace Telecom"
    assert body["cpf_cnpj_required"] is True
    assert body["default_branch"] is None
    assert "id" not in body


def test_parameters_patch_goes_through_the_service(admin_api, admin_user, branch_b):
    response = admin_api.patch(
        url("parameters"),
        {"company_name": "Provedor Exemplo", "default_branch": branch_b.pk, "name_length_warning": 35},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["company_name"] == "Provedor Exemplo"
    assert response.json()["default_branch"] == branch_b.pk
    params = GeneralParameters.load()
    assert (params.company_name, params.default_branch, CustomerSettings.load().name_length_warning) == (
        "Provedor Exemplo",
        branch_b,
        35,
    )
    change = ObjectChange.objects.filter(content_type__model="generalparameters", action="update").first()
    assert change.user == admin_user
    assert change.source == "api"
    assert GeneralParameters.objects.count() == 1


def test_parameters_patch_validation(admin_api):
    response = admin_api.patch(url("parameters"), {"portal_name": "Central "}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["portal_name"]
    response = admin_api.patch(url("parameters"), {"default_branch": 999999}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["default_branch"]
    assert GeneralParameters.load().portal_name == "Central do Assinante"


def test_parameters_patch_needs_change_permission(operator_a_api, noperm_api):
    """Atendimento may read the parameters but not change them; without permission neither."""
    assert operator_a_api.patch(url("parameters"), {"company_name": "X"}, format="json").status_code == 403
    assert noperm_api.get(url("parameters")).status_code == 403
    assert GeneralParameters.load().company_name == "Enlace Telecom"


def test_parameters_has_no_put_post_or_delete(admin_api):
    assert admin_api.put(url("parameters"), {"company_name": "X"}, format="json").status_code == 405
    assert admin_api.post(url("parameters"), {"company_name": "X"}, format="json").status_code == 405
    assert admin_api.delete(url("parameters")).status_code == 405
    assert admin_api.get("/api/v1/parameters/1/").status_code == 404
