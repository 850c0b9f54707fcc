"""REST resources of the messaging area: ``/api/v1/messages/`` (the delivery log, read-only, filtered
by ``enlace.messaging.filtersets.MessageFilterSet``) and ``POST /api/v1/messages/{id}/resend/``
(``messaging.resend_message``: the message goes back to the queue and is sent again)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer
from enlace.api.viewsets import EnlaceReadOnlyModelViewSet
from enlace.billing.api.serializers import NamedChoiceField
from enlace.billing.api.views import ActionPermissions

from . import services
from .filtersets import MessageFilterSet
from .models import Channel, Event, Message, MessageStatus


class MessageSerializer(EnlaceModelSerializer):
    event = NamedChoiceField(choices=Event.choices, enum_name="MessageEventEnum", read_only=True)
    channel = NamedChoiceField(choices=Channel.choices, enum_name="MessageChannelEnum", read_only=True)
    status = NamedChoiceField(choices=MessageStatus.choices, enum_name="MessageStatusEnum", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "display",
            "rule",
            "rule_name",
            "event",
            "channel",
            "customer",
            "invoice",
            "contract",
            "recipient",
            "subject",
            "text",
            "html",
            "attach_boleto",
            "status",
            "provider",
            "provider_id",
            "attempts",
            "last_error",
            "failed_at",
            "permanent_failure",
            "recoveries",
            "created_at",
            "sent_at",
            "delivered_at",
        ]
        read_only_fields = fields


class MessageViewSet(EnlaceReadOnlyModelViewSet):
    """Billing messages sent (or queued) to customers: rule, channel, recipient, rendered text,
    status (queued, sent, delivered, failed), provider id, times."""

    queryset = Message.objects.select_related("rule")
    serializer_class = MessageSerializer
    filterset_class = MessageFilterSet
    ordering_fields = ["id", "created_at", "sent_at"]
    permission_classes = [ActionPermissions]
    action_permissions = {"resend": ("messaging.resend_message",)}

    @extend_schema(request=None, responses=MessageSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def resend(self, request, pk=None):
        """Send the message again (back to the queue, attempts reset)."""
        message = services.message_resend(actor=request.user, message=self.get_object())
        return Response(self.get_serializer(message).data)


router.register("messages", MessageViewSet)
