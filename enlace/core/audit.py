"""Audit trail (SPEC G-3): every create, update and delete of an ``EnlaceModel`` becomes an
``ObjectChange`` with operator, time, request id and the record before → after.

Wired with Django's model signals (the one place ARCHITECTURE allows signals besides the
upward notifications), so that no writer — service, admin, shell — can forget it. Queryset
``update()``/``bulk_create()`` bypass signals: services that use them call ``record_change``.
"""

import datetime
import decimal
import functools
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from . import context

_PRE = "_audit_prechange"


def _json_value(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


_AS_IS = frozenset({str, int, bool, float, type(None)})
#: What ``_json_value`` gives for the usual types, without walking its checks.
_JSON = {
    datetime.datetime: datetime.datetime.isoformat,
    datetime.date: datetime.date.isoformat,
    decimal.Decimal: str,
    uuid.UUID: str,
}


@functools.cache
def _audited_fields(model) -> tuple[tuple[str, str, bool], ...]:
    """(name, attname, masked) of the audited concrete fields of ``model``, worked out once per
    model (a bulk import serializes a million records)."""
    exclude = set(getattr(model, "audit_exclude", ()))
    return tuple(
        (field.name, field.attname, field.name in {"password", "secret"} or "password" in field.name)
        for field in model._meta.concrete_fields
        if field.name not in exclude
    )


def serialize(instance, *, with_m2m: bool = True) -> dict:
    """The audited fields of `instance` as JSON-able values (foreign keys as ids)."""
    data = {}
    for name, attname, masked in _audited_fields(type(instance)):
        value = getattr(instance, attname)
        if masked:
            value = "********" if value else ""
        elif type(value) not in _AS_IS:
            convert = _JSON.get(type(value))
            value = convert(value) if convert is not None else _json_value(value)
        data[name] = value
    if with_m2m and instance.pk is not None:
        exclude = set(getattr(instance, "audit_exclude", ()))
        for field in instance._meta.many_to_many:
            if field.name not in exclude:
                data[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return data


def _is_audited(instance) -> bool:
    from .models import EnlaceModel

    return isinstance(instance, EnlaceModel) and getattr(instance, "audit", False)


def record_change(instance, action: str, before: dict | None, after: dict | None):
    from .models import ObjectChange

    if action == ObjectChange.Action.UPDATE and before == after:
        return None
    change = build_change(instance, action, before, after)
    change.save()
    return change


def record_changes(changes: list[tuple]) -> int:
    """Many ``(instance, action, before, after)`` at once (bulk writers: billing run, bank files)."""
    from .models import ObjectChange

    rows = [
        build_change(instance, action, before, after)
        for instance, action, before, after in changes
        if not (action == ObjectChange.Action.UPDATE and before == after)
    ]
    ObjectChange.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def build_change(instance, action: str, before: dict | None, after: dict | None):
    """An unsaved ``ObjectChange`` attributed to the current actor (``context``)."""
    from .models import ObjectChange

    ctx = context.current()
    user = ctx.user if ctx.user is not None and getattr(ctx.user, "pk", None) else None
    return ObjectChange(
        user=user,
        user_name=user.get_username() if user else ctx.source,
        request_id=ctx.request_id,
        source=ctx.source,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        prechange_data=before,
        postchange_data=after,
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(instance) or instance.pk is None or instance._state.adding:
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    setattr(instance, _PRE, serialize(old) if old is not None else None)


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(instance):
        return
    from .models import ObjectChange

    before = None if created else getattr(instance, _PRE, None)
    action = ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE
    record_change(instance, action, before, serialize(instance))
    if hasattr(instance, _PRE):
        delattr(instance, _PRE)


def _pre_delete(sender, instance, **kwargs):
    if _is_audited(instance):
        setattr(instance, _PRE, serialize(instance))


def _post_delete(sender, instance, **kwargs):
    if _is_audited(instance):
        from .models import ObjectChange

        record_change(instance, ObjectChange.Action.DELETE, getattr(instance, _PRE, None), None)


def _m2m_changed(sender, instance, action, reverse, **kwargs):
    if reverse or not _is_audited(instance):
        return
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        instance._audit_m2m_pre = serialize(instance)
    elif action in {"post_add", "post_remove", "post_clear"}:
        from .models import ObjectChange

        before = getattr(instance, "_audit_m2m_pre", None)
        record_change(instance, ObjectChange.Action.UPDATE, before, serialize(instance))


def connect():
    pre_save.connect(_pre_save, dispatch_uid="enlace_audit_pre_save")
    post_save.connect(_post_save, dispatch_uid="enlace_audit_post_save")
    pre_delete.connect(_pre_delete, dispatch_uid="enlace_audit_pre_delete")
    post_delete.connect(_post_delete, dispatch_uid="enlace_audit_post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="enlace_audit_m2m")
