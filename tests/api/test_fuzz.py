"""Schemathesis over the whole schema, as an anonymous visitor and as a participant: no 5xx,
and every response (status, content type, body) conforms to the schema. Bounded: 20 examples
per operation and mode."""
from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 20


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go through the real WSGI handler, whose request signals would close the test's
    database connection (it is inside the test transaction); Django's test client detaches
    them the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The schema view reads no data: loading it at collection needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

#: Half of the generated path ids are replaced by ids that exist, to reach past the 404s.
KNOWN_IDS = {
    "/api/v1/cities/": lambda w: w.city.pk,
    "/api/v1/organisations/": lambda w: w.organisation.pk,
    "/api/v1/consultations/": lambda w: w.voting.pk,
    "/api/v1/proposals/": lambda w: w.proposal.pk,
    "/api/v1/moderation-decisions/": lambda w: w.decision.pk,
    "/api/v1/count-runs/": lambda w: w.count_run.pk,
    "/api/v1/plans/": lambda w: w.plan_approved.pk,
    "/api/v1/budget-lines/": lambda w: w.line.pk,
    "/api/v1/published-reports/": lambda w: w.report.pk,
    "/api/v1/objectives/": lambda w: w.plan_approved.objectives.first().pk,
    "/api/v1/actions/": lambda w: w.plan_approved.actions.first().pk,
    "/api/v1/indicators/": lambda w: w.plan_approved.indicators.first().pk,
}


def aim(case, world) -> None:
    params = case.path_parameters or {}
    if isinstance(params.get("id"), int) and params["id"] % 2 == 0:
        for prefix, pick in KNOWN_IDS.items():
            if case.path.startswith(prefix):
                params["id"] = pick(world)
        if "number" in params:
            params["number"] = 1


def run(case, world, headers=None) -> None:
    aim(case, world)
    case.call_and_validate(headers=headers or {}, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_anonymous(case, world):
    run(case, world)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_participant(case, world):
    token, _created = Token.objects.get_or_create(user=world.users["participant"])
    run(case, world, {"Authorization": f"Token {token.key}"})
