"""Personal API tokens: kept as a hash only, scoped, expiring, revocable, acting as their person."""

import datetime
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, AuditEvent
from accounts.tokens import token_create, token_revoke
from tests.factories import TestBedFactory, UserFactory
from trials.models import Trial

pytestmark = pytest.mark.django_db

API = "/api/v1"
TODAY = timezone.localdate()


def bearer(plain: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def make(user, scope="write", **kwargs):
    return token_create(actor=user, name=kwargs.pop("name", "CRM"), scope=scope, **kwargs)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def test_the_database_never_holds_the_plain_token(user):
    token, plain = make(user)
    _, other = make(user, scope="read", name="Dashboard")
    assert plain.startswith(f"tbx_{token.prefix}_") and len(plain) == 4 + 8 + 1 + 40
    assert token.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    secret = plain.rsplit("_", 1)[1]
    rows = [str(value) for row in ApiToken.objects.values() for value in row.values()]
    rows += [str(value) for row in AuditEvent.objects.values() for value in row.values()]
    for value in rows:
        for leaked in (plain, other, secret, other.rsplit("_", 1)[1]):
            assert leaked not in value


def test_a_token_acts_as_its_person(client, startup):
    token, plain = make(startup.user, scope="read")
    response = client.get(f"{API}/me/", **bearer(plain))
    assert response.status_code == 200
    me = response.json()
    assert me["email"] == startup.user.email
    assert me["organisations"] == [
        {
            "id": startup.organisation.pk,
            "slug": startup.organisation.slug,
            "name": startup.organisation.name,
            "kind": "start_up",
            "region": startup.organisation.region,
            "role": "admin",
        }
    ]
    assert me["auth"] == {
        "method": "token",
        "token_name": "CRM",
        "token_prefix": token.prefix,
        "scope": "read",
        "expires_at": None,
    }


def test_session_still_works_beside_tokens(client, user):
    client.force_login(user)
    response = client.get(f"{API}/me/")
    assert response.status_code == 200
    assert response.json()["auth"]["method"] == "session"


def request_body(testbed) -> dict:
    return {
        "testbed": testbed.slug,
        "title": "Smart bins",
        "summary": "Fill-level sensors on bins.",
        "first_day": str(TODAY + datetime.timedelta(days=10)),
        "last_day": str(TODAY + datetime.timedelta(days=12)),
    }


def test_read_only_token_reads_but_cannot_write(client, startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation)
    _, plain = make(startup.user, scope="read")
    assert client.get(f"{API}/trials/", **bearer(plain)).status_code == 200
    response = client.post(
        f"{API}/trials/", request_body(testbed), content_type="application/json", **bearer(plain)
    )
    assert_error(response, 403, "read_only_token")
    for method in (client.patch, client.put, client.delete):
        assert_error(method(f"{API}/kpis/1/", **bearer(plain)), 403, "read_only_token")
    assert not Trial.objects.exists()


def test_write_token_requests_and_approves_within_permissions(client, startup, provider):
    testbed = TestBedFactory(organisation=provider.organisation, requires_approval=True)
    _, startup_key = make(startup.user)
    _, provider_key = make(provider.user)
    response = client.post(
        f"{API}/trials/",
        request_body(testbed),
        content_type="application/json",
        **bearer(startup_key),
    )
    assert response.status_code == 201, response.content
    trial_id = response.json()["id"]
    url = f"{API}/trials/{trial_id}/approve/"
    # The start-up's token may not approve its own request: its person may not.
    assert_error(
        client.post(url, {}, content_type="application/json", **bearer(startup_key)),
        403,
        "permission_denied",
    )
    response = client.post(url, {}, content_type="application/json", **bearer(provider_key))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    # A token of someone outside both organisations does not even see the trial.
    _, stranger = make(UserFactory())
    assert_error(client.get(f"{API}/trials/{trial_id}/", **bearer(stranger)), 404, "not_found")


def test_unknown_malformed_revoked_and_expired_tokens_answer_401(client, user):
    token, plain = make(user)
    forged = plain[:-4] + ("aaaa" if not plain.endswith("aaaa") else "bbbb")
    for header in (f"Bearer {forged}", "Bearer", "Bearer a b", "Bearer nonsense"):
        response = client.get(f"{API}/testbeds/", HTTP_AUTHORIZATION=header)
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    token_revoke(actor=user, token=token)
    assert_error(client.get(f"{API}/me/", **bearer(plain)), 401, "token_revoked")

    expiring, plain2 = make(user, expires_at=timezone.now() + datetime.timedelta(hours=1))
    assert client.get(f"{API}/me/", **bearer(plain2)).status_code == 200
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now())
    assert_error(client.get(f"{API}/me/", **bearer(plain2)), 401, "token_expired")


