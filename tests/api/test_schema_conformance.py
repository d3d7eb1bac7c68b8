"""The API answers as its OpenAPI schema says (issue 10, item 9): schemathesis generates
requests for every operation and checks each response's status code, content type and body
against the schema, as a person and as a clerk. A small budget keeps it in the normal suite."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.tokens import token_issue
from tests.transfers.factories import case_in, make_parties

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)
# Login and registration are the identity endpoints' own tests' business (throttles, lockout).
schema = schema.exclude(path_regex=r"^/api/v1/auth/")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def token_for(user) -> str:
    return token_issue(user=user)[0]


@pytest.fixture
def _keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, as in production;
    the test's transaction lives on that connection, so keep it open (as Django's test client
    does)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(regions, _keep_the_test_connection):
    parties = make_parties()
    case = case_in("submitted", parties)
    case_in("letter_sent", parties)
    return {
        "person": token_for(case.person.user),
        "clerk": token_for(parties.in_reviewer),
        "serial_no": case.serial_no,
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.parametrize("who", ["person", "clerk"])
def test_the_api_conforms_to_its_schema(case, tokens, who):
    # Half the generated serial numbers are replaced by a real case of both users, so that the
    # answers of a found case (200, 409, field errors) are checked too, not only 404.
    parameters = case.path_parameters or {}
    if "serial_no" in parameters and len(str(parameters["serial_no"])) % 2 == 0:
        parameters["serial_no"] = tokens["serial_no"]
    case.call_and_validate(headers={"Authorization": f"Token {tokens[who]}"}, checks=CHECKS)
