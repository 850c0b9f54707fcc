"""Serializer fields every API resource shares.

``BoundedDateField`` / ``BoundedDateTimeField``: dates are refused outside the years 1900–2100
(``enlace.core.validators.validate_date_in_range``) with a 400 naming the field. ``EnlaceModelSerializer``
maps the models' ``DateField``/``DateTimeField`` to them (``SERIALIZER_FIELD_MAPPING``) and plain
serializers declare them instead of DRF's ``DateField``/``DateTimeField``; a test walks every
serializer of the project and fails on a writable date field that is not bounded.
"""

from django.db import models
from rest_framework import serializers

from enlace.core.validators import validate_date_in_range


class BoundedDateMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if validate_date_in_range not in self.validators:
            self.validators.append(validate_date_in_range)


class BoundedDateField(BoundedDateMixin, serializers.DateField):
    """A date between 1900-01-01 and 2100-12-31."""


class BoundedDateTimeField(BoundedDateMixin, serializers.DateTimeField):
    """A date-time in the years 1900–2100."""


SERIALIZER_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.DateField: BoundedDateField,
    models.DateTimeField: BoundedDateTimeField,
}
