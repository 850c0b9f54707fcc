"""Logins unique whatever the case of their letters (issue 19 item 8): a unique index on
``LOWER(username)`` (PostgreSQL and SQLite both index expressions), and the minimum length of a
typed login password as a RADIUS parameter (default 8).

Logins that already differ only in case stop the migration with their names: rename one of each
pair, then migrate again."""

import django.core.validators
import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def refuse_duplicates(apps, schema_editor):
    Login = apps.get_model("radius", "Login")
    clashes = (
        Login.objects.using(schema_editor.connection.alias)
        .annotate(key=Lower("username"))
        .values("key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("key", flat=True)
    )
    names = sorted(clashes)[:20]
    if names:
        raise RuntimeError(
            "Logins that differ only in upper/lower case must be renamed before this migration: "
            + ", ".join(names)
        )


class Migration(migrations.Migration):
    # Named 0007 and meant to follow 0006; it follows 0008 (added at the same time by another
    # change) only so that the graph has one leaf until the two are ordered.
    dependencies = [
        ("radius", "0007_radius_copy_notify"),
    ]

    operations = [
        migrations.AddField(
            model_name="radiussettings",
            name="login_password_min_length",
            field=models.PositiveSmallIntegerField(
                default=8,
                help_text="Passwords typed for a login must have at least this many characters.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(64),
                ],
                verbose_name="minimum login password length",
            ),
        ),
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="login",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="login_username_ci_unique",
                violation_error_message="A login with this name already exists (upper and lower case are the same).",
            ),
        ),
    ]
