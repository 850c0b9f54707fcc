"""Shared fixtures: branches and the personas every area tests with.

Personas (SPEC G-4):
- ``admin_user``: superuser, every branch;
- ``operator_a``: role Atendimento, employee limited to ``branch_a``;
- ``operator_a_admin``: role Administrador (all permissions) but limited to ``branch_a``;
- ``noperm_user``: can log in, has no permission.
"""

import os
import socket

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from enlace.core import roles
from enlace.core.models import Branch, City, Employee

pytest_plugins = [
    "tests.helpers.browser",
    "tests.helpers.contracts",
    "tests.helpers.freeradius",
    "tests.helpers.nas",
    "tests.helpers.sefaz",
]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    """Hashing with PBKDF2 is slow on purpose; tests create many accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def coa_in_the_caller(settings):
    """Tests run Celery eagerly: CoA/Disconnect requests are sent in the caller, so a test sees
    their outcome when the service returns (tests/radius/test_coa.py tries the background thread)."""
    settings.RADIUS_COA_BACKGROUND = False


@pytest.fixture(autouse=True)
def offline_cep(settings):
    """No test reaches the internet: the online CEP provider points at a closed local port (tests
    of the lookup itself use a fake provider on 127.0.0.1, see tests/customers/conftest.py)."""
    settings.CEP_PROVIDER_URL = f"http://127.0.0.1:{_closed_port()}/ws/{{cep}}/json/"
    settings.CEP_LOOKUP_TIMEOUT = 2


@pytest.fixture(autouse=True)
def generous_api_rates(settings):
    """The API throttles stay on in tests, with rates no test reaches; tests/core/test_throttling.py
    lowers them to see a 429."""
    settings.API_THROTTLE_RATE = "100000/minute"
    settings.API_ANON_THROTTLE_RATE = "100000/minute"


def require_service(name: str, reason: str):
    """Skip when a service is missing — or fail, when CI set ENLACE_REQUIRE_SERVICES."""
    if os.environ.get("ENLACE_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{name} is required (ENLACE_REQUIRE_SERVICES is set) but not available: {reason}")
    pytest.skip(f"{name} not available: {reason}")


@pytest.fixture
def city(db):
    return City.objects.get(code=3550308)  # São Paulo/SP


@pytest.fixture
def branch_a(db, city):
    return Branch.objects.create(
        name="Matriz", legal_name="Enlace Telecom Ltda", cnpj="11222333000181", city=city, cep="01310100"
    )


@pytest.fixture
def branch_b(db, city):
    return Branch.objects.create(
        name="Filial Campinas",
        legal_name="Enlace Telecom Campinas Ltda",
        cnpj="11444777000161",
        city=City.objects.get(code=3509502),
    )


def _operator(django_user_model, username, role, branches):
    user = django_user_model.objects.create_user(
        username=username, password="s3nha-Forte!", email=f"{username}@x.com"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if branches is not None:
        employee = Employee.objects.create(name=username.title(), user=user)
        employee.branches.set(branches)
    return user


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@x.com", "s3nha-Forte!")


@pytest.fixture
def operator_a(db, django_user_model, branch_a, branch_b):
    return _operator(django_user_model, "ana", roles.ATTENDANCE, [branch_a])


@pytest.fixture
def operator_a_admin(db, django_user_model, branch_a, branch_b):
    return _operator(django_user_model, "alice", roles.ADMINISTRATOR, [branch_a])


@pytest.fixture
def noperm_user(db, django_user_model):
    return _operator(django_user_model, "nobody", None, None)


def _web_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_web(admin_user):
    return _web_client(admin_user)


@pytest.fixture
def operator_a_web(operator_a):
    return _web_client(operator_a)


@pytest.fixture
def operator_a_admin_web(operator_a_admin):
    return _web_client(operator_a_admin)


@pytest.fixture
def noperm_web(noperm_user):
    return _web_client(noperm_user)


def _api_client(user):
    token, _created = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def admin_api(admin_user):
    return _api_client(admin_user)


@pytest.fixture
def operator_a_api(operator_a):
    return _api_client(operator_a)


@pytest.fixture
def operator_a_admin_api(operator_a_admin):
    return _api_client(operator_a_admin)


@pytest.fixture
def noperm_api(noperm_user):
    return _api_client(noperm_user)
