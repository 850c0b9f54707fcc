"""Issue 19 item 8, small correctness: logins are unique whatever the case of their letters (a
database guard, not only a form check), a typed login password has a minimum length set by a
parameter (default 8) while "Gerar senha" is unchanged, a description of only spaces is "required",
and the demo's CEPs are in the local CEP table (the lookup answers offline)."""

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from enlace.customers import cep as cep_lookup
from enlace.customers.models import Cep, Customer
from enlace.radius import services as radius_services
from enlace.radius.models import Login, RadiusSettings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def portuguese(settings):
    settings.LANGUAGE_CODE = "pt-br"
    with translation.override("pt-br"):
        yield


def _login_data(contract, **extra):
    return {
        "contract": str(contract.pk),
        "auth_type": "L",
        "connection_type": "FIBRA",
        "plan": str(contract.plan_id),
        "username": "rafaela@fibra.com.br",
        "password": "Segredo123abc",
        "password_md5": "False",
        "simultaneous_use": "1",
        "active": "on",
        **extra,
    }


def _errors(response) -> str:
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


# --- Logins unique case-insensitively -----------------------------------------------------------


def test_database_refuses_a_login_that_differs_only_in_case(admin_user, active_contract):
    radius_services.login_create(
        actor=admin_user, contract=active_contract, username="rafaela@fibra.com.br", password="Segredo123abc"
    )
    other = radius_services.login_create(
        actor=admin_user, contract=active_contract, username="outra@fibra.com.br", password="Segredo123abc"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Login.objects.filter(pk=other.pk).update(username="RAFAELA@fibra.com.br")  # no validation here


def test_login_form_refuses_a_login_that_differs_only_in_case(admin_user, admin_web, active_contract):
    radius_services.login_create(
        actor=admin_user, contract=active_contract, username="rafaela@fibra.com.br", password="Segredo123abc"
    )
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}",
        _login_data(active_contract, username="RAFAELA@fibra.com.br"),
    )
    assert response.status_code == 200
    assert "maiúsculas e minúsculas contam como iguais" in response.content.decode(), _errors(response)
    assert Login.objects.count() == 1


# --- Login password minimum length --------------------------------------------------------------


def test_one_character_password_is_refused(admin_web, active_contract):
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", _login_data(active_contract, password="x")
    )
    assert response.status_code == 200
    assert "A senha deve ter pelo menos 8 caracteres." in _errors(response)
    assert not Login.objects.exists()

    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", _login_data(active_contract, password="12345678")
    )
    assert response.status_code == 302
    assert Login.objects.get().password == "12345678"


def test_minimum_length_is_a_parameter(admin_user, admin_web, active_contract):
    radius_services.radius_settings_update(actor=admin_user, login_password_min_length=4)
    assert RadiusSettings.load().login_password_min_length == 4
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", _login_data(active_contract, password="abc")
    )
    assert "A senha deve ter pelo menos 4 caracteres." in _errors(response)
    response = admin_web.post(
        f"/logins/add/?contract={active_contract.pk}", _login_data(active_contract, password="abcd")
    )
    assert response.status_code == 302


def test_editing_a_login_checks_a_new_password_only(admin_user, admin_web, active_contract):
    login = radius_services.login_create(
        actor=admin_user, contract=active_contract, username="rafaela@fibra.com.br", password="Segredo123abc"
    )
    data = _login_data(active_contract, password="")
    data.pop("contract")
    response = admin_web.post(f"/logins/{login.pk}/edit/", data)
    assert response.status_code == 302  # blank keeps the current password
    response = admin_web.post(f"/logins/{login.pk}/edit/", {**data, "password": "abc"})
    assert response.status_code == 200 and "pelo menos 8" in _errors(response)


def test_api_refuses_a_short_password(admin_api, active_contract):
    response = admin_api.post(
        "/api/v1/logins/",
        {"contract": active_contract.pk, "username": "api@fibra.com.br", "password": "x"},
        format="json",
    )
    assert response.status_code == 400 and "password" in response.json()


def test_generate_password_is_unchanged(admin_web):
    html = admin_web.get(reverse("radius:login_generate_password")).content.decode()
    password = re.search(r'value="([^"]+)"', html).group(1)
    assert len(password) == radius_services.PASSWORD_LENGTH == 12


# --- A description of only spaces ---------------------------------------------------------------


def test_description_of_only_spaces_is_required(admin_web, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = admin_web.post(
        f"/customers/{customer.pk}/files/add/",
        {"description": "   ", "file": SimpleUploadedFile("nota.txt", b"texto", content_type="text/plain")},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["description"])
    assert errors == "Este campo é obrigatório."


# --- The demo's CEPs ----------------------------------------------------------------------------


def test_seed_demo_loads_the_demo_ceps_for_offline_lookups():
    call_command("seed_demo", stdout=StringIO())
    customer_ceps = set(Customer.objects.exclude(cep="").values_list("cep", flat=True))
    assert customer_ceps and customer_ceps <= set(Cep.objects.values_list("cep", flat=True))
    customer = Customer.objects.exclude(cep="").first()
    result = cep_lookup.lookup(customer.cep, online=False)  # no network needed
    assert (result.source, result.city, result.street) == ("local", customer.city.code, customer.street)
    # a second run creates nothing twice
    before = Cep.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Cep.objects.count() == before
