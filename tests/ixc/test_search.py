"""Imported rows are found by their IXC id (issue 20): ``ixc:<id>`` in the customer, contract and
login lists' search box and in the top bar's global search, within the viewer's branches."""

import pytest

from enlace.contracts.models import Contract
from enlace.customers.models import Customer
from enlace.ixc.models import ExternalId
from enlace.radius.models import Login

from .conftest import run_import

pytestmark = pytest.mark.django_db


def _ids(kind: str, ixc_id: str) -> int:
    return ExternalId.objects.get(kind=kind, ixc_id=ixc_id).object_id


def test_lists_and_global_search_find_rows_by_ixc_id(ixc_db, ixc_setup, admin_web, operator_a_web):
    run_import(ixc_db, "--tables=filial,cidade,radgrupos,vd_contratos,cliente,cliente_contrato,radusuarios")
    maria = Customer.objects.get(pk=_ids("cliente", "1"))
    padaria = Customer.objects.get(pk=_ids("cliente", "2"))
    contract = Contract.objects.get(pk=_ids("cliente_contrato", "5"))
    login = Login.objects.get(pk=_ids("radusuarios", "2"))
    assert maria.pk != 1 or padaria.pk != 2 or contract.pk != 5  # Enlace's ids are its own

    page = admin_web.get("/customers/", {"q": "ixc:1"}).content.decode()
    assert f"/customers/{maria.pk}/" in page and f"/customers/{padaria.pk}/" not in page
    page = admin_web.get("/contracts/", {"q": "IXC 5"}).content.decode()
    assert f"/contracts/{contract.pk}/" in page
    assert f"/contracts/{_ids('cliente_contrato', '1')}/" not in page
    page = admin_web.get("/logins/", {"q": "ixc:2"}).content.decode()
    assert f"/logins/{login.pk}/" in page and "maria@fibra" not in page
    # Without the prefix the number is an ordinary search (no IXC lookup).
    assert f"/logins/{login.pk}/" not in admin_web.get("/logins/", {"q": "2"}).content.decode()

    # The top bar's search: every kind imported with that IXC id.
    page = admin_web.get("/search/", {"q": "ixc:1"}).content.decode()
    assert f"/customers/{maria.pk}/" in page
    assert f"/contracts/{_ids('cliente_contrato', '1')}/" in page
    assert f"/logins/{_ids('radusuarios', '1')}/" in page
    # One hit opens the record.
    answer = admin_web.get("/search/", {"q": "ixc:2"})
    assert answer.status_code == 200 or answer.status_code == 302

    # An operator of branch A does not find branch B's customer (Padaria) by its IXC id.
    assert (
        f"/customers/{padaria.pk}/" not in operator_a_web.get("/customers/", {"q": "ixc:2"}).content.decode()
    )
    assert f"/customers/{padaria.pk}/" not in operator_a_web.get("/search/", {"q": "ixc:2"}).content.decode()
