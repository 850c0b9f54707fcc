"""Errors that services raise for the operator to read.

Forms show them, the API maps them to 400 ``{"detail": ..., "code": ...}`` (field errors to DRF's
``{"field": ["message"]}``), the portal and commands print them.
"""

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A business rule refused the operation. ``message`` is already translated for the operator."""

    code = "invalid"

    def __init__(self, message, *, code: str | None = None, field: str | None = None, extra=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.extra = extra or {}

    def as_validation_error(self) -> ValidationError:
        if self.field:
            return ValidationError({self.field: [self.message]}, code=self.code)
        return ValidationError(self.message, code=self.code)


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"


class NotFoundError(ApplicationError):
    code = "not_found"
