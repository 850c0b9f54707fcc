"""The base of every business model (``EnlaceModel``) and of every app's settings row
(``AppSettings``)."""

import functools
from typing import Self

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..pychecks import in_python
from ..scope import RestrictedQuerySet
from ..validators import validate_no_edge_whitespace


class EnlaceModel(models.Model):
    """Base of every business model: scoped manager, audit trail, text fields without edge spaces.

    Subclasses must declare ``branch_scope`` (see ``enlace.core.scope``; ``None`` for reference
    data shared by every branch) and may list ``audit_exclude``. ``grammatical_gender`` is the
    gender of the verbose name in pt-BR ("Nova venda", "Venda 3 salva."; ``enlace.core.words``).
    """

    branch_scope: str | None  # declared by every subclass (system check enlace.E001)
    grammatical_gender = "masculine"  # or "feminine" (enlace.core.words.FEMININE)
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
        in ``full_clean`` too would cost a query each on every save. The other check constraints
        are evaluated in Python when their condition allows (``enlace.core.pychecks``)."""
        return [
            (model, [in_python(c) for c in constraints if c.name not in checked_in_python(model)])
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


class AppSettings(EnlaceModel):
    """The settings of one app: a single row (``pk=1``, guarded by a check constraint) read with
    ``load()``. Each app owns its subclass (``core.GeneralParameters``,
    ``customers.CustomerSettings``, ``portal.PortalSettings``, ``billing.BillingSettings``,
    ``radius.RadiusSettings``) and registers its tabs of the parameters page with
    ``enlace.core.parameters.register``; the page and ``/api/v1/parameters/`` show every registered
    row as one, and ``core.services.parameters_update`` writes them in one transaction.

    A subclass's own ``Meta`` inherits this one (``class Meta(AppSettings.Meta)``) and keeps
    ``AppSettings.Meta.constraints``. The rows have no permissions of their own: the parameters
    page and API are guarded by ``core.view_generalparameters`` / ``core.change_generalparameters``.
    """

    branch_scope = None  # reference data shared by every branch

    class Meta:
        abstract = True
        default_permissions: tuple[str, ...] = ()
        verbose_name = _("general parameters")
        verbose_name_plural = _("general parameters")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="%(class)s_singleton")]

    def __str__(self):
        return str(_("General parameters"))

    def get_absolute_url(self):
        return reverse("core:parameters")

    @classmethod
    def load(cls) -> Self:
        """The row (created with the defaults when missing): one query."""
        obj = cls.objects.filter(pk=1).first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj
