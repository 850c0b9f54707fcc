"""``/webservice/v1/<tabela>[/<id>]`` and the actions, as IXC's webservice answers them.

- listing: ``POST`` (or ``GET`` with a body) with the header ``ixcsoft: listar`` and a JSON or
  form body → ``{"page": "1", "total": "N", "registros": [...]}``, streamed;
- insert: ``POST`` without the header → ``{"type": "success", "message": …, "id": …}``;
- ``PUT /<tabela>/<id>``: full replacement of the writable columns; ``DELETE /<tabela>/<id>`` where
  Enlace allows deleting;
- errors: ``{"type": "error", "message": …}`` (IXC answers them with HTTP 200; so does this).

Authentication, rate limits and the audit trail are the REST API's (``WebserviceAuthentication``,
the API throttles, ``context.acting_as(..., source="webservice")``).
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf_exceptions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from enlace.core import context
from enlace.core.exceptions import ApplicationError

from ..importer.runner import error_text
from . import actions, writes
from .auth import WebserviceAuthentication
from .listing import listing
from .tables import TABLES


def error(message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"type": "error", "message": str(message)}, status=status)


def _params(request) -> dict:
    """The body as a flat dict of strings (JSON object or form), falling back to the query string."""
    data = request.data
    if hasattr(data, "dict"):
        data = data.dict()
    params = dict(request.query_params.items())
    if isinstance(data, dict):
        params.update(data)
    return params


@extend_schema(exclude=True)  # IXC's protocol, documented in docs/ixc.md: not part of Enlace's OpenAPI
class WebserviceView(APIView):
    authentication_classes = [WebserviceAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def dispatch(self, request, *args, **kwargs):
        self._actor_stack = contextlib.ExitStack()
        with self._actor_stack:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        user = request.user
        self._actor_stack.enter_context(
            context.acting_as(
                user if getattr(user, "is_authenticated", False) else None,
                source="webservice",
                request_id=getattr(request, "id", None),
            )
        )
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
            response = error(_("Invalid credentials."), status=401)
            response["WWW-Authenticate"] = 'Basic realm="webservice"'
            return response
        if isinstance(exc, drf_exceptions.Throttled):
            response = error(_("Too many requests; try again in %(s)s s.") % {"s": exc.wait or 1}, status=429)
            if exc.wait:
                response["Retry-After"] = str(int(exc.wait))
            return response
        if isinstance(exc, drf_exceptions.PermissionDenied):
            return error(_("You do not have permission."), status=403)
        if isinstance(exc, drf_exceptions.ParseError):
            return error(_("The body is not valid JSON or form data."), status=400)
        if isinstance(exc, ApplicationError | ValidationError):
            return error(error_text(exc))
        if isinstance(exc, ObjectDoesNotExist):
            return error(_("Record not found."), status=404)
        return super().handle_exception(exc)

    # --- Dispatch by method ---------------------------------------------------------------

    def get(self, request, tabela, record_id=None):
        return self._listar(request, tabela, record_id)

    def post(self, request, tabela, record_id=None):
        if tabela in actions.ACTIONS:
            return actions.ACTIONS[tabela](request, _params(request))
        if request.headers.get("ixcsoft", "").strip().lower() == "listar":
            return self._listar(request, tabela, record_id)
        table = self._table(tabela)
        return writes.insert(table, _params(request), request.user)

    def put(self, request, tabela, record_id=None):
        table = self._table(tabela)
        if record_id is None:
            return error(
                _("PUT needs the id in the address: /webservice/v1/%(t)s/<id>.") % {"t": tabela}, 400
            )
        return writes.replace(table, record_id, _params(request), request.user)

    def delete(self, request, tabela, record_id=None):
        table = self._table(tabela)
        if record_id is None:
            return error(_("DELETE needs the id in the address."), 400)
        return writes.delete(table, record_id, request.user)

    # --- Listing ------------------------------------------------------------------------------

    def _table(self, tabela: str):
        table = TABLES.get(tabela)
        if table is None:
            raise ApplicationError(_("Unknown table %(t)s.") % {"t": tabela}, code="unknown_table")
        return table

    def _listar(self, request, tabela, pk):
        table = self._table(tabela)
        params = _params(request)
        if pk is not None:
            params = {"qtype": "id", "query": str(pk), "oper": "="}
        page, total, chunks = listing(table, params, request.user)

        def body():
            yield f'{{"page": "{page}", "total": "{total}", "registros": ['
            yield from chunks
            yield "]}"

        response = StreamingHttpResponse(body(), content_type="application/json; charset=utf-8")
        return response


def not_found(request, *args, **kwargs) -> HttpResponse:
    return error(_("Unknown table."), 404)
