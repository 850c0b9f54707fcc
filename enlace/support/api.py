"""REST resources of support (SPEC G-5: every screen has a REST equivalent; §14: the field names are a
stable contract, never renamed): ``subjects``, ``processes``, ``tickets`` (with
``messages``) and ``service-orders`` (``departments`` are core's).

- ``/api/v1/tickets/`` — create with ``customer``, ``subject``, ``description`` and the optional
  fields; ``status``, ``protocol``, ``branch`` and ``origin`` are set by Enlace: sending one is
  400 naming the field. Actions: ``POST {id}/close/`` (``note``), ``cancel/`` and ``reopen/``
  (``reason``); ``GET|POST {id}/messages/`` (``text``, ``public``). Tickets are never deleted.
- ``/api/v1/service-orders/`` — create with ``subject``, ``department`` (default: the subject's),
  ``description`` and ``ticket`` or ``customer``. The status, technician and schedule change
  through one action per transition, ``POST {id}/<action>/`` (``analyse/``, ``forward/``, …,
  ``await-reschedule/``, ``reopen/``), each taking the inputs its spec declares in
  ``enlace.support.actions`` (``note``; ``latitude``/``longitude`` where the position is recorded)
  and answering the service order; a refused transition is 400 ``{"detail", "code":
  "invalid_transition", "status": [...]}``. ``GET {id}/events/`` lists its events.
- ``/api/v1/processes/`` — with their ordered ``steps`` (written as a whole list; each step is
  matched to an existing one by ``id``, else by position, and updated in place; a step left out is
  deleted, refused while it has open service orders).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from enlace.api.fields import BoundedDateTimeField
from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer, ScopedRelationsMixin
from enlace.api.viewsets import EnlaceGenericViewSet, EnlaceModelViewSet
from enlace.core.models import Department, Employee

from . import actions, filtersets, selectors, services
from .models import (
    Process,
    ProcessStep,
    ServiceOrder,
    ServiceOrderEvent,
    Subject,
    Ticket,
    TicketMessage,
)

Action = ServiceOrderEvent.Action


class SubjectSerializer(EnlaceModelSerializer):
    class Meta:
        model = Subject
        fields = [
            "id",
            "display",
            "name",
            "default_description",
            "default_opening_message",
            "default_department",
            "default_process",
            "default_priority",
            "purpose",
            "allowed_overdue",
            "portal_visible",
            "requires_login",
            "requires_contract",
            "close_requires_note",
            "close_requires_technician",
            "active",
        ]


class ProcessStepSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("An existing step of the process to update in place; empty: a new step."),
    )

    class Meta:
        model = ProcessStep
        fields = ["id", "order", "subject", "department", "technician", "description", "complementary_status"]
        read_only_fields = ["order"]


class ProcessSerializer(EnlaceModelSerializer):
    steps = ProcessStepSerializer(
        many=True, required=False, help_text=_("In order; written as a whole list.")
    )

    class Meta:
        model = Process
        fields = ["id", "display", "name", "description", "active", "steps"]


class RefuseAutomaticMixin:
    """Fields Enlace sets itself: sending one is a 400 naming it (T-11: the status follows the
    ticket's situation, never edited), not silently ignored."""

    automatic: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        sent = getattr(self, "initial_data", None) or {}
        bad = [name for name in self.automatic if name in sent]
        if bad:
            raise serializers.ValidationError(
                {name: [_("Set automatically by Enlace; it cannot be changed by hand.")] for name in bad}
            )
        return attrs


class TicketSerializer(RefuseAutomaticMixin, EnlaceModelSerializer):
    automatic = Ticket.AUTOMATIC_FIELDS

    class Meta:
        model = Ticket
        fields = [
            "id",
            "display",
            "protocol",
            "customer",
            "contract",
            "login",
            "branch",
            "subject",
            "subject_description",
            "description",
            "address_origin",
            "address",
            "latitude",
            "longitude",
            "process",
            "department",
            "responsible",
            "priority",
            "reserved_date",
            "best_time",
            "origin",
            "pending_interaction",
            "status",
            "complementary_status",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = list(Ticket.AUTOMATIC_FIELDS)
        extra_kwargs = {
            "department": {"required": False},
            "subject_description": {"required": False},
        }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and "customer" in attrs and attrs["customer"] != self.instance.customer:
            raise serializers.ValidationError({"customer": [_("A ticket cannot move to another customer.")]})
        if self.instance is not None:
            attrs.pop("customer", None)
        return attrs


class TicketMessageSerializer(EnlaceModelSerializer):
    class Meta:
        model = TicketMessage
        fields = ["id", "ticket", "text", "public", "by_subscriber", "author", "author_name", "created_at"]
        read_only_fields = ["ticket", "by_subscriber", "author", "author_name", "created_at"]


class TicketCloseSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("note"), trim_whitespace=False, allow_blank=True, required=False)


class TicketReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), trim_whitespace=False)


