"""REST resources of the RADIUS area: ``nas``, ``ip-pools``, ``logins`` (SPEC G-5: every screen has a
REST equivalent; §14: the field names are a stable contract, never renamed; L-1 … L-12: concentrators,
pools and the logins that authenticate subscribers through FreeRADIUS).

- ``/api/v1/nas/`` — concentrators; ``secret`` is write-only (kept when omitted on update).
- ``/api/v1/ip-pools/`` — radius pools: ``ranges`` (CIDR strings), ``excluded`` (addresses), and
  the read-only figures ``size``, ``used`` and ``free``.
- ``/api/v1/logins/`` — logins. Create with ``contract`` (customer, branch and, unless given, plan
  come from it); ``password`` is write-only (an empty one on update keeps the current);
  ``online`` and ``ip`` are read-only, from the open accounting session (``radacct``).
  ``POST {id}/disconnect/`` sends a Disconnect-Request to each open session (400
  ``not_online`` when there is none); ``GET generate-password/`` answers ``{"password": ...}``;
  ``GET {id}/sessions/`` lists the login's sessions, newest first, paginated.

Every write goes through ``enlace.radius.services``, which keeps FreeRADIUS's tables in the same
transaction.
"""

from __future__ import annotations

import ipaddress

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from enlace.api.fields import BoundedDateTimeField
from enlace.api.routers import router
from enlace.api.serializers import EnlaceModelSerializer
from enlace.api.viewsets import EnlaceModelViewSet

from . import filtersets, selectors, services
from .models import AuthType, ConnectionType, DisconnectRequest, IpAllocation, IpPool, Login, Nas, NasType
from .sessions import open_sessions

# --- Concentrators -------------------------------------------------------------------------


class NasTypeField(serializers.ChoiceField):
    """The concentrator's type. Its schema is the named component ``NasTypeEnum`` (see
    ``NasTypeFieldExtension``), so that it does not compete with the plans' and contracts' ``type``
    for the enum's name."""


class NasTypeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NasTypeField

    def get_name(self):
        return "NasTypeEnum"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "string",
            "enum": NasType.values,
            "description": "\n".join(f"* `{value}` - {label}" for value, label in NasType.choices),
        }


