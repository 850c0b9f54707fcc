"""The OpenAPI schema's base class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``).

drf-spectacular documents the success answers each view declares. ``AutoSchema`` adds, once for
every operation, the error answers any of them can give — so the schema and the responses agree
without a declaration per view (a view's own declaration of a code wins):

- 400 ``Error``: validation (``{"field": [...]}``), a business rule (``{"detail", "code"}``),
  an invalid filter or a malformed body (rule 5, ``enlace.api.exceptions``);
- 401 without credentials, 403 without the permission, 404 for a missing or out-of-scope record
  (or a page past the end), 429 over the rate limit (``Retry-After``): ``{"detail": ...}``.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` (a message) and `code` for the request as a whole, or each refused "
    "field named with its messages (a field may itself be called `detail` or `code`).",
    "additionalProperties": True,
}

ERROR_RESPONSES = {
    "400": _("Refused: invalid fields (named), a business rule (detail and code) or a malformed request."),
    "401": _("No valid credentials."),
    "403": _("The operator lacks the permission."),
    "404": _("Not found, or a record of a branch the operator does not work in."),
    "429": _("Too many requests: try again after Retry-After seconds."),
}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        component = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        registry.register_on_missing(component)
        responses = operation.setdefault("responses", {})
        for code, description in ERROR_RESPONSES.items():
            if code not in responses:
                responses[code] = {
                    "content": {"application/json": {"schema": component.ref}},
                    "description": str(description),
                }
        return operation
