"""Receivables ("contas a receber"), payments, bank return files, billing runs, renegotiations and
the collection state of contracts (SPEC §7, F-1 … F-9).

Money is ``Decimal`` with two places and never deleted: an invoice is cancelled or renegotiated,
a payment is reversed by a second movement. Invoices belong to the customer (F-1); the contract
is optional (one-off invoices have none).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AnalyticAccount, AppSettings, Branch, EnlaceModel, Wallet
from enlace.core.money import ZERO
from enlace.core.validators import no_edge_whitespace_constraints


def operator_field():
    """Who did it: the operator's user, kept as a name too where a movement must survive the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )


MONEY = {"max_digits": 12, "decimal_places": 2}


class InvoiceKind(models.TextChoices):
    RECURRING = "recurring", _("Recurring")
    ONE_OFF = "one-off", _("One-off")


class InvoiceStatus(models.TextChoices):
    OPEN = "A", _("To receive")
    RECEIVED = "R", _("Received")
    PARTIAL = "P", _("Partial")
    CANCELLED = "C", _("Cancelled")


class InvoiceColor(models.TextChoices):
    """The colour legend of F-2: each member's label says when a receivable has that colour."""

    BLUE = "blue", _("Due in the future")
    ORANGE = "orange", _("Due today")
    RED = "red", _("Overdue")
    LIGHT_GREEN = "lightgreen", _("Paid on time")
    DARK_GREEN = "darkgreen", _("Paid late")
    GREY = "grey", _("Renegotiated or cancelled")


OPEN_STATUSES = (InvoiceStatus.OPEN, InvoiceStatus.PARTIAL)


