"""IBGE states and cities, and the address fields of branches and customers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    grammatical_gender = "feminine"  # pt-BR gender (core.words)

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
