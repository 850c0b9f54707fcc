"""Lookups Django lacks (registered from ``CoreConfig.ready``).

An integer outside the column's range matches no row, as Django's own ``exact``/``lt``/``gt``
lookups on integer columns already do, in two more places:

- ``IntegerFieldIn``: ``__in`` on an integer column (every primary key included) — a form's or a
  filter's multiple choice checks ``pk__in``;
- ``RelatedExact`` / ``RelatedIn`` on a foreign key to an integer key (``?customer=<id>`` filters).

Without them an id such as ``-32589158477190044731`` in a filter made the database driver
overflow (SQLite: ``OverflowError``): a 500 instead of an empty list or "select a valid choice".

And ``any``: ``field__any=[...]`` is ``field = ANY(%s)`` on PostgreSQL — one array parameter
however long the list (a bank return looks 2,000 nossos números up at a time; ``__in`` would
send 2,000 placeholders for the driver to bind and the server to parse) — and ``IN`` elsewhere.
"""

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import Field, ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact as DjangoRelatedExact
from django.db.models.fields.related_lookups import RelatedIn as DjangoRelatedIn
from django.db.models.lookups import In


def _integer_range(lookup, connection):
    """(low, high) of the lookup's integer column, or ``None`` when the column is not an integer."""
    field = lookup.lhs.output_field
    try:
        field = getattr(field, "target_field", field)
    except FieldError:  # a relation of several columns
        return None
    if not isinstance(field, IntegerField):
        return None
    return connection.ops.integer_field_range(field.get_internal_type())


def _fits(value, bounds) -> bool:
    low, high = bounds
    return not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))


class InRangeMixin:
    def process_rhs(self, compiler, connection):
        bounds = _integer_range(self, connection)
        if bounds is not None and self.rhs_is_direct_value():
            if isinstance(self.rhs, list | tuple | set | frozenset):
                values = [value for value in self.rhs if _fits(value, bounds)]
                if not values:
                    raise EmptyResultSet
                self.rhs = values
            elif not _fits(self.rhs, bounds):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


@IntegerField.register_lookup
class IntegerFieldIn(InRangeMixin, In):
    pass


class RelatedExact(InRangeMixin, DjangoRelatedExact):
    pass


class RelatedIn(InRangeMixin, DjangoRelatedIn):
    pass


ForeignObject.register_lookup(RelatedExact)
ForeignObject.register_lookup(RelatedIn)


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any"

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


ForeignObject.register_lookup(AnyOf)  # ``invoice__any=[ids]``: the key's values
