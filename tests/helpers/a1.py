"""Test ICP-Brasil-like A1 certificates made with ``cryptography``: a CA, and PKCS#12 files for an
e-CNPJ (CN ``NAME:CNPJ`` and the otherName 2.16.76.1.3.3 with the CNPJ) or a TLS server."""

from __future__ import annotations

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

OID_CNPJ = x509.ObjectIdentifier("2.16.76.1.3.3")


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class TestCA:
    def __init__(self, name="Enlace Test CA"):
        self.key = _key()
        now = datetime.datetime.now(datetime.UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, subject, *, days=365, san=None, eku=ExtendedKeyUsageOID.CLIENT_AUTH, not_before=None):
        key = _key()
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=False)
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        return key, builder.sign(self.key, hashes.SHA256())

    def a1(self, cnpj: str, password: str = "senha", name="ENLACE TELECOM LTDA", days=365) -> bytes:  # noqa: S107
        """An e-CNPJ A1 for ``cnpj`` as PKCS#12 bytes."""
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{name}:{cnpj}"),
            ]
        )
        other = x509.OtherName(OID_CNPJ, b"\x04\x0e" + cnpj.encode())  # OCTET STRING, as issued
        key, cert = self.issue(subject, days=days, san=[other])
        return pkcs12.serialize_key_and_certificates(
            b"a1", key, cert, [self.cert], serialization.BestAvailableEncryption(password.encode())
        )

    def server(self, host="127.0.0.1"):
        """(cert PEM, key PEM) of a TLS server for ``host``."""
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
        key, cert = self.issue(
            subject, san=[x509.IPAddress(ipaddress.ip_address(host))], eku=ExtendedKeyUsageOID.SERVER_AUTH
        )
        return (
            cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )
