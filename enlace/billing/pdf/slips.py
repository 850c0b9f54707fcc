"""The hybrid boleto (one A4 page per invoice) and the carnê (three invoices per A4 page), laid out
as FEBRABAN's standard boleto (SPEC F-4, F-5)."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .common import Slip, prepare, slip_of
from .draw import (
    BARCODE_HEIGHT,
    BARCODE_QUIET,
    BOLD,
    FONT,
    LABEL_SIZE,
    LINE,
    MONO,
    THICK,
    bank_header,
    chunk,
    cut_line,
    draw_itf,
    draw_qr,
    draw_stamp,
    draw_text,
    field_box,
    wrap,
)

PAGE_W, PAGE_H = A4
MARGIN = 10 * mm
PIX_BOX_H = 58 * mm


def _labels() -> dict[str, str]:
    """The FEBRABAN field names (translated when the slips are drawn, not at import)."""
    return {
        "receipt": _("Payer's receipt"),
        "clearing": _("Clearing slip"),
        "place": _("Place of payment"),
        "place_text": _("Payable at any bank, even after the due date."),
        "due": _("Due date"),
        "beneficiary": _("Beneficiary"),
        "code": _("Agency / beneficiary code"),
        "doc_date": _("Document date"),
        "doc_no": _("Document no."),
        "doc_kind": _("Document type"),
        "accept": _("Acceptance"),
        "processing": _("Processing date"),
        "nosso": _("Nosso número"),
        "bank_use": _("Bank use"),
        "carteira": _("Wallet code"),
        "currency": _("Currency"),
        "quantity": _("Quantity"),
        "value": _("(x) Value"),
        "amount": _("(=) Document amount"),
        "discount": _("(-) Discount / rebate"),
        "deductions": _("(-) Other deductions"),
        "late": _("(+) Late interest / fine"),
        "additions": _("(+) Other additions"),
        "charged": _("(=) Amount charged"),
        "instructions": _("Instructions (text under the beneficiary's responsibility)"),
        "payer": _("Payer"),
        "guarantor": _("Guarantor (sacador/avalista)"),
        "authentication": _("Mechanical authentication"),
        "statement": _("Statement"),
        "pix": _("Pay with PIX"),
        "pix_help": _(
            "Open your bank's app, choose PIX and scan the QR code, or paste the code below "
            "(PIX copy and paste)."
        ),
        "pix_only": _("This invoice has no boleto: pay it with PIX."),
        "no_code": _("No boleto or PIX code was issued for this invoice."),
        "copy_paste": _("PIX copy and paste"),
        "pix_amount": _("Amount"),
        "cut": _("Cut along the dotted line"),
    }


def _beneficiary_line(slip: Slip) -> str:
    return (
        f"{slip.beneficiary} — CNPJ {slip.beneficiary_document}"
        if slip.beneficiary_document
        else slip.beneficiary
    )


def _payer_line(slip: Slip) -> str:
    return f"{slip.payer} — CPF/CNPJ {slip.payer_document}" if slip.payer_document else slip.payer


# --- Boleto (one page per invoice) --------------------------------------------------------------


def _payer_receipt(c, slip: Slip, t: dict, x: float, top: float, w: float) -> float:
    """The "recibo do pagador" at the top of the page; returns its bottom."""
    draw_text(c, x + w, top + 1.2 * mm, t["receipt"], font=BOLD, size=7, align="right")
    bank_header(c, x, top, w, slip)
    y = top - 9 * mm
    left = w - 90 * mm
    field_box(
        c,
        x,
        y,
        left,
        11 * mm,
        t["beneficiary"],
        lines=[_beneficiary_line(slip), " – ".join(slip.beneficiary_address)],
        size=7.5,
    )
    field_box(c, x + left, y, 45 * mm, 11 * mm, t["code"], slip.beneficiary_code, align="right")
    field_box(
        c, x + left + 45 * mm, y, 45 * mm, 11 * mm, t["due"], slip.due_date, align="right", bold=True, size=9
    )
    y -= 11 * mm
    field_box(c, x, y, left, 8 * mm, t["payer"], _payer_line(slip))
    field_box(c, x + left, y, 45 * mm, 8 * mm, t["nosso"], slip.nosso_numero, align="right")
    field_box(c, x + left + 45 * mm, y, 45 * mm, 8 * mm, t["amount"], slip.amount, align="right", bold=True)
    y -= 8 * mm
    cells = [
        (30 * mm, t["doc_no"], slip.document_number, "left"),
        (25 * mm, t["doc_date"], slip.issue_date, "left"),
        (15 * mm, t["currency"], "R$", "center"),
        (20 * mm, t["carteira"], slip.carteira, "center"),
        (100 * mm / 3, t["discount"], slip.discount, "right"),
        (100 * mm / 3, t["late"], slip.late, "right"),
        (100 * mm / 3, t["charged"], slip.charged, "right"),
    ]
    cx = x
    for width, label, value, align in cells:
        field_box(c, cx, y, width, 8 * mm, label, value, align=align)
        cx += width
    y -= 8 * mm
    field_box(c, x, y, w, 16 * mm, t["statement"], lines=slip.statement, size=8)
    y -= 16 * mm
    draw_text(c, x + w, y - 3 * mm, t["authentication"], size=6, align="right")
    return y - 3 * mm


def _pix_box(c, slip: Slip, t: dict, x: float, top: float, w: float, h: float, qr_size: float) -> None:
    """The PIX part of a hybrid boleto: QR code at the left, how to pay and the "copia e cola"."""
    c.setLineWidth(LINE)
    c.roundRect(x, top - h, w, h, 2 * mm, stroke=1, fill=0)
    pad = 5 * mm
    draw_qr(c, slip.pix_payload, x + pad, top - pad - qr_size, qr_size)
    tx = x + pad + qr_size + pad
    tw = x + w - pad - tx
    y = top - pad - 4 * mm
    draw_text(c, tx, y, t["pix"], font=BOLD, size=13)
    y -= 6 * mm
    if not slip.has_boleto:
        draw_text(c, tx, y, t["pix_only"], font=BOLD, size=8.5, width=tw)
        y -= 5 * mm
    for line in wrap(t["pix_help"], FONT, 8.5, tw):
        draw_text(c, tx, y, line, size=8.5)
        y -= 4 * mm
    y -= 2 * mm
    draw_text(c, tx, y, f"{t['pix_amount']}: {slip.amount}", font=BOLD, size=10, width=tw)
    draw_text(c, tx, y - 5 * mm, f"{t['due']}: {slip.due_date}", size=8.5, width=tw)
    y -= 12 * mm
    draw_text(c, tx, y, t["copy_paste"], size=6)
    y -= 3.5 * mm
    for line in chunk(slip.pix_payload, MONO, 7.5, tw):
        draw_text(c, tx, y, line, font=MONO, size=7.5)
        y -= 3.4 * mm
    draw_text(c, tx, top - h + 3 * mm, _beneficiary_line(slip), size=6.5, width=tw)


def _compensation_slip(c, slip: Slip, t: dict, x: float, top: float, w: float) -> None:
    """The "ficha de compensação": FEBRABAN's fields, then the ITF barcode below them."""
    bank_header(c, x, top, w, slip)
    right = 45 * mm
    left = w - right
    rx = x + left
    y = top - 9 * mm
    field_box(c, x, y, left, 8 * mm, t["place"], t["place_text"])
    field_box(c, rx, y, right, 8 * mm, t["due"], slip.due_date, align="right", bold=True, size=9)
    y -= 8 * mm
    field_box(
        c,
        x,
        y,
        left,
        10 * mm,
        t["beneficiary"],
        lines=[_beneficiary_line(slip), " – ".join(slip.beneficiary_address)],
        size=7.5,
    )
    field_box(c, rx, y, right, 10 * mm, t["code"], slip.beneficiary_code, align="right")
    y -= 10 * mm
    row3 = [
        (28 * mm, t["doc_date"], slip.issue_date),
        (35 * mm, t["doc_no"], slip.document_number),
        (20 * mm, t["doc_kind"], "DM"),
        (14 * mm, t["accept"], "N"),
        (48 * mm, t["processing"], slip.processing_date),
    ]
    row4 = [
        (28 * mm, t["bank_use"], ""),
        (20 * mm, t["carteira"], slip.carteira),
        (15 * mm, t["currency"], "R$"),
        (35 * mm, t["quantity"], ""),
        (47 * mm, t["value"], ""),
    ]
    for cells, right_label, right_value, bold in (
        (row3, t["nosso"], slip.nosso_numero, False),
        (row4, t["amount"], slip.amount, True),
    ):
        cx = x
        for width, label, value in cells:
            field_box(c, cx, y, width, 7 * mm, label, value, align="center")
            cx += width
        field_box(c, rx, y, right, 7 * mm, right_label, right_value, align="right", bold=bold)
        y -= 7 * mm
    lines = [line for text in slip.instructions for line in wrap(text, FONT, 7.5, left - 2.4 * mm)]
    field_box(c, x, y, left, 35 * mm, t["instructions"], lines=lines, size=7.5)
    for i, (label, value) in enumerate(
        (
            (t["discount"], slip.discount),
            (t["deductions"], ""),
            (t["late"], slip.late),
            (t["additions"], ""),
            (t["charged"], slip.charged),
        )
    ):
        field_box(c, rx, y - i * 7 * mm, right, 7 * mm, label, value, align="right")
    y -= 35 * mm
    payer = [_payer_line(slip), *slip.payer_address]
    field_box(c, x, y, w, 16 * mm, t["payer"], lines=payer, size=8)
    draw_text(c, x + 1.2 * mm, y - 16 * mm + 1.2 * mm, f"{t['guarantor']}:", size=LABEL_SIZE)
    y -= 16 * mm
    draw_text(c, x + w, y - 2.8 * mm, f"{t['authentication']} — {t['clearing']}", size=6.5, align="right")
    if slip.has_boleto:
        draw_itf(c, slip.barcode, x, y - 2 * mm - BARCODE_HEIGHT)


