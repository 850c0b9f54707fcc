"""Billing runs, renegotiations, the collection state of contracts (F-3, F-8, F-9) and the app's
settings row."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.display import competence
from enlace.core.models import AppSettings, Branch, EnlaceModel, Wallet
from enlace.core.money import ZERO
from enlace.core.validators import no_edge_whitespace_constraints

from .common import MONEY, operator_field
from .invoices import Invoice


class BillingRun(EnlaceModel):
    """One billing run (F-3: one recurring invoice per active contract and period; running it again
    creates nothing new): what it generated for a period, with progress for the UI."""

    # A run without a branch bills every branch: only an operator of every branch sees it.
    branch_scope = "branch"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.CharField(_("period"), max_length=7)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("branch")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("contracts"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    error_messages = models.JSONField(_("error messages"), default=list, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY, default=ZERO)
    operator = operator_field()
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: Written by the worker executing the run at its claim and with every chunk: a RUNNING run
    #: whose heartbeat is older than ``selectors.STALE_AFTER`` lost its worker and may be resumed.
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")

    def __str__(self):
        return _("Billing run %(period)s") % {"period": competence(self.period)}


class Renegotiation(EnlaceModel):
    """A renegotiation (F-8): open invoices replaced by new one-off instalments. While it is a
    draft, its invoices cannot enter another one (unique open link per invoice)."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "customer__branch"

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        DONE = "done", _("Finished")
        CANCELLED = "cancelled", _("Abandoned")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.DRAFT)
    original_total = models.DecimalField(_("original total"), **MONEY, default=ZERO)
    additions = models.DecimalField(
        _("additions"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    discount = models.DecimalField(_("discount"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    total = models.DecimalField(_("new total"), **MONEY, default=ZERO)
    instalments = models.PositiveSmallIntegerField(_("instalments"), default=1)
    first_due_date = models.DateField(_("first due date"), null=True, blank=True)
    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("wallet")
    )
    payment_condition = models.ForeignKey(
        "core.PaymentCondition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment condition"),
    )
    notes = models.TextField(_("notes"), blank=True)
    operator = operator_field()
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("renegotiation")
        verbose_name_plural = _("renegotiations")
        constraints = [*no_edge_whitespace_constraints("renegotiation", "notes")]

    def __str__(self):
        return _("Renegotiation %(id)s") % {"id": self.pk or "—"}


class RenegotiatedInvoice(models.Model):
    """An old invoice taken into a renegotiation. ``open`` mirrors the renegotiation being a draft,
    so the database refuses the same invoice in two open renegotiations."""

    renegotiation = models.ForeignKey(Renegotiation, on_delete=models.PROTECT, related_name="links")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="renegotiation_links")
    open = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(open=True), name="renegotiatedinvoice_one_open_per_invoice"
            ),
            models.UniqueConstraint(fields=["renegotiation", "invoice"], name="renegotiatedinvoice_unique"),
        ]

    def __str__(self):
        return f"{self.renegotiation_id} ← {self.invoice_id}"


class CollectionState(models.Model):
    """What the collection routine (F-9: overdue contracts get the notice, then the automatic block;
    payment unblocks; the trust unlock restores access once per block) knows of a contract: since
    when it is overdue, when it was notified and blocked, and its trust unlock ("desbloqueio de
    confiança")."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, related_name="collection", primary_key=True
    )
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    blocked_on = models.DateField(_("blocked on"), null=True, blank=True)
    trust_until = models.DateField(_("trust unlock until"), null=True, blank=True)
    trust_used_for_block = models.DateField(
        _("trust unlock used for the block of"), null=True, blank=True, help_text=_("Once per block.")
    )
    trust_forbidden = models.BooleanField(
        _("trust unlock forbidden"), default=False, help_text=_("The operator forbade the trust unlock.")
    )

    class Meta:
        verbose_name = _("collection state")
        verbose_name_plural = _("collection states")

    def __str__(self):
        return str(self.contract)


# --- Bank registration: remittance files (issue 16) ---------------------------------------------


class BillingSettings(AppSettings):
    """Finance settings (tab "Finance" of Configurações ➜ Parâmetros ➜ Parâmetros Gerais,
    registered in ``apps.py``), read by the collection routine and the daily billing task.

    F-9: a contract with an invoice overdue for ``collection_notice_days`` goes to "Financeiro em
    atraso" (the notice); ``collection_block_days`` after the notice it is blocked automatically
    (Anatel: 15); a trust unlock restores access for ``trust_unlock_days``, once per block.
    F-3: the daily billing task generates a period's invoices ``billing_days_ahead`` days before
    they fall due.
    """

    collection_notice_days = models.PositiveSmallIntegerField(
        _("overdue notice after (days)"),
        default=1,
        help_text=_("Days after the due date before a contract goes to 'Overdue payment' (notice)."),
    )
    collection_block_days = models.PositiveSmallIntegerField(
        _("automatic block after notice (days)"),
        default=15,
        help_text=_("Days in 'Overdue payment' before the automatic block (Anatel: 15)."),
    )
    trust_unlock_days = models.PositiveSmallIntegerField(
        _("trust unlock (days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How long a trust unlock restores access; once per block."),
    )
    billing_days_ahead = models.PositiveSmallIntegerField(
        _("generate invoices ahead (days)"),
        default=15,
        help_text=_(
            "The daily billing task generates a period's invoices this many days before they fall due."
        ),
    )
    second_copy_max_days = models.PositiveSmallIntegerField(
        _("second copy: latest new due date (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A 'segunda via' can move an invoice's due date at most this many days after today."),
    )
