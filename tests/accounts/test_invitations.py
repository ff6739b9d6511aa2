import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import services
from accounts.models import AuditEvent, Invitation, Membership
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def invitation_link(message) -> str:
    return re.search(r"/invitations/[\w-]+/", message.body).group(0)


def test_admin_invites_and_new_person_joins_through_sign_up(
    client, startup, django_capture_on_commit_callbacks
):
    client.force_login(startup.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:invitation_send", args=[startup.organisation.slug]),
            {"email": "Colleague@Example.org", "role": "member"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["colleague@example.org"]
    link = invitation_link(mail.outbox[0])
    client.logout()

    page = client.get(link)
    assert page.status_code == 200
    assert escape(startup.organisation.name) in page.content.decode()
    # The invited address counts as verified: the link reached it.
    response = client.post(
        reverse("account_signup"),
        {
            "email": "colleague@example.org",
            "full_name": "Col League",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="colleague@example.org")
    assert membership.organisation == startup.organisation
    assert membership.role == "member"
    assert Invitation.objects.get().accepted_at is not None
    assert len(mail.outbox) == 1  # no verification e-mail was needed


def test_existing_person_joins_by_signing_in(client, startup):
    invitee = UserFactory()
    _, token = services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email=invitee.email
    )
    client.get(reverse("accounts:invitation", args=[token]))
    client.post(reverse("account_login"), {"login": invitee.email, "password": PASSWORD})
    assert Membership.objects.filter(user=invitee, organisation=startup.organisation).exists()


def test_signed_in_person_accepts_with_a_button(client, startup):
    invitee = UserFactory()
    _, token = services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email=invitee.email, role="admin"
    )
    client.force_login(invitee)
    response = client.post(reverse("accounts:invitation", args=[token]))
    assert response.status_code == 302
    assert Membership.objects.get(user=invitee, organisation=startup.organisation).role == "admin"


def test_forwarded_invitation_does_not_let_someone_else_in(client, startup):
    _, token = services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email="intended@example.org"
    )
    stranger = UserFactory()
    client.force_login(stranger)
    response = client.post(reverse("accounts:invitation", args=[token]), follow=True)
    assert "intended@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=stranger, organisation=startup.organisation).exists()


def test_expired_and_unknown_invitations_are_refused(client, startup):
    invitation, token = services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email="late@example.org"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(reverse("accounts:invitation", args=[token])).status_code == 410
    assert client.get(reverse("accounts:invitation", args=["not-a-token"])).status_code == 404


def test_only_an_admin_can_invite(client, startup):
    member = MembershipFactory(organisation=startup.organisation)
    client.force_login(member.user)
    response = client.post(
        reverse("accounts:invitation_send", args=[startup.organisation.slug]),
        {"email": "x@example.org", "role": "member"},
    )
    assert response.status_code == 400  # re-rendered with the error
    assert "Only an admin" in response.content.decode()
    assert not Invitation.objects.exists()
    assert (
        client.get(
            reverse("accounts:invitation_send", args=[startup.organisation.slug])
        ).status_code
        == 403
    )


def test_invitation_token_is_stored_only_as_a_hash(startup):
    invitation, token = services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email="h@example.org"
    )
    assert token not in invitation.token_hash
    assert services.invitation_for_token(token) == invitation


def test_email_is_sent_only_after_commit(startup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invitation_send(
            actor=startup.user, organisation=startup.organisation, email="c@example.org"
        )
    assert len(mail.outbox) == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_services_record_one_event_each(startup):
    before = AuditEvent.objects.count()
    services.invitation_send(
        actor=startup.user, organisation=startup.organisation, email="e@example.org"
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert event.action == "invitation.sent"
    assert event.actor == startup.user
    event.summary = "changed"
    with pytest.raises(ValueError):
        event.save()
