"""What tickets and service orders share: posting to a ticket's thread (and e-mailing public
operator messages to the customer after commit), the contract history entries, locking a ticket
row. Internal to ``enlace.support.services``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from enlace.contracts.models import ContractHistory
from enlace.contracts.services import history_add
from enlace.core import mail
from enlace.core.services import object_save, operator_name_of, operator_of
from enlace.core.types import Actor

from ..models import Ticket, TicketMessage


def write_history(*, actor: Actor, ticket=None, order=None, text: str) -> None:
    """A contract history entry (kind TKT for a ticket, OS for a service order) when the record
    has a contract; nothing otherwise."""
    contract = (order or ticket).contract
    if contract is None:
        return
    kind = ContractHistory.Kind.SERVICE_ORDER if order is not None else ContractHistory.Kind.TICKET
    history_add(actor=actor, customer=contract.customer, contract=contract, kind=kind, text=text)


def _email_copy(message: TicketMessage) -> None:
    """A copy of a public operator message to the customer's e-mails (K-3)."""
    ticket = message.ticket
    recipients = ticket.customer.emails
    if not recipients:
        return
    subject = _("[Protocol %(protocol)s] %(subject)s") % {
        "protocol": ticket.protocol,
        "subject": ticket.subject,
    }
    body = _("%(text)s\n\n— %(author)s\nProtocol: %(protocol)s") % {
        "text": message.text,
        "author": message.author_name or _("Support"),
        "protocol": ticket.protocol,
    }

    # Queued in the message's transaction (core.mail): sent after the commit, retried while the
    # mail server is down, once per message.
    mail.enqueue(to=recipients, subject=subject, text=body, dedup_key=f"ticket-message:{message.pk}")


def post_message(*, actor: Actor, ticket, text, public, by_subscriber=False) -> TicketMessage:
    """Add a message to the ticket's thread: a subscriber's is always public and signed with the
    customer's name; an operator's (or the system's: ``actor=None``) is signed by the operator.
    A public message not by the subscriber is e-mailed to the customer."""
    message = TicketMessage(
        ticket=ticket,
        text=text,
        public=public or by_subscriber,
        by_subscriber=by_subscriber,
        author=None if by_subscriber else operator_of(actor),
        author_name=ticket.customer.name[:150] if by_subscriber else operator_name_of(actor),
    )
    object_save(message, actor=actor)
    if message.public and not by_subscriber:
        _email_copy(message)
    return message


def locked_ticket(ticket: Ticket) -> Ticket:
    """The ticket's row, read again under ``select_for_update``."""
    return Ticket.objects.select_for_update().select_related("customer", "subject").get(pk=ticket.pk)


def sync_instance(target, source) -> None:
    """Copy the saved state of ``source`` onto the caller's instance."""
    if target is not source:
        target.refresh_from_db()
