"""Behind a load balancer, sign-in limits are per client, not one limit for everyone.

The balancer connects from one address (REMOTE_ADDR) and appends the client's address to
X-Forwarded-For. allauth must key its limits on that hop — the same one the API throttles
use — so one client's failed logins never lock other people out (issue 21, item 1).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"
ROOT = Path(__file__).resolve().parents[2]


def _via_balancer(client_address: str) -> Client:
    """A browser behind the balancer: every request arrives from the balancer's address."""
    return Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=client_address)


def _settings_with(env: dict[str, str]) -> dict[str, object]:
    code = (
        "from config import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    clean = {
        k: v for k, v in os.environ.items() if k not in ("BEHIND_PROXY", "TRUSTED_PROXY_COUNT")
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {"allauth": int(out[0]), "api": int(out[1])}


def test_allauth_and_the_api_trust_the_same_proxies():
    assert _settings_with({}) == {"allauth": 0, "api": 0}
    assert _settings_with({"BEHIND_PROXY": "1"}) == {"allauth": 1, "api": 1}
    assert _settings_with({"BEHIND_PROXY": "1", "TRUSTED_PROXY_COUNT": "2"}) == {
        "allauth": 2,
        "api": 2,
    }


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_clients_failed_logins_do_not_lock_out_others():
    victim = UserFactory()
    attacker = _via_balancer("203.0.113.66")
    for number in range(11):
        attacker.post(
            reverse("account_login"), {"login": f"made-up-{number}@example.org", "password": "x"}
        )
    refused = attacker.post(reverse("account_login"), {"login": victim.email, "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session  # the attacker's own address is limited
    assert "Too many failed login attempts" in refused.content.decode()

    someone_else = _via_balancer("198.51.100.7")
    response = someone_else.post(
        reverse("account_login"), {"login": victim.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert someone_else.session["_auth_user_id"] == str(victim.pk)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_staff_sign_in_through_the_admin_is_not_locked_by_another_client():
    staff = UserFactory(is_staff=True, is_superuser=True)
    attacker = _via_balancer("203.0.113.66")
    for number in range(11):
        attacker.post(
            reverse("account_login"), {"login": f"made-up-{number}@example.org", "password": "x"}
        )
    admin = _via_balancer("192.0.2.10")
    login_url = reverse("admin:login") + "?next=/admin/"
    page = admin.get(login_url, follow=True)
    assert page.status_code == 200
    response = admin.post(
        reverse("account_login") + "?next=/admin/",
        {"login": staff.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert admin.get("/admin/").status_code == 200


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_a_client_cannot_pick_its_own_address_by_sending_x_forwarded_for():
    """The client's own X-Forwarded-For entries come first; the balancer's hop is last."""
    attacker_ip = "203.0.113.66"
    for number in range(11):
        forged = f"192.0.2.{number}, {attacker_ip}"  # what the balancer passes on
        Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=forged).post(
            reverse("account_login"), {"login": f"made-up-{number}@example.org", "password": "x"}
        )
    victim = UserFactory()
    again = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {attacker_ip}")
    response = again.post(reverse("account_login"), {"login": victim.email, "password": PASSWORD})
    assert "_auth_user_id" not in again.session
    assert "Too many failed login attempts" in response.content.decode()
