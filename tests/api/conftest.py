"""Helpers of the API tests: valid payloads of each core resource."""

import pytest

from enlace.core.models import Department


def url(resource: str, pk=None) -> str:
    return f"/api/v1/{resource}/" if pk is None else f"/api/v1/{resource}/{pk}/"


@pytest.fixture
def department(db):
    return Department.objects.create(name="Suporte", email="suporte@enlace.test")


@pytest.fixture
def payloads(city, department):
    """A valid creation body per writable resource."""
    return {
        "branches": {
            "name": "Filial Santos",
            "legal_name": "Enlace Telecom Santos Ltda",
            "cnpj": "12.345.678/0001-95",
            "phone": "(13) 3333-4444",
            "email": "santos@enlace.test",
            "cep": "11010-000",
            "street": "Rua XV de Novembro",
            "number": "100",
            "complement": "Sala 2",
            "neighborhood": "Centro",
            "city": 3548500,  # Santos/SP
        },
        "departments": {"name": "Financeiro", "email": "fin@enlace.test"},
        "employees": {
            "name": "Bruno Souza",
            "email": "bruno@enlace.test",
            "phone": "(11) 98888-7777",
            "department": department.pk,
            "is_technician": True,
        },
        "payment-conditions": {
            "name": "3x sem juros",
            "instalments": 3,
            "first_due_days": 30,
            "days_between": 30,
        },
        "analytic-accounts": {"code": "1.01.002", "name": "Mensalidades", "kind": "R"},
    }