class RegistrationStatus(models.TextChoices):
    """Where an invoice's boleto stands with the bank (docs/billing.md, "Bank registration"):
    ``pending`` until a remittance carries it, ``sent`` once one did, ``registered`` when the
    bank's return confirms the entry (occurrence 02), ``rejected`` when it refuses it (03, with the
    bank's reasons in ``registration_message``); ``not_required`` for a wallet marked so."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent to the bank")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected by the bank")
    NOT_REQUIRED = "not_required", _("Registration not required")


class Invoice(EnlaceModel):
    """A receivable (boleto/PIX charge) of a customer (F-1: it belongs to the customer, not the
    contract; F-2: status A/R/P/C, or renegotiated, and a colour from ``color``)."""

    branch_scope = "branch"
    audit_exclude = ("pix_payload",)

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("contract"),
    )
    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("wallet")
    )
    kind = models.CharField(_("kind"), max_length=9, choices=InvoiceKind.choices, default=InvoiceKind.ONE_OFF)
    period = models.CharField(
        _("period"), max_length=7, blank=True, help_text=_("Competência, YYYY-MM (recurring invoices).")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    issue_date = models.DateField(_("issue date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    discount = models.DecimalField(
        _("discount"),
        **MONEY,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Taken off when paid up to the due date."),
    )
    status = models.CharField(
        _("status"), max_length=1, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    renegotiated = models.BooleanField(_("renegotiated"), default=False)
    paid_amount = models.DecimalField(_("amount paid"), **MONEY, default=ZERO)
    paid_date = models.DateField(_("payment date"), null=True, blank=True)
    nosso_numero = models.PositiveBigIntegerField(_("nosso número"), null=True, blank=True)
    nosso_numero_display = models.CharField(_("nosso número (with check digit)"), max_length=30, blank=True)
    barcode = models.CharField(_("barcode"), max_length=44, blank=True)
    digitable_line = models.CharField(_("digitable line"), max_length=47, blank=True)
    pix_payload = models.TextField(_("PIX copy and paste"), blank=True)
    pix_txid = models.CharField(_("PIX txid"), max_length=25, blank=True)
    analytic_account = models.ForeignKey(
        AnalyticAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analytic account"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    renegotiation = models.ForeignKey(
        "Renegotiation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="new_invoices",
        verbose_name=_("from renegotiation"),
    )
    billing_run = models.ForeignKey(
        "BillingRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        editable=False,
    )
    registration_status = models.CharField(
        _("bank registration"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
        editable=False,
    )
    registration_message = models.CharField(_("bank registration message"), max_length=500, blank=True)
    # Changes of the title the bank must hear about (a new due date, "segunda via"): the invoice
    # counts them, and ``sent_changes`` is the count a remittance last carried, so a change is
    # pending while ``changes > sent_changes`` (RemittanceItem.change is the counter it carried).
    changes = models.PositiveSmallIntegerField(_("changes"), default=0, editable=False)
    sent_changes = models.PositiveSmallIntegerField(_("changes sent"), default=0, editable=False)
    # The instalment of the contract's installation fee this one-off invoice bills (1, 2, …): the
    # unique constraint makes the billing run bill each instalment once (issue 16, item 7).
    installation_instalment = models.PositiveSmallIntegerField(
        _("installation fee instalment"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [
            models.Index(fields=["customer", "due_date"], name="invoice_customer_due_idx"),
            models.Index(fields=["status", "due_date"], name="invoice_status_due_idx"),
            models.Index(fields=["contract", "status", "due_date"], name="invoice_contract_open_idx"),
            # The receivables list (issue 22): its order; open invoices in that order (status A/P
            # and the blue/orange/red colours: without it PostgreSQL walks the whole order index
            # past the paid months); its filters by period and by branch (checked with EXPLAIN at
            # 1.2 M invoices, docs/bench.md).
            models.Index(fields=["due_date", "id"], name="invoice_due_id_idx"),
            models.Index(
                fields=["due_date", "id"], condition=Q(status__in=OPEN_STATUSES), name="invoice_open_due_idx"
            ),
            models.Index(fields=["period", "status", "due_date", "id"], name="invoice_period_status_idx"),
            models.Index(fields=["branch", "due_date", "id"], name="invoice_branch_due_idx"),
        ]
        constraints = [
            *no_edge_whitespace_constraints("invoice", "description", "cancel_reason", "period"),
            models.UniqueConstraint(
                fields=["contract", "period"],
                condition=Q(kind="recurring"),
                name="invoice_one_per_contract_period",
            ),
            models.UniqueConstraint(
                fields=["wallet", "nosso_numero"],
                condition=Q(nosso_numero__isnull=False),
                name="invoice_wallet_nosso_numero_unique",
            ),
            models.UniqueConstraint(
                fields=["contract", "installation_instalment"],
                condition=Q(installation_instalment__isnull=False),
                name="invoice_one_installation_instalment",
            ),
            models.CheckConstraint(
                condition=Q(registration_status__in=RegistrationStatus.values),
                name="invoice_registration_status_valid",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_gt_0"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="invoice_discount_gte_0"),
            # the discount for paying by the due date is at most the invoice's amount
            models.CheckConstraint(condition=Q(discount__lte=F("amount")), name="invoice_discount_le_amount"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="invoice_paid_amount_gte_0"),
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values), name="invoice_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=InvoiceKind.values), name="invoice_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind="one-off") | (Q(contract__isnull=False) & ~Q(period="")),
                name="invoice_recurring_has_contract_period",
            ),
        ]

    def __str__(self):
        return _("Invoice %(id)s") % {"id": self.pk or "—"}

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES and not self.renegotiated

    @property
    def balance(self) -> Decimal:
        """What is still owed of the face value (before late charges)."""
        if not self.is_open:
            return ZERO
        return max(self.amount - self.paid_amount, ZERO)

    def color(self, today: datetime.date | None = None) -> str:
        """F-2's colour of this invoice on ``today``: blue due later, orange due today, red overdue,
        light green paid on time, dark green paid late, grey renegotiated or cancelled."""
        today = today or timezone.localdate()
        if self.renegotiated or self.status == InvoiceStatus.CANCELLED:
            return InvoiceColor.GREY
        if self.status == InvoiceStatus.RECEIVED:
            if self.paid_date and self.paid_date > self.due_date:
                return InvoiceColor.DARK_GREEN
            return InvoiceColor.LIGHT_GREEN
        if self.due_date > today:
            return InvoiceColor.BLUE
        if self.due_date == today:
            return InvoiceColor.ORANGE
        return InvoiceColor.RED


class WalletSequence(models.Model):
    """The next nosso número of a wallet. Numbers are taken with ``UPDATE … SET next = next + n``
    under a row lock, so two concurrent issuers never get the same number."""

    wallet = models.OneToOneField(Wallet, on_delete=models.PROTECT, related_name="+", primary_key=True)
    next_value = models.PositiveBigIntegerField(default=1)
    # The year ``next_value`` counts in, for a sequence that restarts each year (Sicredi: the year
    # is part of the nosso número); ``None`` for the banks whose sequence never restarts.
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self):
        return f"{self.wallet} → {self.next_value}"


class PaymentMethod(models.TextChoices):
    CASH = "D", _("Cash")
    CARD = "C", _("Card")
    TRANSFER = "T", _("Transfer")
    PIX = "P", _("PIX")
    BOLETO = "B", _("Boleto")
    CHEQUE = "H", _("Cheque")
    DEPOSIT = "DP", _("Deposit")


class Payment(EnlaceModel):
    """A settlement ("baixa") of an invoice, full or partial (F-6). ``amount`` is the money received;
    of it, ``fine`` and ``interest`` pay the late charges (F-7: the wallet's fine and
    interest, at most 2 % and 1 % a month) and the rest pays the face value,
    with ``discount`` given. A reversal ("estorno") is a second row pointing at the first; both are
    kept."""

    branch_scope = "invoice__branch"

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    date = models.DateField(_("payment date"), default=timezone.localdate)
    amount = models.DecimalField(
        _("amount received"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(
        _("method"), max_length=2, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    fine = models.DecimalField(_("fine"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    interest = models.DecimalField(_("interest"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    discount = models.DecimalField(_("discount"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    reversed = models.BooleanField(_("reversed"), default=False)
    reversal_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("reversal of"),
    )
    reversal_reason = models.TextField(_("reversal reason"), blank=True)
    operator = operator_field()
    operator_name = models.CharField(_("operator name"), max_length=150, blank=True)
    cnab_record = models.OneToOneField(
        "CnabRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
        verbose_name=_("bank return record"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        indexes = [models.Index(fields=["date", "id"], name="payment_date_id_idx")]  # the list's order
        constraints = [
            *no_edge_whitespace_constraints("payment", "notes", "reversal_reason"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(fine__gte=0, interest__gte=0, discount__gte=0), name="payment_charges_gte_0"
            ),
            models.CheckConstraint(condition=Q(method__in=PaymentMethod.values), name="payment_method_valid"),
        ]

    def __str__(self):
        return _("Payment %(id)s") % {"id": self.pk or "—"}

    @property
    def principal(self) -> Decimal:
        """What of the face value this movement pays (negative for a reversal)."""
        value = self.amount - self.fine - self.interest + self.discount
        return -value if self.reversal_of_id else value


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
        return _("Billing run %(period)s") % {"period": self.period}


class Renegotiation(EnlaceModel):
    """A renegotiation (F-8): open invoices replaced by new one-off instalments. While it is a
    draft, its invoices cannot enter another one (unique open link per invoice)."""

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

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="remittance_items", verbose_name=_("invoice")
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
