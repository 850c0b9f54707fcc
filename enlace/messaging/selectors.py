"""Reads of the messaging area, in the viewer's branch scope."""

from __future__ import annotations

from django.db.models import QuerySet

from enlace.core.types import Viewer

from .models import ContactPreference, Message, MessageRule

#: How many messages a customer's tab or an invoice's page lists (newest first).
TAB_MESSAGES = 200


def messages_for(user: Viewer) -> QuerySet[Message]:
    return Message.objects.restrict(user).select_related("customer", "invoice", "rule")


def rules_for(user: Viewer) -> QuerySet[MessageRule]:
    return MessageRule.objects.restrict(user)


def customer_messages(user: Viewer, customer) -> list[Message]:
    return list(messages_for(user).filter(customer=customer).order_by("-created_at", "-id")[:TAB_MESSAGES])


def invoice_messages(user: Viewer, invoice) -> list[Message]:
    return list(messages_for(user).filter(invoice=invoice).order_by("-created_at", "-id")[:TAB_MESSAGES])


def preference_of(customer) -> ContactPreference:
    """The customer's contact choices (defaults when none were saved)."""
    return ContactPreference.objects.filter(customer=customer).first() or ContactPreference(customer=customer)
