"""C-6: one box finds by name fragment (accent/case-insensitive, word prefix), CPF/CNPJ with or
without mask, phone digits, e-mail and street; PostgreSQL has the trigram indexes."""

import pytest
from django.db import connection

from enlace.customers.models import Customer
from enlace.customers.selectors import customer_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_customer, branch_b):
    return {
        "joao": make_customer(
            name="João Conceição",
            cpf_cnpj="529.982.247-25",
            mobile_phone="11988887777",
            email="joao@x.com;jc@y.com",
            street="Rua São Bento",
            number="10",
            neighborhood="Sé",
        ),
        "maria": make_customer(
            name="Maria Aparecida",
            trade_name="Mercadinho da Cida",
            phone="1933334444",
            street="Avenida Brasil",
            number="5",
            neighborhood="Centro",
        ),
        "empresa": make_customer(
            name="Provedor Ágil Ltda", person_type="J", cpf_cnpj="12.ABC.345/01DE-35", branch=branch_b
        ),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("joão", ["joao"]),
        ("JOAO", ["joao"]),
        ("concei", ["joao"]),
        ("Conceição", ["joao"]),
        ("jo con", ["joao"]),
        ("mercad", ["maria"]),
        ("cida", ["maria"]),
        ("agil", ["empresa"]),
        ("529.982.247-25", ["joao"]),
        ("52998224725", ["joao"]),
        ("5299822", ["joao"]),
        ("12.ABC.345/01DE-35", ["empresa"]),
        ("12abc34501de35", ["empresa"]),
        ("(11) 98888-7777", ["joao"]),
        ("11988887777", ["joao"]),
        ("8888", ["joao"]),
        ("(19) 3333-4444", ["maria"]),
        ("jc@y.com", ["joao"]),
        ("JOAO@X", ["joao"]),
        ("sao bento", ["joao"]),
        ("avenida brasil", ["maria"]),
        ("", ["empresa", "joao", "maria"]),
        ("aria", []),  # word prefix, not any substring
        ("zzz", []),
    ],
)
def test_one_box_search(admin_user, people, text, expected):
    found = {c.pk for c in customer_list(user=admin_user, search=text)}
    assert found == {people[key].pk for key in expected}


def test_search_respects_branch_scope(operator_a, people):
    assert not customer_list(user=operator_a, search="agil").exists()
    assert customer_list(user=operator_a, search="joao").exists()


def test_results_ordered_by_folded_name(admin_user, make_customer):
    for name in ("Óscar", "ana", "Bruno", "Álvaro"):
        make_customer(name=name)
    assert [c.name for c in customer_list(user=admin_user)] == ["Álvaro", "ana", "Bruno", "Óscar"]


def test_postgresql_has_the_trigram_indexes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")  # not a missing service: the other database of the CI matrix
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer'")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "customer_search_name_trgm",
        "customer_address_key_trgm",
        "customer_email_trgm",
        "customer_cpf_cnpj_pattern",
    } <= names
    assert Customer.objects.count() == 0


def test_common_and_rare_fragments_take_their_own_path(admin_user, make_customer, monkeypatch):
    """On PostgreSQL a fragment matching more than PROBE_LIMIT rows is read in name order; fewer are
    fetched by id. Both give the same answer (SQLite has one path)."""
    from enlace.customers import selectors

    monkeypatch.setattr(selectors, "PROBE_LIMIT", 2)
    for first in ("Ana", "Bia", "Caio", "Davi"):
        make_customer(name=f"{first} Silva")
    make_customer(name="Zeca Souza", street="Rua Silva Jardim", number="1", neighborhood="Centro")
    make_customer(name="Rara Pessoa")
    common = [c.name for c in customer_list(user=admin_user, search="silv")]
    assert common == ["Ana Silva", "Bia Silva", "Caio Silva", "Davi Silva", "Zeca Souza"]
    assert [c.name for c in customer_list(user=admin_user, search="rar pes")] == ["Rara Pessoa"]
    assert [
        c.name for c in customer_list(user=admin_user, search="silva", filters={"name__startswith": "B"})
    ] == ["Bia Silva"]
