import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import permissions, services
from accounts.models import Membership, Organisation
from core.exceptions import Conflict
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_member_of_one_organisation_cannot_act_for_another(startup, provider):
    with pytest.raises(PermissionDenied):
        permissions.require_member(startup.user, provider.organisation)
    with pytest.raises(PermissionDenied):
        services.invitation_send(
            actor=startup.user, organisation=provider.organisation, email="x@example.org"
        )
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=startup.user, organisation=provider.organisation, name="Mine now"
        )
    provider.organisation.refresh_from_db()
    assert provider.organisation.name != "Mine now"


def test_member_is_not_admin(startup):
    member = MembershipFactory(organisation=startup.organisation)
    assert permissions.require_member(member.user, startup.organisation)
    with pytest.raises(PermissionDenied):
        permissions.require_member(member.user, startup.organisation, admin=True)


def test_other_organisations_pages_answer_404(client, startup, provider):
    client.force_login(startup.user)
    slug = provider.organisation.slug
    for name in ["accounts:organisation", "accounts:organisation_edit", "accounts:invitation_send"]:
        assert client.get(reverse(name, args=[slug])).status_code == 404
    assert (
        client.post(reverse("accounts:membership_remove", args=[slug, provider.pk])).status_code
        == 404
    )
    assert Membership.objects.filter(pk=provider.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, startup):
    response = client.get(reverse("accounts:organisation", args=[startup.organisation.slug]))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_last_admin_cannot_leave_or_be_demoted(startup):
    with pytest.raises(Conflict):
        services.membership_remove(actor=startup.user, membership=startup)
    with pytest.raises(Conflict):
        services.membership_change_role(actor=startup.user, membership=startup, role="member")


def test_admin_removes_a_member(client, startup):
    member = MembershipFactory(organisation=startup.organisation)
    client.force_login(startup.user)
    client.post(
        reverse("accounts:membership_remove", args=[startup.organisation.slug, member.pk]),
        {"confirm": "yes"},
    )
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_person_in_two_organisations_switches_between_them(client, startup, provider):
    MembershipFactory(user=startup.user, organisation=provider.organisation)
    client.force_login(startup.user)
    home = client.get("/")
    first = sorted([startup.organisation.name, provider.organisation.name])[0]
    assert home.context["current_organisation"].name == first
    other = provider.organisation if first == startup.organisation.name else startup.organisation
    client.post(reverse("accounts:organisation_switch"), {"organisation": other.pk})
    assert client.get("/").context["current_organisation"] == other


def test_cannot_switch_to_an_organisation_one_is_not_in(client, startup, provider):
    client.force_login(startup.user)
    response = client.post(
        reverse("accounts:organisation_switch"), {"organisation": provider.organisation.pk}
    )
    assert response.status_code == 404
    assert client.get("/").context["current_organisation"] == startup.organisation


def test_anyone_sets_up_a_start_up_but_not_a_programme_team(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:organisation_create"),
        {"kind": "start_up", "name": "Acme Robotics", "region": "wales"},
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Acme Robotics")
    assert Membership.objects.get(user=user, organisation=organisation).role == "admin"
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=user, kind="programme_team", name="Sneaky", region="wales"
        )


def test_organisation_form_errors_link_to_fields(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:organisation_create"), {"kind": "start_up", "name": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_name"' in html
    assert 'href="#id_region"' in html
    assert 'id="id_name-error"' in html
    assert not Organisation.objects.exists()


def test_programme_pages_only_for_its_officers(client):
    programme = ProgrammeFactory()
    officer = MembershipFactory(organisation=programme.team)
    outsider = MembershipFactory(organisation=OrganisationFactory(programme_team=True))
    client.force_login(officer.user)
    assert client.get(programme.get_absolute_url()).status_code == 200
    client.force_login(outsider.user)
    assert client.get(programme.get_absolute_url()).status_code == 404


def test_memberships_read_for_the_request_are_forgotten_when_the_person_changes_them(
    startup, django_assert_num_queries
):
    """``membership_of`` answers from the memberships the middleware read for the request;
    leaving an organisation or losing its admin role in the same request is seen at once."""
    user = startup.user
    other_admin = MembershipFactory(organisation=startup.organisation, admin=True)
    permissions.remember_memberships(user, list(Membership.objects.filter(user=user)))
    with django_assert_num_queries(0):
        assert permissions.is_admin_of(user, startup.organisation)
    services.membership_change_role(actor=user, membership=startup, role=Membership.Role.MEMBER)
    assert not permissions.is_admin_of(user, startup.organisation)
    permissions.remember_memberships(user, list(Membership.objects.filter(user=user)))
    startup.refresh_from_db()
    services.membership_remove(actor=user, membership=startup)
    assert not permissions.is_member(user, startup.organisation)
    assert permissions.is_admin_of(other_admin.user, startup.organisation)


def test_the_middleware_memberships_answer_for_the_signed_in_person_only(startup):
    """Another person's membership is read from the database, never from the request's."""
    from django.test import RequestFactory

    from accounts.middleware import CurrentOrganisationMiddleware

    request = RequestFactory().get("/")
    request.user = startup.user
    request.session = {}
    CurrentOrganisationMiddleware(lambda request: None)(request)
    stranger = UserFactory()
    assert not permissions.is_member(stranger, startup.organisation)
    assert permissions.is_member(request.user, startup.organisation)
