"""What every signed-in request reads first: its session, then the person with their
memberships in one query (``accounts.backends``, ``accounts.session_store``; issue 20).
The rules are Django's: an inactive or deleted person, a changed password and an expired
session all sign the person out."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone

from accounts.middleware import CurrentOrganisationMiddleware
from accounts.session_store import SessionStore
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request_of(client) -> object:
    """A request carrying the test client's session."""
    request = RequestFactory().get("/")
    request.session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return request


def _signed_in_request(client, user) -> object:
    client.force_login(user)
    return _request_of(client)


def _middleware(request) -> None:
    CurrentOrganisationMiddleware(lambda request: None)(request)


def test_the_person_and_their_memberships_are_read_in_one_query(client, django_assert_num_queries):
    user = UserFactory()
    zeta = MembershipFactory(user=user, organisation=OrganisationFactory(name="Zeta Ltd"))
    alpha = MembershipFactory(
        user=user, organisation=OrganisationFactory(name="Alpha Ltd"), admin=True
    )
    MembershipFactory(organisation=alpha.organisation)  # someone else's
    request = _signed_in_request(client, user)
    # The session, then the person with their memberships and organisations: two queries.
    with django_assert_num_queries(2):
        request.user = auth.get_user(request)
        _middleware(request)
        names = [m.organisation.name for m in request.memberships]
        roles = [m.role for m in request.memberships]
    assert request.user == user
    assert names == ["Alpha Ltd", "Zeta Ltd"]
    assert [m.pk for m in request.memberships] == [alpha.pk, zeta.pk]
    assert roles == ["admin", "member"]
    assert request.organisation == alpha.organisation


def test_a_person_without_memberships_is_signed_in_with_none(client):
    user = UserFactory()
    request = _signed_in_request(client, user)
    request.user = auth.get_user(request)
    _middleware(request)
    assert request.user == user
    assert request.memberships == []
    assert request.organisation is None


@pytest.mark.parametrize("change", ["inactive", "deleted", "password", "expired"])
def test_the_person_is_signed_out_as_django_would(client, change):
    user = UserFactory()
    MembershipFactory(user=user)
    request = _signed_in_request(client, user)
    if change == "inactive":
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    elif change == "deleted":
        user.delete()
    elif change == "password":
        user.set_password("another-password-entirely")
        user.save()
    else:
        Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    request = _request_of(client)
    request.user = auth.get_user(request)
    _middleware(request)
    assert isinstance(request.user, AnonymousUser)
    assert request.memberships == []


@pytest.mark.parametrize(
    "backend",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_made_before_the_backends_changed_stays_signed_in(client, backend):
    """Sessions name the backend that signed the person in; those from before
    ``accounts.backends`` name Django's or allauth's, and are read as naming ours."""
    user = UserFactory()
    MembershipFactory(user=user)
    session = SessionStore()
    session[auth.SESSION_KEY] = str(user.pk)
    session[auth.BACKEND_SESSION_KEY] = backend
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert len(response.wsgi_request.memberships) == 1


def test_a_backend_no_longer_listed_signs_the_person_out(client):
    user = UserFactory()
    session = SessionStore()
    session[auth.SESSION_KEY] = str(user.pk)
    session[auth.BACKEND_SESSION_KEY] = "somewhere.else.Backend"
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    response = client.get("/dashboard/")
    assert response.status_code == 302


def test_signing_in_by_email_goes_through_one_of_our_backends(client):
    user = UserFactory(email="ada@example.org")
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 302
    stored = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value).load()
    assert stored[auth.BACKEND_SESSION_KEY] in settings.AUTHENTICATION_BACKENDS
    assert stored[auth.BACKEND_SESSION_KEY].startswith("accounts.backends.")
    assert stored[auth.SESSION_KEY] == str(user.pk)
    assert client.get("/dashboard/").wsgi_request.user == user
