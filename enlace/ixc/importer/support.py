"""IXC's ticket messages (``su_mensagens``), service orders (``su_oss_chamado``) and operators
(``usuarios``) — docs/ixc.md. Same contract as ``tables``: each importer returns ``created``,
``updated`` or ``unchanged`` (idempotent by the external id) or raises with the reason."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from enlace.contracts.models import Contract
from enlace.core.operators import operator_save
from enlace.core.services import object_save, operator_name_of
from enlace.customers.models import Customer
from enlace.radius.models import Login
from enlace.support.models import ServiceOrder, Subject, Ticket, TicketMessage
from enlace.support.services import service_orders as order_services

from ..models import ExternalKind
from .common import CREATED, UNCHANGED, UPDATED, Refused, Run, digits, text
from .tables import _aware

S = ServiceOrder.Status

# --- usuarios → operator accounts -------------------------------------------------------------


def import_usuarios(run: Run, row: dict) -> str:
    """An IXC operator is mapped to the Enlace account with the same e-mail (case-insensitive);
    without one, an account is created **inactive**, as staff, with no usable password: an
    administrator activates it and the operator sets a password through "forgot my password"
    (IXC's password hashes are not kept). No roles are given: the administrator grants them."""
    object_id = run.id_map(ExternalKind.USUARIO).get(row["id"])
    if object_id is not None:
        return UNCHANGED
    users = get_user_model()
    email = text(row, "email").lower()
    found = users.objects.filter(email__iexact=email).order_by("pk").first() if email else None
    if found is None:
        username = (text(row, "login") or email or f"ixc{row['id']}")[:150]
        if users.objects.filter(username__iexact=username).exists():
            username = f"ixc{row['id']}-{username}"[:150]
        name = text(row, "nome")
        first, _space, last = name.partition(" ")
        user = users(
            username=username,
            email=email,
            first_name=first[:150],
            last_name=last[:150],
            is_active=False,
            is_staff=True,
        )
        with transaction.atomic():
            # operator_save validates the account as the operators' page does (and audits it); the
            # throw-away password is replaced by an unusable one: a reset is required.
            operator_save(user=user, password=secrets.token_urlsafe(32), actor=run.actor)
            user.set_unusable_password()
            user.save(update_fields=["password"])
        found = user
    run.remember(ExternalKind.USUARIO, row["id"], found.pk)
    return CREATED


def _operator(run: Run, ixc_id: str | None):
    """The Enlace account of an IXC operator id (imported earlier), or None."""
    object_id = run.id_map(ExternalKind.USUARIO).get(digits(ixc_id))
    if object_id is None:
        return None
    return get_user_model().objects.filter(pk=object_id).first()


# --- su_mensagens → TicketMessage ---------------------------------------------------------------


def import_su_mensagens(run: Run, row: dict) -> str:
    """A message of an imported ticket's thread, written as ``post_message`` writes it (validation,
    branch scope, audit) — without its e-mail copy (an old message is not sent again) and without
    moving the ticket's status (IXC's ``su_ticket.su_status`` was imported). ``visibilidade_mensagens``
    PR is a private note; the author is the imported IXC operator (``id_operador``) when known."""
    if run.id_map(ExternalKind.MENSAGEM).get(row["id"]) is not None:
        return UNCHANGED  # a message is never changed
    ticket = Ticket.objects.get(
        pk=run.lookup(ExternalKind.TICKET, row.get("id_ticket", ""), label=_("Ticket"))
    )
    body = text(row, "mensagem")
    if not body:
        raise Refused(_("The message is empty."))
    author = _operator(run, row.get("id_operador"))
    message = TicketMessage(
        ticket=ticket,
        text=body,
        public=text(row, "visibilidade_mensagens").upper() != "PR",
        author=author,
        author_name=operator_name_of(author) if author else "IXC",
    )
    if text(row, "data") and not text(row, "data").startswith("0000"):
        message.created_at = _aware(text(row, "data"))
    with transaction.atomic():
        object_save(message, actor=run.actor)
        run.remember(ExternalKind.MENSAGEM, row["id"], message.pk)
    return CREATED


# --- su_oss_chamado → ServiceOrder --------------------------------------------------------------

#: IXC statuses Enlace reaches with one action from "open"; the others need a technician or a
#: schedule Enlace cannot infer and stay open (counted in the report's note).
OS_STATUSES = set(S.values)


def _optional(run: Run, kind: str, value, model, label: str):
    if digits(value) in ("", "0"):
        return None
    return model.objects.get(pk=run.lookup(kind, digits(value), label=label))


def import_su_oss_chamado(run: Run, row: dict) -> str:
    """A service order through the support services: created as ``service_order_create`` creates
    it (``_create_order``: the same checks, its "opened" event and contract history entry) with
    IXC's protocol, linked to its imported ticket even when that ticket is already closed; status
    F is reached with ``service_order_finish`` (closing note ``mensagem_resposta``) and AN with
    ``service_order_analyse``. The statuses that need a technician or a schedule stay open."""
    status = text(row, "status").upper() or S.OPEN
    if status not in OS_STATUSES:
        raise Refused(_("Unknown su_oss_chamado status %(code)s.") % {"code": status})
    object_id = run.id_map(ExternalKind.OS).get(row["id"])
    if object_id is not None:
        order = ServiceOrder.objects.get(pk=object_id)
        return UPDATED if _order_status(run, order, row, status) else UNCHANGED
    customer = Customer.objects.get(
        pk=run.lookup(ExternalKind.CLIENTE, row.get("id_cliente", ""), label=_("Customer"))
    )
    subject = Subject.objects.get(
        pk=run.lookup(ExternalKind.ASSUNTO, row.get("id_assunto", ""), label=_("Subject"))
    )
    ticket = _optional(run, ExternalKind.TICKET, row.get("id_ticket"), Ticket, _("Ticket"))
    contract = _optional(
        run,
        ExternalKind.CONTRATO,
        row.get("id_contrato_kit") or row.get("id_contrato"),
        Contract,
        _("Contract"),
    )
    login = _optional(run, ExternalKind.LOGIN, row.get("id_login"), Login, _("Login"))
    protocol = text(row, "protocolo")[:20]
    if protocol and ServiceOrder.objects.filter(protocol=protocol).exists():
        raise Refused(_("Protocol %(protocol)s is already used.") % {"protocol": protocol})
    description = text(row, "mensagem") or subject.name
    fields = {"subject": subject, "description": description}
    if ticket is None:
        fields.update(contract=contract, login=login)
    priority = text(row, "prioridade").upper()
    if priority in {"B", "M", "A", "C"}:
        fields["priority"] = priority
    with transaction.atomic():
        order = order_services._create_order(
            actor=run.actor, customer=customer, ticket=ticket, protocol=protocol or None, **fields
        )
        opened = text(row, "data_abertura")
        if opened and not opened.startswith("0000"):
            ServiceOrder.objects.filter(pk=order.pk).update(opened_at=_aware(opened))
        _order_status(run, order, row, status)
        run.remember(ExternalKind.OS, row["id"], order.pk)
    return CREATED


def _order_status(run: Run, order: ServiceOrder, row: dict, status: str) -> bool:
    if status == S.FINISHED and order.status != S.FINISHED:
        order_services.service_order_finish(
            actor=run.actor, order=order, closing_note=text(row, "mensagem_resposta")
        )
        closed = text(row, "data_fechamento")
        if closed and not closed.startswith("0000"):
            ServiceOrder.objects.filter(pk=order.pk).update(finished_at=_aware(closed))
        return True
    if status == S.ANALYSIS and order.status == S.OPEN:
        order_services.service_order_analyse(actor=run.actor, order=order)
        return True
    return False
