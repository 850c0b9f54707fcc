import uuid

from django.conf import settings
from django.utils.cache import patch_cache_control

from . import context


class AuditContextMiddleware:
    """Attributes every change made while serving a request to its user and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        source = "api" if request.path.startswith("/api/") else "web"
        user = getattr(request, "user", None)
        # DRF authenticates tokens inside the view; the API wrapper re-binds the actor there.
        with context.acting_as(
            user if user is not None and user.is_authenticated else None, source=source, request_id=request.id
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request.id)
        return response


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not write (docs/operations.md, "Headers").

    - ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` on every response;
    - ``Cache-Control: no-store`` on the API's answers and on every response to a logged-in
      operator (pages, CSV exports, PDFs and files carry personal data: no browser or proxy may
      keep a copy). A response that set its own ``Cache-Control`` keeps it; static files are
      served by WhiteNoise before this middleware and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.setdefault("Permissions-Policy", policy)
        if "Cache-Control" not in response and self._private(request):
            patch_cache_control(response, no_store=True)
        return response

    @staticmethod
    def _private(request) -> bool:
        if request.path.startswith("/api/"):
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
