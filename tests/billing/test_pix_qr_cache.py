"""The PIX QR image is drawn once per payload and kept in the cache (``selectors.pix_qr_png``):
the cached image decodes to its payload, and another payload gets its own image."""

import hashlib
import io

import zxingcpp
from django.core.cache import cache
from PIL import Image

from enlace.billing import pix
from enlace.billing.selectors import pix_qr_png

PAYLOAD = pix.build_brcode(
    key="123e4567-e12b-12d1-a456-426655440000", name="Provedor", city="Recife", amount="99.90", txid="ENL1N7"
)


def decoded(png: bytes) -> str:
    (result,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return result.text


def test_drawn_once_and_kept(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    key = f"pix-qr:6:{hashlib.sha256(PAYLOAD.encode()).hexdigest()}"
    cache.delete(key)
    png = pix_qr_png(PAYLOAD, scale=6)
    assert cache.get(key) == png and decoded(png) == PAYLOAD
    assert pix_qr_png(PAYLOAD, scale=6) == png
    other = pix.build_brcode(
        key="123e4567-e12b-12d1-a456-426655440000",
        name="Provedor",
        city="Recife",
        amount="103.66",
        txid="ENL1N7",
    )
    assert decoded(pix_qr_png(other, scale=6)) == other
