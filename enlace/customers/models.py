"""The customer registry ("cadastro de clientes"), SPEC §1–§4 (basic data, address, contact,
others), and the local CEP table (A-1: the CEP lookup asks it first, then an online provider).

Writes go through ``enlace.customers.services`` only; ``normalize()`` brings typed values (masks,
"+55", "" for an absent portal login) to their stored form and keeps the search columns in step.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import (
    AddressMixin,
    AnalyticAccount,
    AppSettings,
    Branch,
    City,
    Employee,
    EnlaceModel,
    PaymentCondition,
    YesNoDefault,
)
from enlace.core.validators import has_edge_whitespace, no_edge_whitespace_constraints

from .validators import (
    fold,
    format_cep,
    format_document,
    format_phone,
    normalize_br_phone,
    normalize_cep,
    normalize_document,
    validate_br_phone,
    validate_cep,
    validate_email_list,
)


class PersonType(models.TextChoices):
    INDIVIDUAL = "F", _("Individual")
    COMPANY = "J", _("Company")
    FOREIGNER = "E", _("Foreigner")


class SubscriberType(models.TextChoices):
    """Tipo de assinante (Anatel)."""

    COMMERCIAL = "1", _("Commercial / industrial")
    PUBLIC_AUTHORITY = "2", _("Public authority")
    RESIDENTIAL = "3", _("Residential / individual")
    PUBLIC = "4", _("Public")
    SEMI_PUBLIC = "5", _("Semi-public")
    OTHER = "6", _("Other")


class LeadStage(models.TextChoices):
    NEW = "N", _("New")
    PROBING = "S", _("Probing")
    PRESENTING = "A", _("Presenting")
    NEGOTIATING = "G", _("Negotiating")
    WON = "V", _("Won")
    LOST = "P", _("Lost")
    NOT_FEASIBLE = "SV", _("Not feasible")


class AreaType(models.TextChoices):
    URBAN = "U", _("Urban")
    RURAL = "R", _("Rural")


PortalAutoAccess = YesNoDefault  # K-5: Sim / Não / Padrão (follows the global portal parameter)


class PortalPermission(models.TextChoices):
    NORMAL = "N", _("Normal")
    SPECIAL = "E", _("Special")


PHONE_FIELDS = ("mobile_phone", "phone", "whatsapp", "business_phone")
TEXT_FIELDS = (
    "name",
    "trade_name",
    "cpf_cnpj",
    "rg_ie",
    "cep",
    "street",
    "number",
    "complement",
    "neighborhood",
    "reference_point",
    "billing_cep",
    "billing_street",
    "billing_number",
    "billing_complement",
    "billing_neighborhood",
    "email",
    "portal_login",
    "notes",
    "alert",
)


class Customer(AddressMixin, EnlaceModel):
    """Cliente: one person or company the ISP serves (or prospects, while ``is_lead``)."""

    branch_scope = "branch"
    audit_exclude = ("search_name", "address_key", "updated_at")

    # --- Cliente (SPEC §1) ---
    person_type = models.CharField(
        _("person type"), max_length=1, choices=PersonType.choices, default=PersonType.INDIVIDUAL
    )
    name = models.CharField(_("name / legal name"), max_length=150)
    trade_name = models.CharField(_("trade name"), max_length=150, blank=True)
    cpf_cnpj = models.CharField(_("CPF/CNPJ"), max_length=20, blank=True, db_index=True)
    rg_ie = models.CharField(
        _("RG / state registration"),
        max_length=20,
        blank=True,
        help_text=_("State registration (IE) of a company, or ISENTO."),
    )
    icms_contributor = models.BooleanField(
        _("ICMS contributor"),
        default=False,
        help_text=_("A company that pays ICMS needs its state registration."),
    )
    birth_date = models.DateField(_("birth / foundation date"), null=True, blank=True)
    subscriber_type = models.CharField(
        _("subscriber type (Anatel)"),
        max_length=1,
        choices=SubscriberType.choices,
        default=SubscriberType.RESIDENTIAL,
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="customers", verbose_name=_("branch")
    )
    active = models.BooleanField(_("active"), default=True)
    is_lead = models.BooleanField(_("lead / prospect"), default=False)
    lead_stage = models.CharField(_("prospecting stage"), max_length=2, choices=LeadStage.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    alert = models.TextField(_("alert"), blank=True, help_text=_("Shown when the record opens."))

    # --- Endereço (SPEC §2); cep/street/number/complement/neighborhood/city come from AddressMixin ---
    area = models.CharField(
        _("urban / rural"), max_length=1, choices=AreaType.choices, default=AreaType.URBAN
    )
    reference_point = models.CharField(_("reference point"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    billing_cep = models.CharField(_("billing CEP"), max_length=8, blank=True)
    billing_street = models.CharField(_("billing street"), max_length=120, blank=True)
    billing_number = models.CharField(_("billing number"), max_length=20, blank=True)
    billing_complement = models.CharField(_("billing complement"), max_length=80, blank=True)
    billing_neighborhood = models.CharField(_("billing neighborhood"), max_length=80, blank=True)
    billing_city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("billing city"),
    )

    # --- Contato (SPEC §3) ---
    mobile_phone = models.CharField(_("mobile phone"), max_length=11, blank=True, db_index=True)
    phone = models.CharField(_("contact phone"), max_length=11, blank=True, db_index=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=11, blank=True, db_index=True)
    business_phone = models.CharField(_("business phone"), max_length=11, blank=True)
    email = models.CharField(
        _("main e-mail"),
        max_length=500,
        blank=True,
        help_text=_("Several addresses separated by “;” with no spaces."),
    )
    portal_login = models.CharField(_("portal login"), max_length=80, null=True, blank=True, unique=True)
    portal_password = models.CharField(_("portal password"), max_length=128, blank=True, editable=False)
    portal_change_password = models.BooleanField(_("change password on first access"), default=False)
    portal_auto_access = models.CharField(
        _("allow automatic access"),
        max_length=1,
        choices=PortalAutoAccess.choices,
        default=PortalAutoAccess.DEFAULT,
    )
    portal_permission = models.CharField(
        _("permission type"), max_length=1, choices=PortalPermission.choices, default=PortalPermission.NORMAL
    )

    # --- Outros (SPEC §4) ---
    analytic_account = models.ForeignKey(
        AnalyticAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analytic account"),
    )
    payment_condition = models.ForeignKey(
        PaymentCondition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment condition"),
    )
    salesperson = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default salesperson"),
    )

    # --- Maintained by normalize(): the name searched by the customer list (C-6) and the address
    # compared for duplicates, both folded: lower-case, without accents ---
    search_name = models.CharField(max_length=310, blank=True, editable=False)
    address_key = models.CharField(max_length=230, blank=True, editable=False, db_index=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    #: Not a column: what the last save through customers.services warned about (C-2: a name
    #: longer than the parameter's limit is a warning, not an error), for the page and the API
    #: (``getattr(customer, "warnings", [])`` before any save).
    warnings: list[str]

    class Meta:
        # The name index is on an expression on purpose: on PostgreSQL only the searches that want
        # it (common fragments, the unfiltered list) order by it — see selectors.customer_search.
        ordering = [Lower("search_name"), "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(Lower("search_name"), F("id"), name="customer_search_name_idx"),
            models.Index(fields=["branch", "active", "is_lead"], name="customer_branch_active_idx"),
        ]
        constraints = [
            *no_edge_whitespace_constraints("customer", *TEXT_FIELDS),
            models.CheckConstraint(
                condition=Q(person_type__in=PersonType.values), name="customer_person_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(portal_auto_access__in=PortalAutoAccess.values),
                name="customer_portal_auto_access_valid",
            ),
            models.CheckConstraint(
                condition=Q(portal_permission__in=PortalPermission.values),
                name="customer_portal_permission_valid",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="customer_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="customer_longitude_range",
            ),
            models.CheckConstraint(condition=~Q(portal_login=""), name="customer_portal_login_not_empty"),
            models.CheckConstraint(
                condition=Q(is_lead=True) | Q(lead_stage__in=["", LeadStage.WON]),
                name="customer_lead_stage_only_for_leads_or_won",
            ),
        ]

    def __str__(self):
        return self.name

    # --- Normalisation and validation ---

    def normalize(self):
        for name in PHONE_FIELDS:
            value = getattr(self, name)
            if value and not has_edge_whitespace(value):
                setattr(self, name, normalize_br_phone(value))
        for name in ("cep", "billing_cep"):
            value = getattr(self, name)
            if value and not has_edge_whitespace(value):
                setattr(self, name, normalize_cep(value))
        if not self.portal_login:
            self.portal_login = None
        self.search_name = self.build_search_name()
        self.address_key = self.build_address_key()

    def build_search_name(self) -> str:
        """ " name words trade-name words " folded: word-prefix search is ``LIKE '% frag%'``."""
        words = fold(f"{self.name or ''} {self.trade_name or ''}")
        return f" {words}"[:310] if words else ""

    def build_address_key(self) -> str:
        """Street, number and neighbourhood folded (A-4: case- and accent-insensitive)."""
        if not (self.street and self.number):
            return ""
        return f"{fold(self.street)}|{fold(self.number)}|{fold(self.neighborhood)}"[:230]

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        checks = [(name, validate_br_phone) for name in PHONE_FIELDS]
        checks += [("email", validate_email_list), ("cep", validate_cep), ("billing_cep", validate_cep)]
        for name, check in checks:
            if name in errors or (exclude and name in exclude):
                continue
            try:
                check(getattr(self, name))
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def clean(self):
        errors = {}
        if self.cpf_cnpj and not has_edge_whitespace(self.cpf_cnpj):
            try:
                self.cpf_cnpj = normalize_document(self.person_type, self.cpf_cnpj)
            except ValidationError as exc:
                errors["cpf_cnpj"] = exc.messages
        if self.birth_date and self.birth_date >= timezone.localdate():
            errors["birth_date"] = [_("The birth or foundation date must be in the past.")]
        if self.person_type == PersonType.COMPANY and self.icms_contributor and not self.rg_ie:
            errors["rg_ie"] = [_("A company that pays ICMS needs its state registration (or ISENTO).")]
        if self.rg_ie and self.rg_ie.upper() == "ISENTO":
            self.rg_ie = "ISENTO"
        if self.is_lead and not self.lead_stage:
            self.lead_stage = LeadStage.NEW
        if not self.is_lead and self.lead_stage not in ("", LeadStage.WON):
            self.lead_stage = ""
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude" if self.latitude is None else "longitude"] = [
                _("Fill in both latitude and longitude, or neither.")
            ]
        if errors:
            raise ValidationError(errors)

    # --- Display ---

    @property
    def cpf_cnpj_display(self) -> str:
        return format_document(self.person_type, self.cpf_cnpj)

    @property
    def mobile_phone_display(self) -> str:
        return format_phone(self.mobile_phone)

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def whatsapp_display(self) -> str:
        return format_phone(self.whatsapp)

    @property
    def business_phone_display(self) -> str:
        return format_phone(self.business_phone)

    @property
    def cep_display(self) -> str:
        return format_cep(self.cep)

    @property
    def emails(self) -> list[str]:
        return [e for e in (self.email or "").split(";") if e]

    @property
    def address_display(self) -> str:
        parts = [", ".join(p for p in (self.street, self.number) if p), self.complement, self.neighborhood]
        if self.city_id:
            parts.append(f"{self.city.name}/{self.city.state.abbr}")
        return " – ".join(p for p in parts if p)

    @property
    def has_portal_password(self) -> bool:
        return bool(self.portal_password)


class Cep(models.Model):
    """A CEP and what it locates: imported from a CSV (``import_ceps``) or cached from an online
    lookup. Reference data, not audited."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        ONLINE = "online", _("Online lookup")

    cep = models.CharField(_("CEP"), max_length=8, primary_key=True)
    street = models.CharField(_("street"), max_length=120, blank=True)
    neighborhood = models.CharField(_("neighborhood"), max_length=80, blank=True)
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+", verbose_name=_("city"))
    state = models.CharField(_("state"), max_length=2)
    source = models.CharField(_("source"), max_length=6, choices=Source.choices, default=Source.IMPORT)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["cep"]
        verbose_name = _("CEP")
        verbose_name_plural = _("CEPs")

    def __str__(self):
        return format_cep(self.cep)


