"""Writers of support, one module per entity:

- ``tickets`` — tickets and their message thread (SPEC T-1 … T-11);
- ``service_orders`` — service orders and their life cycle (S-1, S-2), the transition table;
- ``processes`` — subjects, processes and their steps;
- ``protocols`` — the daily protocol numbers; ``common`` — what tickets and service orders share
  (the thread, contract history entries).

Each module states the rules it keeps. The public writers are re-exported here, so callers write
``from enlace.support import services`` and ``services.ticket_create(...)``.
"""

from .processes import (
    process_delete,
    process_save,
    process_step_delete,
    process_step_save,
    subject_save,
)
from .protocols import next_protocol
from .service_orders import (
    SLOT_HOLDING,
    TRANSITIONS,
    allowed_actions,
    service_order_analyse,
    service_order_assign,
    service_order_assume,
    service_order_await_reschedule,
    service_order_create,
    service_order_finish,
    service_order_forward,
    service_order_reopen,
    service_order_schedule,
    service_order_start,
    service_order_travel,
    service_order_update,
)
from .tickets import (
    address_for,
    ticket_cancel,
    ticket_close,
    ticket_create,
    ticket_message_add,
    ticket_reopen,
    ticket_update,
)

__all__ = [
    "SLOT_HOLDING",
    "TRANSITIONS",
    "address_for",
    "allowed_actions",
    "next_protocol",
    "process_delete",
    "process_save",
    "process_step_delete",
    "process_step_save",
    "service_order_analyse",
    "service_order_assign",
    "service_order_assume",
    "service_order_await_reschedule",
    "service_order_create",
    "service_order_finish",
    "service_order_forward",
    "service_order_reopen",
    "service_order_schedule",
    "service_order_start",
    "service_order_travel",
    "service_order_update",
    "subject_save",
    "ticket_cancel",
    "ticket_close",
    "ticket_create",
    "ticket_message_add",
    "ticket_reopen",
    "ticket_update",
]
