"""The finance PDFs (SPEC F-4, F-5, F-6): hybrid boleto, carnê and receipt.

Each PDF is rendered to pictures with poppler (``pdftoppm -r 150``) and the pictures are read
back: the ITF barcode is measured bar by bar and decoded (FEBRABAN geometry: 0.254 mm narrow,
3:1, ~103 mm × 13 mm) and must give the invoice's 44 digits; the PIX QR code is found by its
finder patterns and sampled module by module against the symbol of the invoice's payload. The
text is read with ``pdftotext``.

Set ``ENLACE_PDF_PREVIEW_DIR`` to keep PNGs of a boleto, a carnê page and a receipt there.
"""

import datetime
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import segno
from django.utils import translation

from enlace.billing import boleto
from enlace.billing.pdf import amount_in_words, boleto_pdf, carne_pdf, number_in_words, receipt_pdf
from enlace.billing.pdf.common import date_br
from enlace.billing.pdf.draw import BARCODE_WIDTH, QR_ERROR
from enlace.billing.services.invoices import invoice_create
from enlace.billing.services.payments import payment_create, payment_reverse
from enlace.core.money import brl
from enlace.customers.models import Customer
from tests.helpers.contracts import make_wallet

DPI = 150
PX_PER_MM = DPI / 25.4
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"
PREVIEW_DIR = os.environ.get("ENLACE_PDF_PREVIEW_DIR", "")


