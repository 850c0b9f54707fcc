"""Receivables ("contas a receber") and their payments (SPEC §7, F-1, F-2, F-4, F-6, F-7).

Money is never deleted: an invoice is cancelled or renegotiated, a payment is reversed by a
second movement. Invoices belong to the customer (F-1); the contract is optional (one-off
invoices have none)."""

import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AnalyticAccount, Branch, EnlaceModel, Wallet
from enlace.core.money import ZERO
from enlace.core.validators import no_edge_whitespace_constraints

from .common import MONEY, operator_field


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

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

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