def _boleto_page(c, slip: Slip, t: dict) -> None:
    x, w = MARGIN, PAGE_W - 2 * MARGIN
    bottom = _payer_receipt(c, slip, t, x, PAGE_H - 12 * mm, w)
    ficha_top = 12 * mm + 2 * mm + BARCODE_HEIGHT + 95 * mm
    if slip.has_pix:
        # centred between the payer's receipt and the cut line (the top of the page without a ficha)
        limit = ficha_top + 10 * mm if slip.has_boleto else bottom - 70 * mm
        box_top = bottom - max(4 * mm, (bottom - limit - PIX_BOX_H) / 2)
        _pix_box(c, slip, t, x, box_top, w, PIX_BOX_H, 48 * mm)
    else:
        draw_text(c, x, bottom - 8 * mm, t["no_code"] if not slip.has_boleto else "", font=BOLD, size=10)
    if slip.has_boleto:
        cut_line(c, x, x + w, ficha_top + 7 * mm, t["cut"])
        _compensation_slip(c, slip, t, x, ficha_top, w)
    draw_stamp(c, slip.stamp, PAGE_W / 2, PAGE_H / 2, 80)


def _canvas(buffer: BytesIO, title: str, author: str) -> Canvas:
    c = Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setCreator("Enlace")
    return c


