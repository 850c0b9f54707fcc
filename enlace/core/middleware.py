import uuid

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
