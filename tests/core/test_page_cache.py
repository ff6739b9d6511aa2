import pytest
from django.urls import reverse

from testbeds import services
from tests.factories import MembershipFactory, TestBedFactory

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
    assert startup.user.get_full_name() in response.content.decode()


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
