"""Core's own settings row (``GeneralParameters``) and the yes / no / default choice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import no_edge_whitespace_constraints
from .base import AppSettings
from .organization import Branch


class YesNoDefault(models.TextChoices):
    YES = "S", _("Yes")
    NO = "N", _("No")
    DEFAULT = "P", _("Default")


class GeneralParameters(AppSettings):
    """Configurações ➜ Parâmetros ➜ Parâmetros Gerais, tab "General": the company's name, the
    portal's title and the default branch. The other tabs are the other apps' settings rows
    (``AppSettings``), each registered by its app (``enlace.core.parameters``).

    Unlike the other rows it keeps the permissions ``view_generalparameters`` and
    ``change_generalparameters``, which guard the whole parameters page and API.
    """

    company_name = models.CharField(_("company name"), max_length=120, default="Enlace Telecom")
    portal_name = models.CharField(_("portal title"), max_length=80, default="Central do Assinante")
    default_branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default branch"),
    )

    class Meta(AppSettings.Meta):
        default_permissions = ("add", "change", "delete", "view")
        constraints = [
            *AppSettings.Meta.constraints,
            *no_edge_whitespace_constraints("generalparameters", "company_name", "portal_name"),
        ]
