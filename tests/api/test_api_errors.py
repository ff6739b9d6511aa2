"""The API's error format reaches every corner: unknown paths, and the schema documents
the errors any operation can give (401, 403, 429 …) with their headers."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_answers_the_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = client.get("/api/v1/testbeds/not.a.slug/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_missing_trailing_slash_is_redirected_keeping_the_method(client):
    response = client.get("/api/v1/testbeds?region=north-east")
    assert response.status_code == 308
    assert response.headers["Location"] == "/api/v1/testbeds/?region=north-east"
    assert client.post("/api/v1/trials").status_code == 308


def test_every_operation_documents_the_errors_it_can_give():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        responses = operation["responses"]
        assert {"401", "403", "429"} <= set(responses), (method, path)
        assert "Retry-After" in responses["429"]["headers"]
        assert "WWW-Authenticate" in responses["401"]["headers"]
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in ("post", "patch", "put"):
            assert {"400", "409", "413", "415"} <= set(responses), (method, path)
        if method == "post":  # a retried POST is safe with an Idempotency-Key
            assert "422" in responses, path
            headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
            assert "Idempotency-Key" in headers, path
        assert "bearerAuth" in str(operation["security"]), (method, path)
