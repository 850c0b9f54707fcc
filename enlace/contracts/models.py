"""Plans ("planos de venda"), contracts ("contratos") and the contract history ("histórico").

Choice codes follow SPEC G-6 (the codes Brazilian ISP systems already use). Plans and contracts
belong to one branch and are scoped by it (``branch_scope = "branch"``); a plan is offered in one
branch — an ISP selling the same plan in two branches registers it twice (prices differ by city).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.display import local_datetime, speed
from enlace.core.models import AddressMixin, Branch, Employee, EnlaceModel, PaymentCondition, Wallet
from enlace.core.validators import no_edge_whitespace_constraints


class ContractType(models.TextChoices):
    INTERNET = "I", _("Internet")
    TELEPHONY = "T", _("Telephony")
    SERVICES = "S", _("Services")
    VAS = "SVA", _("Value-added service (SVA)")


class ContractStatus(models.TextChoices):
    PRE_CONTRACT = "P", _("Pre-contract")
    ACTIVE = "A", _("Active")
    INACTIVE = "I", _("Inactive")
    NEGATIVE = "N", _("Credit-listed")
    GAVE_UP = "D", _("Gave up")


class AccessStatus(models.TextChoices):
    ACTIVE = "A", _("Active")
    DISABLED = "D", _("Disabled")
    MANUAL_BLOCK = "CM", _("Manual block")
    AUTOMATIC_BLOCK = "CA", _("Automatic block")
    OVERDUE = "FA", _("Overdue payment")
    AWAITING_SIGNATURE = "AA", _("Awaiting signature")


class CancellationOrigin(models.TextChoices):
    MANUAL = "M", _("Manual")
    AUTOMATIC = "A", _("Automatic")


class BillingType(models.TextChoices):
    PRINTED = "P", _("Printed")
    EMAIL = "E", _("E-mail")


class InclusionReason(models.TextChoices):
    INSTALLATION = "INS", _("Installation")
    UPGRADE = "UPG", _("Upgrade")
    DOWNGRADE = "DWG", _("Downgrade")
    ADDRESS_CHANGE = "END", _("Change of address")
    OWNERSHIP_CHANGE = "TIT", _("Change of ownership")
    REACTIVATION = "REA", _("Reactivation")
    OTHER = "OUT", _("Other")


# --- Plans ----------------------------------------------------------------------------------


class Plan(EnlaceModel):
    """Plano de venda (SPEC CT-2): what a contract sells, at what price and, for Internet, at what
    speed. Speeds are in kbit/s; the burst and the reduced profile are what RADIUS sends to the
    concentrator (Mikrotik-Rate-Limit)."""

    branch_scope = "branch"

    name = models.CharField(_("name"), max_length=80)
    type = models.CharField(
        _("type"), max_length=3, choices=ContractType.choices, default=ContractType.INTERNET
    )
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="plans", verbose_name=_("branch")
    )
    active = models.BooleanField(_("active"), default=True)
    download_kbps = models.PositiveIntegerField(
        _("download (kbit/s)"), null=True, blank=True, help_text=_("Required for Internet plans.")
    )
    upload_kbps = models.PositiveIntegerField(
        _("upload (kbit/s)"), null=True, blank=True, help_text=_("Required for Internet plans.")
    )
    burst_download_kbps = models.PositiveIntegerField(_("burst download (kbit/s)"), null=True, blank=True)
    burst_upload_kbps = models.PositiveIntegerField(_("burst upload (kbit/s)"), null=True, blank=True)
    burst_threshold_percent = models.PositiveSmallIntegerField(
        _("burst threshold %"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    burst_time_seconds = models.PositiveIntegerField(_("burst time (s)"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=8, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    address_list = models.CharField(
        _("address list"), max_length=64, blank=True, help_text=_("Firewall address list of the subscribers.")
    )
    reduced_download_kbps = models.PositiveIntegerField(
        _("reduced download (kbit/s)"),
        null=True,
        blank=True,
        help_text=_("Speed of customers with overdue invoices; empty means no reduction."),
    )
    reduced_upload_kbps = models.PositiveIntegerField(_("reduced upload (kbit/s)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            *no_edge_whitespace_constraints("plan", "name", "address_list"),
            models.CheckConstraint(condition=Q(price__gte=0), name="plan_price_gte_0"),
            models.CheckConstraint(condition=Q(type__in=ContractType.values), name="plan_type_valid"),
            models.UniqueConstraint(fields=["branch", "name"], name="plan_branch_name_unique"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.type == ContractType.INTERNET:
            for name in ("download_kbps", "upload_kbps"):
                if not getattr(self, name):
                    errors[name] = [_("Required for Internet plans.")]
        burst = (self.burst_download_kbps, self.burst_upload_kbps)
        if any(burst) and not all(burst):
            errors["burst_upload_kbps" if self.burst_download_kbps else "burst_download_kbps"] = [
                _("Give both burst speeds, or neither.")
            ]
        reduced = (self.reduced_download_kbps, self.reduced_upload_kbps)
        if any(reduced) and not all(reduced):
            errors["reduced_upload_kbps" if self.reduced_download_kbps else "reduced_download_kbps"] = [
                _("Give both reduced speeds, or neither.")
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def speed_display(self) -> str:
        if not self.download_kbps or not self.upload_kbps:
            return ""
        return f"{speed(self.download_kbps)} / {speed(self.upload_kbps)}"


# --- Contracts ------------------------------------------------------------------------------


class Contract(AddressMixin, EnlaceModel):
    """Contrato (SPEC CT-1 … CT-6). Status and access status change only through the action
    services (``enlace.contracts.services``), each with its history entry; the installation address
    is the customer's unless ``own_address`` is set, then the AddressMixin fields are used."""

    branch_scope = "branch"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("branch")
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("plan"))
    type = models.CharField(
        _("type"), max_length=3, choices=ContractType.choices, default=ContractType.INTERNET
    )
    status = models.CharField(
        _("status"), max_length=1, choices=ContractStatus.choices, default=ContractStatus.PRE_CONTRACT
    )
    access_status = models.CharField(
        _("access status"),
        max_length=2,
        choices=AccessStatus.choices,
        default=AccessStatus.AWAITING_SIGNATURE,
    )
    cancellation_date = models.DateField(_("cancellation date"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    cancellation_origin = models.CharField(
        _("cancellation origin"), max_length=1, choices=CancellationOrigin.choices, blank=True
    )

    # Dates
    contract_date = models.DateField(_("contract date"), default=timezone.localdate)
    signature_date = models.DateField(_("signature date"), null=True, blank=True)
    activation_date = models.DateField(_("activation date"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("last status change"), null=True, blank=True, editable=False)
    access_status_changed_at = models.DateTimeField(
        _("last access status change"), null=True, blank=True, editable=False
    )

    # Faturamento (CT-4: due day, wallet, payment condition and first billing date are required;
    # CT-6: loyalty months, installation fee and its instalments, reason of inclusion)
    due_day = models.PositiveSmallIntegerField(
        _("due day"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    wallet = models.ForeignKey(
        Wallet, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("billing wallet")
    )
    payment_condition = models.ForeignKey(
        PaymentCondition,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("payment condition"),
    )
    first_billing_date = models.DateField(_("first billing date"))
    billing_type = models.CharField(
        _("billing type"), max_length=1, choices=BillingType.choices, default=BillingType.EMAIL
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Empty: the plan's price."),
    )
    discount = models.DecimalField(
        _("discount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Taken off every monthly invoice."),
    )
    loyalty_months = models.PositiveSmallIntegerField(
        _("loyalty period (months)"), default=0, validators=[MaxValueValidator(60)]
    )
    installation_fee = models.DecimalField(
        _("installation fee"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    installation_instalments = models.PositiveSmallIntegerField(
        _("installation fee instalments"), default=1, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    inclusion_reason = models.CharField(
        _("reason of inclusion"),
        max_length=3,
        choices=InclusionReason.choices,
        default=InclusionReason.INSTALLATION,
    )

    # Installation address: the customer's unless own_address
    own_address = models.BooleanField(
        _("own installation address"),
        default=False,
        help_text=_("Unchecked: the service is installed at the customer's address."),
    )

    salesperson = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    notes = models.TextField(_("notes"), blank=True)
    no_block_until = models.DateField(
        _("do not block until"),
        null=True,
        blank=True,
        help_text=_("Exempt from automatic blocking until this date."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [models.Index(fields=["branch", "status"], name="contract_branch_status_idx")]
        constraints = [
            *no_edge_whitespace_constraints(
                "contract",
                "street",
                "number",
                "complement",
                "neighborhood",
                "cep",
                "notes",
                "cancellation_reason",
            ),
            models.CheckConstraint(
                condition=Q(due_day__gte=1, due_day__lte=28), name="contract_due_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContractStatus.values), name="contract_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(access_status__in=AccessStatus.values), name="contract_access_status_valid"
            ),
            models.CheckConstraint(condition=Q(type__in=ContractType.values), name="contract_type_valid"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="contract_price_gte_0"
            ),
            models.CheckConstraint(condition=Q(discount__gte=0), name="contract_discount_gte_0"),
            models.CheckConstraint(
                condition=Q(installation_fee__gte=0), name="contract_installation_fee_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(installation_instalments__gte=1), name="contract_installation_instalments_gte_1"
            ),
        ]

    def __str__(self):
        return _("Contract %(id)s") % {"id": self.pk or "—"}

    def clean(self):
        errors = {}
        if self.plan_id and self.branch_id and self.plan.branch_id != self.branch_id:
            errors["plan"] = [_("Choose a plan of the contract's branch.")]
        if self.wallet_id and self.branch_id and self.wallet.branch_id != self.branch_id:
            errors["wallet"] = [_("Choose a wallet of the contract's branch.")]
        if self.plan_id and self.type and self.plan.type != self.type:
            errors["type"] = [_("The contract type must be the plan's type.")]
        if self.customer_id and self.customer.is_lead:
            errors["customer"] = [_("A lead has no contracts: convert it into a customer first.")]
        if self.customer_id and self.branch_id and self.customer.branch_id != self.branch_id:
            errors["branch"] = [_("The contract must be in the customer's branch.")]
        if self.own_address:
            for name in ("street", "number", "neighborhood", "city"):
                if not getattr(self, name if name != "city" else "city_id"):
                    errors.setdefault(name, []).append(_("Required for an own installation address."))
        price = self.effective_price
        if price is not None and self.discount and self.discount > price:
            errors["discount"] = [_("The discount cannot exceed the price.")]
        if errors:
            raise ValidationError(errors)

    @property
    def effective_price(self) -> Decimal | None:
        if self.price is not None:
            return self.price
        return self.plan.price if self.plan_id else None

    @property
    def monthly_amount(self) -> Decimal | None:
        price = self.effective_price
        return None if price is None else max(price - (self.discount or Decimal("0")), Decimal("0"))

    @property
    def installation_address(self) -> str:
        source = self if self.own_address else self.customer
        parts = [source.street, source.number, source.complement, source.neighborhood]
        text = ", ".join(p for p in parts if p)
        return f"{text} — {source.city}" if source.city_id else text


# --- History --------------------------------------------------------------------------------


class ContractHistory(EnlaceModel):
    """Histórico (SPEC H-1 … H-3): what a contract went through. Automatic entries are written by
    the services (``history_add``) and never change; manual ones are typed by operators."""

    branch_scope = "customer__branch"

    class Kind(models.TextChoices):
        NOTE = "NOTE", _("Note")
        CREATED = "NEW", _("Contract created")
        ACTIVATED = "ACT", _("Activated")
        BLOCKED = "BLK", _("Blocked")
        UNBLOCKED = "UNB", _("Unblocked")
        CANCELLED = "CAN", _("Cancelled")
        PLAN_CHANGED = "PLN", _("Plan changed")
        ACCESS_STATUS = "ACS", _("Access status changed")
        NETWORK = "RAD", _("Network (RADIUS)")
        TICKET = "TKT", _("Ticket")
        SERVICE_ORDER = "OS", _("Service order")
        SALE = "SAL", _("Sale")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="history", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="history",
        verbose_name=_("contract"),
    )
    kind = models.CharField(_("type"), max_length=4, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    operator_name = models.CharField(_("operator name"), max_length=150, blank=True)
    manual = models.BooleanField(_("manual"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        constraints = [*no_edge_whitespace_constraints("contracthistory", "text")]

    def __str__(self):
        return f"{self.get_kind_display()} — {local_datetime(self.created_at)}"

    def clean(self):
        if self.contract_id and self.customer_id and self.contract.customer_id != self.customer_id:
            raise ValidationError({"contract": [_("The contract is not this customer's.")]})
