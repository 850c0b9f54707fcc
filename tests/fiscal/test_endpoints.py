"""The authoriser's address per state and environment: SVRS by default, ``ENLACE_FISCAL_ENDPOINTS``
for a state with its own, the branch's own address above both."""

import pytest
from django.core import checks

from enlace.fiscal.checks import fiscal_endpoints
from enlace.fiscal.models import DocumentStatus, FiscalSettings
from enlace.fiscal.nfcom import sefaz as client
from enlace.fiscal.services import document_issue, document_transmit


def test_svrs_unless_the_state_is_named():
    table = "MG:1=https://nfcom.mg.example/ws MG:2=https://hom.nfcom.mg.example/ws/"
    assert client.endpoint("SP", 1, table) == "https://nfcom.svrs.rs.gov.br/WS"
    assert client.endpoint("SP", 2, table) == "https://nfcom-homologacao.svrs.rs.gov.br/WS"
    assert client.endpoint("MG", 1, table) == "https://nfcom.mg.example/ws"
    assert client.endpoint("mg", 2, table) == "https://hom.nfcom.mg.example/ws"
    assert client.endpoint("MG", 1, "") == "https://nfcom.svrs.rs.gov.br/WS"


@pytest.mark.parametrize("bad", ["MG=https://x", "XX:1=https://x", "MG:3=https://x", "MG:1=http://x"])
def test_malformed_entries_are_refused_at_start(bad, settings):
    with pytest.raises(ValueError, match="ENLACE_FISCAL_ENDPOINTS"):
        client.parse_endpoints(bad)
    settings.ENLACE_FISCAL_ENDPOINTS = bad
    (error,) = fiscal_endpoints()
    assert isinstance(error, checks.Error) and error.id == "enlace.fiscal.E001"
    settings.ENLACE_FISCAL_ENDPOINTS = "SP:2=https://127.0.0.1/ws"
    assert fiscal_endpoints() == []


@pytest.mark.django_db
def test_transmission_goes_to_the_states_endpoint(admin_user, fiscal, make_invoice, sefaz, settings):
    FiscalSettings.objects.filter(pk=fiscal.pk).update(sefaz_url="")  # the branch names no address
    settings.ENLACE_FISCAL_ENDPOINTS = f"RJ:2=https://127.0.0.1:9/ws SP:2={sefaz.url}"
    document = document_transmit(
        document=document_issue(invoice=make_invoice(), actor=admin_user), actor=admin_user
    )
    assert document.status == DocumentStatus.AUTHORISED  # the stand-in, named for SP, answered
    assert sefaz.requests.count("NFComRecepcao") == 1
