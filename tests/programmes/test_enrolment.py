"""Officers enrol start-ups in their programme from its Start-ups page (and the API): find by
name, one button, confirmation; nobody else can see the page or enrol anyone."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Organisation, ProgrammeEnrolment
from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory


@pytest.fixture
def programme(db):
    return ProgrammeFactory(name="Coastal Innovation")


@pytest.fixture
def officer(programme):
    return MembershipFactory(organisation=programme.team).user


@pytest.fixture
def binwise(db):
    return OrganisationFactory(start_up=True, name="Binwise Ltd", slug="binwise")


def page_url(programme) -> str:
    return reverse("programmes:startups", args=[programme.pk])


def enrol_url(programme) -> str:
    return reverse("programmes:startup_enrol", args=[programme.pk])


def test_an_officer_finds_a_start_up_by_name_and_enrols_it(client, programme, officer, binwise):
    OrganisationFactory(kind=Organisation.Kind.PUBLIC_BODY, name="Binwise Council")
    client.force_login(officer)
    found = client.get(page_url(programme), {"q": "binw"})
    assert found.status_code == 200
    assert found.context["matches"] == [(binwise, False)]  # public bodies are not offered
    response = client.post(enrol_url(programme), {"organisation": binwise.pk}, follow=True)
    assert response.redirect_chain[-1][0] == page_url(programme)
    content = response.content.decode()
    assert "Binwise Ltd takes part in Coastal Innovation" in content
    assert [e.organisation for e in response.context["page"]] == [binwise]
    enrolment = ProgrammeEnrolment.objects.get(programme=programme, organisation=binwise)
    assert enrolment.enrolled_by == officer
    assert AuditEvent.objects.filter(action="programme.enrolled", summary="Binwise Ltd").exists()
    again = client.get(page_url(programme), {"q": "Binwise"})
    assert again.context["matches"] == [(binwise, True)]
    assert "Takes part" in again.content.decode()


def test_enrolling_twice_changes_nothing(client, programme, officer, binwise):
    client.force_login(officer)
    client.post(enrol_url(programme), {"organisation": binwise.pk})
    client.post(enrol_url(programme), {"organisation": binwise.pk})
    assert ProgrammeEnrolment.objects.filter(programme=programme).count() == 1
    assert AuditEvent.objects.filter(action="programme.enrolled").count() == 1


@pytest.mark.parametrize("query", ["b", "x" * 101])
def test_a_search_too_short_or_too_long_is_explained(client, programme, officer, query):
    client.force_login(officer)
    response = client.get(page_url(programme), {"q": query})
    assert response.status_code == 400
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert 'href="#id_q"' in content
    assert response.context["matches"] is None


def test_only_start_ups_can_be_enrolled(client, programme, officer):
    council = OrganisationFactory(kind=Organisation.Kind.PUBLIC_BODY)
    client.force_login(officer)
    for organisation in (council.pk, "not-an-id", 10**20):
        assert client.post(enrol_url(programme), {"organisation": organisation}).status_code == 404
    assert not ProgrammeEnrolment.objects.exists()


def test_nobody_else_sees_the_page_or_enrols(client, programme, binwise):
    another_officer = MembershipFactory(organisation=ProgrammeFactory().team).user
    member_of_binwise = MembershipFactory(organisation=binwise, admin=True).user
    for user in (another_officer, member_of_binwise):
        client.force_login(user)
        assert client.get(page_url(programme)).status_code == 404
        assert client.post(enrol_url(programme), {"organisation": binwise.pk}).status_code == 404
    assert not ProgrammeEnrolment.objects.exists()


def test_enrolling_needs_a_post(client, programme, officer, binwise):
    client.force_login(officer)
    assert client.get(enrol_url(programme), {"organisation": binwise.pk}).status_code == 405
    assert not ProgrammeEnrolment.objects.exists()


def test_the_list_is_read_in_a_fixed_number_of_queries(
    client, programme, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    for number in range(3):
        MembershipFactory(organisation=programme.team)  # enrolled by different officers
        ProgrammeEnrolment.objects.create(
            programme=programme,
            organisation=OrganisationFactory(start_up=True, name=f"Start-up {number}"),
            enrolled_by=officer,
        )
    with django_assert_max_num_queries(9) as few:
        assert client.get(page_url(programme)).status_code == 200
    for number in range(3, 30):
        ProgrammeEnrolment.objects.create(
            programme=programme,
            organisation=OrganisationFactory(start_up=True, name=f"Start-up {number}"),
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(page_url(programme))
    assert response.context["page"].paginator.count == 30


# The API ------------------------------------------------------------------------------


def api_url(programme) -> str:
    return reverse("api:programme-enrolments", args=[programme.pk])


def test_the_api_enrols_by_short_name(client, programme, officer, binwise):
    client.force_login(officer)
    created = client.post(api_url(programme), {"organisation": "binwise"}, "application/json")
    assert created.status_code == 201
    assert created.json()["organisation"] == {"name": "Binwise Ltd", "slug": "binwise"}
    again = client.post(api_url(programme), {"organisation": "binwise"}, "application/json")
    assert again.status_code == 200
    listed = client.get(api_url(programme)).json()
    assert [row["organisation"]["slug"] for row in listed["results"]] == ["binwise"]


def test_the_api_refuses_what_is_not_a_start_up(client, programme, officer):
    OrganisationFactory(kind=Organisation.Kind.PUBLIC_BODY, slug="council")
    client.force_login(officer)
    for body in ({"organisation": "council"}, {"organisation": "nobody"}, {}):
        response = client.post(api_url(programme), body, "application/json")
        assert response.status_code == 400
        assert "organisation" in response.json()["errors"]
    assert not ProgrammeEnrolment.objects.exists()


def test_the_api_is_for_the_programmes_officers_only(client, programme, binwise):
    client.force_login(MembershipFactory(organisation=binwise, admin=True).user)
    assert client.get(api_url(programme)).status_code == 404
    response = client.post(api_url(programme), {"organisation": "binwise"}, "application/json")
    assert response.status_code == 404
    assert not ProgrammeEnrolment.objects.exists()
