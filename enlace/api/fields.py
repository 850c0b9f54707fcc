"""Serializer fields every API resource shares.

``BoundedDateField`` / ``BoundedDateTimeField``: dates are refused outside the years 1900–2100
(``enlace.core.validators.validate_date_in_range``) with a 400 naming the field. ``EnlaceModelSerializer``
maps the models' ``DateField``/``DateTimeField`` to them (``SERIALIZER_FIELD_MAPPING``) and plain
serializers declare them instead of DRF's ``DateField``/``DateTimeField``; a test walks every
serializer of the project and fails on a writable date field that is not bounded. Times of day map
to ``ClockTimeField``.
"""

from django.db import models
from drf_spectacular.utils import extend_schema_field
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


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "21:00:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day on the ISP's clock (``21:00:00``), without a zone. OpenAPI's ``format: time``
    means RFC 3339's full-time, which requires an offset (``21:00:00-03:00``): the schema says
    what the field carries instead, a pattern."""


SERIALIZER_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.DateField: BoundedDateField,
    models.DateTimeField: BoundedDateTimeField,
    models.TimeField: ClockTimeField,
}
