"""``/api/v1/files/``: the customers' files (SPEC AR-1: uploads with an editable description,
size and type limits; §14: field names are a stable contract, never renamed).

- ``POST files/`` (multipart: ``customer``, ``description``, ``file``) stores a file after the size
  and content checks of ``enlace.customers.files.checks`` (400 on ``file`` when refused; nothing stored);
- ``PATCH files/{id}/`` changes the ``description`` only (the content is never replaced);
- ``GET files/{id}/download/`` answers the content as an attachment;
- ``DELETE files/{id}/`` removes the record and, after commit, the content.

``file`` reads as the URL of the download action, never a public media URL. Permissions:
``customers.{view,add,change,delete}_customerfile``; another branch's file is 404.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser

from enlace.api.parsers import JSONParser
from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer
from enlace.api.viewsets import EnlaceGenericViewSet
from enlace.core.exceptions import ApplicationError

from ..models import CustomerFile
from . import services
from .views import file_response


class DownloadUrlFileField(serializers.FileField):
    """Upload on write; on read, the URL of the record's download action."""

    def to_representation(self, value):
        if not value:
            return None
        url = reverse("api:file-download", args=[value.instance.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class CustomerFileSerializer(EnlaceModelSerializer):
    file = DownloadUrlFileField(
        label=gettext_lazy("file"),
        help_text=gettext_lazy("The upload (multipart); reads as the URL that downloads it."),
    )

    class Meta:
        model = CustomerFile
        fields = [
            "id",
            "display",
            "customer",
            "description",
            "file",
            "original_name",
            "size",
            "content_type",
            "uploaded_at",
            "uploaded_by",
        ]
        read_only_fields = ["original_name", "size", "content_type", "uploaded_at", "uploaded_by"]


class CustomerFileUpdateSerializer(EnlaceModelSerializer):
    class Meta:
        model = CustomerFile
        fields = ["id", "description"]


class CustomerFileViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    EnlaceGenericViewSet,
):
    """Files of the customers (filter with ``customer``)."""

    queryset = CustomerFile.objects.select_related("customer")
    serializer_class = CustomerFileSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["customer"]
    ordering_fields = ["id", "uploaded_at", "size", "description"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        if self.action == "partial_update":
            return CustomerFileUpdateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.customer_file_create(
            actor=self.request.user,
            customer=data["customer"],
            description=data["description"],
            upload=data["file"],
        )

    def perform_update(self, serializer):
        if {"file", "customer"} & set(self.request.data):
            raise ApplicationError(
                _("The content of a file cannot be replaced; upload a new file."),
                code="immutable",
                field="file",
            )
        serializer.instance = services.customer_file_update(
            actor=self.request.user,
            file=serializer.instance,
            description=serializer.validated_data.get("description", serializer.instance.description),
        )

    def perform_destroy(self, instance):
        services.customer_file_delete(actor=self.request.user, file=instance)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response.data = CustomerFileSerializer(self.get_object(), context=self.get_serializer_context()).data
        return response

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def download(self, request, pk=None):
        """The file's content, as an attachment."""
        return file_response(self.get_object())


router.register("files", CustomerFileViewSet, basename="file")
