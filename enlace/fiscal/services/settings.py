"""The emitter's settings and its A1 certificate.

Rules (docs/fiscal.md): the certificate is a PKCS#12 file with its password; it is refused when it
cannot be opened, when it has expired, or when the CNPJ it names differs from the branch's (the
settings' CNPJ is the branch's). File and password are stored encrypted with ``ENLACE_FISCAL_KEY``
and never shown again: the settings show its subject, CNPJ and expiry only.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enlace.core.services import object_save
from enlace.core.types import Actor

from ..models import FiscalSettings
from ..nfcom import certificates


def secret() -> str:
    """The key that encrypts certificates: ``ENLACE_FISCAL_KEY``, or derived from SECRET_KEY."""
    return django_settings.ENLACE_FISCAL_KEY or "enlace-fiscal:" + django_settings.SECRET_KEY


def fiscal_settings_save(
    *, instance: FiscalSettings, actor: Actor, certificate: bytes | None = None, password: str = ""
) -> FiscalSettings:
    """Save a branch's emitter settings, with a new A1 certificate when one is given."""
    if not instance.cnpj and instance.branch_id:
        instance.cnpj = instance.branch.cnpj
    if instance.branch_id and instance.cnpj != instance.branch.cnpj:
        raise ValidationError(
            {"cnpj": [_("The CNPJ must be the branch's (%(cnpj)s).") % {"cnpj": instance.branch.cnpj}]}
        )
    if certificate is not None:
        try:
            cert = certificates.load(certificate, password)
        except certificates.CertificateError:
            raise ValidationError(
                {
                    "certificate": [
                        _(
                            "The certificate cannot be opened: check the file (PKCS#12, .pfx) and its password."
                        )
                    ]
                }
            ) from None
        if cert.not_after <= timezone.now():
            raise ValidationError(
                {"certificate": [_("The certificate expired on %(date)s.") % {"date": cert.not_after.date()}]}
            )
        if cert.cnpj != instance.cnpj:
            raise ValidationError(
                {
                    "certificate": [
                        _("The certificate is for CNPJ %(cert)s, not the branch's %(cnpj)s.")
                        % {"cert": cert.cnpj or "?", "cnpj": instance.cnpj}
                    ]
                }
            )
        key = secret()
        instance.certificate_data = certificates.encrypt(key, certificate)
        instance.certificate_password = certificates.encrypt(key, password.encode())
        instance.certificate_subject = cert.subject[:300]
        instance.certificate_cnpj = cert.cnpj
        instance.certificate_valid_until = cert.not_after
    with transaction.atomic():
        return object_save(instance, actor=actor)


def certificate_of(fiscal: FiscalSettings) -> certificates.Certificate:
    if not fiscal.certificate_data:
        raise ValidationError({"certificate": [_("Upload the branch's A1 certificate first.")]})
    key = secret()
    data = certificates.decrypt(key, bytes(fiscal.certificate_data))
    password = certificates.decrypt(key, bytes(fiscal.certificate_password or b"")).decode()
    return certificates.load(data, password)
