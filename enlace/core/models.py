"""Reference data shared by every app: branches, parameters, people, payment terms, places, audit."""

import functools
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .scope import RestrictedQuerySet
from .validators import (
    format_cnpj,
    has_edge_whitespace,
    no_edge_whitespace_constraints,
    normalize_cnpj,
    normalize_phone,
    only_alnum,
    validate_no_edge_whitespace,
    validate_phone,
)


class EnlaceModel(models.Model):
    """Base of every business model: scoped manager, audit trail, text fields without edge spaces.

    Subclasses must declare ``branch_scope`` (see ``enlace.core.scope``; ``None`` for reference
    data shared by every branch) and may list ``audit_exclude``.
    """

    branch_scope: str | None  # declared by every subclass (system check enlace.E001)
    audit = True
    audit_exclude: tuple[str, ...] = ()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def normalize(self):
        """Bring typed values to their stored form (masks removed) before validation."""

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        self.normalize()
        super().full_clean(
            exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_constraints
        )

    def get_constraints(self):
        """The constraints ``full_clean`` evaluates: all but those ``clean_fields`` already checks
        in Python (``checked_in_python``). Those stay in the database as its guard; evaluating them
        in ``full_clean`` too would cost a query each on every save."""
        return [
            (model, [c for c in constraints if c.name not in checked_in_python(model)])
            for model, constraints in super().get_constraints()
        ]

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for f in self._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField) and (not exclude or f.name not in exclude):
                try:
                    validate_no_edge_whitespace(getattr(self, f.attname))
                except ValidationError as exc:
                    errors.setdefault(f.name, []).extend(exc.messages)
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[self.pk])


@functools.cache
def checked_in_python(model) -> frozenset[str]:
    """Names of ``model``'s check constraints that ``clean_fields`` enforces in Python already,
    naming the field: the G-2 guards (no value starts or ends with white space: ``*_trimmed``, from
    ``no_edge_whitespace_constraints``) and
    "value among the codes" guards (``Q(field__in=values)`` on a field whose choices are all
    among ``values``, when the field cannot be blank or blank is among ``values``)."""
    names = set()
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        if constraint.name.endswith("_trimmed"):
            names.add(constraint.name)
            continue
        condition = constraint.condition
        if condition.negated or len(condition.children) != 1 or not isinstance(condition.children[0], tuple):
            continue
        lookup, values = condition.children[0]
        if not lookup.endswith("__in") or lookup.count("__") != 1:
            continue
        try:
            field = model._meta.get_field(lookup[: -len("__in")])
        except FieldDoesNotExist:
            continue
        allowed = {str(v) for v in values}
        codes = {str(v) for v, _label in field.flatchoices} if field.choices else None
        if codes and codes <= allowed and (not field.blank or "" in allowed):
            names.add(constraint.name)
    return frozenset(names)


# --- Places ---------------------------------------------------------------------------------


