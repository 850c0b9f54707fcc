"""Acceptance of the IXC import from a real MariaDB server: dry run, real run, second run."""

import datetime
from decimal import Decimal

import pytest

from enlace.billing.models import Invoice, InvoiceStatus, WalletSequence
from enlace.contracts.models import Contract
from enlace.customers.models import Customer
from enlace.ixc.models import ExternalId
from enlace.radius.models import Login, RadCheck
from enlace.support.models import Ticket

from .conftest import run_import, summary

pytestmark = pytest.mark.django_db


def test_dry_run_reports_and_writes_nothing(ixc_db, ixc_setup):
    output = run_import(ixc_db, "--dry-run")
    table = summary(output)
    assert "dry run" in output
    # 4 customers read: 3 would be created, 1 refused (invalid CPF) with its IXC id and reason.
    assert table["cliente"] == (4, 3, 0, 0, 1)
    assert "cliente id 3: refused" in output and "cpf_cnpj" in output
    assert table["cliente_contrato"][1] == 4 and table["cliente_contrato"][4] == 1
    assert "cliente_contrato id 3: refused" in output
    assert table["radusuarios"] == (3, 2, 0, 0, 1)
    assert table["fn_areceber"] == (4, 4, 0, 0, 0)
    assert table["su_ticket"] == (2, 2, 0, 0, 0)
    assert not Customer.objects.exists()
    assert not Contract.objects.exists()
    assert not ExternalId.objects.exists()


def test_import_keeps_ids_codes_numbers_and_is_idempotent(ixc_db, ixc_setup):
    output = run_import(ixc_db)
    table = summary(output)
    assert table["cliente"] == (4, 3, 0, 0, 1)

    maria = Customer.objects.get(pk=ExternalId.objects.get(kind="cliente", ixc_id="1").object_id)
    assert maria.name == "Maria da Silva"
    assert maria.cpf_cnpj == "52998224725"
    assert maria.mobile_phone == "11987654321"
    assert maria.city_id == 3550308
    assert maria.branch == ixc_setup["branch_a"]
    assert maria.portal_login == "maria@example.com"
    from enlace.customers.services import customer_check_portal_password

    assert customer_check_portal_password(maria, "segredo-1")
    padaria = Customer.objects.get(cpf_cnpj="04252011000110")
    assert padaria.person_type == "J" and padaria.branch == ixc_setup["branch_b"]
    # An MD5 portal password cannot be verified: a reset is required.
    assert padaria.portal_change_password and not padaria.portal_password
    assert not Customer.objects.filter(name="Documento Errado").exists()

    contracts = {
        e.ixc_id: Contract.objects.get(pk=e.object_id)
        for e in ExternalId.objects.filter(kind="cliente_contrato")
    }
    assert (contracts["1"].status, contracts["1"].access_status) == ("A", "A")
    assert contracts["1"].activation_date == datetime.date(2024, 3, 15)
    assert contracts["1"].due_day == 10
    assert (contracts["5"].status, contracts["5"].access_status) == ("A", "CM")
    assert (contracts["4"].status, contracts["4"].access_status) == ("I", "D")
    assert contracts["4"].cancellation_reason == "mudou de cidade"
    assert (
        contracts["2"].branch == ixc_setup["branch_b"] and contracts["2"].plan.branch == ixc_setup["branch_b"]
    )

    clear = Login.objects.get(username="maria@fibra")
    assert clear.password == "senha-clara" and not clear.password_md5
    md5 = Login.objects.get(username="padaria")
    assert md5.password_md5 and md5.password == "d39d9d4535688729235b692f555e8299"
    assert RadCheck.objects.filter(username="padaria", attribute="MD5-Password").exists()
    assert RadCheck.objects.filter(
        username="maria@fibra", attribute="Cleartext-Password", value="senha-clara"
    ).exists()

    open_invoice = Invoice.objects.get(nosso_numero=1234)
    assert open_invoice.status == InvoiceStatus.OPEN and open_invoice.amount == Decimal("99.90")
    assert open_invoice.digitable_line  # the boleto is computed from the wallet
    assert Invoice.objects.get(nosso_numero=1233).status == InvoiceStatus.RECEIVED
    assert Invoice.objects.get(nosso_numero=1230).status == InvoiceStatus.CANCELLED
    assert Invoice.objects.get(nosso_numero=1240).wallet == ixc_setup["wallet_b"]
    # The wallet's sequence continues after the highest imported nosso número.
    assert WalletSequence.objects.get(wallet=ixc_setup["wallet_a"]).next_value == 1235
    assert WalletSequence.objects.get(wallet=ixc_setup["wallet_b"]).next_value == 1241

    assert Ticket.objects.get(protocol="202611300001").status == Ticket.Status.NEW
    assert Ticket.objects.get(protocol="202611150007").status == Ticket.Status.SOLVED

    counts = (
        Customer.objects.count(),
        Contract.objects.count(),
        Login.objects.count(),
        Invoice.objects.count(),
        Ticket.objects.count(),
    )
    second = summary(run_import(ixc_db))
    for name in ("cliente", "cliente_contrato", "radusuarios", "fn_areceber", "su_ticket"):
        read, created, updated, unchanged, refused = second[name]
        assert (created, updated) == (0, 0), (name, second[name])
    assert counts == (
        Customer.objects.count(),
        Contract.objects.count(),
        Login.objects.count(),
        Invoice.objects.count(),
        Ticket.objects.count(),
    )


def test_second_run_updates_a_changed_row(ixc_db, ixc_setup):
    run_import(ixc_db)
    ixc_db.execute(ixc_db.database, "UPDATE cliente SET razao = 'Maria da Silva Souza' WHERE id = 1")
    table = summary(run_import(ixc_db, "--tables=cliente"))
    assert table["cliente"] == (4, 0, 1, 2, 1)
    assert Customer.objects.filter(name="Maria da Silva Souza").count() == 1


