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


def _free_dates_search(client, page: int = 1):
    from tests.testbeds.test_availability import d

    window = {"available_from": d(15), "available_to": d(60), "min_days": 14}
    return client.get("/testbeds/", {**window, "page": page})


def test_catalogue_map_counts_every_free_dates_match_not_only_the_page(
    client, monkeypatch, settings
):
    """The free-dates search counts its results only a page ahead (core.pagination); the map
    still counts every match in each region, including those on later pages."""
    from tests.testbeds.test_availability import book

    settings.ANONYMOUS_PAGE_SECONDS = 0
    monkeypatch.setattr("core.pagination.PAGES_AHEAD", 0)  # page 1 counts to 20 at most
    for n in range(22):
        TestBedFactory(name=f"Bed {n:02d}", region="north-east", capacity=1)
    TestBedFactory(name="Zz Cardiff quay", region="wales", capacity=1)  # sorts onto page 2
    book(TestBedFactory(name="Aa busy Swansea", region="wales", capacity=1), 10, 70)
    first = _free_dates_search(client)
    html = first.content.decode()
    assert first.context["page"].paginator.capped
    assert "More than 20 test beds found" in html
    assert "Zz Cardiff quay" not in html and "Aa busy Swansea" not in html
    links = map_links(html)
    assert "Wales: 1 test bed" in links  # the match on page 2, and not the busy one
    assert "North East: 22 test beds" in links
    second = _free_dates_search(client, page=2).content.decode()
    assert "Zz Cardiff quay" in second
    assert map_links(second) == links  # the same map on every page
    # The Wales tile narrows the same search to Wales: the page 2 match is found there.
    in_wales = client.get(links["Wales: 1 test bed"]).content.decode()
    assert "Zz Cardiff quay" in in_wales and "available_from=" in links["Wales: 1 test bed"]


def test_catalogue_map_on_a_free_dates_search_takes_a_fixed_number_of_queries(client, settings):
    settings.ANONYMOUS_PAGE_SECONDS = 0
    TestBedFactory(region="wales")
    _free_dates_search(client)  # warm
    with CaptureQueriesContext(connection) as few:
        assert "Wales: 1 test bed" in map_links(_free_dates_search(client).content.decode())
    regions = ["wales", "london", "north-west", "scotland", "east-midlands", "north-east"]
    for index in range(30):
        TestBedFactory(region=regions[index % len(regions)])
    with CaptureQueriesContext(connection) as many:
        assert "Scotland: 5 test beds" in map_links(_free_dates_search(client).content.decode())
    assert len(many) == len(few)
    grouped = [q["sql"] for q in many if "GROUP BY" in q["sql"] and "region" in q["sql"]]
    assert len(grouped) == 1  # one grouped count for all twelve tiles, no query per region


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


def _outcome(startup, provider, region: str, *, publish: bool = True):
    """An accepted trial on a test bed in ``region``; in the register when ``publish``."""
    from adoption import services as adoption_services
    from tests.adoption.conftest import accepted_trial

    testbed = TestBedFactory(organisation=provider.organisation, region=region, capacity=5)
    trial = accepted_trial(startup, provider, testbed=testbed, title=f"Trial in {region}")
    adoption_services.consent_set(
        actor=startup.user, adoption=trial.adoption, party="startup", agree=True, summary="Done."
    )
    if publish:
        adoption_services.consent_set(
            actor=provider.user, adoption=trial.adoption, party="provider", agree=True
        )
    return trial.adoption


def test_regions_page_compares_public_outcomes_and_holds_back_small_counts(
    client, startup, provider
):
    for _ in range(3):
        _outcome(startup, provider, "wales")
    _outcome(startup, provider, "scotland")  # one: held back
    _outcome(startup, provider, "london", publish=False)  # one consent only: not public
    html = client.get("/regions/", {"measure": "outcomes"}).content.decode()
    links = map_links(html)
    assert links["Wales: 3 public outcomes"] == "/outcomes/?region=wales"
    assert "Scotland: fewer than 3" in links
    assert "London: 0 public outcomes" in links
    assert "Public outcomes by nation and region" in html
    # The table has the measure as its third column, held back the same way.
    assert re.search(r'<th scope="col"[^>]*>Public outcomes</th>', html)
    rows = dict(
        re.findall(
            r'<th scope="row" class="govuk-table__header">([^<]+)</th>'
            r"((?:\s*<td[^>]*>.*?</td>){3})",
            html,
        )
    )
    assert rows["Wales"].rstrip().endswith('aria-label="Wales: 3 public outcomes">3</a></td>')
    assert rows["Scotland"].rstrip().endswith(">fewer than 3</td>")
    assert "3 outcomes" in client.get(links["Wales: 3 public outcomes"]).content.decode()


def test_regions_page_counts_outcomes_in_a_fixed_number_of_queries(client, startup, provider):
    _outcome(startup, provider, "wales")
    client.get("/regions/", {"warm": 1})
    with CaptureQueriesContext(connection) as few:
        assert client.get("/regions/", {"measure": "outcomes", "a": 1}).get("X-Cache") is None
    for region in ["wales", "london", "north-west"] * 2:
        _outcome(startup, provider, region)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/regions/", {"measure": "outcomes", "b": 1}).get("X-Cache") is None
    assert len(many) == len(few) > 1


def test_regions_page_is_forgotten_when_an_outcome_enters_or_leaves_the_register(
    client, startup, provider, django_capture_on_commit_callbacks
):
    from adoption import services as adoption_services

    def wales() -> tuple[str | None, str]:
        page = client.get("/regions/", {"measure": "outcomes"})
        label = next(key for key in map_links(page.content.decode()) if key.startswith("Wales"))
        return page.get("X-Cache"), label

    for _ in range(2):
        _outcome(startup, provider, "wales")
    with django_capture_on_commit_callbacks(execute=True):
        third = _outcome(startup, provider, "wales", publish=False)
    assert wales() == (None, "Wales: fewer than 3")
    assert wales() == ("hit", "Wales: fewer than 3")  # kept for anonymous visitors
    with django_capture_on_commit_callbacks(execute=True):  # both agree: it is published
        adoption_services.consent_set(
            actor=provider.user, adoption=third, party="provider", agree=True
        )
    assert wales() == (None, "Wales: 3 public outcomes")
    assert wales() == ("hit", "Wales: 3 public outcomes")
    with django_capture_on_commit_callbacks(execute=True):  # one withdraws: it leaves at once
        adoption_services.consent_set(
            actor=startup.user, adoption=third, party="startup", agree=False
        )
    assert wales() == (None, "Wales: fewer than 3")


def test_regions_page_reads_in_welsh_with_the_outcomes_measure(client):
    client.get("/language/cy/", {"next": "/"})
    html = client.get("/regions/", {"measure": "outcomes"}).content.decode()
    assert "Public outcomes" not in html
    assert "Canlyniadau cyhoeddus" in html
