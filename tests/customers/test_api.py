"""``/api/v1/customers/`` (SPEC §14 field names) and ``/api/v1/cep/<cep>/``."""

import pytest

from enlace.core.models import ObjectChange
from enlace.customers.models import Cep, Customer

from .conftest import set_params

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"
SPEC_FIELDS = {
    "id",
    "person_type",
    "name",
    "trade_name",
    "cpf_cnpj",
    "rg_ie",
    "birth_date",
    "branch",
    "active",
    "is_lead",
    "cep",
    "street",
    "number",
    "complement",
    "neighborhood",
    "city",
    "state",
    "latitude",
    "longitude",
    "mobile_phone",
    "phone",
    "email",
    "portal_login",
    "portal_auto_access",
    "portal_permission",
    "payment_condition",
    "salesperson",
    "analytic_account",
    "notes",
    "alert",
}


def body(branch, **extra):
    data = {
        "person_type": "F",
        "name": "João da Silva",
        "cpf_cnpj": "529.982.247-25",
        "branch": branch.pk,
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "neighborhood": "Bela Vista",
        "city": 3550308,
        "mobile_phone": "(11) 98888-7777",
        "email": "joao@x.com;financeiro@y.com",
        "portal_login": "joao",
        "portal_password": "s3nha-portal",
        "portal_auto_access": "P",
        "portal_permission": "E",
        "latitude": "-23.561414",
        "longitude": "-46.655881",
    }
    data.update(extra)
    return data


