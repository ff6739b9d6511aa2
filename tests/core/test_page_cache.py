import pytest
from django.urls import reverse
from django.utils.html import escape

from testbeds import services
from tests.factories import MembershipFactory, OrganisationFactory, TestBedFactory

pytestmark = pytest.mark.django_db


def test_anonymous_catalogue_is_cached_and_a_change_shows_at_once(
    client, django_capture_on_commit_callbacks
):
    testbed = TestBedFactory(name="Harbour")
    provider = MembershipFactory(organisation=testbed.organisation)
    first = client.get(reverse("testbeds:catalogue"))
    assert "X-Cache" not in first
    second = client.get(reverse("testbeds:catalogue"))
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        services.testbed_update(actor=provider.user, testbed=testbed, name="Harbour Quay")
    third = client.get(reverse("testbeds:catalogue"))
    assert "X-Cache" not in third
    assert "Harbour Quay" in third.content.decode()


def test_signed_in_people_are_never_served_the_cache(client, startup):
    TestBedFactory()
    client.get(reverse("testbeds:catalogue"))
    client.force_login(startup.user)
    response = client.get(reverse("testbeds:catalogue"))
    assert "X-Cache" not in response
    assert escape(startup.user.get_full_name()) in response.content.decode()


def test_each_language_has_its_own_copy(client):
    TestBedFactory()
    english = client.get(reverse("testbeds:catalogue"))
    client.get(reverse("language", args=["cy"]) + "?next=/testbeds/")
    welsh = client.get(reverse("testbeds:catalogue"))
    assert welsh.content != english.content
    assert 'lang="cy"' in welsh.content.decode()


def test_language_link_only_goes_back_to_this_site(client):
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = client.get(reverse("language", args=["cy"]), {"next": elsewhere})
        assert response["Location"] == "/", elsewhere
    assert client.get(reverse("language", args=["xx"])).status_code == 404


def test_anonymous_api_list_is_cached_and_refreshed_on_change(
    client, django_capture_on_commit_callbacks
):
    testbed = TestBedFactory(name="Depot")
    provider = MembershipFactory(organisation=testbed.organisation)
    first = client.get("/api/v1/testbeds/")
    assert "X-Cache" not in first
    second = client.get("/api/v1/testbeds/")
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        services.testbed_update(actor=provider.user, testbed=testbed, name="Depot North")
    assert client.get("/api/v1/testbeds/").json()["results"][0]["name"] == "Depot North"


def test_a_booking_shows_at_once_on_the_cached_test_bed_page(
    client, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from tests.factories import OrganisationFactory
    from trials import services as trial_services

    testbed = TestBedFactory(capacity=1, requires_approval=False)
    startup = MembershipFactory(organisation=OrganisationFactory(start_up=True), admin=True)
    first_day = timezone.localdate() + datetime.timedelta(days=40)
    url = testbed.get_absolute_url()
    params = {"month": first_day.strftime("%Y-%m")}
    before = client.get(url, params)
    assert client.get(url, params)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        trial_services.trial_request(
            actor=startup.user,
            organisation=startup.organisation,
            testbed=testbed,
            title="Kerbside sensors",
            summary="Sensors.",
            first_day=first_day,
            last_day=first_day + datetime.timedelta(days=6),
        )
    after = client.get(url, params)
    assert "X-Cache" not in after
    assert after.content != before.content


def test_no_anonymous_caching_when_turned_off(client, settings):
    """ANONYMOUS_PAGE_SECONDS=0 (the HTTP bench's uncached server) keeps nothing."""
    settings.ANONYMOUS_PAGE_SECONDS = 0
    TestBedFactory()
    for path in (reverse("testbeds:catalogue"), "/api/v1/testbeds/"):
        client.get(path)
        assert "X-Cache" not in client.get(path)


def test_signed_in_catalogue_keeps_the_results_but_renders_each_persons_header(
    client, startup, django_capture_on_commit_callbacks
):
    """The results fragment is the same for everyone; the header is the person's own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    testbed = TestBedFactory(name="Harbour")
    owner = MembershipFactory(organisation=testbed.organisation)
    other = MembershipFactory(organisation=OrganisationFactory(start_up=True))
    client.force_login(startup.user)
    first = client.get(reverse("testbeds:catalogue")).content.decode()
    assert "Harbour" in first and startup.user.get_full_name() in first
    client.force_login(other.user)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse("testbeds:catalogue")).content.decode()
    assert "Harbour" in second
    assert other.user.get_full_name() in second
    assert startup.user.get_full_name() not in second
    assert not [q for q in queries.captured_queries if "testbeds_testbed" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        services.testbed_update(actor=owner.user, testbed=testbed, name="Harbour Quay")
    assert "Harbour Quay" in client.get(reverse("testbeds:catalogue")).content.decode()


def test_api_list_is_the_same_public_body_for_everyone_after_their_credentials_are_checked(
    client, startup
):
    TestBedFactory(name="Depot")
    anonymous = client.get("/api/v1/testbeds/")
    assert client.get("/api/v1/testbeds/", HTTP_AUTHORIZATION="Bearer tbx_nope").status_code == 401
    client.force_login(startup.user)
    signed_in = client.get("/api/v1/testbeds/")
    assert signed_in["X-Cache"] == "hit"
    assert signed_in.json() == anonymous.json()
