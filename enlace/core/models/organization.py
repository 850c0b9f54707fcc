"""Branches ("filiais"), departments and employees."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import (
    format_cnpj,
    has_edge_whitespace,
    no_edge_whitespace_constraints,
    normalize_cnpj,
    normalize_phone,
    only_alnum,
    validate_phone,
)
from .base import EnlaceModel
from .places import AddressMixin


class Branch(AddressMixin, EnlaceModel):
    """Filial: a unit of the ISP. Records of other apps belong to one and are scoped by it."""

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

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
