"""``full_clean`` for thousands of records of one model, each distinct value checked once.

The bulk path validates every row as the screens do (the model's ``full_clean``). Most of what
that costs is repeated work: a year of receivables of 100,000 customers has twelve due dates, a
few amounts, one wallet, one kind — and ``full_clean`` runs each field's checks (``to_python``,
blank/null, choices, validators, the no-edge-spaces rule of SPEC G-2) and each check constraint on
every record again. Those checks depend on the value alone (a field's) or on the values of the
fields the constraint names, so ``Validator`` remembers the values that passed and runs the
checks only for a value it has not seen: per record, only what differs (a description, a nosso
número) is checked again. ``clean()`` runs on every record, and so does every constraint whose
outcome depends on more than the record's own values (a unique constraint that asks the
database).

When any check fails, the model's own ``full_clean`` runs on the record and raises its error: a
refused row gets exactly the screens' message. A model that overrides ``clean_fields`` or
``full_clean`` beyond ``EnlaceModel``'s (``Customer`` does) is always validated by its own
``full_clean``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db import models as m
from django.db.models import F, Q

from enlace.core.models import EnlaceModel
from enlace.core.pychecks import PythonCheckConstraint
from enlace.core.validators import validate_no_edge_whitespace

_MISSING = object()


def _key(value):
    """A hashable key of ``value`` that tells apart values a check could tell apart: equal
    ``Decimal``\\ s of different exponents (``1.0``, ``1.00``), ``True`` and ``1``."""
    if type(value) is Decimal:
        return (Decimal, value.as_tuple())
    return (type(value), value)


def _names(condition: Q, model) -> list[tuple[str, str]] | None:
    """The fields (name, attname) of ``model`` a check condition reads, or None when it reads
    anything else (a related table, an expression): then its outcome is not a function of the
    record."""
    names = []
    for child in condition.children:
        if isinstance(child, Q):
            inner = _names(child, model)
            if inner is None:
                return None
            names.extend(inner)
            continue
        if not (isinstance(child, tuple) and len(child) == 2):
            return None
        key, rhs = child
        name, _sep, lookup = key.partition("__")
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        # A lookup of the field itself (``amount__gt``), not a path into another table.
        if not field.concrete or "__" in lookup or field.get_lookup(lookup or "exact") is None:
            return None
        names.append((field.name, field.attname))
        if isinstance(rhs, F):
            try:
                field = model._meta.get_field(rhs.name)
            except FieldDoesNotExist:
                return None
            names.append((field.name, field.attname))
        elif hasattr(rhs, "resolve_expression"):
            return None
    return names


def _overrides(model, name: str, *allowed) -> bool:
    return getattr(model, name) not in allowed


class Validator:
    """``full_clean(exclude=..., validate_unique=False)`` of records of ``model`` (module docstring)."""

    def __init__(self, model: type[m.Model], *, exclude, constraints: bool = True):
        self.model = model
        self.exclude = frozenset(exclude)
        self.validate_constraints = constraints
        self.fast = not (
            _overrides(model, "full_clean", m.Model.full_clean, EnlaceModel.full_clean)
            or _overrides(model, "clean_fields", m.Model.clean_fields, EnlaceModel.clean_fields)
            or _overrides(model, "validate_constraints", m.Model.validate_constraints)
        )
        trimmed = set()
        if issubclass(model, EnlaceModel):
            trimmed = {
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, m.CharField | m.TextField) and f.name not in self.exclude
            }
        # (attname, field, whether G-2 applies, {value key: the cleaned value that passed})
        self.fields = [
            (f.attname, f, f.attname in trimmed, {})
            for f in model._meta.fields
            if f.name not in self.exclude and not f.generated
        ]
        self.last: list = [_MISSING] * len(self.fields)  # per field, the value last seen passing
        self.constraints: tuple[list, list, tuple] | None = None
        self.passed: set = set()  # value keys of the fields the memoized constraints read

    def full_clean(self, obj) -> None:
        if self.fast:
            try:
                self._checks(obj)
                return
            except ValidationError:
                pass  # the model's own full_clean below raises the error with its messages
        obj.full_clean(
            exclude=set(self.exclude), validate_unique=False, validate_constraints=self.validate_constraints
        )

    def _checks(self, obj) -> None:
        if isinstance(obj, EnlaceModel):
            obj.normalize()
        values, last = obj.__dict__, self.last
        for i, (attname, field, trimmed, cleaned) in enumerate(self.fields):
            raw = values[attname] if attname in values else getattr(obj, attname)
            if raw is last[i]:
                continue  # the very value that passed for the record before (a shared default)
            try:
                key = _key(raw)
                value = cleaned.get(key, _MISSING)
            except TypeError:  # unhashable (JSON): checked every time
                key, value = None, _MISSING
            if value is _MISSING:
                value = raw if field.blank and raw in field.empty_values else field.clean(raw, obj)
                if trimmed:
                    validate_no_edge_whitespace(value)
                if key is not None:
                    cleaned[key] = value
            if value is not raw:
                setattr(obj, attname, value)
            elif key is not None:  # hashable: not changed in place before the next record
                last[i] = raw
        obj.clean()
        if not self.validate_constraints:
            return
        memoized, always, names = self._constraints(obj)
        for model_class, constraint in always:
            constraint.validate(model_class, obj, exclude=self.exclude, using=DEFAULT_DB_ALIAS)
        if memoized:
            key = tuple(_key(getattr(obj, name)) for name in names)
            if key not in self.passed:
                for model_class, constraint in memoized:
                    constraint.validate(model_class, obj, exclude=self.exclude, using=DEFAULT_DB_ALIAS)
                self.passed.add(key)

    def _constraints(self, obj) -> tuple[list, list, tuple]:
        """The constraints ``validate_constraints`` runs: those whose outcome depends only on the
        values of the record's fields they read (remembered by those values), and the others."""
        if self.constraints is None:
            memoized, always, names = [], [], []
            for model_class, constraints in obj.get_constraints():
                for constraint in constraints:
                    read = None
                    if isinstance(constraint, m.UniqueConstraint) and constraint.fields:
                        if self.exclude.intersection(constraint.fields):
                            continue  # Django skips a unique constraint on an excluded field
                    elif isinstance(constraint, PythonCheckConstraint | m.CheckConstraint):
                        read = _names(Q(constraint.condition), model_class)
                    if read is None:
                        always.append((model_class, constraint))  # e.g. asks the database
                    elif self.exclude.intersection(n for pair in read for n in pair):
                        continue  # Django skips a check that reads an excluded field
                    else:
                        memoized.append((model_class, constraint))
                        names.extend(attname for _name, attname in read if attname not in names)
            self.constraints = (memoized, always, tuple(names))
        return self.constraints
