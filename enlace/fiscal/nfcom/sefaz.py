"""The SEFAZ web services of the NFCom (SOAP 1.2 over TLS, the A1 as the client certificate).

- ``NFComRecepcao``: the signed NFCom, gzip-compressed and base64-encoded in ``nfcomDadosMsg``;
  synchronous answer ``retNFCom`` (cStat 100 with ``protNFCom``, or a rejection);
- ``NFComStatusServico``: ``consStatServNFCom`` → ``retConsStatServNFCom`` (107 in operation);
- ``NFComConsulta``: ``consSitNFCom`` by key → ``retConsSitNFCom`` (with ``protNFCom`` when known);
- ``NFComRecepcaoEvento``: a signed ``eventoNFCom`` (cancellation, 110111) → ``retEventoNFCom``.

Most states authorise through SVRS; ``DEFAULT_BASE`` holds its addresses per environment.
``endpoint`` picks a state's base: the ``ENLACE_FISCAL_ENDPOINTS`` setting may name another one per
state and environment (``"MG:1=https://… MG:2=https://…"``), and a branch's settings may name its
own (which wins). ``Unavailable`` means the authoriser did not answer (no
connection, timeout, HTTP 5xx): the caller may issue in offline contingency.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import os
import ssl
import tempfile
import urllib.parse
from dataclasses import dataclass

from lxml import etree

from .build import NS
from .certificates import Certificate

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSDL = "http://www.portalfiscal.inf.br/nfcom/wsdl/"
VERSION = "1.00"

#: SVRS, the authoriser of most states (``{base}/{Service}/{Service}.asmx``); 1 produção, 2 homologação.
DEFAULT_BASE = {
    1: "https://nfcom.svrs.rs.gov.br/WS",
    2: "https://nfcom-homologacao.svrs.rs.gov.br/WS",
}
UFS = frozenset(
    [
        "AC",
        "AL",
        "AM",
        "AP",
        "BA",
        "CE",
        "DF",
        "ES",
        "GO",
        "MA",
        "MG",
        "MS",
        "MT",
        "PA",
        "PB",
        "PE",
        "PI",
        "PR",
        "RJ",
        "RN",
        "RO",
        "RR",
        "RS",
        "SC",
        "SE",
        "SP",
        "TO",
    ]
)


def parse_endpoints(text: str) -> dict[tuple[str, int], str]:
    """``"UF:environment=URL"`` entries separated by spaces or commas → {(UF, environment): URL};
    ``ValueError`` naming the first malformed entry."""
    table = {}
    for entry in text.replace(",", " ").split():
        where, _sep, url = entry.partition("=")
        uf, _sep, environment = where.partition(":")
        uf = uf.strip().upper()
        if uf not in UFS or environment not in ("1", "2") or not url.startswith("https://"):
            raise ValueError(f"ENLACE_FISCAL_ENDPOINTS: {entry!r} is not UF:1=https://… or UF:2=https://…")
        table[(uf, int(environment))] = url.rstrip("/")
    return table


def endpoint(uf: str, environment: int, overrides: str | dict = "") -> str:
    """The base address of the NFCom web services of state ``uf`` in ``environment``: the
    override for that state and environment (``parse_endpoints``' text or its table), else SVRS."""
    table = parse_endpoints(overrides) if isinstance(overrides, str) else overrides
    return table.get((uf.upper(), int(environment))) or DEFAULT_BASE[int(environment)]


SERVICES = ("NFComRecepcao", "NFComStatusServico", "NFComConsulta", "NFComRecepcaoEvento")


class Unavailable(Exception):
    """The authoriser did not answer."""


class ProtocolError(Exception):
    """The authoriser answered something that is not the expected SOAP message."""


@dataclass
class Answer:
    status: str  # cStat
    reason: str  # xMotivo
    protocol: str  # nProt ('' when none)
    element: etree._Element  # the ret* element
    prot: etree._Element | None = None  # protNFCom / retEventoNFCom to store with the document

    def xml(self) -> bytes:
        return etree.tostring(self.element, encoding="utf-8")


def envelope(service: str, uf_code: int, payload: str | etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"soap12": SOAP})
    header = etree.SubElement(env, f"{{{SOAP}}}Header")
    cabec = etree.SubElement(header, f"{{{WSDL}{service}}}nfcomCabecMsg", nsmap={None: WSDL + service})
    etree.SubElement(cabec, f"{{{WSDL}{service}}}cUF").text = str(uf_code)
    etree.SubElement(cabec, f"{{{WSDL}{service}}}versaoDados").text = VERSION
    body = etree.SubElement(env, f"{{{SOAP}}}Body")
    dados = etree.SubElement(body, f"{{{WSDL}{service}}}nfcomDadosMsg", nsmap={None: WSDL + service})
    if isinstance(payload, str):
        dados.text = payload
    else:
        dados.append(payload)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def compress(xml: bytes) -> str:
    return base64.b64encode(gzip.compress(xml, mtime=0)).decode()


