"""Printable reports of the contracts area (ReportLab): the customer's history (SPEC H-3)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def history_pdf(customer, entries) -> bytes:
    """A4 PDF listing `entries` (newest first): date, contract, type, operator and text."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("History of %(customer)s") % {"customer": customer.name},
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    cell.fontSize = 8
    cell.leading = 10
    story = [
        Paragraph(escape(_("History of %(customer)s") % {"customer": customer.name}), styles["Title"]),
        Paragraph(
            escape(
                _("Customer #%(id)s — printed on %(date)s")
                % {"id": customer.pk, "date": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
            ),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [[_("Date"), _("Contract"), _("Type"), _("Operator"), _("Text")]]
    for entry in entries:
        rows.append(
            [
                timezone.localtime(entry.created_at).strftime("%d/%m/%Y %H:%M"),
                str(entry.contract_id or "—"),
                Paragraph(escape(str(entry.get_kind_display())), cell),
                Paragraph(escape(entry.operator_name or _("system")), cell),
                Paragraph(escape(entry.text).replace("\n", "<br/>"), cell),
            ]
        )
    if len(rows) == 1:
        story.append(Paragraph(escape(_("No history entries.")), styles["Normal"]))
    else:
        table = Table(rows, colWidths=[28 * mm, 16 * mm, 30 * mm, 30 * mm, None], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 8),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ]
            )
        )
        story.append(table)
    doc.build(story)
    return buffer.getvalue()
