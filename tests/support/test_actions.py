"""The service order actions are declared once (``enlace.support.actions``): the web form, the API
route and its parameters, and the table in docs/support.md all come from the same spec."""

import inspect
from pathlib import Path

import pytest
from django.template import Context, Template
from drf_spectacular.generators import SchemaGenerator

from enlace.support import actions, api, forms, services
from enlace.support.models import ServiceOrder, ServiceOrderEvent, Ticket

DOCS = Path(__file__).resolve().parents[2] / "docs" / "support.md"


def test_every_transition_has_one_spec_in_the_tables_order():
    assert [spec.name for spec in actions.SPECS] == list(services.TRANSITIONS)
    assert set(actions.BY_NAME) == set(ServiceOrderEvent.Action.values) - {ServiceOrderEvent.Action.OPEN}


@pytest.mark.parametrize("spec", actions.SPECS, ids=lambda spec: spec.name)
def test_the_service_takes_every_input_of_its_spec(spec):
    parameters = inspect.signature(spec.service).parameters
    assert {"actor", "order", "note"} <= set(parameters)
    for item in spec.fields:
        assert item.keyword in parameters, (spec.name, item.keyword)


@pytest.mark.parametrize("spec", actions.SPECS, ids=lambda spec: spec.name)
def test_form_and_api_parameters_come_from_the_spec(spec, admin_user):
    names = [item.name for item in spec.fields]
    assert list(forms.OrderActionForm(user=admin_user, spec=spec).fields) == names
    serializer = api.ACTION_PARAMS[spec.name]()
    assert list(serializer.fields) == names
    assert [n for n, f in serializer.fields.items() if f.required] == [
        i.name for i in spec.fields if i.required
    ]


def test_every_spec_has_its_api_route():
    routes = {extra.__name__: extra for extra in api.ServiceOrderViewSet.get_extra_actions()}
    for spec in actions.SPECS:
        assert routes[spec.name].url_path == spec.url_path
        assert routes[spec.name].mapping == {"post": spec.name}
    assert set(routes) == {spec.name for spec in actions.SPECS} | {"events"}


def test_docs_show_the_table_of_the_specs():
    table = actions.docs_table().strip().splitlines()
    lines = [line.strip() for line in DOCS.read_text(encoding="utf-8").splitlines()]
    found = any(lines[i : i + len(table)] == table for i in range(len(lines)))
    assert found, "docs/support.md is out of date: paste enlace.support.actions.docs_table() into it"


@pytest.mark.parametrize("model", [Ticket, ServiceOrder])
def test_every_status_has_a_badge_colour(model):
    assert set(model.STATUS_COLOURS) == set(model.Status.values)
    template = Template('{% load support_tags %}{% status_badge record id="x" %}')
    for code, label in model.Status.choices:
        html = template.render(Context({"record": model(status=code)}))
        colour = model.STATUS_COLOURS[code]
        assert f'class="badge text-bg-{colour} status-badge" data-status="{code}" id="x">{label}<' in html


def test_the_schema_documents_each_actions_parameters():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for spec in actions.SPECS:
        operation = schema["paths"][f"/api/v1/service-orders/{{id}}/{spec.url_path}/"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert list(component["properties"]) == [item.name for item in spec.fields]
        assert sorted(component.get("required", [])) == sorted(i.name for i in spec.fields if i.required)
