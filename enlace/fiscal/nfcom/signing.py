"""The XMLDSig signature the MOC prescribes: enveloped, RSA-SHA1, digest SHA-1, C14N 1.0
(20010315) in ``SignedInfo`` and as the second transform, one reference to ``#<Id>`` of
``infNFCom`` (or ``infEvento``), ``KeyInfo`` with the certificate only, and no namespace prefix.

signxml refuses SHA-1 unless told otherwise: its documented way is a subclass that overrides
``check_deprecated_methods`` (signxml's docs, "SHA1 deprecation"). SHA-1 is what the SEFAZ
authorisers accept for NFCom layout 1.00; nothing else here relaxes signxml's checks.
"""

from __future__ import annotations

from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, namespaces

from .certificates import Certificate

C14N = CanonicalizationMethod.CANONICAL_XML_1_0


class SefazSigner(XMLSigner):
    """RSA-SHA1 as the NFCom layout 1.00 requires (see the module's docstring)."""

    def __init__(self):
        super().__init__(
            signature_algorithm=SignatureMethod.RSA_SHA1,
            digest_algorithm=DigestAlgorithm.SHA1,
            c14n_algorithm=C14N,
        )
        self.namespaces = {None: namespaces.ds}

    def check_deprecated_methods(self):
        """Allow SHA-1: the layout requires it (the only check this class changes)."""


_parser = etree.XMLParser(remove_blank_text=True)


def sign(xml: str | bytes, certificate: Certificate, *, element: str = "infNFCom") -> bytes:
    """The document with its ``Signature`` as the root's last child, referencing ``element``'s Id."""
    data = xml.encode() if isinstance(xml, str) else xml
    root = etree.fromstring(data, _parser)
    target = next(el for el in root.iter() if etree.QName(el).localname == element)
    signed = SefazSigner().sign(
        root,
        key=certificate.key,
        cert=[certificate.cert],
        reference_uri="#" + target.get("Id"),
        id_attribute="Id",
    )
    return etree.tostring(signed, encoding="utf-8")
