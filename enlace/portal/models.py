"""The portal's own tables: its settings (``PortalSettings``) and failed logins by source IP
(SPEC P-1: repeated failed logins lock the source out).

Subscribers are not Django users and have no table here: the portal reads ``customers.Customer``
(login, hashed password, automatic access K-5 and permission type K-6) and keeps its sessions in
Django's session store.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AppSettings
from enlace.core.validators import no_edge_whitespace_constraints


class PortalLoginFailure(models.Model):
    """Failed portal logins of one source IP within the current window.

    After ``PortalSettings.portal_lockout_attempts`` failures the IP is refused until
    ``locked_until`` — without the password being checked — while other IPs may still log in to the
    same account (the account is never locked for everyone). A success from the IP deletes the row.
    """

    ip = models.GenericIPAddressField(_("IP address"), unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    first_failure_at = models.DateTimeField(_("first failure at"))
    last_failure_at = models.DateTimeField(_("last failure at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)
    last_login_tried = models.CharField(_("last login tried"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("portal login failure")
        verbose_name_plural = _("portal login failures")
        constraints = [
            *no_edge_whitespace_constraints("portal_failure", "last_login_tried"),
            models.CheckConstraint(
                condition=models.Q(last_failure_at__gte=models.F("first_failure_at")),
                name="portal_failure_times_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.ip} ({self.failures})"


class PortalPasswordReset(models.Model):
    """When the last password-reset e-mail went to a customer: "forgot my password" sends at most
    one per customer every few minutes (``services.RESET_EMAIL_INTERVAL``), so nobody can flood a
    subscriber's inbox through the portal."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("portal password reset")
        verbose_name_plural = _("portal password resets")

    def __str__(self):
        return f"{self.customer_id} @ {self.sent_at:%Y-%m-%d %H:%M}"


class PortalSettings(AppSettings):
    """The subscriber portal's settings (tab "Subscriber portal" of Configurações ➜ Parâmetros ➜
    Parâmetros Gerais, registered in ``apps.py``). K-5: a customer set to "Padrão" (default) gets
    automatic access — in without a password from the IP of one of their own open sessions —
    when ``portal_auto_access`` is on. P-1: after ``portal_lockout_attempts`` wrong passwords the
    source is refused for ``portal_lockout_minutes``. The portal's title is core's
    ``GeneralParameters.portal_name`` (tab "General")."""

    portal_auto_access = models.BooleanField(
        _("allow automatic access"),
        default=False,
        help_text=_(
            "Customers set to 'Default' enter the portal without a password from the IP of "
            "one of their own connected logins."
        ),
    )
    portal_login_by_document = models.BooleanField(
        _("log in with CPF/CNPJ"),
        default=False,
        help_text=_("Subscribers may type their CPF/CNPJ instead of the portal login."),
    )
    portal_logo = models.ImageField(
        _("portal logo"),
        upload_to="portal/",
        blank=True,
        help_text=_("Shown at the top of the subscriber portal (PNG, JPEG or WebP)."),
    )
    portal_lockout_attempts = models.PositiveSmallIntegerField(
        _("failed logins before lockout"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("After this many wrong passwords the source IP is refused for a while."),
    )
    portal_lockout_minutes = models.PositiveSmallIntegerField(
        _("lockout period (minutes)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("How long a source IP is refused after the failed logins."),
    )
    portal_session_minutes = models.PositiveSmallIntegerField(
        _("portal session expiry (minutes)"),
        default=30,
        validators=[MinValueValidator(5)],
        help_text=_("A subscriber idle for this long must log in again."),
    )
