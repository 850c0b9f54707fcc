"""The FreeRADIUS tables (stock FreeRADIUS 3.2 SQL schema), as Django models.

FreeRADIUS reads ``radcheck``, ``radreply``, ``radusergroup``, ``radgroupcheck``,
``radgroupreply`` and ``nas`` with its stock ``queries.conf`` and writes ``radacct`` and
``radpostauth``. The column names are the stock ones (lower case, as PostgreSQL folds the stock
schema's identifiers); migrations create the tables on PostgreSQL and on SQLite, with the stock
indexes plus the ones our authorize and session queries need.

The first six tables are a *projection* of Enlace's own models (``Nas``, ``Login``, ``Plan``,
the general parameters): ``enlace.radius.projection`` writes them in the same transaction as the
change that causes them, and ``manage.py radius_sync`` rebuilds them. Nothing else writes them.

Timestamps: FreeRADIUS's stock PostgreSQL queries write ``timestamp with time zone``; its stock
SQLite queries write Unix epoch integers. ``RadiusDateTimeField`` reads both and writes what the
backend's queries write, so comparisons in SQL stay consistent.
"""

import datetime

from django.db import models
from django.db.models.functions import Now
from django.utils import timezone


class RadiusDateTimeField(models.DateTimeField):
    """``timestamp with time zone`` on PostgreSQL, Unix epoch seconds on SQLite (as FreeRADIUS's
    stock SQLite queries store them)."""

    def get_internal_type(self):
        # Not "DateTimeField": Django's SQLite backend would parse the epoch integers as ISO
        # strings (None, or a TypeError) before from_db_value runs.
        return "RadiusDateTimeField"

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            # Not "datetime": the sqlite3 converter Django registers for that declared type turns
            # the epoch integers into None.
            return "integer"
        return connection.data_types["DateTimeField"] % self.db_type_parameters(connection)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, datetime.datetime):
            return value
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC)
        if isinstance(value, str) and value:
            # FreeRADIUS's stock SQLite post-auth writes '%S.%M' (local "YYYY-MM-DD HH:MM:SS.ffffff").
            parsed = datetime.datetime.fromisoformat(value)
            return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        return None

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor == "sqlite" and value is not None:
            if not prepared:
                value = self.get_prep_value(value)
            if isinstance(value, datetime.datetime):
                if timezone.is_naive(value):
                    value = timezone.make_aware(value)
                return int(value.timestamp())
        return super().get_db_prep_value(value, connection, prepared)


class _AttributeRow(models.Model):
    attribute = models.TextField(db_column="attribute", default="")
    op = models.CharField(db_column="op", max_length=2, default="==")
    value = models.TextField(db_column="value", default="")

    class Meta:
        abstract = True

    def key(self) -> tuple:
        raise NotImplementedError


class RadCheck(_AttributeRow):
    username = models.TextField(db_column="username", default="")

    class Meta:
        db_table = "radcheck"
        indexes = [models.Index(fields=["username", "attribute"], name="radcheck_username")]

    def __str__(self):
        return " ".join(str(v) for v in self.key())

    def key(self):
        return (self.username, self.attribute, self.op, self.value)


class RadReply(_AttributeRow):
    username = models.TextField(db_column="username", default="")
    op = models.CharField(db_column="op", max_length=2, default="=")

    class Meta:
        db_table = "radreply"
        indexes = [models.Index(fields=["username", "attribute"], name="radreply_username")]

    def __str__(self):
        return " ".join(str(v) for v in self.key())

    def key(self):
        return (self.username, self.attribute, self.op, self.value)


class RadGroupCheck(_AttributeRow):
    groupname = models.TextField(db_column="groupname", default="")

    class Meta:
        db_table = "radgroupcheck"
        indexes = [models.Index(fields=["groupname", "attribute"], name="radgroupcheck_groupname")]

    def __str__(self):
        return " ".join(str(v) for v in self.key())

    def key(self):
        return (self.groupname, self.attribute, self.op, self.value)


