"""Property-based tests generated from the API's OpenAPI document (schemathesis).

Every operation of the committed document is called, in-process through the WSGI application,
with many generated paths, queries and headers and a valid read token of a partnership with a
programme: no answer is a server error, and every answer conforms to the document (status,
content type, body against its schema). The writes are called again with an editor's
read-and-write token on a programme with every kind of record (tests.api.world), at its own
invoice and milestone, so that the generated bodies reach the services.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from norfolk_connect.api import services
from projects.models import Invoice, Milestone, Role
from tests.api.world import make_world
from tests.projects.factories import MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_tests_connection():
    """As Django's test client does: the WSGI application's start and end of a request close
    old connections, which inside the test's transaction would close the test's own."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token() -> str:
    programme = ProgrammeFactory(financial_years=["2004/05"])
    membership = MembershipFactory(partnership=programme.partnership)
    return services.token_create(
        user=membership.user,
        partnership=programme.partnership,
        name="Schemathesis",
        scope="read",
        days=30,
    )[1]


@schema.parametrize()
@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_conforms_to_its_document(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def world_and_token():
    world = make_world()
    return world, world.token(Role.FACILITATOR, "read_write")


@schema.include(method=["POST", "PATCH"]).parametrize()
@settings(
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_writes_conform_with_an_editors_token(case, world_and_token):
    world, token = world_and_token
    programme = world.ours
    # The programme's own records, so that the generated bodies reach the services' checks.
    found = {
        "slug": programme.slug,
        "invoice": Invoice.objects.filter(call__programme=programme).order_by("pk").first().pk,
        "milestone": Milestone.objects.filter(project__programme=programme).first().pk,
    }
    # A path generated to break the document (a negative id) is kept, to be refused as such.
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if path is None or path.mode == GenerationMode.POSITIVE:
        case.path_parameters = {name: found[name] for name in case.path_parameters or {}}
    # A body the document allows may still be refused by the services' rules on the data (a
    # payment dated before its invoice, a project the programme has not): 422, documented.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
