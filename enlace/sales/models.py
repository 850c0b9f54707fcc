"""Products and sales ("Vendas", SPEC V-1 … V-3).

A sale belongs to a customer (and optionally to one of the customer's contracts), lives in the
customer's branch and is open (O) or closed (C); a closed sale cannot be changed until it is
reopened (V-2). Its items carry product, quantity, unit price and
discount; the sale's ``total`` is the sum of the item totals, computed exactly in ``Decimal`` by
the services and kept on the row for lists and filters. The database guards what it can: positive
quantities, non-negative prices and discounts, a discount never larger than the item's value,
the status codes, one receivable per instalment of a sale (V-3: finishing a sale generates its
receivables by the payment condition, once).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AnalyticAccount, Branch, Employee, EnlaceModel, PaymentCondition
from enlace.core.money import CENT, ZERO, cents
from enlace.core.validators import no_edge_whitespace_constraints

MONEY = {"max_digits": 12, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 3}
# One cent (``CENT``) is also what the database tolerates when it compares a discount with
# quantity × price: the item's value is that product rounded half up (up to half a cent more) and
# SQLite compares decimals as floating point numbers; the services keep the exact rule with a
# clear message.


class ProductType(models.TextChoices):
    PRODUCT = "P", _("Product")
    SERVICE = "S", _("Service")


class Product(EnlaceModel):
    """What the ISP sells besides plans: equipment (router, ONU, cable) or a service (visit,
    installation). Reference data shared by every branch."""

    branch_scope = None  # reference data shared by every branch

    name = models.CharField(_("name"), max_length=120, unique=True)
    type = models.CharField(_("type"), max_length=1, choices=ProductType.choices, default=ProductType.PRODUCT)
    unit = models.CharField(_("unit"), max_length=10, default="UN", help_text=_("For example UN, M, H."))
    price = models.DecimalField(_("price"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])
    analytic_account = models.ForeignKey(
        AnalyticAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analytic account"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            *no_edge_whitespace_constraints("product", "name", "unit"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(condition=Q(type__in=ProductType.values), name="product_type_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="product_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class SaleStatus(models.TextChoices):
    OPEN = "O", _("Open")
    CLOSED = "C", _("Closed")


class Sale(EnlaceModel):
    """A sale to a customer (V-1): one-off, or tied to one of the customer's contracts."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "branch"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="sales", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("contract"),
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    date = models.DateField(_("date"), default=timezone.localdate)
    salesperson = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        limit_choices_to={"is_salesperson": True},
        verbose_name=_("salesperson"),
    )
    payment_condition = models.ForeignKey(
        PaymentCondition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment condition"),
    )
    status = models.CharField(_("status"), max_length=1, choices=SaleStatus.choices, default=SaleStatus.OPEN)
    total = models.DecimalField(_("total"), **MONEY, default=ZERO, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    receivables_generated = models.BooleanField(_("receivables generated"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        permissions = [("change_sale_status", _("Can change the status of a sale (closed ↔ open)"))]
        indexes = [
            models.Index(fields=["customer", "date"], name="sale_customer_date_idx"),
            models.Index(fields=["branch", "status", "date"], name="sale_branch_status_date_idx"),
        ]
        constraints = [
            *no_edge_whitespace_constraints("sale", "notes"),
            models.CheckConstraint(condition=Q(status__in=SaleStatus.values), name="sale_status_valid"),
            models.CheckConstraint(condition=Q(total__gte=0), name="sale_total_gte_0"),
            models.CheckConstraint(
                condition=Q(status="O") | Q(closed_at__isnull=False), name="sale_closed_has_closed_at"
            ),
        ]

    def __str__(self):
        return _("Sale %(id)s") % {"id": self.pk or "—"}

    @property
    def is_open(self) -> bool:
        return self.status == SaleStatus.OPEN

    def items_total(self) -> Decimal:
        """The sum of the item totals (exact; each item rounded to cents)."""
        return sum((item.total for item in self.items.all()), ZERO)


class SaleItem(EnlaceModel):
    """One line of a sale: ``total = quantity × unit price − discount``, rounded to cents."""

    branch_scope = "sale__branch"

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="items", verbose_name=_("sale"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="sale_items", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"), **QUANTITY, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(ZERO)])
    discount = models.DecimalField(_("discount"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["sale", "id"]
        verbose_name = _("sale item")
        verbose_name_plural = _("sale items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="saleitem_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="saleitem_unit_price_gte_0"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="saleitem_discount_gte_0"),
            models.CheckConstraint(
                condition=Q(discount__lte=F("quantity") * F("unit_price") + Value(CENT)),
                name="saleitem_discount_lte_value",
            ),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"

    @property
    def gross(self) -> Decimal:
        return cents(Decimal(self.quantity or 0) * Decimal(self.unit_price or 0))

    @property
    def total(self) -> Decimal:
        return self.gross - cents(self.discount or 0)


class SaleReceivable(models.Model):
    """A receivable (one-off invoice of the finance area) generated by finishing a sale (V-3).
    One per instalment: the unique constraint keeps a second generation from duplicating them."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="receivables")
    invoice = models.OneToOneField(
        "billing.Invoice", on_delete=models.PROTECT, related_name="sale_link", verbose_name=_("invoice")
    )
    instalment = models.PositiveSmallIntegerField(_("instalment"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["sale", "instalment"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "instalment"], name="salereceivable_one_per_instalment"),
            models.CheckConstraint(condition=Q(instalment__gte=1), name="salereceivable_instalment_gte_1"),
        ]

    def __str__(self):
        return f"{self.sale_id} #{self.instalment} → {self.invoice_id}"
