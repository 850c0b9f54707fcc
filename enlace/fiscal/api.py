"""REST resources of the fiscal area: ``/api/v1/fiscal-documents/`` and ``/api/v1/fiscal-settings/``.

===============================================  =====================================
reads                                            ``fiscal.view_<model>``
``POST fiscal-documents/`` ``{"invoice": id}``   ``fiscal.add_fiscaldocument``: issues and transmits
``POST fiscal-documents/{id}/transmit/``         ``fiscal.transmit_fiscaldocument``
``POST fiscal-documents/{id}/cancel/``           ``fiscal.cancel_fiscaldocument`` (``reason``)
``GET fiscal-documents/{id}/xml/``, ``pdf/``     ``fiscal.view_fiscaldocument``
``POST/PUT/PATCH fiscal-settings/``              ``fiscal.add/change_fiscalsettings``
===============================================  =====================================

``/api/v1/plan-fiscal-profiles/`` and ``/api/v1/product-fiscal-profiles/``: the classification and
taxes of a plan or product (CRUD, ``fiscal.<action>_<model>``; empty fields: the branch's defaults).

Settings take the A1 as write-only multipart fields ``certificate`` (PKCS#12) and
``certificate_password``; no answer ever contains them (only subject, CNPJ and expiry).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from enlace.api.renderers import PDFRenderer
from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer
from enlace.api.viewsets import EnlaceGenericViewSet, EnlaceModelViewSet
from enlace.billing.api.views import ActionPermissions
from enlace.billing.models import Invoice

from . import downloads, services
from .filtersets import (
    FiscalDocumentFilterSet,
    FiscalSettingsFilterSet,
    PlanFiscalProfileFilterSet,
    ProductFiscalProfileFilterSet,
)
from .models import Classification, FiscalDocument, FiscalSettings, PlanFiscalProfile, ProductFiscalProfile


class FiscalDocumentSerializer(EnlaceModelSerializer):
    class Meta:
        model = FiscalDocument
        fields = [
            "id",
            "display",
            "branch",
            "invoice",
            "cnpj",
            "series",
            "number",
            "environment",
            "key",
            "emission_type",
            "status",
            "amount",
            "issued_at",
            "qr_text",
            "protocol",
            "authorised_at",
            "status_code",
            "status_reason",
            "attempts",
            "cancel_reason",
            "cancel_protocol",
            "cancelled_at",
        ]
        read_only_fields = [f for f in fields if f not in ("invoice",)]


class FiscalIssueSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["invoice"].queryset = Invoice.objects.restrict(getattr(request, "user", None))


class FiscalCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=15, max_length=255)


class FiscalDocumentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, EnlaceGenericViewSet
):
    """NFCom of invoices. ``POST {"invoice": id}`` issues it and transmits it to the authoriser."""

    queryset = FiscalDocument.objects.select_related("invoice", "branch")
    serializer_class = FiscalDocumentSerializer
    filterset_class = FiscalDocumentFilterSet
    ordering_fields = ["id", "number", "issued_at"]
    permission_classes = [ActionPermissions]
    action_permissions = {
        "transmit": ("fiscal.transmit_fiscaldocument",),
        "cancel": ("fiscal.cancel_fiscaldocument",),
        "xml": ("fiscal.view_fiscaldocument",),
        "pdf": ("fiscal.view_fiscaldocument",),
    }

    @extend_schema(request=FiscalIssueSerializer, responses={201: FiscalDocumentSerializer})
    def create(self, request, *args, **kwargs):
        params = FiscalIssueSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        document = services.document_issue(invoice=params.validated_data["invoice"], actor=request.user)
        document = services.document_transmit(document=document, actor=request.user)
        return Response(self.get_serializer(document).data, status=201)

    @extend_schema(request=None, responses=FiscalDocumentSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def transmit(self, request, pk=None):
        document = services.document_transmit(document=self.get_object(), actor=request.user)
        return Response(self.get_serializer(document).data)

    @extend_schema(request=FiscalCancelSerializer, responses=FiscalDocumentSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        document = self.get_object()  # another branch's document is 404 before the body is read
        params = FiscalCancelSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        document = services.document_cancel(
            document=document, reason=params.validated_data["reason"], actor=request.user
        )
        return Response(self.get_serializer(document).data)

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[])
    def xml(self, request, pk=None):
        return downloads.xml_response(self.get_object())

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[], renderer_classes=[PDFRenderer])
    def pdf(self, request, pk=None):
        return downloads.pdf_response(self.get_object())


class FiscalSettingsSerializer(EnlaceModelSerializer):
    certificate = serializers.FileField(write_only=True, required=False, help_text="PKCS#12 (.pfx)")
    certificate_password = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = FiscalSettings
        fields = [
            "id",
            "display",
            "branch",
            "cnpj",
            *FiscalSettings.SETTING_FIELDS,
            "certificate",
            "certificate_password",
            "certificate_subject",
            "certificate_cnpj",
            "certificate_valid_until",
        ]
        read_only_fields = ["certificate_subject", "certificate_cnpj", "certificate_valid_until"]
        extra_kwargs = {"cnpj": {"required": False}}


class FiscalSettingsViewSet(EnlaceModelViewSet):
    """The NFCom emitter of each branch (one per branch)."""

    queryset = FiscalSettings.objects.select_related("branch", "city")
    serializer_class = FiscalSettingsSerializer
    filterset_class = FiscalSettingsFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def build_instance(self, serializer, instance=None):
        data = dict(serializer.validated_data)
        self._certificate = data.pop("certificate", None)
        self._password = data.pop("certificate_password", "")
        serializer._validated_data = data
        return super().build_instance(serializer, instance)

    def save_object(self, instance, *, m2m):
        upload = self._certificate
        return services.fiscal_settings_save(
            instance=instance,
            actor=self.request.user,
            certificate=upload.read() if upload else None,
            password=self._password or "",
        )


class PlanFiscalProfileSerializer(EnlaceModelSerializer):
    class Meta:
        model = PlanFiscalProfile
        fields = [
            "id",
            "display",
            "plan",
            "service_type",
            "installation_cclass",
            *Classification.CLASSIFICATION_FIELDS,
        ]


class PlanFiscalProfileViewSet(EnlaceModelViewSet):
    """A plan's NFCom classification and taxes (empty fields: the branch's defaults)."""

    queryset = PlanFiscalProfile.objects.select_related("plan")
    serializer_class = PlanFiscalProfileSerializer
    filterset_class = PlanFiscalProfileFilterSet


class ProductFiscalProfileSerializer(EnlaceModelSerializer):
    class Meta:
        model = ProductFiscalProfile
        fields = ["id", "display", "product", *Classification.CLASSIFICATION_FIELDS]


class ProductFiscalProfileViewSet(EnlaceModelViewSet):
    """A product's NFCom classification and taxes (empty fields: the branch's defaults)."""

    queryset = ProductFiscalProfile.objects.select_related("product")
    serializer_class = ProductFiscalProfileSerializer
    filterset_class = ProductFiscalProfileFilterSet


router.register("fiscal-documents", FiscalDocumentViewSet)
router.register("fiscal-settings", FiscalSettingsViewSet)
router.register("plan-fiscal-profiles", PlanFiscalProfileViewSet)
router.register("product-fiscal-profiles", ProductFiscalProfileViewSet)
