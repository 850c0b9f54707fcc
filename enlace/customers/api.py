"""REST resources of the customer registry: ``/api/v1/customers/`` (SPEC §14: field names are a stable
contract, never renamed) and ``GET /api/v1/cep/<cep>/`` (the lookup of the address form).

Writes call ``customer_create``/``customer_update`` — the same rules and messages as the form.
A duplicate address answers 400 ``{"detail", "code": "duplicate_address", "customers": [...]}``; the
same request with ``"confirm_duplicate_address": true`` saves.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer
from enlace.api.viewsets import EnlaceGenericViewSet
from enlace.core.models import City

from . import cep as cep_lookup
from . import services
from .filtersets import CustomerFilterSet
from .forms import CustomerForm
from .models import Customer

# The editable fields of the customer record, in the order of its tabs: the same list as the form.
MODEL_FIELDS = CustomerForm.Meta.fields


def _text(label, max_length, **kwargs):
    return serializers.CharField(
        label=label, max_length=max_length, required=False, allow_blank=True, **kwargs
    )


class CustomerSerializer(EnlaceModelSerializer):
    # Masked input is accepted; the answer holds the stored form (digits, or letters and digits of an
    # alphanumeric CNPJ). ``*_display`` fields carry the masked form.
    cpf_cnpj = _text(_("CPF/CNPJ"), 20, help_text=_("With or without the mask."))
    cep = _text(_("CEP"), 10)
    billing_cep = _text(_("billing CEP"), 10)
    mobile_phone = _text(_("mobile phone"), 20)
    phone = _text(_("contact phone"), 20)
    whatsapp = _text(_("WhatsApp"), 20)
    business_phone = _text(_("business phone"), 20)
    portal_login = serializers.CharField(
        label=_("portal login"), max_length=80, required=False, allow_blank=True, allow_null=True
    )
    city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.all(),
        required=False,
        allow_null=True,
        label=_("city"),
        help_text=_("IBGE code of the municipality."),
    )
    billing_city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.all(), required=False, allow_null=True, label=_("billing city")
    )
    state = serializers.SerializerMethodField(
        label=_("state"), help_text=_("Abbreviation of the city's state.")
    )
    portal_password = serializers.CharField(
        label=_("portal password"),
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=128,
        style={"input_type": "password"},
        help_text=_("Stored hashed, never returned; empty keeps the current one."),
    )
    has_portal_password = serializers.BooleanField(read_only=True, label=_("has a portal password"))
    confirm_duplicate_address = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        label=_("confirm duplicate address"),
        help_text=_("Save even if another customer has the same address (SPEC A-4)."),
    )
    cpf_cnpj_display = serializers.CharField(read_only=True, label=_("CPF/CNPJ (masked)"))
    warnings = serializers.SerializerMethodField(
        label=_("warnings"), help_text=_("Things to check that did not stop the save.")
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "display",
            *MODEL_FIELDS,
            "state",
            "portal_password",
            "has_portal_password",
            "confirm_duplicate_address",
            "cpf_cnpj_display",
            "created_at",
            "updated_at",
            "warnings",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_state(self, obj) -> str | None:
        state = obj.state
        return state.abbr if state is not None else None

    def get_warnings(self, obj) -> list[str]:
        return [str(w) for w in getattr(obj, "warnings", [])]

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        for name in ("rg_ie", "trade_name"):  # null is accepted as "empty"
            if name in values and values[name] is None:
                values[name] = ""
        return values


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    EnlaceGenericViewSet,
):
    """Customers (SPEC §1–§4: basic data, address, contact and others). Search with ``?search=`` (name
    fragment, CPF/CNPJ, phone, e-mail, street); filter by ``branch``, ``active``, ``is_lead``, ``city`` (IBGE
    code), ``state``, ``person_type``, ``lead_stage``. Customers are deactivated, never deleted."""

    queryset = Customer.objects.select_related("city__state")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["id", "name", "created_at", "updated_at"]

    def _service_data(self, serializer) -> tuple[dict, bool]:
        data = dict(serializer.validated_data)
        confirm = bool(data.pop("confirm_duplicate_address", False))
        return data, confirm

    def perform_create(self, serializer):
        data, confirm = self._service_data(serializer)
        serializer.instance = services.customer_create(
            actor=self.request.user, confirm_duplicate_address=confirm, **data
        )

    def perform_update(self, serializer):
        data, confirm = self._service_data(serializer)
        serializer.instance = services.customer_update(
            actor=self.request.user, customer=serializer.instance, confirm_duplicate_address=confirm, **data
        )

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"], url_path="convert-lead")
    def convert_lead(self, request, pk=None):
        """Turn a lead into a customer (same id and history)."""
        self._require("change")
        customer = services.customer_convert_lead(actor=request.user, customer=self.get_object())
        return Response(self.get_serializer(customer).data)

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Mark the customer inactive."""
        self._require("change")
        customer = services.customer_deactivate(actor=request.user, customer=self.get_object())
        return Response(self.get_serializer(customer).data)

    def _require(self, perm):
        if not self.request.user.has_perm(f"customers.{perm}_customer"):
            raise PermissionDenied


CepSerializer = inline_serializer(
    name="Cep",
    fields={
        "cep": serializers.CharField(),
        "cep_display": serializers.CharField(),
        "street": serializers.CharField(),
        "neighborhood": serializers.CharField(),
        "city": serializers.IntegerField(help_text=_("IBGE code")),
        "city_name": serializers.CharField(),
        "state": serializers.CharField(),
        "source": serializers.CharField(
            help_text=_('"local" (CEP table) or "online" (provider, then cached)')
        ),
    },
)


class CepAPIView(APIView):
    """CEP lookup (SPEC A-1): the local table, then the online provider (≤ 3 s), cached locally.
    404 when the CEP does not exist; 503 ``{"code": "cep_unavailable"}`` when the lookup cannot be made
    (no network) — the address is then typed by hand."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: CepSerializer,
            400: OpenApiResponse(description=_("Not a CEP (8 digits).")),
            404: OpenApiResponse(description=_("CEP not found.")),
            503: OpenApiResponse(description=_("Lookup unavailable: fill in the address by hand.")),
        },
    )
    def get(self, request, cep):
        user = request.user
        if not (user.has_perm("customers.view_customer") or user.has_perm("customers.add_customer")):
            raise PermissionDenied
        try:
            result = cep_lookup.lookup(cep)
        except cep_lookup.InvalidCep as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
        except cep_lookup.CepNotFound as exc:
            return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_404_NOT_FOUND)
        except cep_lookup.CepUnavailable as exc:
            return Response(
                {"detail": exc.message, "code": exc.code}, status=status.HTTP_503_SERVICE_UNAVAILABLE
            )
        return Response(result.as_dict())


router.register("customers", CustomerViewSet)

# Routed under /api/v1/ by enlace.api.urls (name "api:cep").
api_urls = [path("cep/<str:cep>/", CepAPIView.as_view(), name="cep")]