def _find(root: etree._Element, name: str) -> etree._Element | None:
    return next((el for el in root.iter(f"{{{NS}}}{name}")), None)


def _text(root: etree._Element | None, name: str) -> str:
    if root is None:
        return ""
    el = _find(root, name)
    return (el.text or "").strip() if el is not None else ""


class Client:
    def __init__(
        self,
        *,
        base_url: str,
        uf_code: int,
        certificate: Certificate,
        cafile: str | None = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.uf_code = uf_code
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=cafile or None)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        certs, key = certificate.pem_files_content()
        # ssl loads a client certificate from files only: a private directory, removed at once.
        with tempfile.TemporaryDirectory(prefix="enlace-a1-") as tmp:
            os.chmod(tmp, 0o700)
            cert_path, key_path = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            for path, data in ((cert_path, certs), (key_path, key)):
                fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            self.context.load_cert_chain(cert_path, key_path)

    def _post(self, service: str, payload: str | etree._Element) -> etree._Element:
        url = urllib.parse.urlsplit(f"{self.base_url}/{service}/{service}.asmx")
        body = envelope(service, self.uf_code, payload)
        conn = http.client.HTTPSConnection(
            url.hostname, url.port or 443, timeout=self.timeout, context=self.context
        )
        try:
            conn.request(
                "POST",
                url.path,
                body=body,
                headers={"Content-Type": f'application/soap+xml; charset=utf-8; action="{WSDL}{service}"'},
            )
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout, TLS failure
            raise Unavailable(str(exc)) from exc
        finally:
            conn.close()
        if response.status >= 500 and b"Envelope" not in data:
            raise Unavailable(f"HTTP {response.status}")
        try:
            root = etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            raise ProtocolError(f"HTTP {response.status}: not XML") from exc
        return root

    def _answer(self, root: etree._Element, ret: str, prot: str | None = None) -> Answer:
        element = _find(root, ret)
        if element is None:
            fault = " ".join(t.strip() for t in root.itertext() if t.strip())[:300]
            raise ProtocolError(fault or f"no {ret} in the answer")
        prot_el = _find(element, prot) if prot else None
        inner = prot_el if prot_el is not None else element
        status, reason = _text(inner, "cStat"), _text(inner, "xMotivo")
        if prot_el is None:
            status, reason = _text(element, "cStat"), _text(element, "xMotivo")
        return Answer(
            status=status, reason=reason, protocol=_text(inner, "nProt"), element=element, prot=prot_el
        )

    def authorise(self, signed_xml: bytes) -> Answer:
        """Send one signed NFCom; the answer's status is the protocol's cStat when there is one."""
        return self._answer(self._post("NFComRecepcao", compress(signed_xml)), "retNFCom", "protNFCom")

    def status(self, environment: int) -> Answer:
        cons = etree.Element(f"{{{NS}}}consStatServNFCom", versao=VERSION, nsmap={None: NS})
        etree.SubElement(cons, f"{{{NS}}}tpAmb").text = str(environment)
        etree.SubElement(cons, f"{{{NS}}}xServ").text = "STATUS"
        return self._answer(self._post("NFComStatusServico", cons), "retConsStatServNFCom")

    def query(self, key: str, environment: int) -> Answer:
        cons = etree.Element(f"{{{NS}}}consSitNFCom", versao=VERSION, nsmap={None: NS})
        etree.SubElement(cons, f"{{{NS}}}tpAmb").text = str(environment)
        etree.SubElement(cons, f"{{{NS}}}xServ").text = "CONSULTAR"
        etree.SubElement(cons, f"{{{NS}}}chNFCom").text = key
        root = self._post("NFComConsulta", cons)
        answer = self._answer(root, "retConsSitNFCom")
        answer.prot = _find(answer.element, "protNFCom")
        if answer.prot is not None:
            answer.protocol = _text(answer.prot, "nProt")
        return answer

    def event(self, signed_event: bytes) -> Answer:
        root = self._post("NFComRecepcaoEvento", etree.fromstring(signed_event))
        answer = self._answer(root, "retEventoNFCom")
        answer.prot = answer.element
        return answer


def proc(signed_xml: bytes, prot: etree._Element) -> bytes:
    """``nfcomProc``: the authorised NFCom with its protocol, the document kept for five years."""
    root = etree.Element(f"{{{NS}}}nfcomProc", versao=VERSION, nsmap={None: NS})
    root.append(etree.fromstring(signed_xml))
    root.append(_copy(prot))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def proc_event(signed_event: bytes, ret: etree._Element) -> bytes:
    root = etree.Element(f"{{{NS}}}procEventoNFCom", versao=VERSION, nsmap={None: NS})
    root.append(etree.fromstring(signed_event))
    root.append(_copy(ret))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))