@pytest.mark.django_db(transaction=True)
def test_imported_logins_authenticate_with_their_old_passwords(ixc_db, ixc_setup, radius):
    from tests.helpers.freeradius import ACCEPT, REJECT

    run_import(ixc_db, "--tables=filial,cidade,radgrupos,vd_contratos,cliente,cliente_contrato,radusuarios")
    client = radius.client()
    try:
        assert client.pap("maria@fibra", "senha-clara").code == ACCEPT  # Cleartext-Password
        assert client.chap("maria@fibra", "senha-clara").code == ACCEPT
        assert client.pap("maria@fibra", "senha-errada").code == REJECT
        assert client.pap("padaria", "senha-md5").code == ACCEPT  # MD5-Password kept from IXC
        assert client.pap("padaria", "outra").code == REJECT
    finally:
        client.close()


def test_imported_rows_are_found_by_their_ixc_id_through_the_webservice(ixc_db, ixc_setup, admin_user):
    """Integrations that stored IXC ids find the imported rows by ``id_ixc`` (Enlace's ``id`` differs)."""
    import json

    from .test_webservice import Integration, json_of, token_of

    run_import(ixc_db, "--tables=filial,cidade,radgrupos,vd_contratos,cliente,cliente_contrato,radusuarios")
    api = Integration(token_of(admin_user))
    answer = json_of(api.listar("cliente", {"qtype": "cliente.id_ixc", "query": "1", "oper": "="}))
    assert answer["total"] == "1" and answer["registros"][0]["razao"] == "Maria da Silva"
    assert answer["registros"][0]["id_ixc"] == "1"
    logins = json_of(
        api.listar(
            "radusuarios", {"grid_param": json.dumps([{"TB": "radusuarios.id_ixc", "OP": "=", "P": "2"}])}
        )
    )
    assert [r["login"] for r in logins["registros"]] == ["padaria"]


def test_messages_service_orders_and_operators(ixc_db, ixc_setup, admin_user):
    """su_mensagens, su_oss_chamado and usuarios (issue 20): operators mapped by e-mail or created
    inactive with a reset required; messages on the imported tickets (private notes kept private,
    the author mapped); service orders with IXC's protocol and status; a second run adds nothing."""
    from django.contrib.auth import get_user_model

    from enlace.support.models import ServiceOrder, TicketMessage

    table = summary(run_import(ixc_db))
    assert table["usuarios"] == (2, 2, 0, 0, 0)
    assert table["su_mensagens"] == (3, 2, 0, 0, 1)
    assert table["su_oss_chamado"] == (3, 2, 0, 0, 1)

    users = get_user_model().objects
    assert ExternalId.objects.get(kind="usuarios", ixc_id="1").object_id == admin_user.pk
    carlos = users.get(pk=ExternalId.objects.get(kind="usuarios", ixc_id="2").object_id)
    assert carlos.email == "carlos@provedor.example" and carlos.username == "carlos"
    assert carlos.first_name == "Carlos" and carlos.is_staff
    assert not carlos.is_active and not carlos.has_usable_password()  # a reset is required

    ticket = Ticket.objects.get(protocol="202611300001")
    public, private = TicketMessage.objects.filter(ticket=ticket).order_by("created_at")
    assert public.text == "Verificando o sinal." and public.public and public.author == admin_user
    assert public.created_at.date() == datetime.date(2026, 11, 30)
    assert not private.public and private.author == carlos
    assert ticket.status == Ticket.Status.NEW  # IXC's status, not moved by the import

    open_order = ServiceOrder.objects.get(protocol="202612010001")
    assert open_order.status == ServiceOrder.Status.OPEN and open_order.ticket == ticket
    assert open_order.opened_at.date() == datetime.date(2026, 12, 1)
    done = ServiceOrder.objects.get(protocol="202611160002")
    assert done.status == ServiceOrder.Status.FINISHED and done.closing_note == "Entregue ao cliente."
    assert done.ticket.protocol == "202611150007"
    assert done.events.filter(action="finish").exists()

    again = summary(run_import(ixc_db))
    for name in ("usuarios", "su_mensagens", "su_oss_chamado"):
        assert again[name][1:3] == (0, 0), (name, again[name])
    assert TicketMessage.objects.filter(ticket=ticket).count() == 2
    assert ServiceOrder.objects.count() == 2


def test_new_rows_take_the_bulk_path(ixc_db, ixc_setup, caplog):
    """New customers, contracts, logins and receivables are written in bulk (no chunk falls back
    to the per-row services), with the audit rows and history the services write."""
    from enlace.contracts.models import ContractHistory
    from enlace.core.models import ObjectChange

    with caplog.at_level("WARNING", logger="enlace.ixc.importer.runner"):
        run_import(ixc_db)
    assert not [r for r in caplog.records if "row by row" in r.getMessage()], caplog.text
    maria = ExternalId.objects.get(kind="cliente", ixc_id="1").object_id
    assert ObjectChange.objects.filter(
        content_type__model="customer", object_id=str(maria), action="create"
    ).exists()
    contract = Contract.objects.get(pk=ExternalId.objects.get(kind="cliente_contrato", ixc_id="1").object_id)
    kinds = set(ContractHistory.objects.filter(contract=contract).values_list("kind", flat=True))
    assert {"NEW", "ACT"} <= kinds  # contract_create's and contract_activate's entries
    paid = Invoice.objects.get(nosso_numero=1233)
    assert paid.payments.get().amount == Decimal("99.90") and paid.paid_date == datetime.date(2026, 11, 9)
    assert ObjectChange.objects.filter(content_type__model="payment", action="create").count() == 1
