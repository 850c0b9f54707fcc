"""The XMLDSig signature the MOC prescribes: enveloped, RSA-SHA1, digest SHA-1, C14N 1.0
(20010315) in ``SignedInfo`` and as the second transform, one reference to ``#<Id>`` of
``infNFCom`` (or ``infEvento``), ``KeyInfo`` with the certificate only, and no namespace prefix.

signxml refuses SHA-1 unless told otherwise: its documented way is a subclass that overrides
``check_deprecated_methods`` (signxml's docs, "SHA1 deprecation"). SHA-1 is what the SEFAZ
authorisers accept for NFCom layout 1.00; nothing else here relaxes signxml's checks.
"""

from __future__ import annotations

import threading

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
_local = threading.local()


def _signer() -> SefazSigner:
    """One signer per thread (signxml signers keep per-call state on the instance)."""
    signer = getattr(_local, "signer", None)
    if signer is None:
        signer = _local.signer = SefazSigner()
    return signer


def sign_tree(root: etree._Element, certificate: Certificate, *, element: str = "infNFCom") -> etree._Element:
    """``root`` with its ``Signature`` as the last child, referencing ``element``'s Id (signxml
    works on its own copy of ``root``: the returned element is a new tree)."""
    target = root if etree.QName(root).localname == element else next(root.iterchildren("{*}" + element))
    return _signer().sign(
        root,
        key=certificate.key,
        cert=[certificate.cert],
        reference_uri="#" + target.get("Id"),
        id_attribute="Id",
    )


def sign(xml: str | bytes | etree._Element, certificate: Certificate, *, element: str = "infNFCom") -> bytes:
    """The signed document as UTF-8 bytes (see ``sign_tree``)."""
    if isinstance(xml, etree._Element):
        root = xml
    else:
        root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, _parser)
    return etree.tostring(sign_tree(root, certificate, element=element), encoding="utf-8")