class State(models.Model):
    """Brazilian state (UF) with its IBGE code."""

    branch_scope = None  # reference data shared by every branch

    code = models.PositiveSmallIntegerField(_("IBGE code"), primary_key=True)
    abbr = models.CharField(_("abbreviation"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["abbr"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self):
        return self.abbr


class City(models.Model):
    """Municipality with its 7-digit IBGE code (all 5,570 are loaded by the migrations)."""

    branch_scope = None  # reference data shared by every branch

    code = models.PositiveIntegerField(_("IBGE code"), primary_key=True)
    name = models.CharField(_("name"), max_length=80, db_index=True)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="cities", verbose_name=_("state"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return f"{self.name}/{self.state_id and self.state.abbr}"


class AddressMixin(models.Model):
    cep = models.CharField(_("CEP"), max_length=8, blank=True)
    street = models.CharField(_("street"), max_length=120, blank=True)
    number = models.CharField(_("number"), max_length=20, blank=True)
    complement = models.CharField(_("complement"), max_length=80, blank=True)
    neighborhood = models.CharField(_("neighborhood"), max_length=80, blank=True)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("city")
    )

    class Meta:
        abstract = True

    @property
    def state(self):
        return self.city.state if self.city_id else None


# --- Branches -------------------------------------------------------------------------------


class Branch(AddressMixin, EnlaceModel):
    """Filial: a unit of the ISP. Records of other apps belong to one and are scoped by it."""

    branch_scope = "pk"

    name = models.CharField(_("name"), max_length=80, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=120)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True)
    phone = models.CharField(_("phone"), max_length=13, blank=True, validators=[validate_phone])
    email = models.EmailField(_("e-mail"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = no_edge_whitespace_constraints("branch", "name", "legal_name")

    def __str__(self):
        return self.name

    def normalize(self):
        if self.cnpj and not has_edge_whitespace(self.cnpj):
            self.cnpj = only_alnum(self.cnpj)
        if self.phone and not has_edge_whitespace(self.phone):
            self.phone = normalize_phone(self.phone)
        if self.cep and not has_edge_whitespace(self.cep):
            self.cep = normalize_phone(self.cep)

    def clean(self):
        if self.cnpj:
            try:
                self.cnpj = normalize_cnpj(self.cnpj)
            except ValidationError as exc:
                raise ValidationError({"cnpj": exc.messages}) from exc

    @property
    def cnpj_display(self):
        return format_cnpj(self.cnpj)


# --- People ---------------------------------------------------------------------------------


class Department(EnlaceModel):
    """Setor: a team that tickets and service orders are sent to."""

    branch_scope = None  # reference data shared by every branch

    name = models.CharField(_("name"), max_length=80, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    serves_tickets = models.BooleanField(
        _("serves tickets"), default=True, help_text=_("Tickets and service orders can be sent to it.")
    )
    portal_visible = models.BooleanField(
        _("visible in the portal"), default=False, help_text=_("Subscribers see its name on their tickets.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = no_edge_whitespace_constraints("department", "name")

    def __str__(self):
        return self.name


class Employee(EnlaceModel):
    """Colaborador: a person of the ISP; optionally the operator account that logs in."""

    branch_scope = "branches"
    branch_scope_many = True

    name = models.CharField(_("name"), max_length=120)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("operator account"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=13, blank=True, validators=[validate_phone])
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("department"),
    )
    branches = models.ManyToManyField(
        Branch,
        blank=True,
        related_name="employees",
        verbose_name=_("branches"),
        help_text=_("The operator sees only these branches' records; none means every branch."),
    )
    is_technician = models.BooleanField(_("technician"), default=False)
    is_salesperson = models.BooleanField(_("salesperson"), default=False)
    is_attendant = models.BooleanField(_("attendant"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = no_edge_whitespace_constraints("employee", "name")

    def __str__(self):
        return self.name

    def normalize(self):
        if self.phone and not has_edge_whitespace(self.phone):
            self.phone = normalize_phone(self.phone)

    @property
    def roles_display(self):
        roles = [
            label
            for flag, label in (
                (self.is_technician, _("technician")),
                (self.is_salesperson, _("salesperson")),
                (self.is_attendant, _("attendant")),
            )
            if flag
        ]
        return ", ".join(str(r) for r in roles)


# --- Finance reference ----------------------------------------------------------------------


class PaymentCondition(EnlaceModel):
    """Condição de pagamento: how a sale or installation fee is split into instalments."""

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


# --- General parameters ---------------------------------------------------------------------


class YesNoDefault(models.TextChoices):
    YES = "S", _("Yes")
    NO = "N", _("No")
    DEFAULT = "P", _("Default")


class GeneralParameters(EnlaceModel):
    """Configurações ➜ Parâmetros ➜ Parâmetros Gerais: the single row of global settings.

    Each later area adds its fields here, grouped by ``TABS`` for the edit page.
    """

    branch_scope = None  # reference data shared by every branch

    TABS = (
        (_("General"), ("company_name", "portal_name", "default_branch")),
        (
            _("Registry"),
            (
                "cpf_cnpj_required",
                "allow_duplicate_cpf_cnpj",
                "validate_duplicate_address",
                "name_length_warning",
                "default_analytic_account",
            ),
        ),
        (
            _("Subscriber portal"),
            (
                "portal_auto_access",
                "portal_login_by_document",
                "portal_logo",
                "portal_lockout_attempts",
                "portal_lockout_minutes",
                "portal_session_minutes",
            ),
        ),
        (_("Files"), ("files_max_size_mb",)),
        (
            _("Finance"),
            (
                "collection_notice_days",
                "collection_block_days",
                "trust_unlock_days",
                "billing_days_ahead",
            ),
        ),
        (
            _("RADIUS"),
            (
                "radius_blocked_action",
                "radius_notice_pool",
                "radius_notice_address_list",
                "radius_notice_rate_limit",
                "radius_interim_interval",
                "radius_stale_intervals",
            ),
        ),
    )

    company_name = models.CharField(_("company name"), max_length=120, default="Enlace Telecom")
    portal_name = models.CharField(_("portal title"), max_length=80, default="Central do Assinante")
    default_branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default branch"),
    )
    # Registry ("Cadastros") — SPEC C-2, C-3, A-4, O-1.
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
    # Subscriber portal — SPEC K-5.
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
    # Files — SPEC AR-1.
    files_max_size_mb = models.PositiveSmallIntegerField(
        _("maximum file size (MB)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1024)],
        help_text=_("Files uploaded to a customer's 'Files' tab may not be larger than this."),
    )

    # Finance — SPEC F-3, F-9.
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
    # RADIUS — SPEC L-10, L-12.
    radius_blocked_action = models.CharField(
        _("blocked contracts"),
        max_length=1,
        choices=[("R", _("Reject the connection")), ("N", _("Connect to the notice page"))],
        default="R",
        help_text=_(
            "What FreeRADIUS does with a login whose contract is blocked or not active: reject it, "
            "or accept it with the notice pool / address list below so the router redirects it."
        ),
    )
    radius_notice_pool = models.CharField(
        _("notice pool"),
        max_length=64,
        blank=True,
        help_text=_("Pool on the concentrator for blocked subscribers (Framed-Pool)."),
    )
    radius_notice_address_list = models.CharField(
        _("notice address list"),
        max_length=64,
        blank=True,
        default="bloqueados",
        help_text=_("Firewall address list the router redirects to the notice page (Mikrotik-Address-List)."),
    )
    radius_notice_rate_limit = models.CharField(
        _("notice speed"),
        max_length=64,
        blank=True,
        default="256k/256k",
        help_text=_("Mikrotik-Rate-Limit of blocked subscribers, e.g. 256k/256k."),
    )
    radius_interim_interval = models.PositiveIntegerField(
        _("accounting interim interval (s)"),
        default=300,
        help_text=_("Acct-Interim-Interval the concentrators use; sessions are judged stale by it."),
    )
    radius_stale_intervals = models.PositiveSmallIntegerField(
        _("close sessions after missed interims"),
        default=3,
        help_text=_("A session without accounting updates for this many intervals is closed."),
    )

    class Meta:
        verbose_name = _("general parameters")
        verbose_name_plural = _("general parameters")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="generalparameters_singleton"),
            *no_edge_whitespace_constraints(
                "generalparameters",
                "company_name",
                "portal_name",
                "radius_notice_pool",
                "radius_notice_address_list",
                "radius_notice_rate_limit",
            ),
        ]

    def __str__(self):
        return str(_("General parameters"))

    def get_absolute_url(self):
        return reverse("core:parameters")

    @classmethod
    def load(cls) -> "GeneralParameters":
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj


# --- Audit trail ----------------------------------------------------------------------------


class ObjectChange(models.Model):
    """One create, update or delete of an audited record (SPEC G-3: every change to any record is
    kept — who, when, old → new value)."""

    @staticmethod
    def branch_scope(queryset, user):
        """The global audit trail spans every branch: only an operator of every branch reads it;
        a branch-limited one reads each record's own "Alterações" page, scoped by the record."""
        from .scope import allowed_branch_ids

        return queryset if allowed_branch_ids(user) is None else queryset.none()

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    user_name = models.CharField(_("operator name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), db_index=True)
    source = models.CharField(_("source"), max_length=10, default="system")
    action = models.CharField(_("action"), max_length=6, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    prechange_data = models.JSONField(_("before"), null=True, blank=True)
    postchange_data = models.JSONField(_("after"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="objectchange_object_idx")
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field that differs."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


ZERO = Decimal("0.00")


# --- Billing wallets ------------------------------------------------------------------------


class Wallet(EnlaceModel):
    """Carteira de cobrança: the bank account and agreement that boletos and PIX charges are issued
    from. Contracts, invoices and the bank files (CNAB) refer to it; it belongs to one branch (the
    CNPJ that holds the account). Fine and interest are capped by law (SPEC F-7): 2 % and 1 % a month.
    """

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
        ]

    def __str__(self):
        return self.name

    @property
    def bank_name(self) -> str:
        return self.SUPPORTED_BANKS.get(self.bank_code, "")


from .mail import OutboundEmail  # noqa: E402,F401  (the e-mail outbox lives with its code)