def boleto_pdf(invoices) -> bytes:
    """A4 PDF with one hybrid boleto per invoice (a queryset, a list or one invoice): the payer's
    receipt at the top, the PIX QR code with its "copia e cola" when the invoice has a PIX
    payload, and the ficha de compensação with the ITF barcode at the bottom. An invoice without
    a barcode (a bank without a boleto layout) prints the PIX-only slip."""
    slips = [slip_of(invoice) for invoice in prepare(invoices)]
    t = _labels()
    buffer = BytesIO()
    c = _canvas(buffer, _("Boleto"), slips[0].beneficiary)
    for slip in slips:
        _boleto_page(c, slip, t)
        c.showPage()
    c.save()
    return buffer.getvalue()


# --- Carnê (three slips per page) ---------------------------------------------------------------

CARNE_PER_PAGE = 3
CARNE_TOP = 8.5 * mm
CARNE_SLOT = 93 * mm
STUB_W = 48 * mm
SLIP_X = MARGIN + STUB_W + 4 * mm
SLIP_W = PAGE_W - MARGIN - SLIP_X
CARNE_QR = 28 * mm


def _carne_stub(c, slip: Slip, t: dict, top: float, number: str) -> None:
    """The stub kept by the payer ("canhoto"): the slip's key values and the PIX QR code."""
    x, w, half = MARGIN, STUB_W, STUB_W / 2
    draw_text(c, x, top + 1.2 * mm, t["receipt"], font=BOLD, size=6)
    draw_text(c, x + w, top + 1.2 * mm, number, size=6, align="right")
    c.setLineWidth(THICK)
    c.line(x, top - 8 * mm, x + w, top - 8 * mm)
    draw_text(c, x + 0.5 * mm, top - 6.5 * mm, slip.bank_name, font=BOLD, size=8, width=w - 15 * mm)
    draw_text(
        c,
        x + w - 0.5 * mm,
        top - 6.5 * mm,
        slip.bank_code_display if slip.has_boleto else "PIX",
        font=BOLD,
        size=10,
        align="right",
    )
    y = top - 8 * mm
    field_box(c, x, y, half, 7 * mm, t["due"], slip.due_date, bold=True, align="right")
    field_box(c, x + half, y, half, 7 * mm, t["doc_no"], slip.document_number, align="right")
    y -= 7 * mm
    for label, value, bold in ((t["nosso"], slip.nosso_numero, False), (t["amount"], slip.amount, True)):
        field_box(c, x, y, w, 7 * mm, label, value, align="right", bold=bold)
        y -= 7 * mm
    field_box(c, x, y, half, 7 * mm, t["discount"], slip.discount, align="right")
    field_box(c, x + half, y, half, 7 * mm, t["late"], slip.late, align="right")
    y -= 7 * mm
    field_box(c, x, y, w, 7 * mm, t["charged"], slip.charged, align="right")
    y -= 7 * mm
    field_box(c, x, y, w, 8 * mm, t["payer"], slip.payer, size=7)
    y -= 8 * mm
    if slip.has_pix:
        qx = x + (w - CARNE_QR) / 2
        draw_qr(c, slip.pix_payload, qx, y - 4 * mm - CARNE_QR, CARNE_QR)
        draw_text(c, x + w / 2, y - 4 * mm - CARNE_QR - 3.5 * mm, t["pix"], font=BOLD, size=7, align="center")