class NasSerializer(EnlaceModelSerializer):
    type = NasTypeField(label=_("type"), choices=NasType.choices, default=NasType.MIKROTIK)

    class Meta:
        model = Nas
        fields = [
            "id",
            "display",
            "name",
            "ip",
            "secret",
            "type",
            "coa_port",
            "branch",
            "description",
            "active",
        ]
        extra_kwargs = {"secret": {"write_only": True, "style": {"input_type": "password"}}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # an update keeps the secret when it is not sent
            fields["secret"].required = False
        return fields


class NasViewSet(EnlaceModelViewSet):
    """Concentrators (L-11: registered with IP, secret and type; FreeRADIUS reads them). Filter by ``branch``,
    ``type``, ``active``, ``q``."""

    queryset = Nas.objects.select_related("branch")
    serializer_class = NasSerializer
    filterset_class = filtersets.NasFilterSet
    ordering_fields = ["id", "name", "ip", "type"]

    def save_object(self, instance, *, m2m: dict):
        return services.nas_save(instance, actor=self.request.user)

    def delete_object(self, instance):
        services.nas_delete(instance, actor=self.request.user)


# --- IP pools ------------------------------------------------------------------------------


def pool_size(pool: IpPool) -> int:
    """Addresses the pool may hand out (as ``IpPool.addresses`` counts them), without listing them."""
    try:
        networks = pool.networks()
    except ValueError:
        return 0
    total = 0
    for net in networks:
        total += net.num_addresses - 2 if net.prefixlen < 31 else net.num_addresses
    for text in set(pool.excluded or []):
        try:
            ip = ipaddress.IPv4Address(text)
        except ValueError:
            continue
        for net in networks:
            if ip in net and (net.prefixlen >= 31 or ip not in (net.network_address, net.broadcast_address)):
                total -= 1
                break
    return total


class IpPoolSerializer(EnlaceModelSerializer):
    ranges = serializers.ListField(
        label=_("ranges"),
        child=serializers.CharField(),
        help_text=_("CIDR ranges, e.g. 100.64.0.0/22."),
    )
    excluded = serializers.ListField(
        label=_("excluded addresses"),
        child=serializers.CharField(),
        required=False,
        help_text=_("Addresses never handed out."),
    )
    size = serializers.SerializerMethodField(label=_("size"), help_text=_("Addresses the pool can hand out."))
    used = serializers.SerializerMethodField(label=_("used"), help_text=_("Addresses handed out to logins."))
    free = serializers.SerializerMethodField(label=_("free"), help_text=_("Addresses still free."))

    class Meta:
        model = IpPool
        fields = [
            "id",
            "display",
            "name",
            "ranges",
            "excluded",
            "branch",
            "description",
            "size",
            "used",
            "free",
        ]

    def get_size(self, obj) -> int:
        return pool_size(obj)

    def get_used(self, obj) -> int:
        used = getattr(obj, "used_count", None)
        return used if used is not None else IpAllocation.objects.filter(pool=obj).count()

    def get_free(self, obj) -> int:
        return max(self.get_size(obj) - self.get_used(obj), 0)


class IpPoolViewSet(EnlaceModelViewSet):
    """Radius pools (L-9: address ranges Enlace manages, one address per login). Filter by ``branch``,
    ``q``."""

    queryset = (
        IpPool.objects.select_related("branch")
        .annotate(used_count=Count("allocations"))
        .order_by("name", "id")
    )
    serializer_class = IpPoolSerializer
    filterset_class = filtersets.IpPoolFilterSet
    ordering_fields = ["id", "name"]

    def save_object(self, instance, *, m2m: dict):
        return services.pool_save(instance, actor=self.request.user)

    def delete_object(self, instance):
        services.pool_delete(instance, actor=self.request.user)


# --- Logins --------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": AuthType.values, "default": AuthType.PPPOE})
class AuthTypeField(serializers.ChoiceField):
    """L-3: L PPPoE, H Hotspot, M IP×MAC, V VLAN, D IPoE/DHCP."""


@extend_schema_field({"type": "string", "enum": ["", *ConnectionType.values]})
class ConnectionTypeField(serializers.ChoiceField):
    """L-4 (informative): 5.8, 2.4, CABO, FIBRA, ADSL, LTE."""


class LoginSerializer(EnlaceModelSerializer):
    """A login (§14: stable field names). ``customer`` and ``branch`` are the contract's; ``plan`` defaults to
    it."""

    auth_type = AuthTypeField(label=_("authentication"), choices=AuthType.choices, default=AuthType.PPPOE)
    connection_type = ConnectionTypeField(
        label=_("connection type"), choices=ConnectionType.choices, required=False, allow_blank=True
    )
    online = serializers.SerializerMethodField(
        label=_("online"), help_text=_("An accounting session of the login is open.")
    )
    ip = serializers.SerializerMethodField(
        label=_("IP address"), help_text=_("Address of the open session (Framed-IP-Address), if online.")
    )
    pool_address = serializers.SerializerMethodField(
        label=_("pool address"), help_text=_("Address handed out from the radius pool.")
    )

    class Meta:
        model = Login
        fields = [
            "id",
            "display",
            "customer",
            "contract",
            "branch",
            "username",
            "password",
            "auth_type",
            "connection_type",
            "password_md5",
            "plan",
            "radius_pool",
            "pool_address",
            "nas_pool",
            "fixed_ip",
            "mac",
            "simultaneous_use",
            "active",
            "notes",
            "online",
            "ip",
            "created_at",
        ]
        read_only_fields = ["customer", "branch", "created_at"]
        extra_kwargs = {
            "password": {
                "write_only": True,
                "required": False,
                "allow_blank": True,
                "style": {"input_type": "password"},
                "help_text": _(
                    "Required on creation (GET generate-password/ gives one); empty on update keeps it."
                ),
            },
            "plan": {"required": False},
            "contract": {"required": True},
        }

    def validate_password(self, value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            services.validate_password_length(value)  # minimum length by parameter (default 8)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def get_online(self, obj) -> bool:
        online = getattr(obj, "is_online", None)
        if online is None:
            online = open_sessions().filter(username=obj.username).exists()
        return bool(online)

    @extend_schema_field(serializers.IPAddressField(allow_null=True))
    def get_ip(self, obj):
        if hasattr(obj, "session_ip"):
            return obj.session_ip
        session = (
            open_sessions()
            .filter(username=obj.username)
            .exclude(framedipaddress=None)
            .order_by("-acctstarttime", "-radacctid")
            .first()
        )
        return session.framedipaddress if session else None

    @extend_schema_field(serializers.IPAddressField(allow_null=True))
    def get_pool_address(self, obj):
        if not obj.radius_pool_id:
            return None
        allocation = getattr(obj, "allocation", None)
        return allocation.address if allocation else None


class DisconnectParamsSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"), required=False, allow_blank=True, max_length=200)


class DisconnectRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisconnectRequest
        fields = [
            "id",
            "kind",
            "nas_ip",
            "session_id",
            "framed_ip",
            "status",
            "attempts",
            "detail",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class DisconnectResultSerializer(serializers.Serializer):
    requests = DisconnectRequestSerializer(many=True, read_only=True)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(read_only=True)


class SessionSerializer(serializers.Serializer):
    """One accounting session (``radacct``). ``bytes_in`` is what the concentrator received from
    the subscriber (upload), ``bytes_out`` what it sent (download)."""

    id = serializers.IntegerField(source="radacctid", read_only=True)
    session_id = serializers.CharField(source="acctsessionid", read_only=True)
    start = BoundedDateTimeField(source="acctstarttime", read_only=True, allow_null=True)
    stop = BoundedDateTimeField(source="acctstoptime", read_only=True, allow_null=True)
    last_update = BoundedDateTimeField(source="acctupdatetime", read_only=True, allow_null=True)
    duration = serializers.SerializerMethodField(help_text=_("Seconds online."))
    online = serializers.BooleanField(read_only=True)
    ip = serializers.IPAddressField(source="framedipaddress", read_only=True, allow_null=True)
    nas = serializers.IPAddressField(source="nasipaddress", read_only=True)
    nas_name = serializers.SerializerMethodField()
    mac = serializers.CharField(source="callingstationid", read_only=True, allow_null=True)
    bytes_in = serializers.IntegerField(source="acctinputoctets", read_only=True, allow_null=True)
    bytes_out = serializers.IntegerField(source="acctoutputoctets", read_only=True, allow_null=True)
    terminate_cause = serializers.CharField(source="acctterminatecause", read_only=True, allow_null=True)

    def get_duration(self, obj) -> int | None:
        duration = selectors.session_duration(obj)
        return int(duration.total_seconds()) if duration is not None else None

    def get_nas_name(self, obj) -> str | None:
        return self.context.get("nas_names", {}).get(str(obj.nasipaddress))


class LoginViewSet(EnlaceModelViewSet):
    """Logins (L-1 … L-10: login, password, authentication, plan, pools and speed profile of a
    subscriber's connection). Filter by ``customer``, ``contract``, ``branch``, ``plan``,
    ``auth_type``, ``connection_type``, ``radius_pool``, ``active``, ``online``, ``q``."""

    queryset = Login.objects.all()
    serializer_class = LoginSerializer
    filterset_class = filtersets.LoginFilterSet
    ordering_fields = ["id", "username", "created_at"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            queryset = selectors.with_status(queryset.select_related("allocation"))
        return queryset

    def perform_create(self, serializer):
        serializer.instance = services.login_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.login_update(
            actor=self.request.user, login=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.login_delete(actor=self.request.user, login=instance)

    @extend_schema(request=DisconnectParamsSerializer, responses=DisconnectResultSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated], filter_backends=[])
    def disconnect(self, request, pk=None):
        """ "Desconectar": a Disconnect-Request to the NAS of each open session of the login (needs the
        permission ``radius.disconnect_login``, which Atendimento has). 400 ``not_online`` when the login has no open session. The
        requests are sent by a background task; each one's ``status`` says how far it got."""
        if not request.user.has_perm("radius.disconnect_login"):
            raise PermissionDenied
        login = self.get_object()
        params = DisconnectParamsSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        queued = services.login_disconnect(
            actor=request.user, login=login, reason=params.validated_data.get("reason", "")
        )
        rows = DisconnectRequest.objects.filter(pk__in=[r.pk for r in queued]).order_by("pk")
        return Response({"requests": DisconnectRequestSerializer(rows, many=True).data})

    @extend_schema(responses=PasswordSerializer)
    @action(
        detail=False,
        methods=["get"],
        url_path="generate-password",
        filter_backends=[],
        pagination_class=None,
    )
    def generate_password(self, request):
        """ "Gerar senha" (L-8): a new random password (letters and digits, 12 characters)."""
        return Response({"password": services.generate_password()})

    @extend_schema(responses=SessionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def sessions(self, request, pk=None):
        """The login's accounting sessions (``radacct``), newest first, paginated."""
        login = self.get_object()
        page = self.paginate_queryset(selectors.sessions(login))
        context = {
            **self.get_serializer_context(),
            "nas_names": selectors.nas_names(s.nasipaddress for s in page),
        }
        return self.get_paginated_response(SessionSerializer(page, many=True, context=context).data)


router.register("nas", NasViewSet)
router.register("ip-pools", IpPoolViewSet)
router.register("logins", LoginViewSet)
