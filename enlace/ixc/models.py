"""What the move from IXC Provedor leaves behind (docs/ixc.md).

- ``ExternalId``: the IXC id of every imported row (kind = IXC's table name, ``ixc_id``, Enlace's
  object id). A second import finds the row here and updates it instead of creating a duplicate;
  the customer, contract and login lists find a record by its old IXC id through it.
- ``WebserviceToken``: an operator's token for the IXC-compatible webservice (``/webservice/v1/``).
  Only its SHA-256 digest is stored; the token is shown once when it is made.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import EnlaceModel


class ExternalKind(models.TextChoices):
    """IXC's table names: the kind of an external id."""

    FILIAL = "filial", _("Branch (filial)")
    CIDADE = "cidade", _("City (cidade)")
    CLIENTE = "cliente", _("Customer (cliente)")
    CONTRATO = "cliente_contrato", _("Contract (cliente_contrato)")
    PLANO = "vd_contratos", _("Plan (vd_contratos)")
    LOGIN = "radusuarios", _("Login (radusuarios)")
    GRUPO = "radgrupos", _("RADIUS group (radgrupos)")
    ARECEBER = "fn_areceber", _("Receivable (fn_areceber)")
    TICKET = "su_ticket", _("Ticket (su_ticket)")
    ASSUNTO = "su_oss_assunto", _("Subject (su_oss_assunto)")
    OS = "su_oss_chamado", _("Service order (su_oss_chamado)")
    MENSAGEM = "su_mensagens", _("Ticket message (su_mensagens)")
    USUARIO = "usuarios", _("Operator (usuarios)")


class ExternalId(models.Model):
    """IXC id → Enlace object, one row per imported record (reference data: no branch of its own;
    the object it points to carries the branch)."""

    branch_scope = None

    kind = models.CharField(_("IXC table"), max_length=20, choices=ExternalKind.choices)
    ixc_id = models.CharField(_("IXC id"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("Enlace id"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("IXC external id")
        verbose_name_plural = _("IXC external ids")
        constraints = [
            models.UniqueConstraint(fields=["kind", "ixc_id"], name="ixc_external_id_unique"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="ixc_external_object_idx")]

    def __str__(self):
        return f"{self.kind}:{self.ixc_id} → {self.object_id}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebserviceToken(EnlaceModel):
    """An operator's webservice token (IXC: "token" of a user with webservice permission)."""

    branch_scope = None  # an operator's credential; the webservice applies the operator's scope
    audit_exclude = ("digest",)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ixc_webservice_token",
        verbose_name=_("operator"),
    )
    digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webservice token")
        verbose_name_plural = _("webservice tokens")

    def __str__(self):
        return str(self.user)
