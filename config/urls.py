from django.contrib import admin
from django.urls import include, path

from enlace.core.urls import auth_urlpatterns

urlpatterns = [
    *auth_urlpatterns,
    path("", include("enlace.core.urls")),
    path("customers/", include("enlace.customers.urls")),
    path("", include("enlace.contracts.urls")),
    path("", include("enlace.radius.urls")),
    path("", include("enlace.billing.urls")),
    path("", include("enlace.support.urls")),
    path("", include("enlace.sales.urls")),
    path("", include("enlace.fiscal.urls")),
    path("", include("enlace.messaging.urls")),
    path("portal/", include("enlace.portal.urls")),
    path("api/", include("enlace.api.urls")),
    path("webservice/v1/", include("enlace.ixc.urls")),  # IXC-compatible webservice (docs/ixc.md)
    path("", include("enlace.ixc.ui_urls")),  # the operator's webservice token
    path("admin/", admin.site.urls),
]

# Uploads are never served from MEDIA_URL, not even with DEBUG: customer files are downloaded
# through a view that checks who may see them (docs/files.md) and the portal serves its logo.

handler403 = "enlace.core.views.errors.permission_denied"
handler404 = "enlace.core.views.errors.page_not_found"
handler500 = "enlace.core.views.errors.server_error"
