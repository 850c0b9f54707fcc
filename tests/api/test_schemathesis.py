"""The API answers what its OpenAPI schema says, for every operation (Schemathesis).

The schema is read from ``/api/schema/`` of the app; Schemathesis generates a few requests per
operation from it (positive data: the schema's examples, then generated values; a fixed seed; no
shrinking) and sends them as an administrator with a token through the WSGI app, against the demo
data set (``seed_demo``), with half of the path ids taken from records that exist. Every response
must pass three checks: no 5xx, the status code is documented, the body matches the documented
schema. A failing operation is reported with the request to reproduce it; the budget is bounded
(``EXAMPLES`` per operation, about a minute on one core).
"""

import io
import json
import re
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
RESOURCE = re.compile(r"^/api/v1/([^/{]+)/")


class KeepConnectionApp:
    """Django's WSGI handler, keeping the test's database connection across requests as Django's
    test client does (the test's transaction holds the data set): the handlers that close it at
    the start and end of a request are off while it serves (the test client turns them back on
    after each of its own requests)."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return self.handler(environ, start_response)


@pytest.fixture
def wsgi_app():
    try:
        yield KeepConnectionApp()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def existing_ids(client, path: str) -> list[int]:
    """Ids of the first records listed by the operation's resource (``/api/v1/<resource>/``)."""
    match = RESOURCE.match(path)
    if not match:
        return []
    response = client.get(f"/api/v1/{match[1]}/", {"page_size": 5})
    if response.status_code != 200:
        return []
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)]


def run_operation(operation, app, token: str, ids: list[int]):
    """Generate and check up to ``EXAMPLES`` requests of one operation; raises on a failure."""
    integer_params = [
        p.name
        for p in operation.path_parameters
        if (p.definition.get("schema") or {}).get("type") == "integer"
    ]
    existing = st.sampled_from(ids) if ids and integer_params else st.nothing()

    @given(case=operation.as_strategy(), real_id=st.none() | existing)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case, real_id):
        if real_id is not None:
            for name in integer_params:
                case.path_parameters[name] = real_id
        response = case.call(
            app=app, base_url="http://testserver", headers={"Authorization": f"Token {token}"}
        )
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.django_db
def test_every_operation_conforms_to_the_schema(admin_user, admin_api, wsgi_app, settings):
    settings.API_THROTTLE_RATE = ""  # the budget, not the rate limit, bounds this test
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    response = admin_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(json.loads(response.content))
    token = Token.objects.get(user=admin_user).key

    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            run_operation(operation, wsgi_app, token, existing_ids(admin_api, operation.path))
        except (Exception, BaseExceptionGroup) as exc:  # Schemathesis' FailureGroup is a BaseExceptionGroup
            failures.append(f"{operation.label}\n{exc}")
    elapsed = time.monotonic() - started
    summary = f"{operations} operations, up to {EXAMPLES} requests each, {elapsed:.0f} s"
    print(summary)
    assert operations > 100, summary
    assert not failures, f"{summary}; {len(failures)} failing:\n\n" + "\n\n".join(failures)