def test_token_of_a_deactivated_person_stops_working(client, user):
    _, plain = make(user)
    user.is_active = False
    user.save()
    assert_error(client.get(f"{API}/me/", **bearer(plain)), 401, "invalid_token")


def test_no_credentials_answers_401_with_bearer_challenge(client):
    response = client.get(f"{API}/me/")
    assert_error(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_last_used_is_written_at_most_once_a_minute(client, user):
    token, plain = make(user)
    assert token.last_used_at is None
    client.get(f"{API}/me/", **bearer(plain))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    with CaptureQueriesContext(connection) as queries:
        client.get(f"{API}/me/", **bearer(plain))
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]]
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get(f"{API}/me/", **bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_token_create_checks_its_input(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make(user, name="  ")
    with pytest.raises(ValidationError):
        make(user, scope="admin")
    with pytest.raises(ValidationError):
        make(user, expires_at=timezone.now() - datetime.timedelta(days=1))
    assert not ApiToken.objects.exists()


def test_only_its_person_revokes_a_token(user):
    from django.core.exceptions import PermissionDenied

    token, _ = make(user)
    with pytest.raises(PermissionDenied):
        token_revoke(actor=UserFactory(), token=token)


def test_create_api_token_command_prints_a_working_token(client, user):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token",
        user.email.upper(),
        "--scope",
        "read",
        "--days",
        "3",
        stdout=out,
        stderr=err,
    )
    plain = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert plain.startswith(f"tbx_{token.prefix}_")
    assert token.scope == "read"
    assert abs(
        token.expires_at - (timezone.now() + datetime.timedelta(days=3))
    ) < datetime.timedelta(minutes=1)
    assert "not shown again" in err.getvalue()
    assert client.get(f"{API}/me/", **bearer(plain)).json()["email"] == user.email

    call_command(
        "create_api_token", user.email, "--name", "Loader", stdout=io.StringIO(), stderr=err
    )
    assert ApiToken.objects.get(name="Loader").scope == "write"
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody@example.org", stdout=out, stderr=err)


def test_token_pages_create_show_once_and_revoke(client, user):
    client.force_login(user)
    page = client.get(reverse("integrations:api_tokens"))
    assert page.status_code == 200
    assert reverse("integrations:api_tokens") in page.content.decode()  # the account menu
    response = client.post(
        reverse("integrations:api_token_create"),
        {"name": "Programme CRM", "scope": "write", "expires_on": str(TODAY)},
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    token = ApiToken.objects.get()
    html = response.content.decode()
    plain = html.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert plain.startswith(f"tbx_{token.prefix}_")
    assert token.expires_at == timezone.make_aware(
        datetime.datetime.combine(TODAY + datetime.timedelta(days=1), datetime.time())
    )
    listing = client.get(reverse("integrations:api_tokens")).content.decode()
    assert "Programme CRM" in listing and f"tbx_{token.prefix}_" in listing
    assert plain not in listing

    other_token, _ = make(UserFactory())
    revoke = "integrations:api_token_revoke"
    assert client.post(reverse(revoke, args=[other_token.pk])).status_code == 404
    assert client.post(reverse(revoke, args=[token.pk])).status_code == 200  # asks first
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.post(reverse(revoke, args=[token.pk]), {"confirm": "yes"}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(f"{API}/me/", **bearer(plain)).status_code == 401


def test_token_form_refuses_bad_input(client, user):
    client.force_login(user)
    yesterday = TODAY - datetime.timedelta(days=1)
    response = client.post(
        reverse("integrations:api_token_create"),
        {"name": "", "scope": "root", "expires_on": str(yesterday)},
    )
    assert response.status_code == 400  # the form again, with its errors
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Error:" in html.split("</title>")[0]
    assert not ApiToken.objects.exists()
