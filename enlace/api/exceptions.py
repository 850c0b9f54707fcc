"""The API's error format (ARCHITECTURE rule 5).

- ``ApplicationError`` → 400 ``{"detail": message, "code": code, ...extra}`` (with a field: also
  ``{"field": [message]}``);
- Django ``ValidationError`` (from ``full_clean`` in services) → 400 ``{"field": ["message"]}``
  (errors of no single field under ``non_field_errors``, as DRF names them);
- ``Throttled`` (too many requests) → 429 ``{"detail", "code": "throttled", "retry_after"}``
  with the ``Retry-After`` header;
- everything else: DRF's own handling.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from enlace.core.exceptions import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"detail": str(exc.message), "code": exc.code, **exc.extra}
        if exc.field:
            body[exc.field] = [str(exc.message)]
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        body = as_serializer_error(exc)
        if NON_FIELD_ERRORS in body:
            body[api_settings.NON_FIELD_ERRORS_KEY] = body.pop(NON_FIELD_ERRORS)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, Throttled) and response is not None:
        # 429 with Retry-After (set by DRF) and the rule-5 body (enlace.api.throttling).
        response.data = {"detail": str(exc.detail), "code": "throttled", "retry_after": exc.wait}
    return response