def _carne_slip(c, slip: Slip, t: dict, top: float) -> None:
    """The slip sent to the bank: the ficha de compensação's fields, compact, and the barcode."""
    x, w = SLIP_X, SLIP_W
    right = 35 * mm
    left = w - right
    rx = x + left
    draw_text(c, x + w, top + 1.2 * mm, t["clearing"], font=BOLD, size=6, align="right")
    bank_header(c, x, top, w, slip, name_w=28 * mm, code_w=16 * mm, h=8 * mm, line_size=9, name_size=9)
    y = top - 8 * mm
    place = t["place_text"] if slip.has_boleto else t["pix_only"]
    field_box(c, x, y, left, 7 * mm, t["place"], place, size=7)
    field_box(c, rx, y, right, 7 * mm, t["due"], slip.due_date, align="right", bold=True)
    y -= 7 * mm
    beneficiary = [_beneficiary_line(slip), " – ".join(slip.beneficiary_address)]
    field_box(c, x, y, left, 8.5 * mm, t["beneficiary"], lines=beneficiary, size=6.5)
    field_box(c, rx, y, right, 8.5 * mm, t["code"], slip.beneficiary_code, align="right", size=7)
    y -= 8.5 * mm
    row3 = [
        (20 * mm, t["doc_date"], slip.issue_date),
        (23 * mm, t["doc_no"], slip.document_number),
        (14 * mm, t["doc_kind"], "DM"),
        (13 * mm, t["accept"], "N"),
        (left - 70 * mm, t["processing"], slip.processing_date),
    ]
    row4 = [
        (20 * mm, t["bank_use"], ""),
        (18 * mm, t["carteira"], slip.carteira),
        (14 * mm, t["currency"], "R$"),
        (24 * mm, t["quantity"], ""),
        (left - 76 * mm, t["value"], ""),
    ]
    for cells, right_label, right_value, bold in (
        (row3, t["nosso"], slip.nosso_numero, False),
        (row4, t["amount"], slip.amount, True),
    ):
        cx = x
        for width, label, value in cells:
            field_box(c, cx, y, width, 7 * mm, label, value, align="center", size=7)
            cx += width
        field_box(c, rx, y, right, 7 * mm, right_label, right_value, align="right", bold=bold, size=7.5)
        y -= 7 * mm
    lines = [line for text in slip.instructions for line in wrap(text, FONT, 6.5, left - 2.4 * mm)]
    field_box(c, x, y, left, 18 * mm, t["instructions"], lines=lines, size=6.5)
    for i, (label, value) in enumerate(
        ((t["discount"], slip.discount), (t["late"], slip.late), (t["charged"], slip.charged))
    ):
        field_box(c, rx, y - i * 6 * mm, right, 6 * mm, label, value, align="right", size=7)
    y -= 18 * mm
    payer = [_payer_line(slip), " – ".join(slip.payer_address)]
    field_box(c, x, y, w, 10 * mm, t["payer"], lines=payer, size=7)
    y -= 10 * mm
    draw_text(c, x + w, y - 2.5 * mm, t["authentication"], size=5.5, align="right")
    if slip.has_boleto:
        # indented so that the stub's cut line stays out of the quiet zone
        draw_itf(c, slip.barcode, x + BARCODE_QUIET - 1 * mm, y - 1.5 * mm - BARCODE_HEIGHT)
    elif slip.has_pix:
        draw_text(c, x, y - 3 * mm, t["copy_paste"], size=5.5)
        ly = y - 6 * mm
        for line in chunk(slip.pix_payload, MONO, 6.5, w - 35 * mm):
            draw_text(c, x, ly, line, font=MONO, size=6.5)
            ly -= 3 * mm


