"""Configurações ➜ Parâmetros ➜ Parâmetros Gerais: the registry of the parameters page's tabs.

Each app owns its settings row (a subclass of ``core.models.AppSettings``) and registers the tabs
that show it from its ``AppConfig.ready()``, the way menus and the customer page's tabs register::

    parameters.register(_("Subscriber portal"), PortalSettings, ("portal_auto_access", ...), order=30)

The parameters page (``core.views.parameters``, ``core.forms.ParametersForm``), the API resource
``/api/v1/parameters/`` (``core.api``) and the writer ``core.services.parameters_update`` read this
registry, so adding a settings field to an app touches only that app (its model, a migration and
its ``register`` call). Field names are unique across the registered rows: the page and the API
show every row as one set of fields.

An app whose settings changes have consequences registers ``writer``: its service
``(*, actor, **values)`` that saves the row through ``core.services.settings_update`` and does the
rest in the same transaction (RADIUS rewrites its blocked group).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.forms import ModelForm
    from django_stubs_ext import StrOrPromise

    from .models import AppSettings
    from .types import Actor

    Writer = Callable[..., AppSettings]


@dataclass(frozen=True)
class Tab:
    label: StrOrPromise
    model: type[AppSettings]
    fields: tuple[str, ...]
    order: int


_TABS: dict[tuple[type[AppSettings], str], Tab] = {}
_WRITERS: dict[type[AppSettings], Writer] = {}
_FORMS: dict[type[AppSettings], type[ModelForm]] = {}


def register(
    label: StrOrPromise,
    model: type[AppSettings],
    fields: Iterable[str],
    *,
    order: int,
    form_class: type[ModelForm] | None = None,
    writer: Writer | None = None,
) -> None:
    """Show ``fields`` of ``model`` (an ``AppSettings``) on the tab ``label`` of the parameters page,
    tabs sorted by ``order``. ``form_class`` (an ``EnlaceModelForm`` of ``model``) replaces the
    default form of the model's fields; ``writer`` replaces ``core.services.settings_update``."""
    fields = tuple(fields)
    taken = {name for tab in _TABS.values() if tab.model is not model for name in tab.fields}
    if clash := taken & set(fields):
        raise ValueError(f"Parameters already registered by another app: {sorted(clash)}")
    _TABS[(model, str(label))] = Tab(label, model, fields, order)
    if form_class is not None:
        _FORMS[model] = form_class
    if writer is not None:
        _WRITERS[model] = writer


def tabs() -> list[Tab]:
    return sorted(_TABS.values(), key=lambda tab: tab.order)


def models() -> list[type[AppSettings]]:
    """The registered settings models, in the order of their first tab."""
    return list(dict.fromkeys(tab.model for tab in tabs()))


def fields_of(model: type[AppSettings]) -> list[str]:
    return [name for tab in tabs() if tab.model is model for name in tab.fields]


def model_of(name: str) -> type[AppSettings] | None:
    """The settings model a registered field belongs to (``None`` for an unknown name)."""
    return next((tab.model for tab in tabs() if name in tab.fields), None)


def form_class_of(model: type[AppSettings]) -> type[ModelForm]:
    from django.forms import modelform_factory

    from .forms import EnlaceModelForm

    if model in _FORMS:
        return _FORMS[model]
    return modelform_factory(model, form=EnlaceModelForm, fields=fields_of(model))


def writer_of(model: type[AppSettings]) -> Writer:
    if model in _WRITERS:
        return _WRITERS[model]
    from . import services

    def write(*, actor: Actor, **values: Any) -> AppSettings:
        return services.settings_update(model, actor=actor, **values)[0]

    return write


class Parameters:
    """Every registered settings row, read as one record: an attribute is looked up on the row that
    has the field (the API resource ``/api/v1/parameters/`` serializes this)."""

    def __init__(self, rows: Iterable[AppSettings]):
        self.rows = list(rows)

    def _row_of(self, name: str) -> AppSettings:
        for row in self.rows:
            if any(name in (f.name, f.attname) for f in row._meta.concrete_fields):
                return row
        raise AttributeError(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "rows":
            raise AttributeError(name)
        return getattr(self._row_of(name), name)

    def serializable_value(self, name: str) -> Any:
        return self._row_of(name).serializable_value(name)

    def __str__(self) -> str:
        return str(_("General parameters"))


def load() -> Parameters:
    """Every registered app's settings row (one query each)."""
    return Parameters(model.load() for model in models())
