from django.conf import settings
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
    path("api/", include("enlace.api.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "enlace.core.views.errors.permission_denied"
handler404 = "enlace.core.views.errors.page_not_found"
handler500 = "enlace.core.views.errors.server_error"
