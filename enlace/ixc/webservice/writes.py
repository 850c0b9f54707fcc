"""Insert, full replacement and delete through Enlace's services (docs/ixc.md, "Writes").

Writable today: ``cliente`` (``customer_create`` / ``customer_update``; DELETE deactivates, as
customers are never deleted) and ``radusuarios`` (``login_create`` / ``login_update`` /
``login_delete``). Other tables answer an error naming what is not supported."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _

from enlace.core.exceptions import ApplicationError, PermissionDeniedError
from enlace.customers.services import customer_create, customer_deactivate, customer_update
from enlace.radius import services as radius_services

from .tables import Table


def _perm(user, table: Table, action: str) -> None:
    meta = table.model._meta
    if not user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"):
        raise PermissionDeniedError(_("You do not have permission."))


def _values(table: Table, params: dict) -> dict:
    values = {}
    for name, raw in params.items():
        column = table.columns.get(name)
        if column is None or column.writable is None:
            continue
        value = raw if raw is not None else ""
        if column.to_db is not None:
            value = column.to_db(str(value))
        if value == "" and column.writable.endswith(("_id", "date", "latitude", "longitude")):
            value = None
        values[column.writable] = value
    return values


def _login_values(params: dict) -> dict:
    values = {}
    mapping = {
        "id_contrato": "contract_id",
        "login": "username",
        "senha": "password",
        "autenticacao": "auth_type",
        "mac": "mac",
        "obs": "notes",
    }
    for name, field in mapping.items():
        if name in params:
            values[field] = params[name]
    if "ativo" in params:
        values["active"] = str(params["ativo"]).upper() == "S"
    if "senha_md5" in params:
        values["password_md5"] = str(params["senha_md5"]).upper() == "S"
    return values


def _success(message: str, pk) -> JsonResponse:
    return JsonResponse({"type": "success", "message": message, "id": str(pk)})


def _unsupported(table: Table) -> None:
    raise ApplicationError(
        _("Writing to %(table)s through the webservice is not supported.") % {"table": table.name},
        code="not_supported",
    )


def insert(table: Table, params: dict, user) -> JsonResponse:
    _perm(user, table, "add")
    if table.name == "cliente":
        customer = customer_create(actor=user, confirm_duplicate_address=True, **_values(table, params))
        return _success(_("Record saved."), customer.pk)
    if table.name == "radusuarios":
        login = radius_services.login_create(actor=user, **_login_values(params))
        return _success(_("Record saved."), login.pk)
    _unsupported(table)
    raise AssertionError  # unreachable


def _scoped(table: Table, pk, user):
    found = table.visible(user).filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("Record %(id)s not found.") % {"id": pk}, code="not_found")
    return found


def replace(table: Table, pk, params: dict, user) -> JsonResponse:
    _perm(user, table, "change")
    if table.name == "cliente":
        customer = _scoped(table, pk, user)
        customer_update(
            actor=user, customer=customer, confirm_duplicate_address=True, **_values(table, params)
        )
        return _success(_("Record saved."), customer.pk)
    if table.name == "radusuarios":
        login = _scoped(table, pk, user)
        values = _login_values(params)
        values.pop("contract_id", None) if str(values.get("contract_id")) == str(login.contract_id) else None
        radius_services.login_update(actor=user, login=login, **values)
        return _success(_("Record saved."), login.pk)
    _unsupported(table)
    raise AssertionError


def delete(table: Table, pk, user) -> JsonResponse:
    _perm(user, table, "delete" if table.name != "cliente" else "change")
    if table.name == "cliente":
        customer = _scoped(table, pk, user)
        customer_deactivate(actor=user, customer=customer)
        return _success(_("Customers are never deleted: the customer was deactivated."), customer.pk)
    if table.name == "radusuarios":
        login = _scoped(table, pk, user)
        radius_services.login_delete(actor=user, login=login)
        return _success(_("Record deleted."), pk)
    _unsupported(table)
    raise AssertionError