class ServiceOrderSerializer(RefuseAutomaticMixin, EnlaceModelSerializer):
    automatic = (
        "status",
        "protocol",
        "branch",
        "technician",
        "scheduled_start",
        "scheduled_end",
        "closing_note",
    )

    class Meta:
        model = ServiceOrder
        fields = [
            "id",
            "display",
            "protocol",
            "ticket",
            "customer",
            "contract",
            "login",
            "branch",
            "subject",
            "department",
            "technician",
            "status",
            "priority",
            "description",
            "address",
            "latitude",
            "longitude",
            "scheduled_start",
            "scheduled_end",
            "closing_note",
            "process_step",
            "opened_at",
            "finished_at",
        ]
        read_only_fields = [
            "protocol",
            "branch",
            "technician",
            "status",
            "scheduled_start",
            "scheduled_end",
            "closing_note",
            "process_step",
            "opened_at",
            "finished_at",
        ]
        extra_kwargs = {"customer": {"required": False}, "department": {"required": False}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None:
            for name in ("ticket", "customer"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [_("Cannot be changed.")]})
                attrs.pop(name, None)
        return attrs


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceOrderEvent
        fields = [
            "id",
            "action",
            "from_status",
            "to_status",
            "note",
            "operator",
            "operator_name",
            "latitude",
            "longitude",
            "created_at",
        ]


