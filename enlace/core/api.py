"""REST resources of the core reference data (SPEC G-5: every screen has a REST equivalent under
``/api/v1/``): serializers, viewsets and their routes.

Resources: ``branches``, ``departments``, ``employees``, ``payment-conditions``,
``analytic-accounts``, ``wallets``, ``states`` and ``cities`` (read-only, IBGE codes as ids), ``changes``
(the audit trail, read-only) and ``parameters`` (the general parameters — every app's settings row,
registered in ``enlace.core.parameters``, as one resource: GET and PATCH at ``/api/v1/parameters/``).
"""

import functools

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer
from enlace.api.viewsets import EnlaceModelViewSet, EnlaceReadOnlyModelViewSet, EnlaceSingletonViewSet

from . import filtersets, parameters
from .models import (
    AnalyticAccount,
    AppSettings,
    Branch,
    City,
    Department,
    Employee,
    GeneralParameters,
    ObjectChange,
    PaymentCondition,
    State,
    Wallet,
)
from .services import parameters_update

# --- Serializers ----------------------------------------------------------------------------


class BranchSerializer(EnlaceModelSerializer):
    # Masked input is accepted ("11.222.333/0001-81", "(11) 3333-4444", "01310-100"): the model
    # keeps the digits (``Branch.normalize``) and validates the CNPJ, so these are longer than the
    # stored columns.
    cnpj = serializers.CharField(
        label=_("CNPJ"), max_length=20, help_text=_("With or without the mask; answered as digits only.")
    )
    phone = serializers.CharField(label=_("phone"), max_length=20, required=False, allow_blank=True)
    cep = serializers.CharField(label=_("CEP"), max_length=10, required=False, allow_blank=True)
    state = serializers.SerializerMethodField(
        label=_("state"), help_text=_("Abbreviation of the city's state.")
    )

    class Meta:
        model = Branch
        fields = [
            "id",
            "display",
            "name",
            "legal_name",
            "cnpj",
            "phone",
            "email",
            "active",
            "cep",
            "street",
            "number",
            "complement",
            "neighborhood",
            "city",
            "state",
        ]

    def get_state(self, obj) -> str | None:
        state = obj.state
        return state.abbr if state is not None else None


class DepartmentSerializer(EnlaceModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "display", "name", "email", "serves_tickets", "portal_visible", "active"]


class EmployeeSerializer(EnlaceModelSerializer):
    phone = serializers.CharField(label=_("phone"), max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "display",
            "name",
            "user",
            "email",
            "phone",
            "department",
            "branches",
            "is_technician",
            "is_salesperson",
            "is_attendant",
            "active",
        ]


class PaymentConditionSerializer(EnlaceModelSerializer):
    class Meta:
        model = PaymentCondition
        fields = ["id", "display", "name", "instalments", "first_due_days", "days_between", "active"]


class AnalyticAccountSerializer(EnlaceModelSerializer):
    class Meta:
        model = AnalyticAccount
        fields = ["id", "display", "code", "name", "kind", "parent", "depth", "active"]
        read_only_fields = ["depth"]


class WalletSerializer(EnlaceModelSerializer):
    class Meta:
        model = Wallet
        fields = [
            "id",
            "display",
            "name",
            "branch",
            "bank_code",
            "agency",
            "agency_digit",
            "account",
            "account_digit",
            "carteira",
            "convenio",
            "cnab_layout",
            "fine_percent",
            "interest_percent_month",
            "pix_key",
            "instructions",
            "active",
        ]


class StateSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "abbr", "name"]


class CitySerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="abbr", read_only=True, label=_("state"))
    state_code = serializers.IntegerField(source="state_id", read_only=True, label=_("state IBGE code"))

    class Meta:
        model = City
        fields = ["code", "name", "state", "state_code"]