class RadGroupReply(_AttributeRow):
    groupname = models.TextField(db_column="groupname", default="")
    op = models.CharField(db_column="op", max_length=2, default="=")

    class Meta:
        db_table = "radgroupreply"
        indexes = [models.Index(fields=["groupname", "attribute"], name="radgroupreply_groupname")]

    def __str__(self):
        return " ".join(str(v) for v in self.key())

    def key(self):
        return (self.groupname, self.attribute, self.op, self.value)


class RadUserGroup(models.Model):
    username = models.TextField(db_column="username", default="")
    groupname = models.TextField(db_column="groupname", default="")
    priority = models.IntegerField(db_column="priority", default=0)

    class Meta:
        db_table = "radusergroup"
        indexes = [models.Index(fields=["username"], name="radusergroup_username")]

    def __str__(self):
        return " ".join(str(v) for v in self.key())

    def key(self):
        return (self.username, self.groupname, self.priority)


class RadiusNas(models.Model):
    """The ``nas`` table FreeRADIUS's ``read_clients`` loads (``client_query``)."""

    nasname = models.TextField(db_column="nasname")
    shortname = models.TextField(db_column="shortname")
    type = models.TextField(db_column="type", default="other", db_default="other")
    ports = models.IntegerField(db_column="ports", null=True)
    secret = models.TextField(db_column="secret")
    server = models.TextField(db_column="server", null=True)
    community = models.TextField(db_column="community", null=True)
    description = models.TextField(db_column="description", null=True)

    class Meta:
        db_table = "nas"
        indexes = [models.Index(fields=["nasname"], name="nas_nasname")]

    def __str__(self):
        return " ".join(str(v) for v in self.key())

    def key(self):
        return (
            self.nasname,
            self.shortname,
            self.type,
            self.ports,
            self.secret,
            self.server,
            self.description,
        )


class NasReload(models.Model):
    nasipaddress = models.GenericIPAddressField(db_column="nasipaddress", primary_key=True)
    reloadtime = RadiusDateTimeField(db_column="reloadtime")

    class Meta:
        db_table = "nasreload"

    def __str__(self):
        return f"{self.nasipaddress} {self.reloadtime}"


