"""Concentrators (NAS), IP pools and logins (SPEC §6, L-1 … L-12).

These are Enlace's own records; what FreeRADIUS reads is their projection into its stock tables
(``enlace.radius.freeradius``), written by ``enlace.radius.projection`` in the same transaction.
"""

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enlace.core.models import AppSettings, Branch, EnlaceModel
from enlace.core.validators import no_edge_whitespace_constraints

from .freeradius import (  # noqa: F401  (the FreeRADIUS tables belong to this app)
    NasReload,
    RadAcct,
    RadAcctLoadPosition,
    RadCheck,
    RadGroupCheck,
    RadGroupReply,
    RadiusNas,
    RadPostAuth,
    RadReply,
    RadUserGroup,
)

#: L-6: letters, digits and ``@ . - _`` only (no spaces, no accents).
USERNAME_RE = re.compile(r"^[A-Za-z0-9@._-]+$")
#: Largest pool we enumerate (a /16); larger ranges are refused.
MAX_POOL_ADDRESSES = 65536


class NasType(models.TextChoices):
    MIKROTIK = "mikrotik", _("MikroTik")
    HUAWEI = "huawei", _("Huawei")
    JUNIPER = "juniper", _("Juniper")
    CISCO = "cisco", _("Cisco")
    ACCEL_PPP = "accel-ppp", _("accel-ppp")
    OTHER = "other", _("Other")


