"""Check constraints evaluated in Python by ``full_clean`` (``EnlaceModel.get_constraints``).

Django validates a ``CheckConstraint`` with a query (``SELECT 1 WHERE COALESCE(<condition>, true)``)
in a savepoint of its own: three statements per constraint on every save — 27 of the 62 that
opening a ticket with a process ran. Most conditions are lookups on the record's own fields
against constants or other fields (``~Q(description="")``, ``Q(latitude__isnull=True) |
Q(latitude__gte=-90, latitude__lte=90)``, ``Q(end__gt=F("start"))``); those are evaluated here with
SQL's three-valued logic (a comparison with NULL is unknown, and an unknown result passes, as
``COALESCE(…, true)`` makes it). Anything else — a join, a function, a string ordering that depends
on the collation, values Python cannot compare — goes to the database as before. The constraints
stay in the database as its guard; the error is Django's (message and code).
"""

from __future__ import annotations

import datetime
import decimal
import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import CheckConstraint, F, Q

_COMPARE = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}
#: Types whose ordering is the same in Python and SQL (strings depend on the collation).
_ORDERED = (int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)


def _comparable(a, b) -> bool:
    return (isinstance(a, str) and isinstance(b, str)) or (
        isinstance(a, _ORDERED) and isinstance(b, _ORDERED)
    )


class _Unsupported(Exception):
    """The condition needs the database."""


class _Excluded(Exception):
    """The condition names a field ``full_clean`` excluded: Django skips the constraint then."""


def _value(model, instance, name: str, exclude):
    try:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    except FieldDoesNotExist:
        raise _Unsupported from None
    if not field.concrete or field.many_to_many or getattr(field, "generated", False):
        raise _Unsupported
    if exclude and (field.name in exclude or field.attname in exclude):
        raise _Excluded
    value = getattr(instance, field.attname)
    if hasattr(value, "resolve_expression"):
        raise _Unsupported  # an expression (db_default, F(...) assigned): only the database knows
    return value


def _lookup(model, instance, key: str, rhs, exclude):
    name, _sep, lookup = key.partition("__")
    lookup = lookup or "exact"
    value = _value(model, instance, name, exclude)
    if isinstance(rhs, F):
        if "__" in rhs.name:
            raise _Unsupported
        rhs = _value(model, instance, rhs.name, exclude)
    elif hasattr(rhs, "resolve_expression"):
        raise _Unsupported
    if lookup == "isnull":
        return (value is None) == bool(rhs)
    if lookup == "exact":
        if rhs is None:
            return value is None
        if value is None:
            return None
        if not _comparable(value, rhs):
            raise _Unsupported  # e.g. a str compared with an int: leave the casting rules to SQL
        return value == rhs
    if lookup == "in":
        if value is None:
            return None
        values = [v for v in rhs if v is not None]
        if not all(_comparable(value, v) for v in values):
            raise _Unsupported
        return value in values
    if lookup in _COMPARE:
        if value is None or rhs is None:
            return None
        if not (isinstance(value, _ORDERED) and isinstance(rhs, _ORDERED)) or isinstance(value, bool):
            raise _Unsupported
        try:
            return _COMPARE[lookup](value, rhs)
        except TypeError:
            raise _Unsupported from None
    raise _Unsupported


def evaluate(condition: Q, model, instance, exclude=None) -> bool | None:
    """True, False or None (unknown, as SQL's NULL) for ``condition`` on ``instance``; raises
    ``_Unsupported`` when only the database can tell."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(evaluate(child, model, instance, exclude))
        elif isinstance(child, tuple) and len(child) == 2:
            results.append(_lookup(model, instance, child[0], child[1], exclude))
        else:
            raise _Unsupported
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise _Unsupported  # XOR
    if condition.negated and result is not None:
        result = not result
    return result


class PythonCheckConstraint:
    """A ``CheckConstraint`` validated in Python when its condition allows (module docstring);
    every other attribute is the constraint's own."""

    def __init__(self, constraint: CheckConstraint):
        self.constraint = constraint

    def __getattr__(self, name):
        return getattr(self.constraint, name)

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        try:
            result = evaluate(Q(self.constraint.condition), model, instance, exclude)
        except _Excluded:
            return
        except _Unsupported:
            self.constraint.validate(model, instance, exclude=exclude, using=using)
            return
        if result is False:
            raise ValidationError(
                self.constraint.get_violation_error_message(), code=self.constraint.violation_error_code
            )


def in_python(constraint):
    """``constraint`` wrapped for evaluation in Python when it is a check constraint."""
    return PythonCheckConstraint(constraint) if isinstance(constraint, CheckConstraint) else constraint