# --- Files ("Arquivos", SPEC AR-1) ------------------------------------------------------------


def safe_file_name(name: str, *, max_length: int = 80) -> str:
    """``name`` reduced to ASCII letters, digits, ``-``, ``_`` and one ``.`` before the extension:
    accents are dropped (``Cópia do RG.pdf`` → ``Copia_do_RG.pdf``), paths and anything a shell or
    a header could misread are removed; never empty."""
    import re
    import unicodedata

    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")[:max_length] or "file"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext).lower()[:10]
    return f"{stem}.{ext}" if ext else stem


def customer_file_path(instance, filename: str) -> str:
    """Where an uploaded file is stored: one folder per customer, a random prefix (names never
    collide and cannot be guessed) and the sanitised name."""
    import uuid

    return f"customers/{instance.customer_id}/{uuid.uuid4().hex}-{safe_file_name(filename)}"


class CustomerFile(EnlaceModel):
    """A document of a customer (contract, proof of address, photo) with its description (AR-1:
    uploaded with a description that can be edited later; size and type are limited).
    The content is kept through Django's storage API; ``content_type`` is what the content is
    (sniffed on upload), not what the name says."""

    branch_scope = "customer__branch"

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="files", verbose_name=_("customer")
    )
    description = models.CharField(_("description"), max_length=200)
    file = models.FileField(_("file"), upload_to=customer_file_path, max_length=255)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")
        constraints = [
            *no_edge_whitespace_constraints("customerfile", "description", "original_name"),
            models.CheckConstraint(condition=~Q(description=""), name="customerfile_description_not_empty"),
            models.CheckConstraint(condition=Q(size__gt=0), name="customerfile_size_gt_0"),
        ]

    def __str__(self):
        return self.description

    @property
    def download_name(self) -> str:
        """The name offered on download: the original one, sanitised."""
        return safe_file_name(self.original_name)


