"""A SEFAZ stand-in for the NFCom web services: a real HTTPS server on a free loopback port,
requiring a client certificate from its test CA (TLS ``CERT_REQUIRED``), speaking SOAP 1.2.

It is NOT the SEFAZ: it checks what the suite needs — the XSD (nfelib's schemas), the signature
(``xmlsec1 --verify`` against the test CA) and duplicates — and answers with the documented codes:
100 authorised, 204 duplicate, 225 schema failure, 297 signature missing, 298 signature invalid;
107 for the status service; 100/217 for the query by key; 135 for a registered cancellation (and
the event's own schema and signature checks). ``down = True`` makes it drop every connection (the
authoriser is unavailable). docs/fiscal.md says how to test against the real homologação.
"""

from __future__ import annotations

import base64
import copy
import gzip
import http.server
import os
import ssl
import subprocess
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nfelib
import pytest
from lxml import etree

from .a1 import TestCA

NS = "http://www.portalfiscal.inf.br/nfcom"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
SCHEMAS = Path(nfelib.__file__).parent / "nfcom" / "schemas" / "v1_0"
_schemas: dict[str, etree.XMLSchema] = {}


def schema(name):
    if name not in _schemas:
        _schemas[name] = etree.XMLSchema(etree.parse(str(SCHEMAS / name)))
    return _schemas[name]


def _now():
    return datetime.now(timezone(timedelta(hours=-3))).isoformat(timespec="seconds")


class StandIn:
    def __init__(self, ca: TestCA, workdir: Path):
        self.ca = ca
        self.workdir = workdir
        self.authorised: dict[str, str] = {}  # key -> protocol
        self.events: dict[str, str] = {}
        self.requests: list[str] = []  # service names, in order
        self.down = False
        self.seq = 0
        self.lock = threading.Lock()
        self.ca_file = workdir / "ca.pem"
        self.ca_file.write_bytes(ca.pem)
        cert, key = ca.server()
        (workdir / "server.pem").write_bytes(cert)
        (workdir / "server.key").write_bytes(key)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(workdir / "server.pem", workdir / "server.key")
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(self.ca_file)
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                if standin.down:
                    self.close_connection = True
                    self.connection.close()
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service = self.path.strip("/").split("/")[-2] if self.path.count("/") >= 2 else ""
                standin.requests.append(service)
                try:
                    answer = standin.handle(service, body)
                    status = 200
                except Exception as exc:  # a SOAP fault, as a web service would answer
                    answer = _fault(str(exc))
                    status = 500
                self.send_response(status)
                self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/ws"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- checks ---------------------------------------------------------------------------
    def verify_signature(self, xml: bytes, element: str) -> bool:
        with tempfile.NamedTemporaryFile(dir=self.workdir, suffix=".xml", delete=False) as fh:
            fh.write(xml)
        try:
            result = subprocess.run(
                ["xmlsec1", "--verify", "--trusted-pem", str(self.ca_file), "--id-attr:Id", element, fh.name],
                capture_output=True,
            )
            return result.returncode == 0
        finally:
            os.unlink(fh.name)

    def protocol(self) -> str:
        with self.lock:
            self.seq += 1
            return f"3{datetime.now():%y}{self.seq:013d}"

    # --- services -------------------------------------------------------------------------
    def handle(self, service: str, body: bytes) -> bytes:
        env = etree.fromstring(body)
        dados = next(env.iter("{*}nfcomDadosMsg"))
        if service == "NFComRecepcao":
            return self.authorise(gzip.decompress(base64.b64decode(dados.text)))
        if service == "NFComStatusServico":
            return _ret("retConsStatServNFCom", "107", "Servico em Operacao")
        if service == "NFComConsulta":
            key = next(dados.iter(f"{{{NS}}}chNFCom")).text
            if key in self.authorised:
                return _ret(
                    "retConsSitNFCom", "100", "Autorizado o uso da NFCom", _prot(key, self.authorised[key])
                )
            return _ret("retConsSitNFCom", "217", "NFCom nao consta na base de dados da SEFAZ")
        if service == "NFComRecepcaoEvento":
            # the event as the document it was signed as: without the envelope's namespaces
            event = copy.deepcopy(dados[0])
            etree.cleanup_namespaces(event)
            return self.event(etree.tostring(event))
        raise ValueError(f"unknown service {service}")

    def authorise(self, xml: bytes) -> bytes:
        doc = etree.fromstring(xml)
        inf = next(doc.iter(f"{{{NS}}}infNFCom"))
        key = inf.get("Id", "")[5:]
        if next(doc.iter("{http://www.w3.org/2000/09/xmldsig#}Signature"), None) is None:
            return _ret("retNFCom", "297", "Rejeicao: Assinatura difere do padrao do Projeto")
        if not schema("nfcom_v1.00.xsd").validate(doc):
            return _ret("retNFCom", "225", "Rejeicao: Falha no Schema XML da NFCom")
        if not self.verify_signature(xml, "infNFCom"):
            return _ret("retNFCom", "298", "Rejeicao: Assinatura difere do calculado")
        if key in self.authorised:
            return _ret("retNFCom", "204", "Rejeicao: Duplicidade de NFCom")
        self.authorised[key] = self.protocol()
        return _ret("retNFCom", "100", "Autorizado o uso da NFCom", _prot(key, self.authorised[key]))

    def event(self, xml: bytes) -> bytes:
        doc = etree.fromstring(xml)
        if not schema("eventoNFCom_v1.00.xsd").validate(doc):
            return _ret_event("215", "Rejeicao: Falha no schema XML")
        canc = next(doc.iter(f"{{{NS}}}evCancNFCom"), None)
        if canc is None or not schema("evCancNFCom_v1.00.xsd").validate(
            etree.fromstring(etree.tostring(canc))
        ):
            return _ret_event("215", "Rejeicao: Falha no schema XML do evento")
        if not self.verify_signature(xml, "infEvento"):
            return _ret_event("298", "Rejeicao: Assinatura difere do calculado")
        key = next(doc.iter(f"{{{NS}}}chNFCom")).text
        nprot = next(doc.iter(f"{{{NS}}}nProt")).text
        if self.authorised.get(key) != nprot:
            return _ret_event("217", "Rejeicao: NFCom nao consta na base de dados da SEFAZ", key)
        if key in self.events:
            return _ret_event("631", "Rejeicao: Duplicidade de evento", key)
        self.events[key] = self.protocol()
        return _ret_event("135", "Evento registrado e vinculado a NFCom", key, self.events[key])


