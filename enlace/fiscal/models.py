"""NFCom (modelo 62): the emitter's settings per branch, the fiscal classification of plans, and
the fiscal documents with their XML (docs/fiscal.md).

An authorised document is immutable: the services never change its XML, protocol or number again,
only its cancellation fields. The XML of an authorised document (``nfcomProc``) is kept for the
legal five years: fiscal documents are never deleted (``PROTECT`` everywhere).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import Branch, City, EnlaceModel

MONEY = {"max_digits": 12, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
cnpj_validator = RegexValidator(r"^[0-9A-Z]{12}[0-9]{2}$", _("Enter the 14 characters of the CNPJ."))
cclass_validator = RegexValidator(r"^[0-9]{7}$", _("Enter the 7 digits of the cClass."))
cfop_validator = RegexValidator(r"^[0-9]{4}$", _("Enter the 4 digits of the CFOP."))


ICMS_CST_CHOICES = [("00", "00"), ("40", "40"), ("41", "41"), ("51", "51"), ("90", "90")]
SERVICE_TYPES = [
    ("1", _("Telephony")),
    ("2", _("Data communication")),
    ("3", _("Pay TV")),
    ("4", _("Internet access")),
    ("5", _("Multimedia")),
    ("6", _("Others")),
    ("7", _("Several")),
]
OPTIONAL_RATE = {**RATE, "null": True, "blank": True}


class Environment(models.TextChoices):
    PRODUCTION = "1", _("Production")
    HOMOLOGATION = "2", _("Homologation (tests)")


class Crt(models.TextChoices):
    SIMPLES = "1", _("Simples Nacional")
    SIMPLES_EXCESS = "2", _("Simples Nacional, gross revenue above the limit")
    NORMAL = "3", _("Normal regime")


class IssueOn(models.TextChoices):
    BILLING_RUN = "run", _("At the billing run")
    PAYMENT = "payment", _("When the invoice is paid")
    MANUAL = "manual", _("Only by hand")


class FiscalSettings(EnlaceModel):
    """The NFCom emitter of one branch: its registration, numbering, environment, A1 certificate
    and the default fiscal classification and taxes of its items."""

    branch_scope = "branch"
    audit_exclude = ("certificate_data", "certificate_password")
    #: What the operator sets (form, API, detail page), besides the branch and the certificate.
    SETTING_FIELDS = (
        "ie",
        "crt",
        "city",
        "series",
        "next_number",
        "environment",
        "issue_on",
        "sefaz_url",
        "cancel_hours",
        "cclass",
        "installation_cclass",
        "cfop",
        "icms_cst",
        "icms_rate",
        "pis_rate",
        "cofins_rate",
        "fust_rate",
        "funttel_rate",
        "ibs_cbs",
        "ibs_rate",
        "cbs_rate",
        "ibs_cbs_class",
    )

    branch = models.OneToOneField(
        Branch, on_delete=models.PROTECT, related_name="fiscal_settings", verbose_name=_("branch")
    )
    cnpj = models.CharField(_("CNPJ"), max_length=14, validators=[cnpj_validator])
    ie = models.CharField(_("state registration (IE)"), max_length=14)
    crt = models.CharField(_("tax regime (CRT)"), max_length=1, choices=Crt.choices, default=Crt.SIMPLES)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality (IBGE)"),
        help_text=_("The emitter's municipality; its state is the UF of the documents."),
    )
    series = models.PositiveSmallIntegerField(_("series"), default=1, validators=[MaxValueValidator(999)])
    next_number = models.PositiveIntegerField(
        _("next number"), default=1, validators=[MinValueValidator(1), MaxValueValidator(999_999_999)]
    )
    environment = models.CharField(
        _("environment"), max_length=1, choices=Environment.choices, default=Environment.HOMOLOGATION
    )
    issue_on = models.CharField(
        _("issue the NFCom"), max_length=7, choices=IssueOn.choices, default=IssueOn.BILLING_RUN
    )
    sefaz_url = models.CharField(
        _("authoriser address"),
        max_length=200,
        blank=True,
        help_text=_("Base address of the NFCom web services; empty: SVRS for the environment."),
    )
    cancel_hours = models.PositiveSmallIntegerField(
        _("cancellation deadline (hours)"),
        default=120,
        help_text=_("How long after authorisation a document may be cancelled."),
    )
    # Defaults of every item (a plan may override them: PlanFiscalProfile).
    cclass = models.CharField(
        _("service classification (cClass)"), max_length=7, default="0100401", validators=[cclass_validator]
    )
    installation_cclass = models.CharField(
        _("installation cClass"), max_length=7, default="0200401", validators=[cclass_validator]
    )
    cfop = models.CharField(_("CFOP"), max_length=4, default="5307", validators=[cfop_validator])
    icms_cst = models.CharField(_("ICMS CST"), max_length=2, default="00", choices=ICMS_CST_CHOICES)
    icms_rate = models.DecimalField(_("ICMS rate (%)"), default=Decimal("0"), **RATE)
    pis_rate = models.DecimalField(_("PIS rate (%)"), default=Decimal("0.65"), **RATE)
    cofins_rate = models.DecimalField(_("COFINS rate (%)"), default=Decimal("3.00"), **RATE)
    fust_rate = models.DecimalField(_("FUST rate (%)"), default=Decimal("0"), **RATE)
    funttel_rate = models.DecimalField(_("FUNTTEL rate (%)"), default=Decimal("0"), **RATE)
    ibs_cbs = models.BooleanField(_("inform IBS/CBS (2026 transition)"), default=True)
    ibs_rate = models.DecimalField(_("IBS rate (%)"), default=Decimal("0.10"), **RATE)
    cbs_rate = models.DecimalField(_("CBS rate (%)"), default=Decimal("0.90"), **RATE)
    ibs_cbs_class = models.CharField(_("IBS/CBS cClassTrib"), max_length=6, default="000001")
    # The A1 certificate, encrypted (enlace.fiscal.nfcom.certificates); never shown nor returned.
    certificate_data = models.BinaryField(null=True, blank=True, editable=False)
    certificate_password = models.BinaryField(null=True, blank=True, editable=False)
    certificate_subject = models.CharField(
        _("certificate subject"), max_length=300, blank=True, editable=False
    )
    certificate_cnpj = models.CharField(_("certificate CNPJ"), max_length=14, blank=True, editable=False)
    certificate_valid_until = models.DateTimeField(
        _("certificate valid until"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("fiscal settings")
        verbose_name_plural = _("fiscal settings")
        ordering = ["branch__name"]
        constraints = [
            models.UniqueConstraint(fields=["cnpj", "series"], name="fiscalsettings_unique_cnpj_series"),
            models.CheckConstraint(
                condition=Q(next_number__gte=1), name="fiscalsettings_next_number_positive"
            ),
        ]

    def __str__(self):
        return str(self.branch)

    def get_absolute_url(self):
        return reverse("fiscal:fiscalsettings_detail", args=[self.pk])

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate_data)

    @property
    def certificate_expiring(self) -> bool:
        """Expired, or expiring within 30 days (the settings page and the list warn)."""
        if not self.certificate_valid_until:
            return False
        return self.certificate_valid_until <= timezone.now() + timezone.timedelta(days=30)


class Classification(EnlaceModel):
    """The fiscal classification and taxes of what a plan or a product bills; an empty field takes
    the branch's default (``FiscalSettings``). The ICMS group follows the branch's regime: Simples
    Nacional (CRT 1/2) informs ICMSSN whatever the CST here."""

    #: The overridable fields, in the order screens show them.
    CLASSIFICATION_FIELDS = (
        "cclass",
        "cfop",
        "icms_cst",
        "icms_rate",
        "pis_rate",
        "cofins_rate",
        "fust_rate",
        "funttel_rate",
        "ibs_rate",
        "cbs_rate",
        "ibs_cbs_class",
    )

    cclass = models.CharField(
        _("service classification (cClass)"), max_length=7, blank=True, validators=[cclass_validator]
    )
    cfop = models.CharField(
        _("CFOP"),
        max_length=4,
        blank=True,
        validators=[cfop_validator],
        help_text=_("Within the state; out of the state the first digit 5 becomes 6."),
    )
    icms_cst = models.CharField(_("ICMS CST"), max_length=2, blank=True, choices=ICMS_CST_CHOICES)
    icms_rate = models.DecimalField(_("ICMS rate (%)"), **OPTIONAL_RATE)
    pis_rate = models.DecimalField(_("PIS rate (%)"), **OPTIONAL_RATE)
    cofins_rate = models.DecimalField(_("COFINS rate (%)"), **OPTIONAL_RATE)
    fust_rate = models.DecimalField(_("FUST rate (%)"), **OPTIONAL_RATE)
    funttel_rate = models.DecimalField(_("FUNTTEL rate (%)"), **OPTIONAL_RATE)
    ibs_rate = models.DecimalField(_("IBS rate (%)"), **OPTIONAL_RATE)
    cbs_rate = models.DecimalField(_("CBS rate (%)"), **OPTIONAL_RATE)
    ibs_cbs_class = models.CharField(_("IBS/CBS cClassTrib"), max_length=6, blank=True)

    class Meta:
        abstract = True


class PlanFiscalProfile(Classification):
    """A plan's own classification and taxes, overriding the branch's defaults (empty fields:
    the default), for its monthly fee and its installation fee."""

    branch_scope = "plan__branch"

    plan = models.OneToOneField(
        "contracts.Plan", on_delete=models.CASCADE, related_name="fiscal_profile", verbose_name=_("plan")
    )
    service_type = models.CharField(
        _("service type (tpServUtil)"), max_length=1, default="4", choices=SERVICE_TYPES
    )
    installation_cclass = models.CharField(
        _("installation cClass"),
        max_length=7,
        blank=True,
        validators=[cclass_validator],
        help_text=_("Of the installation fee invoices; empty: the branch's."),
    )

    class Meta:
        verbose_name = _("plan fiscal profile")
        verbose_name_plural = _("plan fiscal profiles")
        ordering = ["plan__name"]

    def __str__(self):
        return str(self.plan)

    def get_absolute_url(self):
        return reverse("fiscal:planfiscalprofile_detail", args=[self.pk])


class ProductFiscalProfile(Classification):
    """A product's classification and taxes on the NFCom of a sale's invoices (empty fields:
    the branch's defaults)."""

    branch_scope = None  # products are shared by every branch

    product = models.OneToOneField(
        "sales.Product", on_delete=models.CASCADE, related_name="fiscal_profile", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("product fiscal profile")
        verbose_name_plural = _("product fiscal profiles")
        ordering = ["product__name"]

    def __str__(self):
        return str(self.product)

    def get_absolute_url(self):
        return reverse("fiscal:productfiscalprofile_detail", args=[self.pk])


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AUTHORISED = "authorised", _("Authorised")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    CONTINGENCY = "contingency", _("Contingency")


STATUS_COLOURS = {
    DocumentStatus.DRAFT: "secondary",
    DocumentStatus.AUTHORISED: "success",
    DocumentStatus.REJECTED: "danger",
    DocumentStatus.CANCELLED: "dark",
    DocumentStatus.CONTINGENCY: "warning",
}


class FiscalDocument(EnlaceModel):
    """One NFCom of an invoice. Its number is unique per (CNPJ, series) and taken with the settings
    row locked, so numbers have no gaps; a rejected document keeps its number and is sent again."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

    branch_scope = "branch"
    audit_exclude = ("xml", "proc_xml", "cancel_xml")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    invoice = models.ForeignKey(
        "billing.Invoice",
        on_delete=models.PROTECT,
        related_name="fiscal_documents",
        verbose_name=_("invoice"),
    )
    cnpj = models.CharField(_("CNPJ"), max_length=14)
    series = models.PositiveSmallIntegerField(_("series"))
    number = models.PositiveIntegerField(_("number"))
    environment = models.CharField(_("environment"), max_length=1, choices=Environment.choices)
    key = models.CharField(_("access key"), max_length=44, unique=True)
    emission_type = models.PositiveSmallIntegerField(_("emission type"), default=1)
    status = models.CharField(
        _("status"), max_length=11, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    issued_at = models.DateTimeField(_("issued at"))
    qr_text = models.TextField(_("QR code text"), blank=True)
    xml = models.BinaryField(_("signed XML"), editable=False)
    proc_xml = models.BinaryField(_("authorised XML (nfcomProc)"), null=True, blank=True, editable=False)
    protocol = models.CharField(_("protocol"), max_length=20, blank=True)
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    status_code = models.CharField(_("cStat"), max_length=3, blank=True)
    status_reason = models.CharField(_("xMotivo"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("transmissions"), default=0)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=255, blank=True)
    cancel_protocol = models.CharField(_("cancellation protocol"), max_length=20, blank=True)
    cancel_xml = models.BinaryField(
        _("cancellation event (procEventoNFCom)"), null=True, blank=True, editable=False
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("fiscal document")
        verbose_name_plural = _("fiscal documents")
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cnpj", "series", "number"], name="fiscaldocument_unique_number"),
            models.UniqueConstraint(
                fields=["invoice"], condition=~Q(status="cancelled"), name="fiscaldocument_one_per_invoice"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["authorised", "cancelled"]) | ~Q(protocol=""),
                name="fiscaldocument_authorised_has_protocol",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fiscaldocument_amount_not_negative"),
        ]
        permissions = [
            ("transmit_fiscaldocument", "Can transmit fiscal documents"),
            ("cancel_fiscaldocument", "Can cancel fiscal documents"),
        ]

    def __str__(self):
        return f"NFCom {self.series}/{self.number}"

    def get_absolute_url(self):
        return reverse("fiscal:fiscaldocument_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")
