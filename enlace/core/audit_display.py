"""The audit trail as an operator reads it ("Alterações"): each changed field by its verbose name,
yes/no as "Sim"/"Não", a choice by its label, a linked record by its name (a link to its page),
dates and times in the local time zone, numbers the Brazilian way.

``ObjectChange`` stores raw values (``core.audit.serialize``: foreign keys as ids, datetimes as
ISO text); this module turns a page of changes into display rows, reading the linked records of
the whole page with one query per related model.
"""

import contextlib
import datetime
import decimal
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.urls import NoReverseMatch
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


def model_label(content_type) -> str:
    """A record type as the operator names it: "Cliente", not "Clientes | cliente"."""
    model = content_type.model_class() if content_type is not None else None
    if model is None:
        return content_type.model if content_type is not None else ""
    return capfirst(model._meta.verbose_name)


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_ids(field, value) -> list:
    if value in (None, ""):
        return []
    if field.many_to_many:
        return list(value) if isinstance(value, list) else []
    return [value]


def field_changes(changes) -> dict[int, list[FieldChange]]:
    """``{change.pk: [FieldChange, ...]}`` for ``changes`` (a list, e.g. one page)."""
    wanted: dict[type[models.Model], set] = {}
    diffs = []
    for change in changes:
        model = change.content_type.model_class() if change.content_type_id else None
        rows = []
        for name, before, after in change.diff():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model is not None:
                ids = wanted.setdefault(field.related_model, set())
                ids.update(_related_ids(field, before))
                ids.update(_related_ids(field, after))
            rows.append((name, field, before, after))
        diffs.append((change.pk, rows))
    linked = {model: _fetch(model, ids) for model, ids in wanted.items() if ids}
    result = {}
    for pk, rows in diffs:
        result[pk] = []
        for name, field, before, after in rows:
            shown = (display_value(field, before, linked), display_value(field, after, linked))
            if shown != (EMPTY, EMPTY):  # None → "" is no change to the reader
                label = capfirst(field.verbose_name) if field is not None else name
                result[pk].append(FieldChange(label, *shown))
    return result


def _fetch(model, ids) -> dict:
    """The linked records by id (the audit keeps ids of records that may be gone: those are missing)."""
    pk_field = model._meta.pk
    clean = set()
    for value in ids:
        with contextlib.suppress(ValidationError):  # another type: shown as stored ("#<id>")
            clean.add(pk_field.to_python(value))
    return {str(obj.pk): obj for obj in model._base_manager.filter(pk__in=clean)}


def _link(obj) -> str:
    try:
        url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None
    except NoReverseMatch:
        url = None
    return format_html('<a href="{}">{}</a>', url, obj) if url else format_html("{}", obj)


def display_value(field, value, linked=None) -> str:
    """One stored value of ``field`` as text (HTML-safe) for the operator."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field is None:
        return format_html("{}", value)
    if field.is_relation and field.related_model is not None:
        objs = (linked or {}).get(field.related_model, {})
        ids = value if isinstance(value, list) else [value]
        parts = [_link(objs[str(v)]) if str(v) in objs else format_html("#{}", v) for v in ids]
        return format_html(", ".join(["{}"] * len(parts)), *parts)
    if isinstance(field, models.BooleanField) or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field.choices:
        return format_html("{}", dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value[:10])
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    if isinstance(field, models.DecimalField):
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            return format_html("{}", value)
        return formats.number_format(number, field.decimal_places, use_l10n=True, force_grouping=True)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return format_html("{}", value)
