"""The Redis copy FreeRADIUS authorizes from (issue 21, docs/radius.md "The Redis copy"): triggers
that tell ``manage.py radius_cache`` what changed, through PostgreSQL's NOTIFY on the channel
``enlace_radius`` (delivered at commit, never for a rolled-back change):

- ``u<username>``: a row of radcheck, radreply or radusergroup of that login changed;
- ``g<groupname>``: a row of radgroupcheck or radgroupreply of that group changed;
- ``s<username>``: a session of that login opened or closed in radacct (an Interim-Update, which
  changes neither, sends nothing);
- ``*``: one of these tables was truncated — the whole copy is rebuilt.

PostgreSQL folds identical notifications of one transaction into one. SQLite has no NOTIFY and no
copy: nothing is created there.
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION enlace_radius_notify_user() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('enlace_radius', 'u' || OLD.username);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.username IS DISTINCT FROM OLD.username) THEN
        PERFORM pg_notify('enlace_radius', 'u' || NEW.username);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION enlace_radius_notify_group() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('enlace_radius', 'g' || OLD.groupname);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.groupname IS DISTINCT FROM OLD.groupname) THEN
        PERFORM pg_notify('enlace_radius', 'g' || NEW.groupname);
    END IF;
    RETURN NULL;
END
$fn$;

-- Only a session that opens or closes changes a login's open-session count.
CREATE OR REPLACE FUNCTION enlace_radius_notify_session() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    was_open boolean := TG_OP <> 'INSERT' AND OLD.acctstoptime IS NULL;
    is_open boolean := TG_OP <> 'DELETE' AND NEW.acctstoptime IS NULL;
BEGIN
    IF was_open AND NOT (is_open AND NEW.username IS NOT DISTINCT FROM OLD.username) THEN
        PERFORM pg_notify('enlace_radius', 's' || OLD.username);
    END IF;
    IF is_open AND NOT (was_open AND NEW.username IS NOT DISTINCT FROM OLD.username) THEN
        PERFORM pg_notify('enlace_radius', 's' || NEW.username);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION enlace_radius_notify_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_notify('enlace_radius', '*');
    RETURN NULL;
END
$fn$;
"""

TABLES = {
    "radcheck": "enlace_radius_notify_user",
    "radreply": "enlace_radius_notify_user",
    "radusergroup": "enlace_radius_notify_user",
    "radgroupcheck": "enlace_radius_notify_group",
    "radgroupreply": "enlace_radius_notify_group",
    "radacct": "enlace_radius_notify_session",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SQL)
    for table, function in TABLES.items():
        schema_editor.execute(
            f"CREATE TRIGGER enlace_radius_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER enlace_radius_notify_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION enlace_radius_notify_truncate()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS enlace_radius_notify ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS enlace_radius_notify_truncate ON {table}")
    for function in ("user", "group", "session", "truncate"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS enlace_radius_notify_{function}()")


class Migration(migrations.Migration):
    dependencies = [
        ("radius", "0006_radius_authorize_function"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
