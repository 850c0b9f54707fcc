"""The service order actions (SPEC S-2: an order's status follows the actions taken on it, each an event with
operator and time), declared once.

Each action is one ``ActionSpec``: its name (a ``ServiceOrderEvent.Action``), the service that
performs it, the button's label, what it does in a sentence, the inputs it takes (name, kind,
label, whether the API requires it, the service's keyword), whether it records the GPS position
and the permission it needs. Everything else derives from this table:

- the web form of each action on the service order page (``forms.order_action_form``),
- the API's parameter serializer and route of each action (``api.ACTION_PARAMS`` and the
  ``ServiceOrderViewSet`` actions built by ``api.order_action``, with their request schema),
- the table of actions in ``docs/support.md`` (``docs_table``; a test compares them).

Where an action may start from and where it leads is the transition table of the services
(``services.service_orders.TRANSITIONS``), not repeated here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from enlace.core.types import Actor

from . import services
from .models import ServiceOrder, ServiceOrderEvent

Action = ServiceOrderEvent.Action

# Input kinds: each interface knows how to show and check one (forms.py, api.py).
TEXT = "text"
TECHNICIAN = "technician"  # an active technician within the operator's branches
DEPARTMENT = "department"  # a department that serves tickets
DATETIME = "datetime"
COORDINATE = "coordinate"  # degrees, six decimal places


@dataclass(frozen=True)
class Input:
    """One value an action takes. ``required``: the API answers 400 naming it when it is missing
    (the web form leaves the check to the service, whose message names what is missing);
    ``argument``: the service's keyword (default: ``name``)."""

    name: str
    kind: str
    label: str | Promise
    required: bool = False
    argument: str = ""

    @property
    def keyword(self) -> str:
        return self.argument or self.name


NOTE = Input("note", TEXT, _("Note"))
CLOSING_NOTE = Input("closing_note", TEXT, _("Closing note"))
TECHNICIAN_INPUT = Input("technician", TECHNICIAN, _("Technician"))
POSITION = (
    Input("latitude", COORDINATE, _("Latitude")),
    Input("longitude", COORDINATE, _("Longitude")),
)


@dataclass(frozen=True)
class ActionSpec:
    name: str
    service: Callable[..., ServiceOrder]
    label: str | Promise  # the button on the service order page
    summary: str  # what it does, for the API documentation and docs/support.md
    inputs: tuple[Input, ...]
    takes_position: bool = False  # records where the technician is (latitude, longitude)
    permission: str = "support.change_serviceorder"

    @property
    def fields(self) -> tuple[Input, ...]:
        """Every input, in the order the form shows them: the position last."""
        return (*self.inputs, *POSITION) if self.takes_position else self.inputs

    @property
    def url_path(self) -> str:
        return self.name.replace("_", "-")

    def kwargs(self, values: Mapping) -> dict:
        """The service's keyword arguments from validated values (web form or API). Every
        service takes a ``note`` (empty when not given); an input not given is left to the
        service's default."""
        kwargs = {"note": ""}
        for item in self.fields:
            if item.name in values:
                kwargs[item.keyword] = values[item.name]
        return kwargs

    def run(self, *, actor: Actor, order: ServiceOrder, values: Mapping) -> ServiceOrder:
        return self.service(actor=actor, order=order, **self.kwargs(values))


SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        Action.ANALYSE,
        services.service_order_analyse,
        _("Analyse"),
        "→ Análise (AN).",
        (NOTE,),
        takes_position=True,
    ),
    ActionSpec(
        Action.FORWARD,
        services.service_order_forward,
        _("Forward"),
        "→ Encaminhada (EN), optionally to another ``department`` and/or ``technician``.",
        (Input("department", DEPARTMENT, _("Department")), TECHNICIAN_INPUT, NOTE),
    ),
    ActionSpec(
        Action.ASSUME,
        services.service_order_assume,
        _("Assume"),
        "→ Assumida (AS) by ``technician`` (default: the caller's employee record).",
        (TECHNICIAN_INPUT, NOTE),
        takes_position=True,
    ),
    ActionSpec(
        Action.ASSIGN,
        services.service_order_assign,
        _("Assign technician"),
        "Give it to ``technician`` (status unchanged; a scheduled slot must be free).",
        (Input("technician", TECHNICIAN, _("Technician"), required=True), NOTE),
    ),
    ActionSpec(
        Action.SCHEDULE,
        services.service_order_schedule,
        _("Schedule"),
        "→ Agendada (AG) from ``scheduled_start`` to ``scheduled_end``; 400 on a clash.",
        (
            TECHNICIAN_INPUT,
            Input("scheduled_start", DATETIME, _("Start"), required=True, argument="start"),
            Input("scheduled_end", DATETIME, _("End"), required=True, argument="end"),
            NOTE,
        ),
    ),
    ActionSpec(
        Action.TRAVEL,
        services.service_order_travel,
        _("Set off"),
        "→ Deslocamento (DS).",
        (NOTE,),
        takes_position=True,
    ),
    ActionSpec(
        Action.START,
        services.service_order_start,
        _("Start execution"),
        "→ Execução (EX).",
        (NOTE,),
        takes_position=True,
    ),
    ActionSpec(
        Action.FINISH,
        services.service_order_finish,
        pgettext_lazy("service order action", "Finish"),
        "→ Finalizada (F) with ``closing_note``; the next process step opens.",
        (CLOSING_NOTE, NOTE),
        takes_position=True,
    ),
    ActionSpec(
        Action.AWAIT_RESCHEDULE,
        services.service_order_await_reschedule,
        _("Await rescheduling"),
        "→ Aguardando reagendamento (RAG); ``note`` (the reason) required.",
        (NOTE,),
        takes_position=True,
    ),
    ActionSpec(
        Action.REOPEN,
        services.service_order_reopen,
        _("Reopen"),
        "Finalizada → Aberta (A); ``note`` (the reason) required.",
        (NOTE,),
    ),
)

BY_NAME: dict[str, ActionSpec] = {spec.name: spec for spec in SPECS}


def allowed(order: ServiceOrder) -> list[ActionSpec]:
    """The actions the transition table allows from the order's status."""
    return [BY_NAME[name] for name in services.allowed_actions(order)]


def docs_table() -> str:
    """The markdown table of the actions that ``docs/support.md`` shows."""
    status = ServiceOrder.Status

    def codes(values) -> str:
        return ", ".join(code for code in status.values if code in values)

    lines = ["| action | from | to | inputs | what it does |", "|---|---|---|---|---|"]
    for spec in SPECS:
        sources, target = services.TRANSITIONS[spec.name]
        every_but_f = set(sources) == set(status.values) - {status.FINISHED}
        inputs = ", ".join(
            f"`{item.name}`" + (" (required)" if item.required else "") for item in spec.fields
        )
        lines.append(
            f"| `{spec.url_path}` | {'any but F' if every_but_f else codes(sources)} | "
            f"{target or 'unchanged'} | {inputs} | {spec.summary} |"
        )
    return "\n".join(lines) + "\n"
