"""Request parsers of the API.

``JSONParser`` is DRF's, bounded: a body nested deeper than ``MAX_DEPTH`` arrays/objects is a 400
``{"detail": ...}`` — no resource takes more than a few levels, and Python's decoder would fail
with a ``RecursionError`` (a 500) at about a thousand. Form-encoded and multipart bodies are flat
and keep DRF's parsers. The project default (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``) and every
view that lists its own parsers use this one.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 64


def nesting_exceeds(data, limit: int) -> bool:
    """Whether ``data`` has arrays/objects nested more than ``limit`` levels (iteratively)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        message = _("JSON nested deeper than %(limit)d levels.") % {"limit": self.max_depth}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(message) from exc
        if isinstance(data, dict | list) and nesting_exceeds(data, self.max_depth):
            raise ParseError(message)
        return data
