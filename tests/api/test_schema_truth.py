"""What the OpenAPI schema declares (issue 10, item 9): pagination wrappers, month strings and
the error answers of each operation."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def response_schema(schema, path, method="get", code="200"):
    content = schema["paths"][path][method]["responses"][code]["content"]["application/json"]
    ref = content["schema"]["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][ref]


@pytest.mark.parametrize(
    "path", ["/api/v1/transfers/", "/api/v1/agency/transfers/", "/api/v1/me/notifications/"]
)
def test_list_endpoints_declare_their_page_wrapper(schema, path):
    page = response_schema(schema, path)
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    assert page["properties"]["results"]["type"] == "array"


def test_enrollment_months_are_strings_with_a_pattern_not_dates(schema):
    enrollment = schema["components"]["schemas"]["Enrollment"]["properties"]
    for name in ("start", "end"):
        assert enrollment[name]["type"] == "string"
        assert "format" not in enrollment[name]
        assert enrollment[name]["pattern"] == r"^\d{4}-(0[1-9]|1[0-2])$"


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("get", "/api/v1/transfers/", {"200", "400", "401", "403", "404"}),
        ("post", "/api/v1/transfers/", {"201", "400", "401", "403", "413"}),
        ("get", "/api/v1/transfers/{serial_no}/", {"200", "400", "401", "403", "404"}),
        ("post", "/api/v1/transfers/{serial_no}/withdraw/", {"200", "401", "403", "404", "409"}),
        ("post", "/api/v1/agency/transfers/{serial_no}/accept/", {"200", "403", "404", "409"}),
        ("post", "/api/v1/agency/transfers/{serial_no}/confirm-receipt/", {"400", "409"}),
        ("post", "/api/v1/me/proofs/", {"200", "201", "400", "401", "403", "429"}),
        ("post", "/api/v1/me/certificates/", {"200", "201", "400", "429"}),
        ("get", "/api/v1/me/", {"200", "401", "403", "404"}),
        ("get", "/api/v1/documents/{id}/pdf/", {"200", "401", "403", "404"}),
        ("get", "/api/v1/verify/{token}/", {"200", "400", "404"}),
    ],
)
def test_each_operation_declares_the_status_codes_it_returns(schema, method, path, codes):
    declared = set(schema["paths"][path][method]["responses"])
    assert codes <= declared, codes - declared


def test_error_answers_have_a_body_schema(schema):
    error = response_schema(schema, "/api/v1/transfers/{serial_no}/withdraw/", "post", "409")
    assert set(error["required"]) == {"detail"}
    assert set(error["properties"]) == {"code", "detail"}
