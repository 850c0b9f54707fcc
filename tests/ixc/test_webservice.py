"""The IXC-compatible webservice, called exactly as public integrations call IXC: Basic
credentials of "<operator id>:<token>", the ``ixcsoft: listar`` header, JSON or form bodies,
``grid_param`` filters, ``get_boleto`` with ``base64: "S"``."""

import base64
import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from enlace.billing.services.invoices import invoice_create
from enlace.radius.freeradius import RadAcct
from enlace.radius.services import login_create

pytestmark = pytest.mark.django_db
URL = "/webservice/v1/"


def token_of(user) -> str:
    out = StringIO()
    call_command("webservice_token", user.username, stdout=out)
    return out.getvalue().strip()


class Integration:
    """An integration as the public ones are written: requests-like calls with Basic auth."""

    def __init__(self, credentials: str):
        self.client = Client()
        self.auth = "Basic " + base64.b64encode(credentials.encode()).decode()

    def listar(self, table, body=None, *, form=False, method="post"):
        headers = {"HTTP_AUTHORIZATION": self.auth, "HTTP_IXCSOFT": "listar"}
        if form:
            from urllib.parse import urlencode

            data, content_type = urlencode(body or {}), "application/x-www-form-urlencoded"
        else:
            data, content_type = json.dumps(body or {}), "application/json"
        call = self.client.get if method == "get" else self.client.post
        if method == "get":
            response = self.client.generic("GET", URL + table, data, content_type=content_type, **headers)
        else:
            response = call(URL + table, data, content_type=content_type, **headers)
        return response

    def post(self, path, body):
        return self.client.post(
            URL + path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=self.auth
        )

    def put(self, path, body):
        return self.client.put(
            URL + path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=self.auth
        )

    def delete(self, path):
        return self.client.delete(URL + path, HTTP_AUTHORIZATION=self.auth)


def json_of(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(body)


@pytest.fixture
def world(admin_user, customer, customer_b, active_contract, contract_b, wallet):
    login = login_create(
        actor=admin_user, contract=active_contract, username="maria@fibra", password="senha-clara"
    )
    offline = login_create(
        actor=admin_user, contract=contract_b, username="joao@fibra", password="outra-senha"
    )
    RadAcct.objects.create(
        acctsessionid="s1",
        acctuniqueid="u1",
        username="maria@fibra",
        nasipaddress="10.0.0.1",
        acctstarttime=timezone.now(),
        framedipaddress="100.64.0.10",
    )
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        contract=active_contract,
        wallet=wallet,
        due_date=datetime.date(2026, 12, 10),
        amount=Decimal("99.90"),
        description="Mensalidade",
    )
    return {"login": login, "offline": offline, "invoice": invoice}


def test_listing_cliente_by_cnpj_cpf_in_ixc_shape(admin_user, world, customer):
    api = Integration(token_of(admin_user))
    body = {
        "qtype": "cliente.cnpj_cpf",
        "query": "529.982.247-25",
        "oper": "=",
        "page": "1",
        "rp": "20",
        "sortname": "cliente.id",
        "sortorder": "desc",
    }
    answer = json_of(api.listar("cliente", body))
    assert answer["page"] == "1" and answer["total"] == "1"
    record = answer["registros"][0]
    assert record["razao"] == "Maria Souza"
    assert record["cnpj_cpf"] == "529.982.247-25"
    assert record["tipo_pessoa"] == "F" and record["ativo"] == "S"
    assert record["id"] == str(customer.pk)
    assert all(isinstance(value, str) for value in record.values())
    # The same as a form body, and as GET with a body, and by the bare digits.
    assert json_of(api.listar("cliente", body, form=True))["total"] == "1"
    assert json_of(api.listar("cliente", body, method="get"))["total"] == "1"
    assert json_of(api.listar("cliente", {**body, "query": "52998224725"}))["total"] == "1"
    like = json_of(api.listar("cliente", {"qtype": "razao", "query": "Souza", "oper": "L"}))
    assert [r["razao"] for r in like["registros"]] == ["Maria Souza"]