class ActionParamsSerializer(ScopedRelationsMixin, serializers.Serializer):
    """Base of the parameters of one service order action; ``technician`` (when the action takes
    one) is an active technician within the operator's branches."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "technician" in fields:
            fields["technician"].queryset = selectors.technicians(request.user)
        return fields


def _param_field(item: actions.Input) -> serializers.Field:
    """The serializer field of one action input (``actions.Input``)."""
    if item.kind == actions.TECHNICIAN:
        return serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=item.required)
    if item.kind == actions.DEPARTMENT:
        return serializers.PrimaryKeyRelatedField(
            queryset=Department.objects.filter(serves_tickets=True), required=item.required
        )
    if item.kind == actions.DATETIME:
        return BoundedDateTimeField(required=item.required)
    if item.kind == actions.COORDINATE:
        return serializers.DecimalField(
            max_digits=9, decimal_places=6, required=item.required, allow_null=True
        )
    return serializers.CharField(
        label=item.label, trim_whitespace=False, allow_blank=True, required=item.required
    )


def _params_serializer(spec: actions.ActionSpec) -> type[serializers.Serializer]:
    name = "".join(part.capitalize() for part in spec.name.split("_"))
    attrs = {item.name: _param_field(item) for item in spec.fields}
    attrs["__doc__"] = f"Parameters of the service order action ``{spec.url_path}/``."
    return type(f"ServiceOrder{name}Serializer", (ActionParamsSerializer,), attrs)


#: action → its parameter serializer, from the action specs.
ACTION_PARAMS = {spec.name: _params_serializer(spec) for spec in actions.SPECS}


class SubjectViewSet(EnlaceModelViewSet):
    """Subjects ("assuntos"). Filter by ``purpose``, ``portal_visible``, ``active``, ``q``."""

    queryset = Subject.objects.select_related("default_department", "default_process")
    serializer_class = SubjectSerializer
    filterset_class = filtersets.SubjectFilterSet
    ordering_fields = ["id", "name"]

    def save_object(self, instance, *, m2m: dict):
        return services.subject_save(instance, actor=self.request.user)


class ProcessViewSet(EnlaceModelViewSet):
    """Processes with their ordered steps."""

    queryset = Process.objects.prefetch_related("steps")
    serializer_class = ProcessSerializer
    filterset_class = filtersets.ProcessFilterSet
    ordering_fields = ["id", "name"]

    def _save(self, serializer, instance):
        data = dict(serializer.validated_data)
        steps = data.pop("steps", None)
        for name, value in data.items():
            setattr(instance, name, value)
        serializer.instance = services.process_save(instance, actor=self.request.user, steps=steps)

    def perform_create(self, serializer):
        self._save(serializer, Process())

    def delete_object(self, instance):
        services.process_delete(instance, actor=self.request.user)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    EnlaceGenericViewSet,
):
    """Tickets ("atendimentos", T-1 … T-11: a generated protocol, the customer's own contract and login, a
    status that follows the ticket's situation). Filter by ``customer``, ``contract``, ``department``,
    ``status``, ``priority``, ``origin``, ``responsible``, ``pending_interaction``, ``q``, dates
    ``opened_after``/``opened_before``."""

    queryset = Ticket.objects.select_related("customer", "subject", "department", "branch")
    serializer_class = TicketSerializer
    filterset_class = filtersets.TicketFilterSet
    ordering_fields = ["id", "opened_at", "priority", "protocol"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.ticket_create(
            actor=self.request.user,
            customer=data.pop("customer"),
            subject=data.pop("subject"),
            description=data.pop("description"),
            contract=data.pop("contract", None),
            login=data.pop("login", None),
            **data,
        )

    def perform_update(self, serializer):
        serializer.instance = services.ticket_update(
            actor=self.request.user, ticket=serializer.instance, **serializer.validated_data
        )

    def _act(self, request, service, params_class, **mapping):
        if not request.user.has_perm("support.change_ticket"):
            raise PermissionDenied
        ticket = self.get_object()
        params = params_class(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        ticket = service(actor=request.user, ticket=ticket, **params.validated_data)
        return Response(TicketSerializer(ticket, context=self.get_serializer_context()).data)

    @extend_schema(request=TicketCloseSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request, pk=None):
        """Solved: every service order finished; ``note`` when the subject requires it."""
        return self._act(request, services.ticket_close, TicketCloseSerializer)

    @extend_schema(request=TicketReasonSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def cancel(self, request, pk=None):
        """Cancelled, with the ``reason``."""
        return self._act(request, services.ticket_cancel, TicketReasonSerializer)

    @extend_schema(request=TicketReasonSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def reopen(self, request, pk=None):
        """Back in progress, with the ``reason``."""
        return self._act(request, services.ticket_reopen, TicketReasonSerializer)

    @extend_schema(methods=["GET"], responses=TicketMessageSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=TicketMessageSerializer, responses={201: TicketMessageSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def messages(self, request, pk=None):
        """The thread: GET lists every message (public and private) as a plain list, oldest first;
        POST adds one (``text``, ``public``, default true) and answers 201 with it."""
        if not request.user.has_perm("support.view_ticket"):
            raise PermissionDenied
        ticket = self.get_object()
        if request.method == "POST":
            if not request.user.has_perm("support.add_ticketmessage"):
                raise PermissionDenied
            params = TicketMessageSerializer(data=request.data, context=self.get_serializer_context())
            params.is_valid(raise_exception=True)
            message = services.ticket_message_add(
                actor=request.user,
                ticket=ticket,
                text=params.validated_data["text"],
                public=params.validated_data.get("public", True),
            )
            return Response(TicketMessageSerializer(message).data, status=201)
        return Response(TicketMessageSerializer(ticket.messages.all(), many=True).data)


def order_action(name: str):
    """The route ``POST {id}/<action>/`` of one service order action, from its spec: the
    parameters, the service and the permission of ``actions.BY_NAME[name]``, documented with its
    request schema."""
    spec = actions.BY_NAME[name]

    def handler(self, request, pk=None):
        return self._act(request, spec)

    handler.__name__ = spec.name
    handler.__doc__ = spec.summary
    route = action(
        detail=True,
        methods=["post"],
        url_path=spec.url_path,
        permission_classes=[IsAuthenticated],
        filter_backends=[],
    )(handler)
    # After @action, which replaces the function's ``kwargs`` where the schema is kept.
    return extend_schema(request=ACTION_PARAMS[spec.name], responses=ServiceOrderSerializer)(route)


class ServiceOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    EnlaceGenericViewSet,
):
    """Service orders ("OS", S-1: every order of the customer, whatever the status; S-2: an order's status
    follows the actions taken on it, each an event with operator and time). Filter by ``customer``,
    ``ticket``, ``department``, ``status``, ``technician``, ``priority``, ``origin``, ``q``, dates
    ``scheduled_after``/``_before`` and ``opened_after``/``_before``."""

    queryset = ServiceOrder.objects.select_related(
        "customer", "subject", "department", "technician", "ticket"
    )
    serializer_class = ServiceOrderSerializer
    filterset_class = filtersets.ServiceOrderFilterSet
    ordering_fields = ["id", "opened_at", "scheduled_start", "protocol"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.service_order_create(
            actor=self.request.user,
            subject=data.pop("subject"),
            description=data.pop("description"),
            customer=data.pop("customer", None),
            ticket=data.pop("ticket", None),
            **data,
        )

    def perform_update(self, serializer):
        serializer.instance = services.service_order_update(
            actor=self.request.user, order=serializer.instance, **serializer.validated_data
        )

    def _act(self, request, spec: actions.ActionSpec):
        if not request.user.has_perm(spec.permission):
            raise PermissionDenied
        order = self.get_object()
        params = ACTION_PARAMS[spec.name](data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        order = spec.run(actor=request.user, order=order, values=params.validated_data)
        return Response(ServiceOrderSerializer(order, context=self.get_serializer_context()).data)

    # One route per action of ``actions.SPECS`` (a test checks none is missing).
    analyse = order_action(Action.ANALYSE)
    forward = order_action(Action.FORWARD)
    assume = order_action(Action.ASSUME)
    assign = order_action(Action.ASSIGN)
    schedule = order_action(Action.SCHEDULE)
    travel = order_action(Action.TRAVEL)
    start = order_action(Action.START)
    finish = order_action(Action.FINISH)
    await_reschedule = order_action(Action.AWAIT_RESCHEDULE)
    reopen = order_action(Action.REOPEN)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request, pk=None):
        """Every event of the service order, oldest first."""
        return Response(EventSerializer(self.get_object().events.all(), many=True).data)


router.register("subjects", SubjectViewSet)
router.register("processes", ProcessViewSet)
router.register("tickets", TicketViewSet)
router.register("service-orders", ServiceOrderViewSet)
