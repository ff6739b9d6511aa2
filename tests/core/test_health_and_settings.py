import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command

from accounts.models import Organisation, Programme, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch("core.views._check_database", side_effect=OSError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


@pytest.mark.django_db
def test_healthz_reports_a_cache_that_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "down"}


def test_deploy_check_passes_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-only" + "y" * 10,
        "ALLOWED_HOSTS": "testbed.exchange",
        "EMAIL_URL": "submission://mailer:secret@smtp.example.org:587",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    # Nonces are configured (CSP.NONCE); Django adds one only to pages that use it. Our
    # pages have no inline script, so the policy is simply 'self'.
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    html = response.content.decode()
    # No inline script at all: every <script> has a src on this origin.
    assert html.count("<script") == html.count("<script src=") + html.count(
        '<script type="module" src='
    )


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_demo_logins_work(client):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), Programme.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Organisation.objects.count(), Programme.objects.count()) == counts
    for email in [
        "provider@demo.test",
        "startup@demo.test",
        "officer@demo.test",
        "admin@demo.test",
    ]:
        client.logout()
        response = client.post("/accounts/login/", {"login": email, "password": "demo-pass-2026"})
        assert response.status_code == 302, email
        assert client.session["_auth_user_id"]
    officer = User.objects.get(email="officer@demo.test")
    assert officer.memberships.get().organisation.kind == "programme_team"
    assert User.objects.get(email="admin@demo.test").is_staff


@pytest.mark.django_db
def test_pages_render(client):
    for path in ["/", "/about/", "/accessibility/", "/privacy/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "govuk-phase-banner" in response.content.decode()
