"""System check of the fiscal settings: a malformed ``ENLACE_FISCAL_ENDPOINTS`` is reported when
Django starts (``manage.py check``), not at the first transmission."""

from django.conf import settings
from django.core.checks import Error, register

from .nfcom import sefaz


@register()
def fiscal_endpoints(app_configs=None, **kwargs):
    try:
        sefaz.parse_endpoints(getattr(settings, "ENLACE_FISCAL_ENDPOINTS", "") or "")
    except ValueError as exc:
        return [Error(str(exc), id="enlace.fiscal.E001")]
    return []