# --- Amount in words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1.00", "um real"),
        ("0.50", "cinquenta centavos"),
        ("0.01", "um centavo"),
        ("1234.56", "mil duzentos e trinta e quatro reais e cinquenta e seis centavos"),
        ("2000000.00", "dois milhões de reais"),
        ("1000000.00", "um milhão de reais"),
        ("2.00", "dois reais"),
        ("100.00", "cem reais"),
        ("101.01", "cento e um reais e um centavo"),
        ("1000.00", "mil reais"),
        ("1100.00", "mil e cem reais"),
        ("1020.00", "mil e vinte reais"),
        ("21000.10", "vinte e um mil reais e dez centavos"),
        ("99.90", "noventa e nove reais e noventa centavos"),
        ("1500000.00", "um milhão e quinhentos mil reais"),
        ("2000500.00", "dois milhões e quinhentos reais"),
        (
            "1234567.89",
            "um milhão duzentos e trinta e quatro mil quinhentos e sessenta e sete reais "
            "e oitenta e nove centavos",
        ),
        ("1000000000.00", "um bilhão de reais"),
        ("0.00", "zero reais"),
        ("14.15", "catorze reais e quinze centavos"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_number_in_words_refuses_bad_input():
    assert number_in_words(0) == "zero"
    assert number_in_words(1001000) == "um milhão e mil"
    with pytest.raises(ValueError):
        number_in_words(-1)
    with pytest.raises(TypeError):
        amount_in_words(1.5)
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-0.01"))


def test_brazilian_formats():
    assert brl(Decimal("1234.56")) == "R$ 1.234,56"
    assert brl(Decimal("0.5")) == "R$ 0,50"
    assert brl(Decimal("2000000")) == "R$ 2.000.000,00"
    assert date_br(datetime.date(2026, 1, 5)) == "05/01/2026"


# --- Reading the PDFs back ----------------------------------------------------------------------


def _poppler():
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdfinfo")):
        from tests.conftest import require_service

        require_service(
            "poppler-utils", "pdftoppm/pdftotext/pdfinfo not found (apt-get install poppler-utils)"
        )


def _write(tmp_path, data: bytes, name: str) -> Path:
    assert data.startswith(b"%PDF-")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return path


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def pdf_text(pdf: Path, page: int | None = None, *, raw: bool = False) -> str:
    """The text of the PDF (``raw``: in content order, which keeps the rotated stamps)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else [])]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


class Gray:
    """A page rendered by ``pdftoppm -gray`` (binary PGM): ``rows[y][x]`` 0 = black … 255 = white."""

    def __init__(self, pdf: Path, page: int, tmp_path: Path):
        prefix = tmp_path / f"{pdf.stem}-{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(DPI),
                "-gray",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(prefix),
            ],
            check=True,
        )
        data = Path(f"{prefix}.pgm").read_bytes()
        tokens, position = [], 0
        while len(tokens) < 4:  # magic, width, height, maxval (comments skipped)
            match = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, position)
            tokens.append(match.group(2))
            position = match.end()
        assert tokens[0] == b"P5" and tokens[3] == b"255"
        self.width, self.height = int(tokens[1]), int(tokens[2])
        pixels = data[position + 1 :]
        self.rows = [pixels[y * self.width : (y + 1) * self.width] for y in range(self.height)]

    def dark(self, x: int, y: int) -> bool:
        return self.rows[y][x] < 128


def save_png(pdf: Path, page: int, name: str) -> None:
    if not PREVIEW_DIR:
        return
    Path(PREVIEW_DIR).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(DPI),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(Path(PREVIEW_DIR) / name),
        ],
        check=True,
    )


def dark_runs(row: bytes) -> list[tuple[int, int]]:
    """(start, end) of the runs of dark pixels of a row, end excluded."""
    runs, start = [], None
    for x, value in enumerate(row):
        if value < 128 and start is None:
            start = x
        elif value >= 128 and start is not None:
            runs.append((start, x))
            start = None
    if start is not None:
        runs.append((start, len(row)))
    return runs


def _clusters(runs, max_gap):
    clusters, current = [], []
    for run in runs:
        if current and run[0] - current[-1][1] > max_gap:
            clusters.append(current)
            current = []
        current.append(run)
    if current:
        clusters.append(current)
    return clusters


# ITF digit patterns, narrow = 0 and wide = 1 (the same for bars and spaces).
ITF_DIGITS = {
    (0, 0, 1, 1, 0): "0",
    (1, 0, 0, 0, 1): "1",
    (0, 1, 0, 0, 1): "2",
    (1, 1, 0, 0, 0): "3",
    (0, 0, 1, 0, 1): "4",
    (1, 0, 1, 0, 0): "5",
    (0, 1, 1, 0, 0): "6",
    (0, 0, 0, 1, 1): "7",
    (1, 0, 0, 1, 0): "8",
    (0, 1, 0, 1, 0): "9",
}


def barcodes(img: Gray) -> list[dict]:
    """Every ITF symbol of a page: rows where a group of 100+ bars stands apart (quiet zone of at
    least 2 mm), grouped into bands at least 5 mm high; each band is measured and decoded on its
    middle row."""
    quiet = int(2 * PX_PER_MM)
    hits = []
    for y, row in enumerate(img.rows):
        for cluster in _clusters(dark_runs(row), quiet):
            if len(cluster) >= 100:
                hits.append((y, cluster))
    bands, current = [], []
    for hit in hits:
        if current and hit[0] != current[-1][0] + 1:
            bands.append(current)
            current = []
        current.append(hit)
    if current:
        bands.append(current)
    found = []
    for band in bands:
        if len(band) < 5 * PX_PER_MM:  # a dashed cut line, not bars
            continue
        y, cluster = band[len(band) // 2]
        x0, x1 = cluster[0][0], cluster[-1][1]
        runs = dark_runs(img.rows[y])
        left = [end for start, end in runs if end <= x0]
        right = [start for start, end in runs if start >= x1]
        widths = []
        for i, (start, end) in enumerate(cluster):
            widths.append(end - start)
            if i + 1 < len(cluster):
                widths.append(cluster[i + 1][0] - end)
        module = (x1 - x0) / 405  # narrow units of a 44-digit symbol at 3:1
        wide = [1 if w > 2 * module else 0 for w in widths]
        narrow_widths = [w for w, k in zip(widths, wide, strict=True) if not k]
        wide_widths = [w for w, k in zip(widths, wide, strict=True) if k]
        found.append(
            {
                "bars": len(cluster),
                "elements": wide,
                "width_mm": (x1 - x0) / PX_PER_MM,
                "height_mm": len(band) / PX_PER_MM,
                "narrow_mm": sum(narrow_widths) / len(narrow_widths) / PX_PER_MM,
                "ratio": (sum(wide_widths) / len(wide_widths)) / (sum(narrow_widths) / len(narrow_widths)),
                "digits": decode_itf(wide),
                "quiet_mm": min(x0 - max(left, default=0), min(right, default=img.width) - x1) / PX_PER_MM,
            }
        )
    return found


def decode_itf(elements: list[int]) -> str | None:
    """Digits of an ITF symbol from its narrow/wide elements (bar, space, bar, …)."""
    if elements[:4] != [0, 0, 0, 0] or elements[-3:] != [1, 0, 0]:
        return None
    body = elements[4:-3]
    if len(body) % 10:
        return None
    digits = []
    for i in range(0, len(body), 10):
        pair = body[i : i + 10]
        bars, spaces = tuple(pair[0::2]), tuple(pair[1::2])
        if bars not in ITF_DIGITS or spaces not in ITF_DIGITS:
            return None
        digits += [ITF_DIGITS[bars], ITF_DIGITS[spaces]]
    return "".join(digits)


def _finder_hits(img: Gray) -> list[tuple[int, int, int]]:
    """(y, x_start, x_end) of rows crossing a QR finder pattern: dark, light, dark, light, dark
    in the proportions 1:1:3:1:1."""
    hits = []
    for y, row in enumerate(img.rows):
        runs = dark_runs(row)
        for i in range(len(runs) - 2):
            (a0, a1), (b0, b1), (c0, c1) = runs[i], runs[i + 1], runs[i + 2]
            parts = [a1 - a0, b0 - a1, b1 - b0, c0 - b1, c1 - c0]
            module = (c1 - a0) / 7
            if module < 2:
                continue
            expected = [1, 1, 3, 1, 1]
            if all(abs(p - e * module) <= 0.6 * module + 0.5 for p, e in zip(parts, expected, strict=True)):
                hits.append((y, a0, c1))
    return hits


def _finders(img: Gray) -> list[dict]:
    groups: list[dict] = []
    for y, x0, x1 in _finder_hits(img):
        for group in groups:
            if abs(group["x0"] - x0) <= 2 and abs(group["x1"] - x1) <= 2 and y - group["y1"] <= 2:
                group["y1"] = y
                break
        else:
            groups.append({"x0": x0, "x1": x1, "y0": y, "y1": y})
    # the centre rows of a finder span 3 of its 7 modules
    return [g for g in groups if g["y1"] - g["y0"] + 1 >= 0.25 * (g["x1"] - g["x0"])]


def qr_codes(img: Gray) -> list[dict]:
    """QR symbols of a page, each as the matrix sampled at the centre of its modules."""
    finders = _finders(img)
    symbols = []
    for a in finders:
        ay = (a["y0"] + a["y1"]) / 2
        for b in finders:
            if b is a or abs((b["y0"] + b["y1"]) / 2 - ay) > 3 or b["x0"] <= a["x1"]:
                continue
            for c in finders:
                cy = (c["y0"] + c["y1"]) / 2
                side = b["x1"] - a["x0"]
                if c is a or abs(c["x0"] - a["x0"]) > 3 or abs((cy - ay) - (b["x0"] - a["x0"])) > 4:
                    continue
                module = (a["x1"] - a["x0"]) / 7
                count = 21 + 4 * round((side / module - 21) / 4)  # QR versions: 21, 25, 29 … modules
                module = side / count
                top = ay - 3.5 * module
                matrix = [
                    [
                        int(img.dark(int(a["x0"] + (j + 0.5) * module), int(top + (i + 0.5) * module)))
                        for j in range(count)
                    ]
                    for i in range(count)
                ]
                symbols.append(
                    {"matrix": matrix, "size_mm": side / PX_PER_MM, "blank": not any(map(any, matrix))}
                )
    return symbols


def expected_matrix(payload: str) -> list[list[int]]:
    return [
        [int(bool(v)) for v in row] for row in segno.make_qr(payload, error=QR_ERROR).matrix_iter(border=0)
    ]


def assert_febraban_barcode(found: dict, digits: str) -> None:
    assert found["bars"] == 2 + 22 * 5 + 2  # start, 5 bars per pair of digits, stop
    assert found["digits"] == digits
    assert abs(found["width_mm"] - BARCODE_WIDTH / (72 / 25.4)) < 0.6
    assert abs(found["width_mm"] - 103) < 1
    assert abs(found["height_mm"] - 13) < 0.4
    assert abs(found["narrow_mm"] - 0.254) < 0.08
    assert 2.5 <= found["ratio"] <= 3.5
    assert found["quiet_mm"] >= 4.8  # FEBRABAN: 5 mm blank on each side


def assert_qr(symbols: list[dict], payloads: list[str]) -> None:
    assert len(symbols) == len(payloads)
    for payload in payloads:
        expected = expected_matrix(payload)
        match = [s for s in symbols if s["matrix"] == expected]
        assert match, f"no QR code of {payload!r} on the page"
        assert not match[0]["blank"]


# --- Data -----------------------------------------------------------------------------------


@pytest.fixture
def billing(db, admin_user, branch_a, customer, wallet, city):
    """A Sicoob wallet with a PIX key and instructions, and addresses on the branch and customer."""
    type(branch_a).objects.filter(pk=branch_a.pk).update(
        street="Avenida Paulista", number="1000", neighborhood="Bela Vista", phone="1133334444"
    )
    Customer.objects.filter(pk=customer.pk).update(
        street="Rua Augusta",
        number="250",
        complement="apto 12",
        neighborhood="Consolação",
        cep="01305000",
        city=city,
    )
    wallet.pix_key = PIX_KEY
    wallet.instructions = "Não receber após 60 dias do vencimento.\nDúvidas: (11) 3333-4444"
    wallet.save()

    def invoice(amount="1234.56", due=datetime.date(2026, 12, 10), **extra):
        extra.setdefault("description", "Fibra 500 — dezembro")
        return invoice_create(
            actor=admin_user, customer=customer, wallet=wallet, due_date=due, amount=Decimal(amount), **extra
        )

    return invoice


# --- Boleto ---------------------------------------------------------------------------------


def test_boleto_pdf_hybrid(billing, tmp_path):
    _poppler()
    first = billing(discount=Decimal("10.00"))
    second = billing(amount="99.90", due=datetime.date(2027, 1, 10))
    with translation.override("en"):
        pdf = _write(tmp_path, boleto_pdf(type(first).objects.filter(pk__in=[first.pk, second.pk])), "boleto")
    assert page_count(pdf) == 2
    save_png(pdf, 1, "boleto")

    for page, invoice in ((1, first), (2, second)):
        text = pdf_text(pdf, page)
        line = boleto.format_digitable_line(invoice.digitable_line)
        assert text.count(line) == 2  # payer's receipt and ficha de compensação
        assert brl(invoice.amount) in text
        for expected in (
            "756-0",
            "Sicoob",
            "Maria Souza",
            "529.982.247-25",
            "Rua Augusta, 250 – apto 12 – Consolação",
            "CEP 01305-000",
            "Enlace Telecom Ltda — CNPJ 11.222.333/0001-81",
            "Avenida Paulista, 1000",
            invoice.nosso_numero_display,
            date_br(invoice.due_date),
            "Não receber após 60 dias do vencimento.",
            "Payer's receipt",
            "Mechanical authentication",
            "DM",
            invoice.pix_payload[:60],
        ):
            assert expected in text, expected
        img = Gray(pdf, page, tmp_path)
        (found,) = barcodes(img)
        assert_febraban_barcode(found, invoice.barcode)
        assert_qr(qr_codes(img), [invoice.pix_payload])

    text = pdf_text(pdf, 1)
    assert "R$ 10,00" in text  # discount
    assert "charge a fine of 2,00% (R$ 24,69)" in text
    assert "interest of 1,00% a month (R$ 0,41 a day)" in text


def test_boleto_pix_only_and_stamp(billing, admin_user, branch_a, customer, tmp_path):
    """A bank without a boleto layout (Santander) prints a PIX-only slip; a paid invoice is stamped."""
    _poppler()
    santander = make_wallet(branch_a, name="Carteira Santander", bank_code="033", pix_key=PIX_KEY)
    pix_only = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=santander,
        due_date=datetime.date(2026, 12, 15),
        amount="59.90",
    )
    assert not pix_only.barcode and pix_only.pix_payload
    paid = billing(amount="80.00")
    payment_create(actor=admin_user, invoice=paid, date=datetime.date(2026, 12, 1))
    paid.refresh_from_db()
    with translation.override("en"):
        pdf = _write(tmp_path, boleto_pdf([pix_only, paid]), "pix-only")
    assert page_count(pdf) == 2
    text = pdf_text(pdf, 1)
    assert "This invoice has no boleto: pay it with PIX." in text
    assert "R$ 59,90" in text and "Santander" in text
    assert "Clearing slip" not in text  # no ficha de compensação
    img = Gray(pdf, 1, tmp_path)
    assert barcodes(img) == []
    assert_qr(qr_codes(img), [pix_only.pix_payload])
    save_png(pdf, 1, "boleto-pix-only")
    assert "PAID" in pdf_text(pdf, 2, raw=True)


def test_boleto_other_bank_default_language(billing, admin_user, branch_a, customer, tmp_path):
    """Banco do Brasil (convênio of 7 digits) in the default language, without a PIX key: the
    boleto has no PIX part and its header shows 001-9."""
    _poppler()
    bb = make_wallet(
        branch_a,
        name="Carteira BB",
        bank_code="001",
        agency="1234",
        account="99999",
        convenio="1234567",
        carteira="17",
    )
    invoice = invoice_create(
        actor=admin_user,
        customer=customer,
        wallet=bb,
        due_date=datetime.date(2027, 2, 5),
        amount="2000000.00",
    )
    pdf = _write(tmp_path, boleto_pdf(invoice), "boleto-bb")
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert "001-9" in text and "Banco do Brasil" in text and "R$ 2.000.000,00" in text
    assert text.count(boleto.format_digitable_line(invoice.digitable_line)) == 2
    img = Gray(pdf, 1, tmp_path)
    (found,) = barcodes(img)
    assert_febraban_barcode(found, invoice.barcode)
    assert qr_codes(img) == []


def test_boleto_pdf_needs_invoices():
    with pytest.raises(ValueError):
        boleto_pdf([])


# --- Carnê ------------------------------------------------------------------------------------


def test_carne_pdf(billing, tmp_path):
    _poppler()
    invoices = [
        billing(
            amount="99.90", due=datetime.date(2027, month, 10), description=f"Mensalidade {month:02d}/2027"
        )
        for month in (1, 2, 3, 4)
    ]
    with translation.override("en"):
        pdf = _write(tmp_path, carne_pdf(invoices), "carne")
    assert page_count(pdf) == 2
    save_png(pdf, 1, "carne")

    text = pdf_text(pdf, 1)
    for number, invoice in enumerate(invoices[:3], start=1):
        assert boleto.format_digitable_line(invoice.digitable_line) in text
        assert invoice.nosso_numero_display in text
        assert date_br(invoice.due_date) in text
        assert f"{number} of 4" in text
    assert text.count("R$ 99,90") >= 6  # stub and slip of each
    assert "Maria Souza" in text and "Payer's receipt" in text
    assert boleto.format_digitable_line(invoices[3].digitable_line) in pdf_text(pdf, 2)

    img = Gray(pdf, 1, tmp_path)
    found = barcodes(img)
    assert len(found) == 3
    for symbol, invoice in zip(found, invoices[:3], strict=True):  # top to bottom
        assert_febraban_barcode(symbol, invoice.barcode)
    assert_qr(qr_codes(img), [i.pix_payload for i in invoices[:3]])

    img = Gray(pdf, 2, tmp_path)
    (found,) = barcodes(img)
    assert_febraban_barcode(found, invoices[3].barcode)
    assert_qr(qr_codes(img), [invoices[3].pix_payload])


# --- Receipt ----------------------------------------------------------------------------------


def test_receipt_pdf(billing, admin_user, tmp_path):
    _poppler()
    invoice = billing(amount="1200.00")
    payment = payment_create(
        actor=admin_user,
        invoice=invoice,
        date=datetime.date(2026, 12, 20),
        method="P",
        notes="Pago no balcão",
    )
    assert payment.amount == Decimal("1228.00")  # 2 % fine (24,00) + 10 days of 1 %/month (4,00)
    with translation.override("en"):
        pdf = _write(tmp_path, receipt_pdf(payment), "receipt")
    assert page_count(pdf) == 1
    save_png(pdf, 1, "receipt")
    text = " ".join(pdf_text(pdf).split())
    for expected in (
        "RECEIPT",
        f"No. {payment.pk:06d}",
        "Enlace Telecom Ltda",
        "CNPJ 11.222.333/0001-81",
        "Avenida Paulista, 1000",
        "Maria Souza",
        "CPF/CNPJ 529.982.247-25",
        "R$ 1.228,00",
        "mil duzentos e vinte e oito reais",
        "Fibra 500 — dezembro",
        invoice.nosso_numero_display,
        "10/12/2026",
        "20/12/2026",
        "R$ 1.200,00",
        "R$ 24,00",
        "R$ 4,00",
        "PIX",
        "admin",
        "Pago no balcão",
    ):
        assert expected in text, expected
    assert "REVERSED" not in text

    reversal = payment_reverse(actor=admin_user, payment=payment, reason="PIX devolvido")
    payment.refresh_from_db()
    with translation.override("en"):
        pdf = _write(tmp_path, receipt_pdf(payment), "receipt-reversed")
        text = " ".join(pdf_text(pdf).split())
        assert "REVERSED: this payment was reversed on" in text and "PIX devolvido" in text
        pdf = _write(tmp_path, receipt_pdf(reversal), "receipt-reversal")
        text = " ".join(pdf_text(pdf).split())
        assert "REVERSAL RECEIPT" in text
        assert f"Reversal of receipt no. {payment.pk:06d}" in text
        assert "mil duzentos e vinte e oito reais" in text
    save_png(pdf, 1, "receipt-reversal")


def test_partial_payment_receipt_in_portuguese(billing, admin_user, tmp_path):
    """The default language renders too; the words stay Portuguese and a partial payment shows
    the balance still open."""
    _poppler()
    invoice = billing(amount="100.00")
    payment = payment_create(
        actor=admin_user, invoice=invoice, amount="0.50", date=datetime.date(2026, 12, 1)
    )
    invoice.refresh_from_db()
    pdf = _write(tmp_path, receipt_pdf(payment), "receipt-partial")
    text = " ".join(pdf_text(pdf).split())
    assert "cinquenta centavos" in text and "R$ 0,50" in text
    assert "R$ 99,50" in text