def test_grid_param_lists_online_logins(admin_user, world):
    api = Integration(token_of(admin_user))
    body = {
        "qtype": "radusuarios.id",
        "query": "0",
        "oper": ">",
        "page": "1",
        "rp": "100",
        "grid_param": json.dumps([{"TB": "radusuarios.online", "OP": "=", "P": "S"}]),
    }
    answer = json_of(api.listar("radusuarios", body))
    assert answer["total"] == "1"
    assert answer["registros"][0]["login"] == "maria@fibra" and answer["registros"][0]["online"] == "S"
    offline = json_of(
        api.listar(
            "radusuarios", {**body, "grid_param": '[{"TB": "radusuarios.online", "OP": "=", "P": "N"}]'}
        )
    )
    assert [r["login"] for r in offline["registros"]] == ["joao@fibra"]
    # Paging: rp=1 gives one row of the two, total says two.
    paged = json_of(api.listar("radusuarios", {"page": "2", "rp": "1", "sortname": "radusuarios.login"}))
    assert paged["total"] == "2" and [r["login"] for r in paged["registros"]] == ["maria@fibra"]


def test_get_boleto_answers_the_pdf_in_base64(admin_user, world):
    api = Integration(token_of(admin_user))
    invoice = world["invoice"]
    response = api.post(
        "get_boleto",
        {
            "boletos": str(invoice.pk),
            "juro": "N",
            "multa": "N",
            "atualiza_boleto": "N",
            "tipo_boleto": "arquivo",
            "base64": "S",
        },
    )
    assert response.status_code == 200
    assert base64.b64decode(response.content).startswith(b"%PDF")
    receivables = json_of(
        api.listar(
            "fn_areceber", {"qtype": "fn_areceber.id_cliente", "query": str(invoice.customer_id), "oper": "="}
        )
    )
    assert receivables["registros"][0]["nn_boleto"] == str(invoice.nosso_numero)
    assert receivables["registros"][0]["status"] == "A"
    assert receivables["registros"][0]["valor"] == "99.90"


def test_branch_limited_operator_sees_only_its_branch(
    operator_a, world, customer, customer_b, admin_user, wallet_b, contract_b
):
    api = Integration(token_of(operator_a))
    everyone = json_of(api.listar("cliente", {"page": "1", "rp": "50"}))
    assert [r["razao"] for r in everyone["registros"]] == ["Maria Souza"]
    other = json_of(api.listar("cliente", {"qtype": "cliente.id", "query": str(customer_b.pk), "oper": "="}))
    assert other["total"] == "0"
    logins = json_of(api.listar("radusuarios", {}))
    assert [r["login"] for r in logins["registros"]] == ["maria@fibra"]
    invoice_b = invoice_create(
        actor=admin_user,
        customer=customer_b,
        wallet=wallet_b,
        due_date=datetime.date(2026, 12, 5),
        amount=Decimal("10.00"),
    )
    answer = json_of(api.post("get_boleto", {"boletos": str(invoice_b.pk), "base64": "S"}))
    assert answer["type"] == "error"


def test_credentials_are_checked(admin_user, world):
    good = token_of(admin_user)
    user_id, token = good.split(":")
    response = Integration(f"{user_id}:{'0' * 64}").listar("cliente", {})
    assert response.status_code == 401 and json_of(response)["type"] == "error"
    assert Integration(f"{int(user_id) + 1}:{token}").listar("cliente", {}).status_code == 401
    assert (
        Client()
        .post(URL + "cliente", "{}", content_type="application/json", HTTP_IXCSOFT="listar")
        .status_code
        == 401
    )
    # A new token replaces the old one.
    token_of(admin_user)
    assert Integration(good).listar("cliente", {}).status_code == 401


