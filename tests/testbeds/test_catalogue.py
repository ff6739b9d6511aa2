import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from testbeds.models import TestBed
from tests.factories import TestBedFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [t.name for t in response.context["page"]]


def api_names(client, **params) -> list[str]:
    response = client.get("/api/v1/testbeds/", params)
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.fixture
def catalogue():
    return {
        "ward": TestBedFactory(
            name="Respiratory virtual ward",
            description="Remote monitoring of patients with oximeters at home.",
            region="wales",
            sectors=["health-care"],
            technologies=["ai-data"],
            trl_min=7,
            trl_max=9,
        ),
        "street": TestBedFactory(
            name="Smart street",
            description="Lamp posts with standalone 5G and air quality sensors.",
            region="north-east",
            sectors=["transport", "public-services"],
            technologies=["5g-connectivity", "iot-sensors"],
            trl_min=5,
            trl_max=8,
            cost_model="per-day",
            cost_amount=100,
        ),
        "depot": TestBedFactory(
            name="Bus depot",
            description="Electric buses and rapid chargers.",
            region="north-east",
            sectors=["transport", "energy"],
            technologies=["iot-sensors"],
            capacity=3,
        ),
        "draft": TestBedFactory(name="Secret draft", status="draft", description="oximeters"),
        "retired": TestBedFactory(name="Old pier", status="retired", description="oximeters"),
    }


def test_only_published_test_beds_are_listed(client, catalogue):
    response = client.get(reverse("testbeds:catalogue"))
    assert sorted(names(response)) == ["Bus depot", "Respiratory virtual ward", "Smart street"]
    assert response.context["result_count"] == 3


def test_search_by_a_word_of_the_description(client, catalogue):
    response = client.get(reverse("testbeds:catalogue"), {"q": "oximeters"})
    assert names(response) == ["Respiratory virtual ward"]
    assert api_names(client, q="oximeters") == ["Respiratory virtual ward"]


def test_search_ranks_name_matches_first(client, catalogue):
    TestBedFactory(name="Quiet park", description="Near the smart street, with benches.")
    assert (
        names(client.get(reverse("testbeds:catalogue"), {"q": "smart street"}))[0] == "Smart street"
    )


def test_search_matches_word_forms(client, catalogue):
    # PostgreSQL stems both words to "charger"; SQLite finds the substring.
    assert names(client.get(reverse("testbeds:catalogue"), {"q": "charger"})) == ["Bus depot"]
    assert names(client.get(reverse("testbeds:catalogue"), {"q": "electric buses"})) == [
        "Bus depot"
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "wales"}, ["Respiratory virtual ward"]),
        (
            {"region": ["wales", "north-east"]},
            ["Bus depot", "Respiratory virtual ward", "Smart street"],
        ),
        ({"sector": "transport"}, ["Bus depot", "Smart street"]),
        ({"sector": "energy", "region": "north-east"}, ["Bus depot"]),
        ({"technology": "iot-sensors"}, ["Bus depot", "Smart street"]),
        ({"trl": "9"}, ["Bus depot", "Respiratory virtual ward"]),
        ({"trl": "5"}, ["Smart street"]),
        ({"free": "on"}, ["Bus depot", "Respiratory virtual ward"]),
    ],
)
def test_filters(client, catalogue, params, expected):
    response = client.get(reverse("testbeds:catalogue"), params)
    assert sorted(names(response)) == expected
    api_params = {**params, "free": "true"} if "free" in params else params
    assert sorted(api_names(client, **api_params)) == expected


def test_sorting(client, catalogue):
    by_capacity = names(client.get(reverse("testbeds:catalogue"), {"sort": "capacity"}))
    assert by_capacity[0] == "Bus depot"
    by_name = names(client.get(reverse("testbeds:catalogue"), {"sort": "name"}))
    assert by_name == sorted(by_name)


def test_a_search_is_a_shareable_link_with_pagination(client):
    for number in range(25):
        TestBedFactory(name=f"Ward {number:02}", region="wales")
    response = client.get(reverse("testbeds:catalogue"), {"region": "wales", "sort": "name"})
    html = response.content.decode()
    assert len(response.context["page"]) == 20
    assert "region=wales&amp;sort=name&amp;page=2" in html
    second = client.get(
        reverse("testbeds:catalogue"), {"region": "wales", "sort": "name", "page": 2}
    )
    assert names(second) == [f"Ward {n}" for n in range(20, 25)]


def test_bad_filters_get_a_message_not_a_500(client, catalogue):
    response = client.get(
        reverse("testbeds:catalogue"),
        {"trl": "12", "available_from": "2027-02-30", "region": "atlantis"},
    )
    assert response.status_code == 400  # the page, with the errors on the fields
    html = response.content.decode()
    assert "govuk-error-summary" in html
    api = client.get("/api/v1/testbeds/", {"trl": "x", "available_from": "not-a-date"})
    assert api.status_code == 400
    body = api.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) >= {"trl", "available_from"}


def test_empty_results_offer_help(client, catalogue):
    html = client.get(reverse("testbeds:catalogue"), {"q": "submarine"}).content.decode()
    assert "0 test beds found" in html
    assert "remove a filter" in html


def _catalogue_queries(client, count: int) -> tuple[int, int]:
    from django.core.cache import cache

    TestBed.objects.all().delete()
    for _ in range(count):
        TestBedFactory()
    cache.clear()  # measure the page as built, not as served from the anonymous-page cache
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("testbeds:catalogue")).status_code == 200
    with CaptureQueriesContext(connection) as api:
        assert client.get("/api/v1/testbeds/").status_code == 200
    return len(page), len(api)


def test_catalogue_and_api_queries_do_not_grow_with_test_beds(client):
    assert _catalogue_queries(client, 5) == _catalogue_queries(client, 50)


def test_detail_page_shows_published_and_hides_drafts(client, catalogue):
    assert client.get(catalogue["street"].get_absolute_url()).status_code == 200
    assert client.get(catalogue["draft"].get_absolute_url()).status_code == 404
    assert client.get(catalogue["retired"].get_absolute_url()).status_code == 404
    assert client.get("/api/v1/testbeds/secret-draft/").status_code == 404
    html = client.get(catalogue["street"].get_absolute_url()).content.decode()
    assert "£100 per day" in html
    assert "Lamp posts with standalone 5G" in html


def test_each_filter_is_named_once_to_a_screen_reader(client, catalogue):
    """The disclosure's summary shows the name; the checkboxes' legend repeats it unseen."""
    html = client.get(reverse("testbeds:catalogue")).content.decode()
    for name in ("Region", "Sector", "Technology"):
        summary = f'<span class="govuk-details__summary-text">{name}</span>'
        legend = (
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s '
            f'govuk-visually-hidden">{name}</legend>'
        )
        assert html.count(summary) == 1
        assert html.count(legend) == 1
