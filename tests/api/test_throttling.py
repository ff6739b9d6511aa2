"""Rate limits: per IP without credentials, per token or person with them, per IP overall,
and stricter for booking requests and uploads. Over a limit: 429, Retry-After, error format."""

import pytest

from accounts.api import throttling
from accounts.tokens import token_create
from tests.factories import TestBedFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
NOW = 1_800_000_015.25  # 15.25 s into a minute, so the window has 44.75 s left


@pytest.fixture
def rates(settings, monkeypatch):
    """Set the rates for one test (the rest default to generous) and freeze the clock."""
    monkeypatch.setattr(throttling.WindowRateThrottle, "timer", staticmethod(lambda: NOW))

    def set_rates(**overrides):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "anon": "1000/min",
                "user": "1000/min",
                "ip": "1000/min",
                "write": "1000/min",
                **overrides,
            },
        }

    return set_rates


def bearer(user, scope="write"):
    _, plain = token_create(actor=user, name="t", scope=scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert response.headers["Retry-After"] == "45"
    body = response.json()
    assert body["code"] == "throttled"
    assert body["message"]


def test_anonymous_requests_are_limited_per_ip(client, rates):
    rates(anon="3/min")
    for _ in range(3):
        assert client.get(f"{API}/testbeds/").status_code == 200
    assert_throttled(client.get(f"{API}/testbeds/"))
    # Another address has its own allowance; a forged X-Forwarded-For is not one.
    assert_throttled(client.get(f"{API}/testbeds/", HTTP_X_FORWARDED_FOR="203.0.113.9"))
    assert client.get(f"{API}/testbeds/", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_each_token_has_its_own_allowance(client, rates, user):
    rates(user="2/min")
    first, second = bearer(user), bearer(user)
    for _ in range(2):
        assert client.get(f"{API}/me/", **first).status_code == 200
    assert_throttled(client.get(f"{API}/me/", **first))
    assert client.get(f"{API}/me/", **second).status_code == 200
    client.force_login(user)  # the session counts per person, apart from the tokens
    assert client.get(f"{API}/me/").status_code == 200


def test_one_address_has_a_ceiling_whatever_the_tokens(client, rates, user):
    rates(ip="3/min")
    for _ in range(3):
        assert client.get(f"{API}/me/", **bearer(user)).status_code == 200
    assert_throttled(client.get(f"{API}/me/", **bearer(user)))


def test_booking_requests_and_uploads_have_a_stricter_limit(client, rates, startup, provider):
    rates(write="2/min")
    testbed = TestBedFactory(organisation=provider.organisation)
    key = bearer(startup.user)
    for _ in range(2):
        response = client.post(f"{API}/trials/", {}, content_type="application/json", **key)
        assert response.status_code == 400
    assert_throttled(client.post(f"{API}/trials/", {}, content_type="application/json", **key))
    # Uploads share the allowance; reading does not use it.
    assert_throttled(client.post(f"{API}/trials/1/files/", {"caption": "x"}, **key))
    assert client.get(f"{API}/trials/", **key).status_code == 200
    assert client.get(f"{API}/testbeds/{testbed.slug}/", **key).status_code == 200