def test_errors_in_ixc_shape(admin_user, world):
    api = Integration(token_of(admin_user))
    assert json_of(api.listar("nao_existe", {}))["type"] == "error"
    assert json_of(api.listar("cliente", {"qtype": "cliente.nao_existe", "query": "1"}))["type"] == "error"
    assert json_of(api.listar("cliente", {"grid_param": "not json"}))["type"] == "error"
    assert json_of(api.listar("cliente", {"rp": "x"}))["type"] == "error"


def test_insert_replace_delete_through_services(admin_user, world, branch_a, active_contract):
    api = Integration(token_of(admin_user))
    created = json_of(
        api.post(
            "cliente",
            {
                "tipo_pessoa": "F",
                "razao": "Novo Cliente",
                "cnpj_cpf": "123.456.789-09",
                "filial_id": str(branch_a.pk),
                "ativo": "S",
            },
        )
    )
    assert created["type"] == "success", created
    duplicate = json_of(
        api.post(
            "cliente",
            {
                "tipo_pessoa": "F",
                "razao": "Outro",
                "cnpj_cpf": "123.456.789-09",
                "filial_id": str(branch_a.pk),
            },
        )
    )
    assert duplicate["type"] == "error" and "123.456.789-09" in duplicate["message"]
    replaced = json_of(
        api.put(
            f"cliente/{created['id']}",
            {
                "tipo_pessoa": "F",
                "razao": "Novo Cliente da Silva",
                "cnpj_cpf": "12345678909",
                "filial_id": str(branch_a.pk),
            },
        )
    )
    assert replaced["type"] == "success", replaced
    listed = json_of(api.listar("cliente", {"qtype": "id", "query": created["id"]}))
    assert listed["registros"][0]["razao"] == "Novo Cliente da Silva"
    login = json_of(
        api.post(
            "radusuarios",
            {"id_contrato": str(active_contract.pk), "login": "novo@fibra", "senha": "s3nh4-nova"},
        )
    )
    assert login["type"] == "success", login
    assert json_of(api.delete(f"radusuarios/{login['id']}"))["type"] == "success"
    assert json_of(api.listar("radusuarios", {"qtype": "login", "query": "novo@fibra"}))["total"] == "0"
    assert json_of(api.delete(f"cliente/{created['id']}"))["type"] == "success"  # deactivated, not deleted
    assert (
        json_of(api.listar("cliente", {"qtype": "id", "query": created["id"]}))["registros"][0]["ativo"]
        == "N"
    )


def test_customer_without_permission_writes_nothing(operator_a, world, branch_b):
    api = Integration(token_of(operator_a))
    answer = json_of(
        api.post("cliente", {"tipo_pessoa": "F", "razao": "Fora", "filial_id": str(branch_b.pk)})
    )
    assert answer["type"] == "error"


def test_every_table_keeps_to_the_operators_branches(
    operator_a, admin_user, world, customer_b, contract_b, wallet_b
):
    """Every webservice table, listed and by id, shows a branch-A operator nothing of branch B."""
    from enlace.ixc.webservice.tables import TABLES

    invoice_create(
        actor=admin_user,
        customer=customer_b,
        wallet=wallet_b,
        due_date=datetime.date(2026, 12, 5),
        amount=Decimal("10.00"),
    )
    api = Integration(token_of(operator_a))
    for name, table in TABLES.items():
        visible = set(table.visible(operator_a).values_list("pk", flat=True))
        everything = set(table.queryset().values_list("pk", flat=True))
        answer = json_of(api.listar(name, {"rp": "10000"}))
        if answer.get("type") == "error":  # no permission to view the table: nothing is shown
            assert not visible, name
            continue
        listed = {int(r["id"]) for r in answer["registros"]}
        assert listed == visible, name
        for hidden in everything - visible:
            one = json_of(
                api.client.generic(
                    "GET",
                    f"{URL}{name}/{hidden}",
                    "{}",
                    content_type="application/json",
                    HTTP_AUTHORIZATION=api.auth,
                    HTTP_IXCSOFT="listar",
                )
            )
            assert one.get("total") == "0", (name, hidden)
