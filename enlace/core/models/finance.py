"""Finance reference data: payment conditions, analytic accounts and billing wallets."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Func, Q, Value, When
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from ..validators import no_edge_whitespace_constraints
from .base import EnlaceModel
from .organization import Branch

ZERO = Decimal("0.00")


class PaymentCondition(EnlaceModel):
    """Condição de pagamento: how a sale or installation fee is split into instalments."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = None  # reference data shared by every branch

    name = models.CharField(_("name"), max_length=80, unique=True)
    instalments = models.PositiveSmallIntegerField(
        _("instalments"), default=1, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    first_due_days = models.PositiveSmallIntegerField(
        _("days to first due date"), default=0, validators=[MaxValueValidator(365)]
    )
    days_between = models.PositiveSmallIntegerField(
        _("days between instalments"), default=30, validators=[MaxValueValidator(365)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("payment condition")
        verbose_name_plural = _("payment conditions")
        constraints = [
            *no_edge_whitespace_constraints("paymentcondition", "name"),
            models.CheckConstraint(
                condition=Q(instalments__gte=1), name="paymentcondition_instalments_gte_1"
            ),
        ]

    def __str__(self):
        return self.name


class AnalyticAccount(EnlaceModel):
    """Planejamento analítico: the tree of revenue and expense accounts (e.g. 1.01.002)."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = None  # reference data shared by every branch

    class Kind(models.TextChoices):
        REVENUE = "R", _("Revenue")
        EXPENSE = "D", _("Expense")

    code = models.CharField(_("code"), max_length=30, unique=True, help_text=_("For example 1.01.002"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=1, choices=Kind.choices, default=Kind.REVENUE)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent account"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("analytic account")
        verbose_name_plural = _("analytic accounts")
        constraints = no_edge_whitespace_constraints("analyticaccount", "code", "name")

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None or node.pk in seen:
                raise ValidationError({"parent": _("An account cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent

    @property
    def depth(self) -> int:
        return self.code.count(".")


def _digits_key(name: str) -> Func:
    """The field without leading zeros (``0101`` and ``101`` print the same barcode)."""
    return Func(F(name), Value("0"), function="LTRIM")


# Which wallet fields enter each bank's barcode besides the nosso número (enlace/billing/boleto/):
# Itaú and Bradesco: agency, account, carteira (the convênio does not); Caixa: the beneficiary code
# (convênio) and the carteira (its nosso número's first digit); Banco do Brasil: convênio and
# carteira, plus agency and account when the convênio has 4 or 6 digits; Sicredi and Sicoob: the
# agency (cooperativa, posto), convênio and carteira (the account does not). Two wallets with the
# same values here would number their titles from 1 each and print identical barcodes.
_BB_LONG_CONVENIO = Q(bank_code="001") & GreaterThanOrEqual(Length("convenio"), 7)
_DEFAULT_CARTEIRA = Q(bank_code__in=["104", "748", "756"], carteira__in=["", "1", "01", "RG"])
WALLET_BARCODE_KEY = (
    F("bank_code"),
    Case(When(Q(bank_code="104") | _BB_LONG_CONVENIO, then=Value("")), default=_digits_key("agency")),
    Case(
        When(Q(bank_code__in=["104", "748", "756"]) | _BB_LONG_CONVENIO, then=Value("")),
        default=_digits_key("account"),
    ),
    Case(When(bank_code__in=["237", "341"], then=Value("")), default=_digits_key("convenio")),
    Case(When(_DEFAULT_CARTEIRA, then=Value("1")), default=_digits_key("carteira")),
)
WALLET_BARCODE_UNIQUE = "wallet_unique_bank_account"


class Wallet(EnlaceModel):
    """Carteira de cobrança: the bank account and agreement that boletos and PIX charges are issued
    from. Contracts, invoices and the bank files (CNAB) refer to it; it belongs to one branch (the
    CNPJ that holds the account). Fine and interest are capped by law (SPEC F-7): 2 % and 1 % a month.
    """

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "branch"

    class CnabLayout(models.TextChoices):
        CNAB240 = "240", _("CNAB 240")
        CNAB400 = "400", _("CNAB 400")

    SUPPORTED_BANKS = {
        "001": "Banco do Brasil",
        "033": "Santander",
        "104": "Caixa Econômica Federal",
        "237": "Bradesco",
        "341": "Itaú",
        "748": "Sicredi",
        "756": "Sicoob",
    }
    MAX_FINE = Decimal("2.00")
    MAX_INTEREST = Decimal("1.00")

    name = models.CharField(_("name"), max_length=80, unique=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="wallets", verbose_name=_("branch")
    )
    bank_code = models.CharField(
        _("bank code"),
        max_length=3,
        validators=[RegexValidator(r"^[0-9]{3}$", _("Enter the bank's 3-digit code."))],
        help_text=_(
            "3-digit code of the bank (COMPE). Boletos are issued for 001, 033, 104, 237, 341, 748 and 756."
        ),
    )
    agency = models.CharField(_("agency"), max_length=10)
    agency_digit = models.CharField(_("agency check digit"), max_length=2, blank=True)
    account = models.CharField(_("account"), max_length=20)
    account_digit = models.CharField(_("account check digit"), max_length=2, blank=True)
    carteira = models.CharField(
        _("wallet code"), max_length=10, blank=True, help_text=_("The bank's carteira.")
    )
    convenio = models.CharField(
        _("agreement / beneficiary code"),
        max_length=20,
        blank=True,
        help_text=_("Convênio or código do beneficiário."),
    )
    cnab_layout = models.CharField(
        _("CNAB layout"), max_length=3, choices=CnabLayout.choices, default=CnabLayout.CNAB400
    )
    fine_percent = models.DecimalField(
        _("fine %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_FINE)],
        help_text=_("Charged once on late payment; at most 2%."),
    )
    interest_percent_month = models.DecimalField(
        _("interest % a month"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_INTEREST)],
        help_text=_("Charged per day of delay, pro rata; at most 1% a month."),
    )
    pix_key = models.CharField(_("PIX key"), max_length=77, blank=True)
    instructions = models.TextField(_("instructions"), blank=True, help_text=_("Printed on the boleto."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("billing wallet")
        verbose_name_plural = _("billing wallets")
        constraints = [
            *no_edge_whitespace_constraints(
                "wallet", "name", "agency", "account", "carteira", "convenio", "pix_key"
            ),
            models.CheckConstraint(
                condition=Q(fine_percent__gte=0, fine_percent__lte=Decimal("2.00")),
                name="wallet_fine_percent_cap",
            ),
            models.CheckConstraint(
                condition=Q(interest_percent_month__gte=0, interest_percent_month__lte=Decimal("1.00")),
                name="wallet_interest_percent_cap",
            ),
            # One nosso número per title (docs/decisions.md): no two wallets, active or not, issue
            # from the same bank, agency, account, convênio and carteira as they enter the barcode.
            models.UniqueConstraint(*WALLET_BARCODE_KEY, name=WALLET_BARCODE_UNIQUE),
        ]

    def __str__(self):
        return self.name

    def get_constraints(self):
        """``clean`` checks ``wallet_unique_bank_account`` naming the field and the other wallet;
        Django's generic check of it would only say "constraint violated"."""
        return [
            (model, [c for c in constraints if c.name != WALLET_BARCODE_UNIQUE])
            for model, constraints in super().get_constraints()
        ]

    def clean(self):
        super().clean()
        if not self.bank_code:
            return
        key = self.barcode_key()
        same = (
            Wallet.objects.annotate(**{f"key_{i}": expr for i, expr in enumerate(WALLET_BARCODE_KEY)})
            .filter(**{f"key_{i}": value for i, value in enumerate(key)})
            .exclude(pk=self.pk)
        )
        if same.exists():  # the other wallet may be another branch's: it is not named
            field = "account" if self.bank_code in ("237", "341") else "convenio"
            raise ValidationError(
                {
                    field: _(
                        "Another wallet already issues boletos from this bank, agency, account, "
                        "agreement and wallet code: both would number their titles from 1 and print "
                        "the same barcodes. Use that wallet, or correct these fields."
                    )
                }
            )

    def barcode_key(self) -> tuple[str, ...]:
        """The values of ``WALLET_BARCODE_KEY`` for this (possibly unsaved) wallet, in Python."""
        bank = self.bank_code
        long_bb = bank == "001" and len(self.convenio) >= 7
        carteira = self.carteira
        if bank in ("104", "748", "756") and carteira in ("", "1", "01", "RG"):
            carteira = "1"
        else:
            carteira = carteira.lstrip("0")
        return (
            bank,
            "" if bank == "104" or long_bb else self.agency.lstrip("0"),
            "" if bank in ("104", "748", "756") or long_bb else self.account.lstrip("0"),
            "" if bank in ("237", "341") else self.convenio.lstrip("0"),
            carteira,
        )

    @property
    def bank_name(self) -> str:
        return self.SUPPORTED_BANKS.get(self.bank_code, "")
