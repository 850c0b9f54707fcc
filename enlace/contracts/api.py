"""REST resources of plans and contracts (SPEC G-5: every screen has a REST equivalent; §14: the
field names are a stable contract, never renamed): ``plans``, ``contracts`` and ``history``.

Contracts are created and changed without their status fields; the status changes through the
actions ``POST /api/v1/contracts/{id}/activate/``, ``block/`` (``reason``), ``unblock/``
(optional ``reason``), ``cancel/`` (``reason``, optional ``origin`` M/A and ``date``) and
``change-plan/`` (``plan``, optional ``effective_date`` and ``reason``), each
answering the contract; a refused transition is 400 ``{"detail", "code": "invalid_transition"}``.
"""

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enlace.api.fields import BoundedDateField
from enlace.api.renderers import PdfViewMixin
from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer, ScopedRelationsMixin
from enlace.api.viewsets import EnlaceGenericViewSet, EnlaceModelViewSet
from enlace.customers.models import Customer
from enlace.customers.selectors import customer_in_scope

from . import filtersets, reports, selectors, services
from .forms import PLAN_FIELDS
from .models import CancellationOrigin, Contract, ContractHistory, Plan


class PlanSerializer(EnlaceModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "display", *PLAN_FIELDS]


class ContractSerializer(EnlaceModelSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "display",
            "customer",
            "plan",
            "branch",
            "type",
            "status",
            "access_status",
            "contract_date",
            "signature_date",
            "activation_date",
            "cancellation_date",
            "cancellation_reason",
            "cancellation_origin",
            "due_day",
            "wallet",
            "payment_condition",
            "first_billing_date",
            "billing_type",
            "price",
            "discount",
            "loyalty_months",
            "installation_fee",
            "installation_instalments",
            "inclusion_reason",
            "own_address",
            "cep",
            "street",
            "number",
            "complement",
            "neighborhood",
            "city",
            "salesperson",
            "notes",
            "no_block_until",
            "created_at",
        ]
        read_only_fields = sorted(services.STATUS_FIELDS)


class HistorySerializer(EnlaceModelSerializer):
    """A history entry (SPEC H-1: what a contract went through, with type, date, text and operator;
    §14: stable field names). Created through the API it is always manual, by the
    requesting operator; give the contract (its customer is filled in) or the customer."""

    class Meta:
        model = ContractHistory
        fields = [
            "id",
            "display",
            "customer",
            "contract",
            "kind",
            "text",
            "operator",
            "operator_name",
            "created_at",
            "manual",
        ]
        read_only_fields = ["kind", "operator", "operator_name", "created_at", "manual"]
        extra_kwargs = {"customer": {"required": False}}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is None and not attrs.get("customer") and not attrs.get("contract"):
            raise serializers.ValidationError({"customer": [_("Give the customer or the contract.")]})
        if self.instance is not None:
            changed = [
                name
                for name in ("customer", "contract")
                if name in attrs and attrs[name] != getattr(self.instance, name)
            ]
            if changed:
                raise serializers.ValidationError(
                    {changed[0]: [_("An entry cannot move to another record.")]}
                )
        return attrs


class ReasonSerializer(ScopedRelationsMixin, serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), trim_whitespace=False, allow_blank=True, required=False)


class ActivateSerializer(serializers.Serializer):
    activation_date = BoundedDateField(label=_("activation date"), required=False)


@extend_schema_field({"type": "string", "enum": CancellationOrigin.values, "default": "M"})
class OriginField(serializers.ChoiceField):
    """The cancellation origin, M (manual) or A (automatic); described inline in the schema so that
    it does not compete with the contract's ``cancellation_origin`` for the enum's name."""


class CancelSerializer(ReasonSerializer):
    origin = OriginField(
        label=_("origin"), choices=CancellationOrigin.choices, default=CancellationOrigin.MANUAL
    )
    date = BoundedDateField(label=_("cancellation date"), required=False)


class ChangePlanSerializer(ReasonSerializer):
    plan = serializers.PrimaryKeyRelatedField(label=_("plan"), queryset=Plan.objects.all())
    effective_date = BoundedDateField(label=_("effective date"), required=False)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["plan"].queryset = selectors.plans_in_scope(request.user)
        return fields