class Nas(EnlaceModel):
    """Concentrador (L-11: registered with IP, secret and type; FreeRADIUS reads it as a client): a
    router that asks FreeRADIUS (PPPoE server, hotspot, BNG)."""

    branch_scope = "branch"
    audit_exclude = ("secret",)

    name = models.CharField(_("name"), max_length=60, unique=True)
    ip = models.GenericIPAddressField(_("IP address"), protocol="IPv4", unique=True)
    secret = models.CharField(
        _("shared secret"), max_length=60, help_text=_("The RADIUS secret configured on the concentrator.")
    )
    type = models.CharField(_("type"), max_length=12, choices=NasType.choices, default=NasType.MIKROTIK)
    coa_port = models.PositiveIntegerField(
        _("CoA/Disconnect port"), default=3799, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("concentrator (NAS)")
        verbose_name_plural = _("concentrators (NAS)")
        constraints = [
            *no_edge_whitespace_constraints("nas", "name", "secret", "description"),
            models.CheckConstraint(condition=Q(type__in=NasType.values), name="nas_type_valid"),
            models.CheckConstraint(
                condition=Q(coa_port__gte=1, coa_port__lte=65535), name="nas_coa_port_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.ip})"


def parse_networks(ranges) -> list[ipaddress.IPv4Network]:
    networks = []
    for item in ranges or []:
        networks.append(ipaddress.IPv4Network(str(item), strict=False))
    return networks


class IpPool(EnlaceModel):
    """Pool radius (L-9): address ranges Enlace hands out, one address per login, sent as
    Framed-IP-Address. Network and broadcast addresses of ranges shorter than /31 are skipped.
    A pool without a branch is shared by every branch."""

    branch_scope = "branch"
    branch_scope_shared = True

    name = models.CharField(_("name"), max_length=60, unique=True)
    ranges = models.JSONField(_("ranges"), default=list, help_text=_("CIDR ranges, e.g. 100.64.0.0/22."))
    excluded = models.JSONField(
        _("excluded addresses"), default=list, blank=True, help_text=_("Addresses never handed out.")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("branch")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("IP pool")
        verbose_name_plural = _("IP pools")
        constraints = [*no_edge_whitespace_constraints("ippool", "name", "description")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not isinstance(self.ranges, list) or not self.ranges:
            errors["ranges"] = [_("Give at least one CIDR range.")]
        else:
            networks = []
            for item in self.ranges:
                try:
                    net = ipaddress.IPv4Network(str(item), strict=True)
                except ValueError:
                    errors.setdefault("ranges", []).append(
                        _("“%(value)s” is not an IPv4 network in CIDR notation (e.g. 100.64.0.0/22).")
                        % {"value": item}
                    )
                    continue
                if net.num_addresses > MAX_POOL_ADDRESSES:
                    errors.setdefault("ranges", []).append(
                        _("“%(value)s” is larger than a /16; split it.") % {"value": item}
                    )
                    continue
                for other in networks:
                    if net.overlaps(other):
                        errors.setdefault("ranges", []).append(
                            _("“%(value)s” overlaps %(other)s.") % {"value": item, "other": other}
                        )
                networks.append(net)
            if not errors:
                self.ranges = [str(n) for n in networks]
        if not isinstance(self.excluded, list):
            errors["excluded"] = [_("Give a list of IPv4 addresses.")]
        else:
            cleaned = []
            for item in self.excluded:
                try:
                    cleaned.append(str(ipaddress.IPv4Address(str(item).strip())))
                except ValueError:
                    errors.setdefault("excluded", []).append(
                        _("“%(value)s” is not an IPv4 address.") % {"value": item}
                    )
            if "excluded" not in errors:
                self.excluded = sorted(set(cleaned), key=lambda a: ipaddress.IPv4Address(a))
        if errors:
            raise ValidationError(errors)

    def networks(self) -> list[ipaddress.IPv4Network]:
        return parse_networks(self.ranges)

    def contains(self, address: str) -> bool:
        ip = ipaddress.IPv4Address(address)
        return any(ip in net for net in self.networks())

    def addresses(self):
        """Every address this pool may hand out, in order."""
        excluded = set(self.excluded or [])
        for net in self.networks():
            hosts = net.hosts() if net.prefixlen < 31 else iter(net)
            for ip in hosts:
                text = str(ip)
                if text not in excluded:
                    yield text

    @property
    def size(self) -> int:
        return sum(1 for _ in self.addresses())

    @property
    def ranges_display(self) -> str:
        return ", ".join(self.ranges or [])


class AuthType(models.TextChoices):
    PPPOE = "L", _("PPPoE")
    HOTSPOT = "H", _("Hotspot")
    IP_MAC = "M", _("IP×MAC")
    VLAN = "V", _("VLAN")
    IPOE = "D", _("IPoE/DHCP")


class ConnectionType(models.TextChoices):
    RADIO_58 = "5.8", _("Radio 5.8 GHz")
    RADIO_24 = "2.4", _("Radio 2.4 GHz")
    CABLE = "CABO", _("Cable")
    FIBER = "FIBRA", _("Fiber")
    ADSL = "ADSL", _("ADSL")
    LTE = "LTE", _("LTE")


class Login(EnlaceModel):
    """Login (L-1 … L-10): the credentials a subscriber's router uses to get online.

    ``password`` holds the clear password, or its MD5 hex digest when ``password_md5``; it is
    what FreeRADIUS compares (Cleartext-Password or MD5-Password).
    """

    branch_scope = "branch"
    audit_exclude = ("password",)

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="logins", verbose_name=_("customer")
    )
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="logins", verbose_name=_("contract")
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch"))
    plan = models.ForeignKey(
        "contracts.Plan", on_delete=models.PROTECT, related_name="logins", verbose_name=_("plan")
    )
    username = models.CharField(
        _("login"),
        max_length=64,
        unique=True,
        help_text=_("Letters, digits and @ . - _ only, e.g. mainet@fibra.com.br."),
    )
    password = models.CharField(_("password"), max_length=128)
    password_md5 = models.BooleanField(
        _("MD5 password"),
        default=False,
        help_text=_(
            "Yes: only the MD5 digest is stored and only PAP works; No: CHAP and MS-CHAPv2 work too."
        ),
    )
    auth_type = models.CharField(
        _("authentication"), max_length=1, choices=AuthType.choices, default=AuthType.PPPOE
    )
    connection_type = models.CharField(
        _("connection type"), max_length=5, choices=ConnectionType.choices, blank=True
    )
    simultaneous_use = models.PositiveSmallIntegerField(
        _("simultaneous sessions"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    radius_pool = models.ForeignKey(
        IpPool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logins",
        verbose_name=_("radius pool"),
        help_text=_("Enlace hands out a free address of this pool (Framed-IP-Address)."),
    )
    nas_pool = models.CharField(
        _("concentrator pool"),
        max_length=64,
        blank=True,
        help_text=_("Name of a pool configured on the concentrator (Framed-Pool)."),
    )
    fixed_ip = models.GenericIPAddressField(_("fixed IP"), protocol="IPv4", null=True, blank=True)
    mac = models.CharField(
        _("MAC address"),
        max_length=17,
        blank=True,
        help_text=_("When given, only this device may connect (Calling-Station-Id)."),
    )
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["username", "id"]
        verbose_name = _("login")
        verbose_name_plural = _("logins")
        permissions = [("disconnect_login", _("Can disconnect the sessions of a login"))]
        indexes = [models.Index(fields=["contract"], name="login_contract_idx")]
        constraints = [
            *no_edge_whitespace_constraints("login", "username", "password", "nas_pool", "mac", "notes"),
            models.CheckConstraint(condition=Q(auth_type__in=AuthType.values), name="login_auth_type_valid"),
            models.CheckConstraint(
                condition=Q(connection_type="") | Q(connection_type__in=ConnectionType.values),
                name="login_connection_type_valid",
            ),
            models.CheckConstraint(condition=Q(simultaneous_use__gte=1), name="login_simultaneous_use_gte_1"),
            models.UniqueConstraint(
                fields=["fixed_ip"], condition=Q(fixed_ip__isnull=False), name="login_fixed_ip_unique"
            ),
            models.CheckConstraint(
                condition=~Q(username="") & ~Q(username__contains=" "), name="login_username_no_space"
            ),
            # L-1: a login is unique whatever the case of its letters ("RAFAELA@x" is "rafaela@x").
            models.UniqueConstraint(
                Lower("username"),
                name="login_username_ci_unique",
                violation_error_message=_(
                    "A login with this name already exists (upper and lower case are the same)."
                ),
            ),
        ]

    def __str__(self):
        return self.username

    def normalize(self):
        if self.mac:
            self.mac = normalize_mac(self.mac)

    def clean(self):
        errors = {}
        if self.username and not USERNAME_RE.match(self.username):
            errors["username"] = [
                _("Use letters, digits and @ . - _ only — no spaces, accents or other symbols.")
            ]
        if self.mac and not MAC_RE.match(self.mac):
            errors["mac"] = [_("Give a MAC address like AA:BB:CC:DD:EE:FF.")]
        chosen = [bool(self.fixed_ip), bool(self.radius_pool_id), bool(self.nas_pool)]
        if sum(chosen) > 1:
            errors["radius_pool" if self.radius_pool_id else "nas_pool"] = [
                _("Choose one way to address the login: fixed IP, radius pool or concentrator pool.")
            ]
        if self.contract_id:
            contract = self.contract
            if self.customer_id and contract.customer_id != self.customer_id:
                errors["contract"] = [_("The contract belongs to another customer.")]
            if self.branch_id and contract.branch_id != self.branch_id:
                errors["branch"] = [_("The login must be in the contract's branch.")]
        if self.plan_id and self.customer_id:
            from enlace.contracts.models import Contract

            if not Contract.objects.filter(customer_id=self.customer_id, plan_id=self.plan_id).exists():
                errors["plan"] = [_("Choose the plan of one of the customer's contracts.")]
        if errors:
            raise ValidationError(errors)


MAC_RE = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")


def normalize_mac(value: str) -> str:
    """``aa-bb-cc-dd-ee-ff``, ``aabb.ccdd.eeff`` or ``AABBCCDDEEFF`` → ``AA:BB:CC:DD:EE:FF``."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", value or "")
    if len(digits) != 12 or len(digits) != len(re.sub(r"[\s:.\-]", "", value)):
        return value
    digits = digits.upper()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


class IpAllocation(models.Model):
    """An address of a radius pool handed to one login (L-9). The unique address is what keeps
    two logins from ever getting the same address, also under concurrent saves."""

    pool = models.ForeignKey(IpPool, on_delete=models.PROTECT, related_name="allocations")
    login = models.OneToOneField(Login, on_delete=models.CASCADE, related_name="allocation")
    address = models.GenericIPAddressField(protocol="IPv4", unique=True)
    allocated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pool", "address"]

    def __str__(self):
        return self.address


class DisconnectRequest(models.Model):
    """One Disconnect-Request or CoA-Request sent (or to be sent) to a NAS for an open session;
    the Celery task claims it (``status`` from ``pending``) so a retry never sends it twice."""

    class Kind(models.TextChoices):
        DISCONNECT = "disconnect", _("Disconnect")
        COA = "coa", _("CoA (change of speed)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        ACK = "ack", _("Acknowledged (ACK)")
        NAK = "nak", _("Refused (NAK)")
        TIMEOUT = "timeout", _("No answer")
        ERROR = "error", _("Error")

    login = models.ForeignKey(Login, on_delete=models.SET_NULL, null=True, related_name="disconnects")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, null=True, related_name="+")
    username = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DISCONNECT)
    reason = models.CharField(max_length=200, blank=True)
    nas_ip = models.GenericIPAddressField(protocol="IPv4")
    session_id = models.TextField()
    framed_ip = models.GenericIPAddressField(protocol="IPv4", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    detail = models.TextField(blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} → {self.nas_ip}"


# --- Settings -------------------------------------------------------------------------------


class RadiusSettings(AppSettings):
    """RADIUS settings (tab "RADIUS" of Configurações ➜ Parâmetros ➜ Parâmetros Gerais,
    registered in ``apps.py``; written by ``services.radius_settings_update``, which rewrites the
    blocked group in the same transaction).

    L-10: a login whose contract is blocked or not active is rejected, or accepted into the notice
    profile (pool, address list, speed below) so the router sends it to the notice page.
    L-12: a session without accounting updates for ``radius_stale_intervals`` intervals of
    ``radius_interim_interval`` seconds is closed as stale.
    """

    radius_blocked_action = models.CharField(
        _("blocked contracts"),
        max_length=1,
        choices=[("R", _("Reject the connection")), ("N", _("Connect to the notice page"))],
        default="R",
        help_text=_(
            "What FreeRADIUS does with a login whose contract is blocked or not active: reject it, "
            "or accept it with the notice pool / address list below so the router redirects it."
        ),
    )
    radius_notice_pool = models.CharField(
        _("notice pool"),
        max_length=64,
        blank=True,
        help_text=_("Pool on the concentrator for blocked subscribers (Framed-Pool)."),
    )
    radius_notice_address_list = models.CharField(
        _("notice address list"),
        max_length=64,
        blank=True,
        default="bloqueados",
        help_text=_("Firewall address list the router redirects to the notice page (Mikrotik-Address-List)."),
    )
    radius_notice_rate_limit = models.CharField(
        _("notice speed"),
        max_length=64,
        blank=True,
        default="256k/256k",
        help_text=_("Mikrotik-Rate-Limit of blocked subscribers, e.g. 256k/256k."),
    )
    radius_interim_interval = models.PositiveIntegerField(
        _("accounting interim interval (s)"),
        default=300,
        help_text=_("Acct-Interim-Interval the concentrators use; sessions are judged stale by it."),
    )
    radius_stale_intervals = models.PositiveSmallIntegerField(
        _("close sessions after missed interims"),
        default=3,
        help_text=_("A session without accounting updates for this many intervals is closed."),
    )
    login_password_min_length = models.PositiveSmallIntegerField(
        _("minimum login password length"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(64)],
        help_text=_("Passwords typed for a login must have at least this many characters."),
    )

    class Meta(AppSettings.Meta):
        constraints = [
            *AppSettings.Meta.constraints,
            *no_edge_whitespace_constraints(
                "radiussettings",
                "radius_notice_pool",
                "radius_notice_address_list",
                "radius_notice_rate_limit",
            ),
        ]
