"""The receipt ("recibo") of a settlement (SPEC F-6): the ISP, the customer, the invoice, the
amount in figures and in words, the late charges and discount, method, date and operator. A
reversed payment, and the reversal movement itself, carry a reversal notice and a stamp."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from enlace.core.money import brl
from enlace.customers.validators import format_phone

from .common import branch_address, cnpj_display, customer_document, date_br, period_br
from .draw import BOLD, FONT, draw_stamp
from .words import amount_in_words

PAGE_W, PAGE_H = A4


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()["BodyText"]
    return {
        "body": ParagraphStyle("body", base, fontName=FONT, fontSize=10, leading=14),
        "small": ParagraphStyle("small", base, fontName=FONT, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", base, fontName=FONT, fontSize=9, leading=11),
        "section": ParagraphStyle("section", base, fontName=BOLD, fontSize=8, leading=11),
        "label": ParagraphStyle(
            "label", base, fontName=FONT, fontSize=7, leading=8, textColor=colors.dimgrey
        ),
        "isp": ParagraphStyle("isp", base, fontName=BOLD, fontSize=14, leading=17),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=18, leading=22, alignment=TA_RIGHT),
        "right": ParagraphStyle("right", base, fontName=FONT, fontSize=10, leading=13, alignment=TA_RIGHT),
        "big": ParagraphStyle("big", base, fontName=BOLD, fontSize=16, leading=20, alignment=TA_RIGHT),
        "notice": ParagraphStyle(
            "notice",
            base,
            fontName=BOLD,
            fontSize=10,
            leading=13,
            textColor=colors.darkred,
            borderColor=colors.darkred,
            borderWidth=1,
            borderPadding=6,
        ),
        "center": ParagraphStyle("center", base, fontName=FONT, fontSize=9, leading=11, alignment=TA_CENTER),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _grid(rows, widths, s) -> Table:
    """Label-over-value cells."""
    data = [
        [
            [_p(label, s["label"]), _p(value if value not in (None, "") else "—", s["cell"])]
            for label, value in row
        ]
        for row in rows
    ]
    table = Table(data, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _reversal(payment):
    try:
        return payment.reversal
    except ObjectDoesNotExist:
        return None


def _operator(payment) -> str:
    if payment.operator_name:
        return payment.operator_name
    if payment.operator_id:
        return payment.operator.get_full_name() or payment.operator.get_username()
    return _("system")


def receipt_pdf(payment) -> bytes:
    """A4 PDF receipt of ``payment``."""
    invoice = payment.invoice
    branch = invoice.branch
    customer = invoice.customer
    s = _styles()
    is_reversal = bool(payment.reversal_of_id)
    reversal = None if is_reversal else _reversal(payment)
    stamp = _("REVERSAL") if is_reversal else _("REVERSED") if payment.reversed else ""
    number = f"{payment.pk:06d}"

    buffer = BytesIO()
    width = PAGE_W - 30 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Receipt %(number)s") % {"number": number},
        author=branch.legal_name or branch.name,
        creator="Enlace",
    )

    isp = [
        _p(branch.legal_name or branch.name, s["isp"]),
        _p(f"CNPJ {cnpj_display(branch.cnpj)}", s["small"]),
    ]
    isp += [_p(line, s["small"]) for line in branch_address(branch)]
    contact = " · ".join(p for p in (format_phone(branch.phone), branch.email) if p)
    if contact:
        isp.append(_p(contact, s["small"]))
    title = _("REVERSAL RECEIPT") if is_reversal else _("RECEIPT")
    head = [
        _p(title, s["title"]),
        _p(_("No. %(number)s") % {"number": number}, s["right"]),
        Spacer(1, 2 * mm),
        _p(brl(payment.amount), s["big"]),
    ]
    header = Table([[isp, head]], colWidths=[width * 0.62, width * 0.38])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )

    document = customer_document(customer)
    values = {
        "customer": f"{customer.name} (CPF/CNPJ {document})" if document else customer.name,
        "amount": brl(payment.amount),
        "words": amount_in_words(payment.amount),
    }
    if is_reversal:
        body = _(
            "The amount of %(amount)s (%(words)s) received from %(customer)s for the invoice below "
            "was reversed."
        )
    else:
        body = _("Received from %(customer)s the amount of %(amount)s (%(words)s) for the invoice below.")

    story = [header, Spacer(1, 8 * mm), _p(body % values, s["body"]), Spacer(1, 6 * mm)]

    story.append(_p(_("Invoice"), s["section"]))
    story.append(
        _grid(
            [
                [
                    (_("Invoice no."), invoice.pk),
                    (_("Description"), invoice.description or "—"),
                    (_("Period"), period_br(invoice.period)),
                ],
                [
                    (_("Due date"), date_br(invoice.due_date)),
                    (_("Nosso número"), invoice.nosso_numero_display or invoice.nosso_numero),
                    (_("Face value"), brl(invoice.amount)),
                ],
            ],
            [width * 0.22, width * 0.53, width * 0.25],
            s,
        )
    )
    story += [Spacer(1, 5 * mm), _p(_("Reversal") if is_reversal else _("Payment"), s["section"])]
    principal = abs(payment.principal)
    story.append(
        _grid(
            [
                [
                    (_("Face value paid"), brl(principal)),
                    (_("(-) Discount"), brl(payment.discount)),
                    (_("(+) Fine"), brl(payment.fine)),
                    (_("(+) Interest"), brl(payment.interest)),
                    (
                        _("(=) Amount reversed") if is_reversal else _("(=) Amount received"),
                        brl(payment.amount),
                    ),
                ],
                [
                    (_("Method"), payment.get_method_display()),
                    (_("Reversal date") if is_reversal else _("Payment date"), date_br(payment.date)),
                    (_("Operator"), _operator(payment)),
                    (_("Customer"), customer.name),
                    (_("Contract"), invoice.contract_id or "—"),
                ],
            ],
            [width / 5] * 5,
            s,
        )
    )
    if payment.notes:
        story += [Spacer(1, 3 * mm), _p(_("Notes: %(notes)s") % {"notes": payment.notes}, s["small"])]
    if not is_reversal and not payment.reversed and invoice.is_open and invoice.balance:
        story += [
            Spacer(1, 3 * mm),
            _p(
                _("Balance of the invoice still open: %(amount)s") % {"amount": brl(invoice.balance)},
                s["small"],
            ),
        ]

    notice = ""
    if is_reversal:
        original = payment.reversal_of
        notice = _("Reversal of receipt no. %(number)s (payment of %(date)s). Reason: %(reason)s") % {
            "number": f"{original.pk:06d}",
            "date": date_br(original.date),
            "reason": payment.reversal_reason or "—",
        }
    elif payment.reversed:
        notice = _("REVERSED: this payment was reversed on %(date)s by %(operator)s. Reason: %(reason)s") % {
            "date": date_br(reversal.date) if reversal else "—",
            "operator": _operator(reversal) if reversal else "—",
            "reason": (reversal.reversal_reason if reversal else "") or "—",
        }
    if notice:
        story += [Spacer(1, 8 * mm), _p(notice, s["notice"])]

    place = branch.city.name if branch.city_id else ""
    story += [
        Spacer(1, 16 * mm),
        _p(", ".join(p for p in (place, date_br(payment.date)) if p), s["center"]),
        Spacer(1, 14 * mm),
        _p("_" * 50, s["center"]),
        _p(branch.legal_name or branch.name, s["center"]),
        _p(f"CNPJ {cnpj_display(branch.cnpj)}", s["center"]),
        Spacer(1, 10 * mm),
        _p(
            _("Issued on %(when)s") % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M")},
            s["small"],
        ),
    ]

    def on_page(canvas, _doc):
        draw_stamp(canvas, stamp, PAGE_W / 2, PAGE_H / 2, 90)

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
