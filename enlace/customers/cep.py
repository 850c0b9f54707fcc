"""CEP lookup (SPEC A-1): the local table first, then an online provider, answers cached locally.

The online provider is ViaCEP's JSON API (it answers the IBGE code of the city), called with the
standard library and a short timeout — there is nothing else to go wrong, and nothing can hang:

- ``settings.CEP_PROVIDER_URL`` (environment variable of the same name) is the URL template, with
  ``{cep}``; default ``https://viacep.com.br/ws/{cep}/json/``; empty turns the online lookup off;
- ``settings.CEP_LOOKUP_TIMEOUT`` (seconds, default 3, at most 3) bounds the connection and each read.

``lookup(cep)`` returns a ``CepResult`` or raises ``CepNotFound`` (the CEP does not exist) or
``CepUnavailable`` (no network, provider down or slow): the operator then fills the address by hand.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from enlace.core.models import City

from .models import Cep
from .validators import digits, format_cep

logger = logging.getLogger(__name__)

DEFAULT_PROVIDER_URL = "https://viacep.com.br/ws/{cep}/json/"
MAX_TIMEOUT = 3.0


class CepError(Exception):
    code = "cep_error"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvalidCep(CepError):
    code = "invalid_cep"


class CepNotFound(CepError):
    code = "cep_not_found"


class CepUnavailable(CepError):
    code = "cep_unavailable"


@dataclass(frozen=True)
class CepResult:
    cep: str
    street: str
    neighborhood: str
    city: int  # IBGE code
    city_name: str
    state: str
    source: str  # "local" or "online"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["cep_display"] = format_cep(self.cep)
        return data


def provider_url() -> str:
    return getattr(settings, "CEP_PROVIDER_URL", DEFAULT_PROVIDER_URL)


def timeout() -> float:
    return min(float(getattr(settings, "CEP_LOOKUP_TIMEOUT", MAX_TIMEOUT) or MAX_TIMEOUT), MAX_TIMEOUT)


def _from_row(row: Cep, source: str) -> CepResult:
    return CepResult(
        cep=row.cep,
        street=row.street,
        neighborhood=row.neighborhood,
        city=row.city_id,
        city_name=row.city.name,
        state=row.state,
        source=source,
    )


def _fetch_online(cep: str) -> dict:
    url = provider_url()
    if not url:
        raise CepUnavailable(_("Online CEP lookup is turned off; fill in the address by hand."))
    if not url.startswith(("http://", "https://")):
        raise CepUnavailable(_("The CEP lookup service is not configured; fill in the address by hand."))
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url.format(cep=cep), headers={"Accept": "application/json", "User-Agent": "Enlace"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:  # noqa: S310 - URL from settings
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        if exc.code in (400, 404):
            raise CepNotFound(_("CEP %(cep)s was not found.") % {"cep": format_cep(cep)}) from exc
        raise CepUnavailable(
            _("The CEP lookup service is unavailable (HTTP %(status)s); fill in the address by hand.")
            % {"status": exc.code}
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.info("CEP lookup of %s failed: %s", cep, exc)
        raise CepUnavailable(
            _(
                "The CEP lookup is unavailable (no connection to the lookup service); fill "
                "in the address by hand."
            )
        ) from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise CepUnavailable(
            _("The CEP lookup service gave an unreadable answer; fill in the address by hand.")
        ) from exc
    if not isinstance(data, dict) or data.get("erro"):
        raise CepNotFound(_("CEP %(cep)s was not found.") % {"cep": format_cep(cep)})
    return data


def lookup(value: str, *, online: bool = True) -> CepResult:
    cep = digits(value)
    if len(cep) != 8:
        raise InvalidCep(_("A CEP has 8 digits."))
    row = Cep.objects.select_related("city").filter(cep=cep).first()
    if row is not None:
        return _from_row(row, "local")
    if not online:
        raise CepNotFound(_("CEP %(cep)s is not in the local table.") % {"cep": format_cep(cep)})
    data = _fetch_online(cep)
    try:
        city = City.objects.select_related("state").get(code=int(data.get("ibge") or 0))
    except (City.DoesNotExist, ValueError) as exc:
        raise CepNotFound(_("CEP %(cep)s has no known city.") % {"cep": format_cep(cep)}) from exc
    row, _created = Cep.objects.update_or_create(
        cep=cep,
        defaults={
            "street": (data.get("logradouro") or "").strip()[:120],
            "neighborhood": (data.get("bairro") or "").strip()[:80],
            "city": city,
            "state": city.state.abbr,
            "source": Cep.Source.ONLINE,
        },
    )
    row.city = city
    return _from_row(row, "online")