def test_create_and_read_with_spec_field_names(admin_api, branch_a):
    response = admin_api.post(URL, body(branch_a), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) >= SPEC_FIELDS
    assert "portal_password" not in data and "confirm_duplicate_address" not in data
    assert data["cpf_cnpj"] == "52998224725" and data["cpf_cnpj_display"] == "529.982.247-25"
    assert data["city"] == 3550308 and data["state"] == "SP"
    assert data["mobile_phone"] == "11988887777"
    assert data["portal_permission"] == "E" and data["has_portal_password"] is True
    customer = Customer.objects.get(pk=data["id"])
    assert customer.portal_password.startswith(("pbkdf2", "md5", "argon2", "bcrypt", "scrypt"))
    got = admin_api.get(f"{URL}{data['id']}/").json()
    assert got["name"] == "João da Silva" and "portal_password" not in got
    change = ObjectChange.objects.get(content_type__model="customer", object_id=str(data["id"]))
    assert change.source == "api" and change.user_name == "admin"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cpf_cnpj", "529.982.247-26"),
        ("name", "João "),
        ("name", " João"),
        ("email", "a@x.com; b@y.com"),
        ("email", "a@x.com;"),
        ("email", "nao-e-email"),
        ("mobile_phone", "1234"),
        ("street", "Rua X "),
        ("person_type", "X"),
        ("city", 1),
        ("portal_auto_access", "Z"),
    ],
)
def test_invalid_values_answer_400_naming_the_field(admin_api, branch_a, field, value):
    response = admin_api.post(URL, body(branch_a, **{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Customer.objects.exists()


def test_alphanumeric_cnpj_for_a_company(admin_api, branch_a):
    response = admin_api.post(
        URL, body(branch_a, person_type="J", cpf_cnpj="12.ABC.345/01DE-35"), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["cpf_cnpj"] == "12ABC34501DE35"


def test_document_required_by_parameter(admin_api, branch_a):
    set_params(cpf_cnpj_required=True)
    response = admin_api.post(URL, body(branch_a, cpf_cnpj=""), format="json")
    assert response.status_code == 400 and "cpf_cnpj" in response.json()
    set_params(cpf_cnpj_required=False)
    assert admin_api.post(URL, body(branch_a, cpf_cnpj=""), format="json").status_code == 201


def test_duplicate_document_answers_400(admin_api, branch_a):
    assert admin_api.post(URL, body(branch_a), format="json").status_code == 201
    response = admin_api.post(URL, body(branch_a, portal_login="outro"), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_cpf_cnpj" and "cpf_cnpj" in response.json()


def test_duplicate_address_round_trip(admin_api, branch_a):
    set_params(validate_duplicate_address=True)
    first = admin_api.post(URL, body(branch_a), format="json").json()
    second = body(
        branch_a,
        name="Maria",
        cpf_cnpj="111.444.777-35",
        portal_login="maria",
        street="AVENIDA PAULISTA",
        neighborhood="bela vista",
    )
    response = admin_api.post(URL, second, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "duplicate_address"
    assert data["customers"] == [{"id": first["id"], "name": "João da Silva"}]
    assert data["detail"]
    assert Customer.objects.count() == 1
    response = admin_api.post(URL, {**second, "confirm_duplicate_address": True}, format="json")
    assert response.status_code == 201, response.json()
    assert Customer.objects.count() == 2


def test_partial_update_and_password_kept(admin_api, branch_a):
    pk = admin_api.post(URL, body(branch_a), format="json").json()["id"]
    before = Customer.objects.get(pk=pk).portal_password
    response = admin_api.patch(
        f"{URL}{pk}/", {"notes": "Cliente antigo", "portal_auto_access": "S"}, format="json"
    )
    assert response.status_code == 200, response.json()
    customer = Customer.objects.get(pk=pk)
    assert customer.notes == "Cliente antigo" and customer.portal_auto_access == "S"
    assert customer.portal_password == before
    response = admin_api.patch(f"{URL}{pk}/", {"name": "Nome "}, format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_full_update(admin_api, branch_a):
    pk = admin_api.post(URL, body(branch_a), format="json").json()["id"]
    response = admin_api.put(
        f"{URL}{pk}/", body(branch_a, name="João Silva Jr", portal_password=""), format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "João Silva Jr"


def test_long_name_warning_in_the_answer(admin_api, branch_a):
    response = admin_api.post(URL, body(branch_a, name="N" * 45), format="json")
    assert response.status_code == 201
    assert len(response.json()["warnings"]) == 1


def test_search_and_filters(admin_api, branch_a, branch_b):
    admin_api.post(URL, body(branch_a), format="json")
    admin_api.post(
        URL,
        body(
            branch_b,
            name="Conceição Ávila",
            cpf_cnpj="111.444.777-35",
            portal_login="c",
            mobile_phone="(19) 99999-1111",
            email="c@z.com",
            street="Rua das Flores",
        ),
        format="json",
    )
    admin_api.post(
        URL,
        body(
            branch_a,
            name="Prospecto",
            cpf_cnpj="",
            is_lead=True,
            portal_login="p",
            mobile_phone="",
            email="",
            street="Rua Outra",
        ),
        format="json",
    )

    def names(**params):
        response = admin_api.get(URL, params)
        assert response.status_code == 200
        return sorted(r["name"] for r in response.json()["results"])

    assert names(search="conceicao") == ["Conceição Ávila"]
    assert names(search="CONCEI") == ["Conceição Ávila"]
    assert names(search="avil") == ["Conceição Ávila"]
    assert names(search="11144477735") == ["Conceição Ávila"]
    assert names(search="111.444.777-35") == ["Conceição Ávila"]
    assert names(search="19999991111") == ["Conceição Ávila"]
    assert names(search="(19) 99999-1111") == ["Conceição Ávila"]
    assert names(search="c@z.com") == ["Conceição Ávila"]
    assert names(search="flores") == ["Conceição Ávila"]
    assert names(search="silva joao") == ["João da Silva"]
    assert names(branch=branch_b.pk) == ["Conceição Ávila"]
    assert names(is_lead="true") == ["Prospecto"]
    assert names(city=3550308, is_lead="false") == ["Conceição Ávila", "João da Silva"]
    assert names(active="false") == []


def test_branch_scope(operator_a_api, admin_api, branch_a, branch_b):
    other = admin_api.post(URL, body(branch_b), format="json").json()["id"]
    mine = admin_api.post(
        URL, body(branch_a, cpf_cnpj="111.444.777-35", portal_login="x"), format="json"
    ).json()["id"]
    assert operator_a_api.get(f"{URL}{other}/").status_code == 404
    assert operator_a_api.patch(f"{URL}{other}/", {"notes": "x"}, format="json").status_code == 404
    assert [r["id"] for r in operator_a_api.get(URL).json()["results"]] == [mine]
    response = operator_a_api.post(
        URL, body(branch_b, cpf_cnpj="", person_type="E", portal_login="y"), format="json"
    )
    assert response.status_code == 400 and "branch" in response.json()


def test_permissions(noperm_api, branch_a):
    assert noperm_api.get(URL).status_code == 403
    assert noperm_api.post(URL, body(branch_a), format="json").status_code == 403
    assert noperm_api.get("/api/v1/cep/01310100/").status_code == 403


def test_no_delete(admin_api, branch_a):
    pk = admin_api.post(URL, body(branch_a), format="json").json()["id"]
    assert admin_api.delete(f"{URL}{pk}/").status_code == 405


def test_convert_lead_and_deactivate_actions(admin_api, branch_a):
    pk = admin_api.post(URL, body(branch_a, is_lead=True, lead_stage="G"), format="json").json()["id"]
    response = admin_api.post(f"{URL}{pk}/convert-lead/")
    assert response.status_code == 200 and response.json()["is_lead"] is False and response.json()["id"] == pk
    response = admin_api.post(f"{URL}{pk}/deactivate/")
    assert response.status_code == 200 and response.json()["active"] is False


def test_cep_from_the_local_table(admin_api, city):
    Cep.objects.create(
        cep="01310100", street="Avenida Paulista", neighborhood="Bela Vista", city=city, state="SP"
    )
    response = admin_api.get("/api/v1/cep/01310-100/")
    assert response.status_code == 200
    assert response.json() == {
        "cep": "01310100",
        "cep_display": "01310-100",
        "street": "Avenida Paulista",
        "neighborhood": "Bela Vista",
        "city": 3550308,
        "city_name": "São Paulo",
        "state": "SP",
        "source": "local",
    }


def test_cep_without_network_is_503_fast(admin_api, db):
    import time

    start = time.monotonic()
    response = admin_api.get("/api/v1/cep/01310100/")
    assert response.status_code == 503 and response.json()["code"] == "cep_unavailable"
    assert time.monotonic() - start < 3.5


def test_cep_invalid_is_400(admin_api, db):
    assert admin_api.get("/api/v1/cep/123/").status_code == 400


def test_schema_lists_customers(admin_api, db):
    response = admin_api.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/customers/" in response.json()["paths"]


def test_cep_route_is_named(db):
    from django.urls import reverse

    assert reverse("api:cep", args=["01310100"]) == "/api/v1/cep/01310100/"
