"""Build the NFCom XML with nfelib's bindings (``nfelib.nfcom.bindings.v1_0``, layout 1.00 with the
2026 IBS/CBS groups) and validate it against the XSD nfelib ships.

``Document`` is what the services hand over (no Django here); ``build_tree`` returns the unsigned
``NFCom`` as an lxml element (``build`` as text), ``validate`` (from ``xmlio``) the XSD's
complaints in words, naming the field.

Amounts follow the MOC: an item's ``vProd`` is quantity × unit value; the ICMS, PIS, COFINS, FUST,
FUNTTEL, IBS and CBS bases are ``vProd − vDesc + vOutro``; the document's ``vNF`` is the sum of the
items' ``vProd − vDesc + vOutro``. Taxes are rounded half up to the cent per item and the totals
are the sums of the items' rounded values.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from nfelib.nfcom.bindings.v1_0.dfe_tipos_basicos_v1_00 import Tcibs, Tibscbstot, TtribNfcom
from nfelib.nfcom.bindings.v1_0.nfcom_tipos_basico_v1_00 import TendeDest, TendeEmi, Tnfcom
from nfelib.nfcom.bindings.v1_0.nfcom_v1_00 import Nfcom

from .keys import MODEL, access_key
from .xmlio import NS, SCHEMAS, SchemaError, schema, to_tree, to_xml, validate  # noqa: F401 - re-exported

DS = "http://www.w3.org/2000/09/xmldsig#"
VERSION = "1.00"
QR_BASE = "https://dfe-portal.svrs.rs.gov.br/NFCom/qrcode"
CENT = Decimal("0.01")

I = Tnfcom.InfNfcom  # noqa: E741 - the binding's nested classes, named as in the MOC


def text(value: str, limit: int = 0) -> str:
    """Free text as the XSD's TString takes it: Latin-1 characters (others by their closest, e.g.
    dashes become "-"), single spaces, no edge spaces."""
    value = " ".join((value or "").replace("\u2014", "-").replace("\u2013", "-").split())
    if not value.isascii():
        value = "".join(
            ch
            if ord(ch) < 256
            else unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "-"
            for ch in value
        )
    return value[:limit] if limit else value


def money(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT, ROUND_HALF_UP))


def rate(value: Decimal) -> str:
    """A percentage with two places (the XSD's TDec_0302 takes exactly two)."""
    return str(Decimal(value).quantize(CENT, ROUND_HALF_UP))


def part(base: Decimal, percent: Decimal) -> Decimal:
    return (base * percent / 100).quantize(CENT, ROUND_HALF_UP)


@dataclass
class Address:
    street: str
    number: str
    district: str
    city_code: str  # IBGE, 7 digits
    city_name: str
    cep: str
    uf: str
    complement: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Taxes:
    """The taxes of an item (docs/fiscal.md, "Taxes"). ``simples``: Simples Nacional (ICMSSN)."""

    simples: bool = False
    icms_cst: str = "00"  # 00 taxed, 20 reduced base, 40 exempt, 51 deferred, 90 others
    icms_rate: Decimal = Decimal("0")
    pis_cst: str = "01"
    pis_rate: Decimal = Decimal("0")
    cofins_cst: str = "01"
    cofins_rate: Decimal = Decimal("0")
    fust_rate: Decimal = Decimal("0")
    funttel_rate: Decimal = Decimal("0")
    ibs_cbs: bool = False
    ibs_cbs_cst: str = "000"
    ibs_cbs_class: str = "000001"
    ibs_uf_rate: Decimal = Decimal("0.10")
    ibs_mun_rate: Decimal = Decimal("0")
    cbs_rate: Decimal = Decimal("0.90")


@dataclass
class Item:
    code: str
    description: str
    cclass: str
    cfop: str
    unit_value: Decimal
    quantity: Decimal = Decimal("1")
    unit: str = "4"  # uMed: 1 minute, 2 MB, 3 GB, 4 unit
    discount: Decimal = Decimal("0")
    other: Decimal = Decimal("0")
    taxes: Taxes = field(default_factory=Taxes)

    @property
    def gross(self) -> Decimal:
        return (self.unit_value * self.quantity).quantize(CENT, ROUND_HALF_UP)

    @property
    def base(self) -> Decimal:
        return self.gross - self.discount + self.other


@dataclass
class Document:
    uf_code: int
    environment: int  # 1 produção, 2 homologação
    series: int
    number: int
    code: str  # cNF
    issued_at: datetime.datetime  # aware
    city_code: str  # cMunFG, the emitter's municipality
    emitter_cnpj: str
    emitter_ie: str
    emitter_crt: str
    emitter_name: str
    emitter_address: Address
    recipient_name: str
    recipient_document: str  # CPF (11) or CNPJ (14)
    recipient_ie_indicator: str  # 1 contributor, 2 exempt, 9 non-contributor
    recipient_address: Address
    subscriber_code: str
    subscriber_type: str  # tpAssinante: 1 commercial ... 3 residential/individual ...
    service_type: str  # tpServUtil: 1 telephony ... 4 internet access (SCM) ...
    items: list[Item]
    emitter_trade_name: str = ""
    recipient_ie: str = ""
    contract_number: str = ""
    contract_start: datetime.date | None = None
    competence: str = ""  # AAAAMM
    due_date: datetime.date | None = None
    usage_start: datetime.date | None = None
    usage_end: datetime.date | None = None
    barcode_line: str = ""  # the boleto's linha digitável (codBarras)
    pix_url: str = ""
    emission_type: int = 1  # 1 normal, 2 offline contingency
    contingency_at: datetime.datetime | None = None
    contingency_reason: str = ""
    app_version: str = "Enlace 1.0"
    notes: str = ""

    @property
    def key(self) -> str:
        return access_key(
            uf_code=self.uf_code,
            year=self.issued_at.year,
            month=self.issued_at.month,
            cnpj=self.emitter_cnpj,
            series=self.series,
            number=self.number,
            emission_type=self.emission_type,
            code=self.code,
        )

    @property
    def total(self) -> Decimal:
        return sum((i.base for i in self.items), Decimal("0"))


def qr_text(key: str, environment: int, sign: str | None = None) -> str:
    """The ``qrCodNFCom`` text (MOC, "QR Code"): the SVRS consultation URL with the key and the
    environment; in offline contingency also ``sign``, the key signed with the certificate."""
    text = f"{QR_BASE}?chNFCom={key}&tpAmb={environment}"
    if sign:
        text += f"&sign={sign}"
    return text


def _address(cls, a: Address, *, country: bool = False):
    values = {
        "xLgr": text(a.street, 255),
        "nro": text(a.number, 60),
        "xCpl": text(a.complement, 60) or None,
        "xBairro": text(a.district, 60),
        "cMun": a.city_code,
        "xMun": text(a.city_name, 60),
        "CEP": a.cep,
        "UF": a.uf,
        "fone": a.phone or None,
        "email": a.email or None,
    }
    return cls(**values)


def _taxes(item: Item):
    t = item.taxes
    base = item.base
    values: dict = {}
    icms = Decimal("0")
    if t.simples:
        values["ICMSSN"] = I.Det.Imposto.Icmssn(CST="90", indSN="1")
    elif t.icms_cst == "00":
        icms = part(base, t.icms_rate)
        values["ICMS00"] = I.Det.Imposto.Icms00(
            CST="00", vBC=money(base), pICMS=rate(t.icms_rate), vICMS=money(icms)
        )
    elif t.icms_cst in ("40", "41"):
        values["ICMS40"] = I.Det.Imposto.Icms40(CST=t.icms_cst)
    elif t.icms_cst == "51":
        values["ICMS51"] = I.Det.Imposto.Icms51(CST="51")
    else:
        icms = part(base, t.icms_rate)
        values["ICMS90"] = I.Det.Imposto.Icms90(
            CST="90", vBC=money(base), pICMS=rate(t.icms_rate), vICMS=money(icms)
        )
    pis = cofins = fust = funttel = Decimal("0")
    if not t.simples:
        pis = part(base, t.pis_rate)
        cofins = part(base, t.cofins_rate)
        values["PIS"] = I.Det.Imposto.Pis(
            CST=t.pis_cst, vBC=money(base), pPIS=rate(t.pis_rate), vPIS=money(pis)
        )
        values["COFINS"] = I.Det.Imposto.Cofins(
            CST=t.cofins_cst, vBC=money(base), pCOFINS=rate(t.cofins_rate), vCOFINS=money(cofins)
        )
    if t.fust_rate:
        fust = part(base, t.fust_rate)
        values["FUST"] = I.Det.Imposto.Fust(vBC=money(base), pFUST=rate(t.fust_rate), vFUST=money(fust))
    if t.funttel_rate:
        funttel = part(base, t.funttel_rate)
        values["FUNTTEL"] = I.Det.Imposto.Funttel(
            vBC=money(base), pFUNTTEL=rate(t.funttel_rate), vFUNTTEL=money(funttel)
        )
    ibs_uf = ibs_mun = cbs = Decimal("0")
    if t.ibs_cbs:
        ibs_uf, ibs_mun, cbs = part(base, t.ibs_uf_rate), part(base, t.ibs_mun_rate), part(base, t.cbs_rate)
        values["IBSCBS"] = TtribNfcom(
            CST=t.ibs_cbs_cst,
            cClassTrib=t.ibs_cbs_class,
            gIBSCBS=Tcibs(
                vBC=money(base),
                gIBSUF=Tcibs.GIbsuf(pIBSUF=rate(t.ibs_uf_rate), vIBSUF=money(ibs_uf)),
                gIBSMun=Tcibs.GIbsmun(pIBSMun=rate(t.ibs_mun_rate), vIBSMun=money(ibs_mun)),
                vIBS=money(ibs_uf + ibs_mun),
                gCBS=Tcibs.GCbs(pCBS=rate(t.cbs_rate), vCBS=money(cbs)),
            ),
        )
    sums = {
        "icms_base": base if icms else Decimal("0"),
        "icms": icms,
        "pis": pis,
        "cofins": cofins,
        "fust": fust,
        "funttel": funttel,
        "ibs_cbs_base": base if t.ibs_cbs else Decimal("0"),
        "ibs_uf": ibs_uf,
        "ibs_mun": ibs_mun,
        "cbs": cbs,
    }
    return I.Det.Imposto(**values), sums


def binding(doc: Document, *, key: str | None = None) -> Nfcom:
    key = key or doc.key
    dets = []
    totals: dict[str, Decimal] = {}
    for n, item in enumerate(doc.items, start=1):
        imposto, sums = _taxes(item)
        for name, value in sums.items():
            totals[name] = totals.get(name, Decimal("0")) + value
        dets.append(
            I.Det(
                nItem=str(n),
                prod=I.Det.Prod(
                    cProd=item.code,
                    xProd=text(item.description, 120),
                    cClass=item.cclass,
                    CFOP=item.cfop or None,
                    uMed=item.unit,
                    qFaturada=str(item.quantity.quantize(Decimal("0.0001"))),
                    vItem=str(item.unit_value.quantize(CENT)),
                    vDesc=money(item.discount) if item.discount else None,
                    vOutro=money(item.other) if item.other else None,
                    vProd=money(item.gross),
                ),
                imposto=imposto,
            )
        )
    gross = sum((i.gross for i in doc.items), Decimal("0"))
    discount = sum((i.discount for i in doc.items), Decimal("0"))
    other = sum((i.other for i in doc.items), Decimal("0"))
    zero = money(Decimal("0"))
    ibscbs_tot = None
    if totals.get("ibs_cbs_base"):
        vibs = totals["ibs_uf"] + totals["ibs_mun"]
        ibscbs_tot = Tibscbstot(
            vBCIBSCBS=money(totals["ibs_cbs_base"]),
            gIBS=Tibscbstot.GIbs(
                gIBSUF=Tibscbstot.GIbs.GIbsuf(vDif=zero, vDevTrib=zero, vIBSUF=money(totals["ibs_uf"])),
                gIBSMun=Tibscbstot.GIbs.GIbsmun(vDif=zero, vDevTrib=zero, vIBSMun=money(totals["ibs_mun"])),
                vIBS=money(vibs),
            ),
            gCBS=Tibscbstot.GCbs(vDif=zero, vDevTrib=zero, vCBS=money(totals["cbs"])),
        )
    doc_number = doc.recipient_document
    dest = I.Dest(
        xNome=text(doc.recipient_name, 60),
        CNPJ=doc_number if len(doc_number) == 14 else None,
        CPF=doc_number if len(doc_number) == 11 else None,
        idOutros=doc_number if len(doc_number) not in (11, 14) else None,
        indIEDest=doc.recipient_ie_indicator,
        IE=doc.recipient_ie or None,
        enderDest=_address(TendeDest, doc.recipient_address),
    )
    total_nf = gross - discount + other
    gfat = None
    if doc.competence:
        gfat = I.GFat(
            CompetFat=doc.competence,
            dVencFat=doc.due_date.isoformat() if doc.due_date else None,
            dPerUsoIni=doc.usage_start.isoformat() if doc.usage_start else None,
            dPerUsoFim=doc.usage_end.isoformat() if doc.usage_end else None,
            codBarras=doc.barcode_line,
            gPIX=I.GFat.GPix(urlQRCodePIX=doc.pix_url) if doc.pix_url else None,
        )
    return Nfcom(
        infNFCom=I(
            versao=VERSION,
            Id=f"NFCom{key}",
            ide=I.Ide(
                cUF=str(doc.uf_code),
                tpAmb=str(doc.environment),
                mod=MODEL,
                serie=str(doc.series),
                nNF=str(doc.number),
                cNF=doc.code,
                cDV=key[-1],
                dhEmi=doc.issued_at.isoformat(timespec="seconds"),
                tpEmis=str(doc.emission_type),
                nSiteAutoriz="0",
                cMunFG=doc.city_code,
                finNFCom="0",
                tpFat="0",
                verProc=doc.app_version,
                dhCont=doc.contingency_at.isoformat(timespec="seconds") if doc.contingency_at else None,
                xJust=doc.contingency_reason or None,
            ),
            emit=I.Emit(
                CNPJ=doc.emitter_cnpj,
                IE=doc.emitter_ie,
                CRT=doc.emitter_crt,
                xNome=text(doc.emitter_name, 60),
                xFant=text(doc.emitter_trade_name, 60) or None,
                enderEmit=_address(TendeEmi, doc.emitter_address),
            ),
            dest=dest,
            assinante=I.Assinante(
                iCodAssinante=doc.subscriber_code,
                tpAssinante=doc.subscriber_type,
                tpServUtil=doc.service_type,
                nContrato=doc.contract_number or None,
                dContratoIni=doc.contract_start.isoformat() if doc.contract_start else None,
            ),
            det=dets,
            total=I.Total(
                vProd=money(gross),
                ICMSTot=I.Total.Icmstot(
                    vBC=money(totals.get("icms_base", 0)),
                    vICMS=money(totals.get("icms", 0)),
                    vICMSDeson=zero,
                    vFCP=zero,
                ),
                vCOFINS=money(totals.get("cofins", 0)),
                vPIS=money(totals.get("pis", 0)),
                vFUNTTEL=money(totals.get("funttel", 0)),
                vFUST=money(totals.get("fust", 0)),
                vRetTribTot=I.Total.VRetTribTot(vRetPIS=zero, vRetCofins=zero, vRetCSLL=zero, vIRRF=zero),
                vDesc=money(discount),
                vOutro=money(other),
                vNF=money(total_nf),
                IBSCBSTot=ibscbs_tot,
                vTotDFe=money(total_nf + totals["ibs_uf"] + totals["ibs_mun"] + totals["cbs"])
                if ibscbs_tot
                else None,
            ),
            gFat=gfat,
            infAdic=I.InfAdic(infCpl=[text(doc.notes, 5000)]) if doc.notes else None,
        ),
        infNFComSupl=Tnfcom.InfNfcomSupl(qrCodNFCom=""),
    )


def build_tree(doc: Document, *, qr_sign: str | None = None) -> tuple[etree._Element, str]:
    """The unsigned NFCom as an lxml element, and its access key."""
    key = doc.key
    nfcom = binding(doc, key=key)
    nfcom.infNFComSupl.qrCodNFCom = qr_text(key, doc.environment, qr_sign)
    return to_tree(nfcom), key


def build(doc: Document, *, qr_sign: str | None = None) -> tuple[str, str]:
    """The unsigned NFCom XML (text) and its access key."""
    tree, key = build_tree(doc, qr_sign=qr_sign)
    return etree.tostring(tree, encoding="unicode"), key
