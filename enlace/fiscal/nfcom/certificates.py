"""The emitter's ICP-Brasil A1 certificate (PKCS#12): reading it, and keeping it encrypted at rest.

An e-CNPJ A1 names the company's CNPJ in two places: the subject's common name ends with
``:<CNPJ>`` and the subjectAltName carries an ``otherName`` with OID 2.16.76.1.3.3 (ICP-Brasil
DOC-ICP-04) whose value is the CNPJ. Both are read; the otherName wins.

The PKCS#12 file and its password are stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``) under a key from the environment (``ENLACE_FISCAL_KEY``; see docs/fiscal.md).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

OID_CNPJ = x509.ObjectIdentifier("2.16.76.1.3.3")
CNPJ_RE = re.compile(r"([0-9A-Z]{12}[0-9]{2})")


class CertificateError(Exception):
    """The file is not a PKCS#12 A1 we can use (wrong password, no key, not RSA)."""


@dataclass(frozen=True)
class Certificate:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @property
    def not_after(self) -> datetime.datetime:
        return self.cert.not_valid_after_utc

    @property
    def cnpj(self) -> str:
        try:
            san = self.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            for other in san.get_values_for_type(x509.OtherName):
                if other.type_id == OID_CNPJ:
                    match = CNPJ_RE.search(other.value.decode("latin-1", "ignore"))
                    if match:
                        return match.group(1)
        except x509.ExtensionNotFound:
            pass
        for attr in self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
            match = re.search(r":([0-9A-Z]{12}[0-9]{2})$", str(attr.value))
            if match:
                return match.group(1)
        return ""

    def cert_der_b64(self) -> str:
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()

    def pem_files_content(self) -> tuple[bytes, bytes]:
        """The certificate chain and the key as PEM (for ``ssl`` client authentication)."""
        certs = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.cert, *self.chain))
        key = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return certs, key

    def sign_sha1_b64(self, data: bytes) -> str:
        """RSA-SHA1 of ``data``, base64: the contingency QR code's ``sign`` parameter (MOC)."""
        return base64.b64encode(self.key.sign(data, padding.PKCS1v15(), hashes.SHA1())).decode()  # noqa: S303 - the MOC prescribes RSA-SHA1


def load(data: bytes, password: str) -> Certificate:
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        raise CertificateError(str(exc)) from exc
    if key is None or cert is None:
        raise CertificateError("the file holds no private key and certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError("the key is not RSA")
    return Certificate(key=key, cert=cert, chain=tuple(chain or ()))


def fernet(secret: str) -> Fernet:
    """A Fernet from ``secret``: a Fernet key as is, any other text through SHA-256."""
    try:
        return Fernet(secret.encode())
    except (ValueError, TypeError):
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def encrypt(secret: str, data: bytes) -> bytes:
    return fernet(secret).encrypt(data)


def decrypt(secret: str, token: bytes) -> bytes:
    try:
        return fernet(secret).decrypt(bytes(token))
    except InvalidToken as exc:
        raise CertificateError("the stored certificate cannot be decrypted with ENLACE_FISCAL_KEY") from exc