def carne_pdf(invoices) -> bytes:
    """A4 PDF carnê: three invoices per page, each a stub (key values and PIX QR code) and a
    compact ficha de compensação with the linha digitável and the ITF barcode."""
    slips = [slip_of(invoice) for invoice in prepare(invoices)]
    t = _labels()
    buffer = BytesIO()
    c = _canvas(buffer, _("Carnê"), slips[0].beneficiary)
    total = len(slips)
    for index, slip in enumerate(slips):
        position = index % CARNE_PER_PAGE
        if index and position == 0:
            c.showPage()
        slot_top = PAGE_H - CARNE_TOP - position * CARNE_SLOT
        top = slot_top - 4 * mm
        number = _("%(number)s of %(total)s") % {"number": index + 1, "total": total}
        _carne_stub(c, slip, t, top, number)
        c.saveState()
        c.setDash(2, 2)
        c.setLineWidth(0.4)
        stub_cut = MARGIN + STUB_W + 2 * mm
        c.line(stub_cut, slot_top - 1 * mm, stub_cut, slot_top - CARNE_SLOT + 1 * mm)
        c.restoreState()
        _carne_slip(c, slip, t, top)
        draw_stamp(c, slip.stamp, PAGE_W / 2, slot_top - CARNE_SLOT / 2, 44)
        if position < CARNE_PER_PAGE - 1 and index < total - 1:
            cut_line(c, MARGIN, PAGE_W - MARGIN, slot_top - CARNE_SLOT, t["cut"])
    c.showPage()
    c.save()
    return buffer.getvalue()
