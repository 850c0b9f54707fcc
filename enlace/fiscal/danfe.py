"""DANFE-COM: the printed auxiliary document of an NFCom (A4, ReportLab), drawn from the stored XML
(the authorised ``nfcomProc`` when there is one): emitter, number and series, the access key with
its Code 128 barcode, the QR code of ``qrCodNFCom``, the authorisation protocol (or the contingency
notice), the recipient and subscriber, the items with their taxes, the totals and the fatura (due
date, the boleto's linha digitável and the PIX "copia e cola" with its QR code)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .models import DocumentStatus, FiscalDocument
from .nfcom.build import NS

N = {"n": NS}


def _t(el, path: str) -> str:
    return (el.findtext(path, namespaces=N) or "").strip() if el is not None else ""


def _f(el, path: str):
    """``el.find(path)``, ``None`` when ``el`` is (a partial document prints blanks, not an error)."""
    return el.find(path, N) if el is not None else None


def _money(value: str) -> str:
    if not value:
        return ""
    q = Decimal(value).quantize(Decimal("0.01"))
    return "R$ " + f"{q:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _qr(c, text: str, x: float, y: float, size: float):
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    d = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    d.add(widget)
    renderPDF.draw(d, c, x, y)


def render(document: FiscalDocument, *, pix_payload: str = "") -> bytes:
    root = etree.fromstring(bytes(document.proc_xml or document.xml))
    nfcom = root if etree.QName(root).localname == "NFCom" else root.find("n:NFCom", N)
    inf = _f(nfcom, "n:infNFCom")
    ide, emit, dest = _f(inf, "n:ide"), _f(inf, "n:emit"), _f(inf, "n:dest")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"DANFE-COM {document.key}")
    width, height = A4
    left, right = 12 * mm, width - 12 * mm
    y = height - 15 * mm

    c.setFont("Helvetica-Bold", 11)
    c.drawString(left, y, _t(emit, "n:xNome"))
    c.setFont("Helvetica", 8)
    ender = _f(emit, "n:enderEmit")
    c.drawString(left, y - 11, f"{_t(ender, 'n:xLgr')}, {_t(ender, 'n:nro')} - {_t(ender, 'n:xBairro')}")
    c.drawString(left, y - 21, f"{_t(ender, 'n:xMun')}/{_t(ender, 'n:UF')}  CEP {_t(ender, 'n:CEP')}")
    c.drawString(left, y - 31, f"CNPJ {_t(emit, 'n:CNPJ')}  IE {_t(emit, 'n:IE')}")
    c.setFont("Helvetica-Bold", 12)
    c.drawRightString(right, y, "DANFE-COM")
    c.setFont("Helvetica", 8)
    c.drawRightString(right, y - 11, _("Auxiliary document of the NFCom (model 62)"))
    c.drawRightString(
        right, y - 21, _("Number %(n)s  Series %(s)s") % {"n": _t(ide, "n:nNF"), "s": _t(ide, "n:serie")}
    )
    c.drawRightString(right, y - 31, _("Issued %(d)s") % {"d": _t(ide, "n:dhEmi")[:19].replace("T", " ")})
    if _t(ide, "n:tpAmb") == "2":
        c.setFont("Helvetica-Bold", 9)
        c.drawCentredString(width / 2, y - 45, _("HOMOLOGATION: NO FISCAL VALUE"))

    # key, barcode, QR, protocol
    y -= 62
    qr_size = 38 * mm
    _qr(c, document.qr_text, right - qr_size, y - qr_size + 6 * mm, qr_size)
    c.setFont("Helvetica-Bold", 8)
    c.drawString(left, y, _("ACCESS KEY"))
    c.setFont("Courier-Bold", 9)
    c.drawString(left, y - 11, " ".join(document.key[i : i + 4] for i in range(0, 44, 4)))
    barcode = code128.Code128(document.key, barHeight=12 * mm, barWidth=0.26 * mm)
    barcode.drawOn(c, left - 4 * mm, y - 11 - 14 * mm)
    c.setFont("Helvetica", 8)
    status = {
        DocumentStatus.AUTHORISED: _("Authorisation protocol: %(p)s %(d)s")
        % {
            "p": document.protocol,
            "d": document.authorised_at.strftime("%d/%m/%Y %H:%M") if document.authorised_at else "",
        },
        DocumentStatus.CANCELLED: _("CANCELLED (protocol %(p)s)") % {"p": document.cancel_protocol},
        DocumentStatus.CONTINGENCY: _("Issued in offline contingency: pending authorisation"),
    }.get(document.status, _("Not authorised yet"))
    c.drawString(left, y - 35 * mm, status)
    c.drawString(left, y - 35 * mm - 10, _("Consult at %(url)s") % {"url": document.qr_text.split("?")[0]})

    # recipient and subscriber
    y -= 48 * mm
    c.setFont("Helvetica-Bold", 8)
    c.drawString(left, y, _("RECIPIENT"))
    c.setFont("Helvetica", 8)
    ed = _f(dest, "n:enderDest")
    doc_number = _t(dest, "n:CPF") or _t(dest, "n:CNPJ") or _t(dest, "n:idOutros")
    c.drawString(left, y - 11, f"{_t(dest, 'n:xNome')}  CPF/CNPJ {doc_number}")
    c.drawString(
        left,
        y - 21,
        f"{_t(ed, 'n:xLgr')}, {_t(ed, 'n:nro')} - {_t(ed, 'n:xBairro')} - {_t(ed, 'n:xMun')}/{_t(ed, 'n:UF')}",
    )
    ass = _f(inf, "n:assinante")
    c.drawString(
        left,
        y - 31,
        _("Subscriber %(c)s  Contract %(n)s")
        % {"c": _t(ass, "n:iCodAssinante"), "n": _t(ass, "n:nContrato")},
    )

    # items
    y -= 46
    c.setFont("Helvetica-Bold", 7)
    cols = [left, left + 95 * mm, left + 112 * mm, left + 130 * mm, left + 148 * mm, left + 166 * mm]
    for x, label in zip(
        cols, [_("Item"), "cClass", "CFOP", _("Amount"), _("ICMS"), "PIS/COFINS"], strict=True
    ):
        c.drawString(x, y, label)
    c.setFont("Helvetica", 7)
    for det in inf.findall("n:det", N) if inf is not None else []:
        y -= 10
        prod, imp = det.find("n:prod", N), det.find("n:imposto", N)
        icms = next((el for el in imp if etree.QName(el).localname.startswith("ICMS")), None)
        pis_cofins = f"{_t(imp, 'n:PIS/n:vPIS') or '0.00'}/{_t(imp, 'n:COFINS/n:vCOFINS') or '0.00'}"
        for x, value in zip(
            cols,
            [
                _t(prod, "n:xProd")[:60],
                _t(prod, "n:cClass"),
                _t(prod, "n:CFOP"),
                _money(_t(prod, "n:vProd")),
                _t(icms, "n:vICMS") or "-",
                pis_cofins,
            ],
            strict=True,
        ):
            c.drawString(x, y, value)

    # totals
    tot = _f(inf, "n:total")
    y -= 20
    c.setFont("Helvetica-Bold", 8)
    c.drawString(left, y, _("TOTALS"))
    c.setFont("Helvetica", 8)
    parts = [
        (_("ICMS base"), _t(tot, "n:ICMSTot/n:vBC")),
        (_("ICMS"), _t(tot, "n:ICMSTot/n:vICMS")),
        ("PIS", _t(tot, "n:vPIS")),
        ("COFINS", _t(tot, "n:vCOFINS")),
        ("FUST", _t(tot, "n:vFUST")),
        ("FUNTTEL", _t(tot, "n:vFUNTTEL")),
        ("IBS", _t(tot, "n:IBSCBSTot/n:gIBS/n:vIBS")),
        ("CBS", _t(tot, "n:IBSCBSTot/n:gCBS/n:vCBS")),
    ]
    line = "   ".join(f"{label} {_money(value)}" for label, value in parts if value)
    c.drawString(left, y - 11, line)
    c.setFont("Helvetica-Bold", 10)
    c.drawRightString(right, y - 11, _("Total %(v)s") % {"v": _money(_t(tot, "n:vNF"))})

    # fatura
    fat = _f(inf, "n:gFat")
    y -= 34
    if fat is not None:
        c.setFont("Helvetica-Bold", 8)
        c.drawString(left, y, _("INVOICE (FATURA)"))
        c.setFont("Helvetica", 8)
        comp = _t(fat, "n:CompetFat")
        c.drawString(
            left,
            y - 11,
            _("Competence %(c)s   Due date %(d)s")
            % {"c": f"{comp[4:]}/{comp[:4]}", "d": _t(fat, "n:dVencFat")},
        )
        if _t(fat, "n:dPerUsoIni"):
            c.drawString(
                left,
                y - 21,
                _("Usage period %(a)s to %(b)s")
                % {"a": _t(fat, "n:dPerUsoIni"), "b": _t(fat, "n:dPerUsoFim")},
            )
        c.setFont("Courier-Bold", 9)
        c.drawString(left, y - 34, _t(fat, "n:codBarras"))
        y -= 44
    if pix_payload:
        c.setFont("Helvetica-Bold", 8)
        c.drawString(left, y, _("PIX"))
        _qr(c, pix_payload, left, y - 36 * mm, 32 * mm)
        c.setFont("Courier", 5)
        c.drawString(left + 35 * mm, y - 10, pix_payload[:110])
        c.drawString(left + 35 * mm, y - 17, pix_payload[110:220])
    c.showPage()
    c.save()
    return buf.getvalue()
