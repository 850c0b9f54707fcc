"""The files exchanged with the banks: returns read (CNAB import and its records) and remittances
sent (per wallet registration settings, the files and their titles)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import EnlaceModel, Wallet
from enlace.core.money import ZERO

from .common import MONEY, operator_field
from .invoices import Invoice


class CnabImport(EnlaceModel):
    """One bank return file imported (F-6). The file's SHA-256 is unique: the same content is
    never imported twice."""

    branch_scope = "wallet__branch"

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet"))
    file_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), upload_to="cnab/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    layout = models.CharField(_("layout"), max_length=3)
    bank_code = models.CharField(_("bank"), max_length=3)
    records = models.PositiveIntegerField(_("records"), default=0)
    settled = models.PositiveIntegerField(_("settled"), default=0)
    settled_amount = models.DecimalField(_("amount settled"), **MONEY, default=ZERO)
    not_settled = models.PositiveIntegerField(_("not settled"), default=0)
    # What the file was accepted with but could not be checked (a Bradesco trailer whose counts are
    # blank), as the parser words it: shown on the import's page and in the API.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    operator = operator_field()
    created_at = models.DateTimeField(_("imported at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank return file")
        verbose_name_plural = _("bank return files")

    def __str__(self):
        return self.file_name


class CnabRecord(models.Model):
    """One title of a return file and what the import did with it."""

    class Outcome(models.TextChoices):
        SETTLED = "settled", _("Settled")
        ALREADY_PAID = "already", _("Already paid")
        NOT_FOUND = "notfound", _("Invoice not found")
        INFO = "info", _("Information only")
        # a settlement line naming a nosso número an earlier line of the same file settled
        REPEATED = "repeated", _("Repeated in the file (refused)")

    cnab_import = models.ForeignKey(CnabImport, on_delete=models.PROTECT, related_name="items")
    line = models.PositiveIntegerField(_("line"))
    nosso_numero = models.CharField(_("nosso número"), max_length=30)
    occurrence = models.CharField(_("occurrence"), max_length=3)
    occurrence_description = models.CharField(_("description"), max_length=200, blank=True)
    occurrence_date = models.DateField(_("occurrence date"), null=True, blank=True)
    credit_date = models.DateField(_("credit date"), null=True, blank=True)
    face_value = models.DecimalField(_("face value"), **MONEY, default=ZERO)
    paid_amount = models.DecimalField(_("amount paid"), **MONEY, default=ZERO)
    interest = models.DecimalField(_("interest and fine"), **MONEY, default=ZERO)
    discount = models.DecimalField(_("discount"), **MONEY, default=ZERO)
    fee = models.DecimalField(_("bank fee"), **MONEY, default=ZERO)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)

    class Meta:
        ordering = ["cnab_import", "line"]

    def __str__(self):
        return f"{self.nosso_numero} {self.occurrence}"


class WalletRegistration(models.Model):
    """What bank registration knows of a wallet: whether its titles must be registered through
    remittance files, and the number of its next file (the bank requires one sequence per
    wallet, taken under a row lock by ``remittance_generate``)."""

    wallet = models.OneToOneField(
        Wallet, on_delete=models.PROTECT, related_name="registration", primary_key=True
    )
    required = models.BooleanField(
        _("registration with the bank required"),
        default=True,
        help_text=_("Unchecked: the bank or the contract registers the titles otherwise (no remittance)."),
    )
    next_sequence = models.PositiveIntegerField(_("next file number"), default=1)
    variation = models.CharField(
        _("wallet variation (Banco do Brasil)"),
        max_length=3,
        blank=True,
        help_text=_("Banco do Brasil's 'variação da carteira' (3 digits), written in its remittance files."),
    )

    class Meta:
        verbose_name = _("wallet registration")
        verbose_name_plural = _("wallet registrations")

    def __str__(self):
        return str(self.wallet)


class Remittance(EnlaceModel):
    """One remittance file ("arquivo de remessa") of a wallet: stored once, never changed
    (``save`` refuses an update), with its SHA-256; ``header`` keeps the wallet data it was
    written with, so ``remittance_rebuild_bytes`` writes the same bytes again from the items."""

    branch_scope = "wallet__branch"

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet"))
    sequence = models.PositiveIntegerField(_("file number"))
    layout = models.CharField(_("layout"), max_length=3)
    bank_code = models.CharField(_("bank"), max_length=3)
    file = models.FileField(_("file"), upload_to="remittances/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    title_count = models.PositiveIntegerField(_("titles"))
    header = models.JSONField(_("header"), default=dict, editable=False)
    operator = operator_field()
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("remittance file")
        verbose_name_plural = _("remittance files")
        constraints = [
            models.UniqueConstraint(fields=["wallet", "sequence"], name="remittance_wallet_sequence_unique"),
        ]

    def __str__(self):
        return self.file_name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A remittance file is immutable once stored.")
        super().save(*args, **kwargs)


class RemittanceItem(models.Model):
    """One title line of a remittance: the invoice, the movement and what was sent
    (``snapshot``: the ``RemittanceTitle`` values, enough to write the line again). The unique
    constraint is what keeps a movement from going out twice: an entry and a write-off once per
    invoice, a due-date change once per change of the invoice (``change``)."""

    class Movement(models.TextChoices):
        ENTRY = "entry", _("Entry (01)")
        WRITE_OFF = "write_off", _("Write-off (02)")
        ABATEMENT = "abatement", _("Abatement (04)")
        DUE_DATE = "due_date", _("Due date change (06)")
        AMOUNT = "amount", _("Amount change")

    # No index of their own: the unique constraints below start with each foreign key and serve
    # its lookups (a 100,000-title file writes two indexes fewer per line).
    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="items", db_index=False)
    position = models.PositiveIntegerField(_("position"))
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        related_name="remittance_items",
        verbose_name=_("invoice"),
        db_index=False,
    )
    movement = models.CharField(_("movement"), max_length=9, choices=Movement.choices)
    change = models.PositiveSmallIntegerField(_("change"), default=0)
    snapshot = models.JSONField(_("values sent"), default=dict)

    class Meta:
        ordering = ["remittance", "position"]
        verbose_name = _("remittance title")
        verbose_name_plural = _("remittance titles")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "movement", "change"], name="remittanceitem_once_per_movement"
            ),
            models.UniqueConstraint(fields=["remittance", "position"], name="remittanceitem_position_unique"),
        ]

    def __str__(self):
        return f"{self.remittance_id}/{self.position} {self.movement}"


# --- Settings -------------------------------------------------------------------------------