class HistoryViewSet(EnlaceModelViewSet):
    """The contract history (SPEC §12: everything the customer's contracts went through). Filter by
    ``customer`` or ``contract``, ``kind``, ``manual``; newest first. Only manual entries can be changed or
    deleted (400 ``automatic_entry``)."""

    queryset = ContractHistory.objects.select_related("customer", "contract")
    serializer_class = HistorySerializer
    filterset_class = filtersets.ContractHistoryFilterSet
    ordering_fields = ["id", "created_at"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.history_add(
            actor=self.request.user,
            customer=data.get("customer"),
            contract=data.get("contract"),
            text=data["text"],
            manual=True,
        )

    def perform_update(self, serializer):
        text = serializer.validated_data.get("text", serializer.instance.text)
        serializer.instance = services.history_update(
            actor=self.request.user, entry=serializer.instance, text=text
        )

    def perform_destroy(self, instance):
        services.history_delete(actor=self.request.user, entry=instance)


class PlanViewSet(EnlaceModelViewSet):
    queryset = Plan.objects.select_related("branch")
    serializer_class = PlanSerializer
    filterset_class = filtersets.PlanFilterSet
    ordering_fields = ["id", "name", "type", "price", "active"]

    def save_object(self, instance, *, m2m: dict):
        return services.plan_save(instance, actor=self.request.user)


class ContractViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    EnlaceGenericViewSet,
):
    """Contracts (SPEC §5: type, status and access status, billing data, actions). Filter by ``customer``,
    ``branch``, ``plan``, ``type``, ``status``, ``access_status``, ``wallet``. Contracts are cancelled, never
    deleted."""

    queryset = Contract.objects.select_related("customer", "plan", "branch", "wallet")
    serializer_class = ContractSerializer
    filterset_class = filtersets.ContractFilterSet
    ordering_fields = ["id", "activation_date", "contract_date", "due_day"]

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.contract_update(
            actor=self.request.user, contract=serializer.instance, **serializer.validated_data
        )

    def _act(self, request, service, serializer_class):
        if not request.user.has_perm("contracts.change_contract"):
            raise PermissionDenied
        contract = self.get_object()
        params = serializer_class(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        contract = service(actor=request.user, contract=contract, **params.validated_data)
        return Response(ContractSerializer(contract, context=self.get_serializer_context()).data)

    @extend_schema(request=ActivateSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Pré-contrato → Ativo (access Ativo)."""
        return self._act(request, services.contract_activate, ActivateSerializer)

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        """Manual block (access CM), with the reason."""
        return self._act(request, services.contract_block, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def unblock(self, request, pk=None):
        """Blocked → access Ativo."""
        return self._act(request, services.contract_unblock, ReasonSerializer)

    @extend_schema(request=CancelSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel: Inativo with date, reason and origin; access Desativado."""
        return self._act(request, services.contract_cancel, CancelSerializer)

    @extend_schema(request=ChangePlanSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="change-plan")
    def change_plan(self, request, pk=None):
        """Upgrade or downgrade to another plan of the contract's branch and type."""
        return self._act(request, services.contract_change_plan, ChangePlanSerializer)


router.register("plans", PlanViewSet)
router.register("contracts", ContractViewSet)
router.register("history", HistoryViewSet)


class CustomerHistoryPdfAPIView(PdfViewMixin, APIView):
    """ "Imprimir" (SPEC H-3): the PDF report of every history entry of the customer's contracts
    (also to ``Accept: application/pdf``; errors are JSON)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        if not request.user.has_perm("contracts.view_contracthistory"):
            raise PermissionDenied
        try:
            customer = customer_in_scope(user=request.user, pk=pk)
        except Customer.DoesNotExist:
            raise Http404 from None
        pdf = reports.history_pdf(customer, selectors.customer_history(customer, user=request.user))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="history-{customer.pk}.pdf"'
        return response


# Routed under /api/v1/ by enlace.api.urls (name "api:customer-history-pdf").
api_urls = [
    path("customers/<int:pk>/history.pdf", CustomerHistoryPdfAPIView.as_view(), name="customer-history-pdf")
]
