"""The webservice's actions, as integrations call them (docs/ixc.md, "Actions"):

- ``get_boleto``: ``{"boletos": "<id>[,<id>…]", "tipo_boleto": "arquivo", "base64": "S"}`` → the
  boleto PDF (one page per receivable) in base64 as the body, as IXC answers; without
  ``base64`` the PDF itself;
- ``get_pix``: ``{"id_areceber": "<id>"}`` → the PIX copia e cola (and txid) of the receivable;
- ``desbloqueio_confianca``: ``{"id": "<contract id>"}`` → the trust unlock (F-9);
- ``radusuarios_desconectar`` (IXC: "desconectar_login"): ``{"id": "<login id>"}`` → disconnect
  the login's sessions.

Each reads through the operator's branch scope and permissions and writes through the service.
"""

from __future__ import annotations

import base64

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from enlace.billing.models import Invoice
from enlace.billing.pdf import boleto_pdf
from enlace.billing.services.collection import trust_unlock
from enlace.contracts.models import Contract
from enlace.core.exceptions import ApplicationError, PermissionDeniedError
from enlace.core.scope import restrict
from enlace.radius.models import Login
from enlace.radius.services import login_disconnect


def _ids(value) -> list[int]:
    ids = [part.strip() for part in str(value or "").split(",") if part.strip()]
    if not ids or not all(part.isdigit() for part in ids):
        raise ApplicationError(_("Give the receivable ids."), code="ids")
    return [int(part) for part in ids]


def _one(queryset, user, pk, perm: str | None = None):
    if perm and not user.has_perm(perm):
        raise PermissionDeniedError(_("You do not have permission."))
    found = restrict(queryset, user, "view").filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("Record %(id)s not found.") % {"id": pk}, code="not_found")
    return found


def get_boleto(request, params: dict):
    ids = _ids(params.get("boletos") or params.get("id") or params.get("id_areceber"))
    invoices = list(
        restrict(Invoice.objects.select_related("wallet"), request.user, "view").filter(pk__in=ids)
    )
    missing = set(ids) - {invoice.pk for invoice in invoices}
    if missing:
        raise ApplicationError(
            _("Receivable %(id)s not found.") % {"id": ", ".join(str(i) for i in sorted(missing))},
            code="not_found",
        )
    invoices.sort(key=lambda invoice: ids.index(invoice.pk))
    pdf = boleto_pdf(invoices)
    if str(params.get("base64", "")).strip().upper() == "S":
        return HttpResponse(base64.b64encode(pdf), content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="boleto-{ids[0]}.pdf"'
    return response


def get_pix(request, params: dict):
    ids = _ids(params.get("id_areceber") or params.get("boletos") or params.get("id"))
    invoice = _one(Invoice.objects.all(), request.user, ids[0])
    if not invoice.pix_payload:
        raise ApplicationError(_("The receivable has no PIX (its wallet has no PIX key)."), code="no_pix")
    return JsonResponse(
        {
            "type": "success",
            "pix": {
                "qrCode": {"qrcode": invoice.pix_payload},
                "txid": invoice.pix_txid,
                "valor": f"{invoice.amount}",
            },
        }
    )


def desbloqueio_confianca(request, params: dict):
    pk = str(params.get("id") or params.get("id_contrato") or "").strip()
    if not pk.isdigit():
        raise ApplicationError(_("Give the contract id."), code="ids")
    contract = _one(Contract.objects.all(), request.user, int(pk), "contracts.change_contract")
    trust_unlock(actor=request.user, contract=contract)
    return JsonResponse({"type": "success", "message": _("Trust unlock granted."), "id": str(contract.pk)})


def radusuarios_desconectar(request, params: dict):
    pk = str(params.get("id") or params.get("id_login") or "").strip()
    if not pk.isdigit():
        raise ApplicationError(_("Give the login id."), code="ids")
    login = _one(Login.objects.all(), request.user, int(pk), "radius.disconnect_login")
    requests = login_disconnect(
        actor=request.user, login=login, reason=_("Requested through the webservice.")
    )
    return JsonResponse(
        {
            "type": "success",
            "message": _("%(n)d session(s) disconnected.") % {"n": len(requests)},
            "id": str(login.pk),
        }
    )


ACTIONS = {
    "get_boleto": get_boleto,
    "get_pix": get_pix,
    "desbloqueio_confianca": desbloqueio_confianca,
    "radusuarios_desconectar": radusuarios_desconectar,
    "desconectar_login": radusuarios_desconectar,
}
