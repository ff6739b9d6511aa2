"""Hostile request bodies get the API's JSON errors, never a 500 or an HTML page
(issue 21, items 8 and 9)."""

import pytest
from django.test import Client

from accounts.tokens import token_create
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

JSON_LIMIT = 5 * 1024 * 1024


@pytest.fixture
def startup_client():
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def token_client():
    member = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    _, raw = token_create(actor=member.user, name="test", scope="write")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_json_is_a_parse_error(startup_client, depth, opener, closer):
    body = opener * depth + "1" + closer * depth
    response = startup_client.post("/api/v1/trials/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_brackets_inside_strings_do_not_count_as_depth(startup_client):
    body = '{"title": "' + "[" * 5000 + '", "summary": "{{{{"}'
    response = startup_client.post("/api/v1/trials/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # parsed; then refused for missing fields


def test_not_a_number_constants_are_refused(startup_client):
    response = startup_client.post(
        "/api/v1/trials/", '{"title": NaN}', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("size", [JSON_LIMIT + 1, 8 * 1024 * 1024, 15 * 1024 * 1024])
@pytest.mark.parametrize("who", ["startup_client", "token_client", "anonymous"])
def test_an_oversize_json_body_is_a_json_413(request, who, size):
    client = Client() if who == "anonymous" else request.getfixturevalue(who)
    body = '{"title": "' + "x" * (size - 13) + '"}'
    response = client.post("/api/v1/trials/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"
    assert "5 MB" in response.json()["message"]


def test_a_json_body_under_the_limit_is_parsed(startup_client):
    body = '{"title": "' + "x" * (JSON_LIMIT - 1024) + '"}'
    response = startup_client.post("/api/v1/trials/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