# --- Settings -------------------------------------------------------------------------------


class CustomerSettings(AppSettings):
    """The customer registry's settings (tabs "Registry" and "Files" of Configurações ➜ Parâmetros
    ➜ Parâmetros Gerais, registered in ``apps.py``).

    - C-3: a CPF/CNPJ is required for persons and companies only when ``cpf_cnpj_required`` is on,
      and a second customer with the same CPF/CNPJ is refused unless ``allow_duplicate_cpf_cnpj``;
    - A-4: with ``validate_duplicate_address`` on, a customer at the same street, number and
      neighbourhood as another is refused unless the operator confirms;
    - C-2: a name longer than ``name_length_warning`` is a warning, not an error (bank files cut it);
    - O-1: a customer saved without an analytic account gets ``default_analytic_account``;
    - AR-1: a customer's file may not be larger than ``files_max_size_mb``.
    """

    cpf_cnpj_required = models.BooleanField(
        _("CNPJ/CPF required"),
        default=True,
        help_text=_("Physical and legal persons cannot be saved without a valid CPF/CNPJ."),
    )
    allow_duplicate_cpf_cnpj = models.BooleanField(
        _("allow duplicate CNPJ/CPF"),
        default=False,
        help_text=_("Allow two customers with the same CPF/CNPJ."),
    )
    validate_duplicate_address = models.BooleanField(
        _("validate duplicate address"),
        default=False,
        help_text=_("Warn when another customer has the same street, number and neighbourhood."),
    )
    name_length_warning = models.PositiveSmallIntegerField(
        _("warn when the name is longer than"),
        default=40,
        help_text=_("Bank files cut names past this length."),
    )
    default_analytic_account = models.ForeignKey(
        AnalyticAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default analytic account"),
        help_text=_("Filled in customers saved without one."),
    )
    # AR-1: the size limit of the files uploaded to a customer's 'Files' tab.
    files_max_size_mb = models.PositiveSmallIntegerField(
        _("maximum file size (MB)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1024)],
        help_text=_("Files uploaded to a customer's 'Files' tab may not be larger than this."),
    )
