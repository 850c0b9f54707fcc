"""Drawing on a ReportLab canvas for the finance PDFs: labelled fields, the bank header of a
boleto, the ITF barcode at FEBRABAN size, the PIX QR code, stamps and cut lines."""

from __future__ import annotations

import segno
from reportlab.graphics.barcode.common import I2of5
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from .common import Slip

# --- FEBRABAN barcode geometry ----------------------------------------------------------------

BARCODE_NARROW = 0.254 * mm
"""Width of a narrow element (bar or space) of the ITF barcode: 0.254 mm (10 mils)."""
BARCODE_RATIO = 3.0
"""Wide elements are three narrow ones."""
BARCODE_HEIGHT = 13 * mm
BARCODE_MODULES = 405
"""Narrow units of a 44-digit ITF symbol at ratio 3: start (4) + 22 pairs × 18 + stop (5)."""
BARCODE_WIDTH = BARCODE_MODULES * BARCODE_NARROW
"""102.87 mm, the FEBRABAN length of ~103 mm."""
BARCODE_QUIET = 5 * mm
"""Blank margin kept on each side of the barcode."""

QR_ERROR = "m"
"""QR error correction level, as ``enlace.billing.pix`` makes it (segno may raise it for free)."""

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
MONO = "Courier"
LINE = 0.5
THICK = 1.2
LABEL_SIZE = 5.5
STAMP_GREY = colors.Color(0.55, 0.55, 0.55, alpha=0.35)


# --- Text and fields------------------------------------------------------------------------------


def fit_size(text: str, font: str, size: float, width: float, minimum: float = 4.5) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width``."""
    actual = stringWidth(text, font, size)
    if actual <= width or not actual:
        return size
    # a hair under the exact ratio, so that rounding never makes the text overflow (and be cut)
    return max(minimum, size * width / actual * 0.995)


def clip_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width``."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def draw_text(c, x, y, text, *, font=FONT, size=8.0, width=None, align="left", shrink=True):
    """One line at baseline ``y``; shrunk (down to 4.5 pt) and then cut to fit ``width``."""
    text = str(text or "")
    if width is not None:
        if shrink:
            size = fit_size(text, font, size, width)
        text = clip_text(text, font, size, width)
    c.setFont(font, size)
    if align == "right":
        c.drawRightString(x, y, text)
    elif align == "center":
        c.drawCentredString(x, y, text)
    else:
        c.drawString(x, y, text)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Word-wrapped lines of ``text``; a word longer than a line is split."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while stringWidth(word, font, size) > width:
                cut = len(word)
                while cut > 1 and stringWidth(word[:cut], font, size) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def chunk(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` (no spaces, like a PIX payload) cut into lines that fit ``width``."""
    per_line = max(1, int(width // stringWidth("0", font, size)))
    return [text[i : i + per_line] for i in range(0, len(text), per_line)]


def field_box(
    c, x, top, w, h, label, value="", *, align="left", bold=False, size=8.0, lines=None, pad=1.2 * mm
):
    """A bordered cell: ``label`` small at the top, ``value`` (or several ``lines``) below it."""
    c.setLineWidth(LINE)
    c.rect(x, top - h, w, h, stroke=1, fill=0)
    draw_text(c, x + pad, top - 2.2 * mm, label, size=LABEL_SIZE, width=w - 2 * pad)
    font = BOLD if bold else FONT
    if lines is not None:
        leading = size * 1.18
        y = top - 2.2 * mm - leading
        for line in lines:
            if y < top - h + 0.8 * mm:
                break
            draw_text(c, x + pad, y, line, font=font, size=size, width=w - 2 * pad, shrink=False)
            y -= leading
        return
    if value:
        vx = x + w - pad if align == "right" else x + w / 2 if align == "center" else x + pad
        draw_text(c, vx, top - h + 1.3 * mm, value, font=font, size=size, width=w - 2 * pad, align=align)


def bank_header(
    c, x, top, w, slip: Slip, *, name_w=45 * mm, code_w=20 * mm, h=9 * mm, line_size=10.5, name_size=11
):
    """The row above each part of a boleto: bank name (logo area) | ``code-DV`` | linha digitável."""
    c.setLineWidth(THICK)
    c.line(x, top - h, x + w, top - h)
    c.line(x + name_w, top - h, x + name_w, top - h + 5.5 * mm)
    c.line(x + name_w + code_w, top - h, x + name_w + code_w, top - h + 5.5 * mm)
    draw_text(
        c,
        x + 0.5 * mm,
        top - h + 1.6 * mm,
        slip.bank_name,
        font=BOLD,
        size=name_size,
        width=name_w - 1.5 * mm,
    )
    if slip.has_boleto:
        draw_text(
            c,
            x + name_w + code_w / 2,
            top - h + 1.4 * mm,
            slip.bank_code_display,
            font=BOLD,
            size=14,
            align="center",
        )
        draw_text(
            c,
            x + w,
            top - h + 1.6 * mm,
            slip.digitable_line,
            font=BOLD,
            size=line_size,
            width=w - name_w - code_w - 2 * mm,
            align="right",
        )
    else:
        draw_text(c, x + name_w + code_w / 2, top - h + 1.4 * mm, "PIX", font=BOLD, size=14, align="center")


def draw_itf(c, barcode: str, x: float, y: float) -> I2of5:
    """The 44-digit barcode as an ITF symbol with its bottom-left corner at (x, y): narrow
    0.254 mm, wide 3×, 13 mm high, no check digit added, no bearer bars, no quiet zone (keep
    :data:`BARCODE_QUIET` blank around it)."""
    if len(barcode) != 44 or not barcode.isdigit():
        raise ValueError(f"expected a 44-digit barcode, got {barcode!r}")
    symbol = I2of5(
        barcode,
        barWidth=BARCODE_NARROW,
        ratio=BARCODE_RATIO,
        barHeight=BARCODE_HEIGHT,
        checksum=0,
        bearers=0,
        quiet=0,
        stop=1,
    )
    c.saveState()
    c.setFillColor(colors.black)
    symbol.drawOn(c, x, y)
    c.restoreState()
    return symbol


def draw_qr(c, payload: str, x: float, y: float, size: float) -> int:
    """The QR code of ``payload`` as vector squares, ``size`` wide with its bottom-left corner at
    (x, y), without quiet zone (keep 4 modules blank around it). Returns the modules per side."""
    qr = segno.make_qr(payload, error=QR_ERROR)
    rows = [list(row) for row in qr.matrix_iter(border=0)]
    count = len(rows)
    module = size / count
    path = c.beginPath()
    for r, row in enumerate(rows):
        col = 0
        while col < count:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < count and row[col]:
                col += 1
            path.rect(x + start * module, y + size - (r + 1) * module, (col - start) * module, module)
    c.saveState()
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()
    return count


def draw_stamp(c, text: str, cx: float, cy: float, size: float = 60) -> None:
    """A large, light diagonal word (PAID, CANCELLED, REVERSED …) centred on (cx, cy)."""
    if not text:
        return
    c.saveState()
    c.translate(cx, cy)
    c.rotate(25)
    c.setFillColor(STAMP_GREY)
    c.setFont(BOLD, size)
    c.drawCentredString(0, -size / 3, text)
    c.restoreState()


def cut_line(c, x0, x1, y, label: str = "") -> None:
    c.saveState()
    c.setDash(2, 2)
    c.setLineWidth(0.4)
    c.line(x0, y, x1, y)
    c.restoreState()
    if label:
        draw_text(c, x1, y + 1 * mm, label, size=5.5, align="right")
