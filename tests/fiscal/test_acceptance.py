"""The issue's acceptance path: an A1 made by the suite, NFCom built with nfelib, validated against
its XSD, signed (xmlsec1 verifies it), authorised by the SEFAZ stand-in, DANFE-COM, cancellation."""

import datetime
import subprocess

import pytest
from lxml import etree

from enlace.core.exceptions import ApplicationError
from enlace.customers.models import Customer
from enlace.fiscal.models import DocumentStatus, FiscalDocument, FiscalSettings
from enlace.fiscal.nfcom import build, keys
from enlace.fiscal.services import document_cancel, document_issue, document_transmit

pytestmark = pytest.mark.django_db

NS = {"n": "http://www.portalfiscal.inf.br/nfcom"}


def xmlsec_verify(xml: bytes, ca_file, element, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "doc.xml"
    path.write_bytes(xml)
    return subprocess.run(
        ["xmlsec1", "--verify", "--trusted-pem", str(ca_file), "--id-attr:Id", element, str(path)],
        capture_output=True,
        text=True,
    )


def test_issue_validate_sign_authorise(admin_user, fiscal, make_invoice, sefaz, tmp_path):
    invoice = make_invoice()
    document = document_issue(invoice=invoice, actor=admin_user)
    assert document.status == DocumentStatus.DRAFT
    assert (document.series, document.number) == (1, 1)
    xml = bytes(document.xml)
    assert build.validate(xml) == []
    assert keys.is_valid_key(document.key) and len(document.key) == 44
    assert document.key[20:22] == "62" and document.key[6:20] == fiscal.cnpj
    result = xmlsec_verify(xml, sefaz.ca_file, "infNFCom", tmp_path)
    assert result.returncode == 0, result.stderr
    root = etree.fromstring(xml)
    assert root.findtext("n:infNFComSupl/n:qrCodNFCom", namespaces=NS) == document.qr_text
    assert root.findtext("n:infNFCom/n:gFat/n:codBarras", namespaces=NS) == invoice.digitable_line
    assert root.findtext("n:infNFCom/n:dest/n:CPF", namespaces=NS) == "52998224725"

    document = document_transmit(document=document, actor=admin_user)
    assert document.status == DocumentStatus.AUTHORISED, document.status_reason
    assert document.protocol == sefaz.authorised[document.key]
    proc = etree.fromstring(bytes(document.proc_xml))
    assert build.validate(bytes(document.proc_xml), schema_name="procNFCom_v1.00.xsd") == []
    assert proc.findtext("n:protNFCom/n:infProt/n:nProt", namespaces=NS) == document.protocol
    # idempotent: issuing and transmitting again changes nothing
    assert document_issue(invoice=invoice, actor=admin_user).pk == document.pk
    assert document_transmit(document=document, actor=admin_user).protocol == document.protocol
    assert sefaz.requests.count("NFComRecepcao") == 1


def test_numbers_follow_without_gaps(admin_user, fiscal, make_invoice):
    numbers = [document_issue(invoice=make_invoice(), actor=admin_user).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert FiscalSettings.objects.get(pk=fiscal.pk).next_number == 4


def test_missing_ibge_code_refused_naming_the_field(admin_user, fiscal, make_invoice, sefaz):
    invoice = make_invoice()
    Customer.objects.filter(pk=invoice.customer_id).update(city=None)
    invoice.customer.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        document_issue(invoice=invoice, actor=admin_user)
    assert "cMun" in exc.value.message and "municipality IBGE code" in exc.value.message
    assert exc.value.field == "cMun"
    assert not FiscalDocument.objects.exists()
    assert FiscalSettings.objects.get(pk=fiscal.pk).next_number == 1  # no number lost
    assert sefaz.requests == []


def test_cancel_within_deadline(admin_user, fiscal, make_invoice, sefaz, tmp_path):
    document = document_transmit(
        document=document_issue(invoice=make_invoice(), actor=admin_user), actor=admin_user
    )
    with pytest.raises(ApplicationError):
        document_cancel(document=document, reason="too short", actor=admin_user)
    document = document_cancel(document=document, reason="Customer gave up the service", actor=admin_user)
    assert document.status == DocumentStatus.CANCELLED
    assert document.cancel_protocol == sefaz.events[document.key]
    proc = bytes(document.cancel_xml)
    assert build.validate(proc, schema_name="procEventoNFCom_v1.00.xsd") == []
    event = etree.tostring(etree.fromstring(proc).find("n:eventoNFCom", NS))
    assert xmlsec_verify(event, sefaz.ca_file, "infEvento", tmp_path).returncode == 0


def test_cancel_after_deadline_refused(admin_user, fiscal, make_invoice, sefaz):
    document = document_transmit(
        document=document_issue(invoice=make_invoice(), actor=admin_user), actor=admin_user
    )
    FiscalDocument.objects.filter(pk=document.pk).update(
        authorised_at=document.authorised_at - datetime.timedelta(hours=121)
    )
    document.refresh_from_db()
    with pytest.raises(ApplicationError, match="deadline"):
        document_cancel(document=document, reason="Customer gave up the service", actor=admin_user)
    assert "NFComRecepcaoEvento" not in sefaz.requests


def test_contingency_when_authoriser_down(admin_user, fiscal, make_invoice, sefaz):
    sefaz.down = True
    document = document_issue(invoice=make_invoice(), actor=admin_user)
    draft_key = document.key
    document = document_transmit(document=document, actor=admin_user)
    assert document.status == DocumentStatus.CONTINGENCY
    assert document.emission_type == 2 and document.key[34] == "2" and document.key != draft_key
    assert keys.is_valid_key(document.key)
    assert "&sign=" in document.qr_text
    root = etree.fromstring(bytes(document.xml))
    assert root.findtext("n:infNFCom/n:ide/n:tpEmis", namespaces=NS) == "2"
    assert build.validate(bytes(document.xml)) == []
    sefaz.down = False
    document = document_transmit(document=document, actor=admin_user)
    assert document.status == DocumentStatus.AUTHORISED
    assert document.number == 1


def test_rejection_keeps_the_number_and_resends(admin_user, fiscal, make_invoice, sefaz):
    document = document_issue(invoice=make_invoice(), actor=admin_user)
    # a document the authoriser already has (sent by another worker that died before recording)
    sefaz.authorised[document.key] = "399999999999999"
    document = document_transmit(document=document, actor=admin_user)
    assert document.status == DocumentStatus.AUTHORISED
    assert document.protocol == "399999999999999"  # 204 resolved by the query by key
