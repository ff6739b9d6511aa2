"""Maps of the nations and regions: /regions/ (public), the catalogue filter, programme reach."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory, TestBedFactory
from tests.programmes.test_utilisation import trial

pytestmark = pytest.mark.django_db

NS = "{http://www.w3.org/2000/svg}"


def map_links(html: str) -> dict[str, str]:
    """The map's tiles: accessible name (after the words written in the tile) → link."""
    svg = re.search(r'<svg[^>]*class="app-tile-map__svg".*?</svg>', html, re.S).group(0)
    root = ET.fromstring(svg)
    return {a.get("aria-label").split(", ", 1)[1]: a.get("href") for a in root.iter(f"{NS}a")}


def test_regions_page_counts_published_test_beds_and_holds_back_small_counts(client):
    for _ in range(4):
        TestBedFactory(region="wales")
    TestBedFactory(region="scotland")  # one: held back
    TestBedFactory(region="scotland", status="draft")  # not published: not counted
    TestBedFactory(region="london", status="paused")  # not published: not counted
    page = client.get("/regions/")
    assert page.status_code == 200
    html = page.content.decode()
    links = map_links(html)
    assert links["Wales: 4 test beds"] == "/testbeds/?region=wales"
    assert "Scotland: fewer than 3" in links
    assert "London: 0 test beds" in links
    assert "Counts below 3 are held back" in html
    rows = dict(
        re.findall(
            r'<th scope="row" class="govuk-table__header">([^<]+)</th>\s*<td[^>]*>(.*?)</td>', html
        )
    )
    assert rows["Scotland"] == "fewer than 3"
    assert ">4</a>" in rows["Wales"]


def test_regions_page_takes_a_fixed_number_of_queries(client):
    TestBedFactory(region="wales")
    client.get("/regions/", {"warm": 1})
    # A query string of its own each time: past the page cache, to the database.
    with CaptureQueriesContext(connection) as few:
        assert client.get("/regions/", {"first": 1}).get("X-Cache") is None
    for region in ["wales", "london", "north-west"] * 5:
        TestBedFactory(region=region)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/regions/", {"second": 1}).get("X-Cache") is None
    assert len(many) == len(few) > 1


def test_catalogue_map_is_a_region_filter(client):
    TestBedFactory(region="wales", name="Cardiff bus depot", sectors=["transport"])
    TestBedFactory(region="wales", name="Swansea ward", sectors=["health-care"])
    TestBedFactory(region="north-east", name="Keel Square", sectors=["transport"])
    page = client.get("/testbeds/", {"sector": "transport", "region": "north-east"})
    html = page.content.decode()
    links = map_links(html)
    # Counts for the search without its own region filter: one transport test bed in Wales.
    wales = links["Wales: 1 test bed"]
    assert wales.startswith("/testbeds/?") and "sector=transport" in wales
    assert "region=wales" in wales and "region=north-east" not in wales
    assert 'aria-current="true"' in html  # the region chosen is marked
    filtered = client.get(wales).content.decode()
    assert "Cardiff bus depot" in filtered and "Keel Square" not in filtered
    assert "Swansea ward" not in filtered


def test_programme_page_shows_its_reach_for_its_officers(client):
    programme = ProgrammeFactory()
    wales = TestBedFactory(region="wales")
    for _ in range(3):
        trial(programme, wales)
    trial(programme, TestBedFactory(region="london"))
    trial(ProgrammeFactory(), TestBedFactory(region="scotland"))  # another programme
    client.force_login(MembershipFactory(organisation=programme.team).user)
    page = client.get(reverse("programmes:detail", args=[programme.pk]))
    links = map_links(page.content.decode())
    behind = links["Wales: 3 trials"]
    assert behind == f"/programmes/{programme.pk}/trials/?region=wales"
    assert "Scotland: 0 trials" in links
    listed = client.get(behind).content.decode()
    assert "3 trials" in listed
    used = map_links(
        client.get(
            reverse("programmes:detail", args=[programme.pk]), {"map": "testbeds"}
        ).content.decode()
    )
    assert "Wales: 1 test bed" in used
    share = map_links(
        client.get(
            reverse("programmes:detail", args=[programme.pk]), {"map": "utilisation"}
        ).content.decode()
    )
    assert "Wales: 0%" in share and "Scotland: –" in share
    client.force_login(
        MembershipFactory(organisation=OrganisationFactory(programme_team=True)).user
    )
    assert client.get(behind).status_code == 404


def test_regions_page_compares_open_challenges(client, provider):
    from challenges import services as challenge_services
    from tests.challenges.conftest import build_challenge

    testbed = TestBedFactory(organisation=provider.organisation)
    for region in ["wales"] * 3 + ["scotland"]:
        challenge = build_challenge(provider, [testbed], publish=False)
        challenge_services.challenge_update(actor=provider.user, challenge=challenge, region=region)
        challenge_services.challenge_publish(actor=provider.user, challenge=challenge)
    build_challenge(provider, publish=False)  # a draft: not counted
    html = client.get("/regions/", {"measure": "challenges"}).content.decode()
    links = map_links(html)
    assert links["Wales: 3 open challenges"] == "/challenges/?region=wales&phase=open"
    assert "Scotland: fewer than 3" in links
    listing = client.get(links["Wales: 3 open challenges"]).content.decode()
    assert "3 challenges" in listing


def test_regions_page_is_cached_for_visitors_until_a_challenge_is_published(
    client, provider, django_capture_on_commit_callbacks
):
    from challenges import services as challenge_services
    from tests.challenges.conftest import build_challenge

    testbed = TestBedFactory(organisation=provider.organisation, region="wales")
    assert client.get("/regions/").get("X-Cache") is None
    assert client.get("/regions/").get("X-Cache") == "hit"
    challenge = build_challenge(provider, [testbed], publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        challenge_services.challenge_publish(actor=provider.user, challenge=challenge)
    assert client.get("/regions/").get("X-Cache") is None
