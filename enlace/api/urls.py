"""URLs under ``/api/``: the resources at ``v1/``, the OpenAPI schema and its Swagger UI.

How an app adds its resources (explicit on purpose — the list below is the API's table of
contents):

1. write ``enlace/<app>/api.py`` with its serializers (``enlace.api.serializers.EnlaceModelSerializer``)
   and viewsets (``enlace.api.viewsets.EnlaceModelViewSet``), ending with
   ``router.register("<resource>", <ViewSet>)`` on ``enlace.api.routers.router``, using the
   resource names of SPEC G-5;
2. add ``"enlace.<app>.api"`` to ``API_MODULES`` below;
3. views that are not viewsets (e.g. a lookup ``APIView``) go in a list ``api_urls`` of that module,
   with paths relative to ``/api/v1/``: ``api_urls = [path("cep/<str:cep>/", CepAPIView.as_view(), name="cep")]``.

The modules are imported before ``router.urls`` is built, so their registrations are all routed.
URL names are in the ``api`` namespace: ``reverse("api:branch-list")``, ``reverse("api:branch-detail", args=[pk])``.
"""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .routers import router

API_MODULES = [
    "enlace.core.api",
    "enlace.customers.api",
    "enlace.customers.files.api",
    "enlace.contracts.api",
    "enlace.radius.api",
    "enlace.billing.api",
    "enlace.support.api",
    "enlace.sales.api",
    "enlace.fiscal.api",
    "enlace.messaging.api",
]

extra_urls = []
for module_name in API_MODULES:
    extra_urls += getattr(import_module(module_name), "api_urls", [])

urlpatterns = [
    path("v1/", include(([*extra_urls, *router.urls], "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): the page needs no
    # inline script under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