class ObjectChangeSerializer(serializers.ModelSerializer):
    content_type = serializers.SerializerMethodField(
        label=_("record type"), help_text=_('"app_label.model", for example "core.branch".')
    )

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "time",
            "user",
            "user_name",
            "request_id",
            "source",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "prechange_data",
            "postchange_data",
        ]

    def get_content_type(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


@functools.cache
def _settings_serializer(model: type[AppSettings]) -> type[EnlaceModelSerializer]:
    """The model serializer of one app's registered settings fields; files are read-only (they are
    uploaded on the parameters page)."""
    names = parameters.fields_of(model)
    files = [name for name in names if isinstance(model._meta.get_field(name), models.FileField)]
    meta = type("Meta", (), {"model": model, "fields": names, "read_only_fields": files})
    return type(
        f"{model.__name__}Serializer", (EnlaceModelSerializer,), {"Meta": meta, "__module__": __name__}
    )


class GeneralParametersSerializer(serializers.Serializer):
    """Every app's registered settings row (``enlace.core.parameters``) as one resource: the fields
    of each row's model serializer, in the order of the parameters page's tabs, relations last.
    It never saves: the viewset calls ``parameters_update``."""

    display = serializers.SerializerMethodField(label=_("display"), help_text=_("The record as text."))

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        fields = super().get_fields()
        plain, relations = {}, {}
        for tab in parameters.tabs():
            row = _settings_serializer(tab.model)(context=self.context).get_fields()
            for name in tab.fields:
                is_relation = isinstance(row[name], serializers.RelatedField | serializers.ManyRelatedField)
                (relations if is_relation else plain)[name] = row[name]
        return {**fields, **plain, **relations}


# --- Viewsets -------------------------------------------------------------------------------


class BranchViewSet(EnlaceModelViewSet):
    queryset = Branch.objects.select_related("city__state")
    serializer_class = BranchSerializer
    filterset_class = filtersets.BranchFilterSet
    ordering_fields = ["id", "name", "legal_name", "cnpj", "active"]


class DepartmentViewSet(EnlaceModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet
    ordering_fields = ["id", "name", "active"]


class EmployeeViewSet(EnlaceModelViewSet):
    queryset = Employee.objects.prefetch_related("branches")
    serializer_class = EmployeeSerializer
    filterset_class = filtersets.EmployeeFilterSet
    ordering_fields = ["id", "name", "email", "department", "active"]


class PaymentConditionViewSet(EnlaceModelViewSet):
    queryset = PaymentCondition.objects.all()
    serializer_class = PaymentConditionSerializer
    filterset_class = filtersets.PaymentConditionFilterSet
    ordering_fields = ["id", "name", "instalments", "first_due_days", "days_between", "active"]


class AnalyticAccountViewSet(EnlaceModelViewSet):
    queryset = AnalyticAccount.objects.all()
    serializer_class = AnalyticAccountSerializer
    filterset_class = filtersets.AnalyticAccountFilterSet
    ordering_fields = ["id", "code", "name", "kind", "active"]


class WalletViewSet(EnlaceModelViewSet):
    queryset = Wallet.objects.select_related("branch")
    serializer_class = WalletSerializer
    filterset_class = filtersets.WalletFilterSet
    ordering_fields = ["id", "name", "bank_code", "active"]


class StateViewSet(EnlaceReadOnlyModelViewSet):
    queryset = State.objects.all()
    serializer_class = StateSerializer
    filterset_class = filtersets.StateFilterSet
    ordering_fields = ["code", "abbr", "name"]
    lookup_field = "code"


class CityViewSet(EnlaceReadOnlyModelViewSet):
    queryset = City.objects.select_related("state")
    serializer_class = CitySerializer
    filterset_class = filtersets.CityFilterSet
    ordering_fields = ["code", "name"]
    lookup_field = "code"


class ObjectChangeViewSet(EnlaceReadOnlyModelViewSet):
    """The audit trail (SPEC G-3): who changed what, when, before → after."""

    queryset = ObjectChange.objects.select_related("content_type")
    serializer_class = ObjectChangeSerializer
    filterset_class = filtersets.ObjectChangeFilterSet
    ordering_fields = ["id", "time", "action", "object_id", "user_name"]


@extend_schema_view(
    retrieve=extend_schema(summary=_("General parameters")),
    partial_update=extend_schema(summary=_("Change general parameters")),
)
class ParametersViewSet(EnlaceSingletonViewSet):
    """Configurações ➜ Parâmetros ➜ Parâmetros Gerais: every app's settings row as one resource (SPEC
    G-7: the general parameters are editable in the UI and the API and drive the rules). Guarded by
    the permissions of ``core.GeneralParameters``."""

    queryset = GeneralParameters.objects.all()
    serializer_class = GeneralParametersSerializer

    def get_singleton(self):
        return parameters.load()

    def perform_update(self, serializer):
        serializer.instance = parameters_update(actor=self.request.user, **serializer.validated_data)


router.register("branches", BranchViewSet)
router.register("departments", DepartmentViewSet)
router.register("employees", EmployeeViewSet)
router.register("payment-conditions", PaymentConditionViewSet)
router.register("analytic-accounts", AnalyticAccountViewSet)
router.register("wallets", WalletViewSet)
router.register("states", StateViewSet)
router.register("cities", CityViewSet)
router.register("changes", ObjectChangeViewSet)
router.register("parameters", ParametersViewSet)