def _fault(text: str) -> bytes:
    return (
        f'<soap12:Envelope xmlns:soap12="{SOAP}"><soap12:Body><soap12:Fault><soap12:Reason>'
        f"<soap12:Text>{text}</soap12:Text></soap12:Reason></soap12:Fault></soap12:Body></soap12:Envelope>"
    ).encode()


def _prot(key, nprot):
    return (
        f'<protNFCom versao="1.00"><infProt Id="ID{nprot}"><tpAmb>2</tpAmb><verAplic>STANDIN</verAplic>'
        f"<chNFCom>{key}</chNFCom><dhRecbto>{_now()}</dhRecbto><nProt>{nprot}</nProt>"
        f"<cStat>100</cStat><xMotivo>Autorizado o uso da NFCom</xMotivo></infProt></protNFCom>"
    )


def _ret(name, cstat, reason, inner=""):
    return (
        f'<soap12:Envelope xmlns:soap12="{SOAP}"><soap12:Body>'
        f'<nfcomResultMsg xmlns="http://www.portalfiscal.inf.br/nfcom/wsdl/X">'
        f'<{name} xmlns="{NS}" versao="1.00"><tpAmb>2</tpAmb><cUF>35</cUF><verAplic>STANDIN</verAplic>'
        f"<cStat>{cstat}</cStat><xMotivo>{reason}</xMotivo>{inner}</{name}>"
        f"</nfcomResultMsg></soap12:Body></soap12:Envelope>"
    ).encode()


def _ret_event(cstat, reason, key="", nprot=""):
    extra = (
        f"<chNFCom>{key}</chNFCom><tpEvento>110111</tpEvento><xEvento>Cancelamento</xEvento><nSeqEvento>1</nSeqEvento>"
        if key
        else ""
    )
    extra += f"<dhRegEvento>{_now()}</dhRegEvento><nProt>{nprot}</nProt>" if nprot else ""
    return (
        f'<soap12:Envelope xmlns:soap12="{SOAP}"><soap12:Body>'
        f'<nfcomResultMsg xmlns="http://www.portalfiscal.inf.br/nfcom/wsdl/NFComRecepcaoEvento">'
        f'<retEventoNFCom xmlns="{NS}" versao="1.00"><infEvento><tpAmb>2</tpAmb><verAplic>STANDIN</verAplic>'
        f"<cOrgao>35</cOrgao><cStat>{cstat}</cStat><xMotivo>{reason}</xMotivo>{extra}</infEvento></retEventoNFCom>"
        f"</nfcomResultMsg></soap12:Body></soap12:Envelope>"
    ).encode()


@pytest.fixture(scope="session")
def test_ca():
    return TestCA()


@pytest.fixture
def sefaz(test_ca, tmp_path, settings):
    """The stand-in, trusted by the SEFAZ client (``ENLACE_FISCAL_CA_FILE``)."""
    import shutil

    if not shutil.which("xmlsec1"):
        from tests.conftest import require_service

        require_service("xmlsec1", "Debian package xmlsec1 is needed to verify signatures")
    standin = StandIn(test_ca, tmp_path)
    settings.ENLACE_FISCAL_CA_FILE = str(standin.ca_file)
    settings.ENLACE_FISCAL_TIMEOUT = 10
    yield standin
    standin.stop()
