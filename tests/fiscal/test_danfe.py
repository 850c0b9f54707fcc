"""DANFE-COM: the PDF shows the key and a QR code that decodes to ``qrCodNFCom`` (picture test:
pdftoppm renders it, zxing-cpp reads the codes)."""

import shutil
import subprocess

import pytest

from enlace.fiscal import danfe
from enlace.fiscal.services import document_issue, document_transmit
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


def test_danfe_shows_key_barcode_and_qr(admin_user, fiscal, make_invoice, tmp_path):
    if not shutil.which("pdftoppm"):
        require_service("pdftoppm", "poppler-utils renders the PDF")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    invoice = make_invoice()
    document = document_transmit(document=document_issue(invoice=invoice, actor=admin_user), actor=admin_user)
    pdf = danfe.render(document, pix_payload=invoice.pix_payload)
    assert pdf.startswith(b"%PDF")
    (tmp_path / "danfe.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "danfe.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert " ".join(document.key[i : i + 4] for i in range(0, 44, 4)) in text
    assert document.protocol in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", "-singlefile", str(tmp_path / "danfe.pdf"), str(tmp_path / "p")],
        check=True,
    )
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "p.png"))
    texts = {c.text for c in codes}
    assert document.qr_text in texts
    assert document.key in texts  # the Code 128 barcode
