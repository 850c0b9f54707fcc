"""Support: subjects, processes, tickets ("atendimentos", SPEC T-1 … T-11) with their message
thread, and service orders ("OS", S-1, S-2) with their events — one module per entity
(``reference``, ``tickets``, ``service_orders``), all importable from here.

Statuses never change by hand: ``enlace.support.services`` moves them (ticket: new → in progress →
solved, or cancelled; OS: the transitions of ``services.service_orders.TRANSITIONS``), each OS
transition writing a ``ServiceOrderEvent``. Protocols come from ``ProtocolCounter`` (a per-day row
taken under a row lock) and are unique in the database.
"""

from .reference import (
    LATITUDE,
    AddressOrigin,
    BestTime,
    Priority,
    Process,
    ProcessStep,
    ProtocolCounter,
    Subject,
)
from .service_orders import ServiceOrder, ServiceOrderEvent
from .tickets import Ticket, TicketMessage

__all__ = [
    "LATITUDE",
    "AddressOrigin",
    "BestTime",
    "Priority",
    "Process",
    "ProcessStep",
    "ProtocolCounter",
    "ServiceOrder",
    "ServiceOrderEvent",
    "Subject",
    "Ticket",
    "TicketMessage",
]