class RadAcct(models.Model):
    """Accounting sessions, written by FreeRADIUS (Start / Interim-Update / Stop)."""

    radacctid = models.BigAutoField(db_column="radacctid", primary_key=True)
    acctsessionid = models.TextField(db_column="acctsessionid")
    acctuniqueid = models.TextField(db_column="acctuniqueid")
    username = models.TextField(db_column="username", null=True)
    realm = models.TextField(db_column="realm", null=True)
    nasipaddress = models.GenericIPAddressField(db_column="nasipaddress")
    nasportid = models.TextField(db_column="nasportid", null=True)
    nasporttype = models.TextField(db_column="nasporttype", null=True)
    acctstarttime = RadiusDateTimeField(db_column="acctstarttime", null=True)
    acctupdatetime = RadiusDateTimeField(db_column="acctupdatetime", null=True)
    acctstoptime = RadiusDateTimeField(db_column="acctstoptime", null=True)
    acctinterval = models.BigIntegerField(db_column="acctinterval", null=True)
    acctsessiontime = models.BigIntegerField(db_column="acctsessiontime", null=True)
    acctauthentic = models.TextField(db_column="acctauthentic", null=True)
    connectinfo_start = models.TextField(db_column="connectinfo_start", null=True)
    connectinfo_stop = models.TextField(db_column="connectinfo_stop", null=True)
    acctinputoctets = models.BigIntegerField(db_column="acctinputoctets", null=True)
    acctoutputoctets = models.BigIntegerField(db_column="acctoutputoctets", null=True)
    calledstationid = models.TextField(db_column="calledstationid", null=True)
    callingstationid = models.TextField(db_column="callingstationid", null=True)
    acctterminatecause = models.TextField(db_column="acctterminatecause", null=True)
    servicetype = models.TextField(db_column="servicetype", null=True)
    framedprotocol = models.TextField(db_column="framedprotocol", null=True)
    framedipaddress = models.GenericIPAddressField(db_column="framedipaddress", null=True, blank=True)
    framedipv6address = models.GenericIPAddressField(db_column="framedipv6address", null=True, blank=True)
    framedipv6prefix = models.GenericIPAddressField(db_column="framedipv6prefix", null=True, blank=True)
    framedinterfaceid = models.TextField(db_column="framedinterfaceid", null=True)
    delegatedipv6prefix = models.GenericIPAddressField(db_column="delegatedipv6prefix", null=True, blank=True)
    class_field = models.TextField(db_column="class", null=True)

    class Meta:
        db_table = "radacct"
        ordering = ["-acctstarttime", "-radacctid"]
        indexes = [
            # stock: update/stop/simul queries, onoff, statistics
            models.Index(
                fields=["acctuniqueid"],
                name="radacct_active_session_idx",
                condition=models.Q(acctstoptime__isnull=True),
            ),
            models.Index(
                fields=["nasipaddress", "acctstarttime"],
                name="radacct_bulk_close",
                condition=models.Q(acctstoptime__isnull=True),
            ),
            models.Index(fields=["acctstarttime", "username"], name="radacct_start_user_idx"),
            models.Index(fields=["class_field"], name="radacct_calss_idx"),
            # ours: simul_count_query and "online now" look sessions up by user name
            models.Index(
                fields=["username"],
                name="radacct_active_user_idx",
                condition=models.Q(acctstoptime__isnull=True),
            ),
            # ours: a login's session history, newest first
            models.Index(fields=["username", "-acctstarttime"], name="radacct_user_start_idx"),
            # ours: the portal's automatic access finds the open session holding an address
            models.Index(
                fields=["framedipaddress"],
                name="radacct_active_ip_idx",
                condition=models.Q(acctstoptime__isnull=True),
            ),
        ]
        constraints = [
            # stock: UNIQUE (AcctUniqueId) — as a constraint, so PostgreSQL gets no extra
            # text_pattern_ops index that FreeRADIUS never uses but every insert would pay for
            models.UniqueConstraint(fields=["acctuniqueid"], name="radacct_acctuniqueid_key"),
        ]

    def __str__(self):
        return f"{self.username} {self.acctsessionid}"

    @property
    def online(self) -> bool:
        return self.acctstoptime is None

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.acctsessiontime is not None and (self.acctstoptime or self.acctsessiontime):
            return datetime.timedelta(seconds=self.acctsessiontime)
        if self.acctstarttime is None:
            return None
        end = self.acctstoptime or timezone.now()
        return end - self.acctstarttime


class RadPostAuth(models.Model):
    """One row per authentication (accept or reject), written by FreeRADIUS after the reply."""

    id = models.BigAutoField(primary_key=True)
    username = models.TextField(db_column="username")
    pass_field = models.TextField(db_column="pass", null=True)
    reply = models.TextField(db_column="reply", null=True)
    calledstationid = models.TextField(db_column="calledstationid", null=True)
    callingstationid = models.TextField(db_column="callingstationid", null=True)
    authdate = RadiusDateTimeField(db_column="authdate", db_default=Now())
    class_field = models.TextField(db_column="class", null=True)

    class Meta:
        db_table = "radpostauth"
        ordering = ["-authdate", "-id"]
        indexes = [
            models.Index(fields=["username"], name="radpostauth_username_idx"),
            models.Index(fields=["class_field"], name="radpostauth_class_idx"),
        ]

    def __str__(self):
        return f"{self.username} {self.reply}"


class RadAcctLoadPosition(models.Model):
    """How far the accounting loader (``enlace.radius.acct_loader``) has applied one file of
    accounting lines FreeRADIUS writes. Updated in the transaction that applies those lines, so
    a restart resumes exactly after the last committed batch: no line applied twice, none lost."""

    #: ``<host>:<absolute path of the file>`` (several FreeRADIUS servers may share the database).
    name = models.TextField(primary_key=True)
    inode = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "enlace_radacct_load_position"

    def __str__(self):
        return f"{self.name} @ {self.offset}"
