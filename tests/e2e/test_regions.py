"""Regions and nations: the officer's funnel, utilisation and map; the Welsh council's listings.

- An officer opens the programme list, sees the funnel and the test-bed utilisation, clicks a
  region on the programme's map and lands on that region's trials.
- The catalogue's map filters by region; /regions/ compares the nations and regions.
- The Welsh council's test beds read in Welsh for a Welsh-language visitor, and in English
  (with a note where the English is missing) for others; the council's admin gets the service
  in Welsh, its working language.
- The map with the keyboard alone: its tiles are links in reading order, with visible focus.

Every page is checked with axe (WCAG 2.2 AA) by the Journey.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .steps import PROGRAMME
from .test_keyboard import Keyboard

pytestmark = pytest.mark.e2e

HARBOUR_CY = "Cei Clyfar Harbwr Caernarfon"
LIBRARY_EN = "Bangor Community Library Lab"
LIBRARY_CY = "Labordy Llyfrgell Gymunedol Bangor"


def tile(page, region: str):
    """The map's link for a region (its accessible name holds the region's full name)."""
    return page.locator(".app-tile-map__svg a").filter(
        has=page.locator("title", has_text=re.compile(rf", {region}: "))
    )


def test_officer_sees_funnel_utilisation_and_a_regions_trials(open_journey):
    j = open_journey("regions-officer-funnel-utilisation-map")
    page = j.page
    main = page.locator("main")
    j.sign_in("officer@demo.test")
    j.link("Programmes")
    expect(page.locator("h1")).to_have_text("Your programmes")
    j.link(PROGRAMME)

    j.link("Funnel", within=main)
    expect(page.locator("h1")).to_contain_text("the funnel")
    steps = main.locator("table").first
    expect(steps).to_contain_text("Trial requests")
    expect(steps).to_contain_text("Evidence accepted")
    approved = steps.get_by_role("link", name=re.compile(r"^Approved: \d+$"))
    count = int(approved.inner_text())
    j.screenshot("funnel")
    j.click(approved)
    expect(page.locator("h1")).to_have_text("Approved")
    expect(main.locator("table caption")).to_contain_text(f"{count} trial")

    j.link("Test-bed utilisation", within=main)
    expect(page.locator("h1")).to_have_text("Test-bed utilisation")
    expect(main).to_contain_text("of open place-days booked")
    expect(main.locator("#by-testbed")).to_be_visible()
    j.screenshot("utilisation")

    j.link("Overview", within=main)
    north_east = tile(page, "North East")
    expect(north_east).to_have_count(1)
    trials_there = int(re.search(r": (\d+) trial", north_east.get_attribute("aria-label")).group(1))
    assert trials_there > 0
    j.click(north_east)
    assert "region=north-east" in page.url
    expect(page.locator("#id_region")).to_have_value("north-east")
    expect(main.locator("table caption")).to_contain_text(f"{trials_there} trial")
    j.screenshot("north-east-trials")
    j.finish()


def test_welsh_council_listings_in_both_languages(open_journey):
    english = open_journey("regions-welsh-listings-english-visitor")
    english.go("/testbeds/")
    english.click(tile(english.page, "Wales"))
    assert "region=wales" in english.page.url
    main = english.page.locator("main")
    expect(main).to_contain_text("Caernarfon Harbour Smart Quay")
    english.link(LIBRARY_EN, within=main)
    expect(english.page.locator("h1")).to_have_text(LIBRARY_EN)
    welsh_text = main.locator('[lang="cy"]', has_text="Mae'r llyfrgell yn croesawu")
    expect(welsh_text).to_be_visible()
    expect(main.locator(".app-other-language-note")).to_have_text(
        "This text is not available in English."
    )
    english.screenshot("library-in-english")
    english.finish()

    welsh = open_journey("regions-welsh-listings-welsh-visitor")
    welsh.go("/testbeds/?region=wales")
    welsh.link("Cymraeg")
    expect(welsh.page.locator("html")).to_have_attribute("lang", "cy")
    main = welsh.page.locator("main")
    expect(main).to_contain_text(HARBOUR_CY)
    expect(main).to_contain_text("Llyfrgell brysur yn y dref")
    welsh.link(LIBRARY_CY, within=main)
    expect(welsh.page.locator("h1")).to_have_text(LIBRARY_CY)
    expect(main).to_contain_text("Mae'r llyfrgell yn croesawu")
    expect(main.locator(".app-other-language-note")).to_have_count(0)
    welsh.screenshot("library-in-welsh")
    welsh.finish()

    council = open_journey("regions-welsh-council-admin")
    council.go("/accounts/login/")
    council.page.fill("#id_login", "council2@demo.test")
    council.page.fill("#id_password", "demo-pass-2026")
    council.button("Sign in")
    # The council works in Welsh: its admin, who never chose a language, gets Welsh.
    expect(council.page.locator("html")).to_have_attribute("lang", "cy")
    council.go("/testbeds/mine/")
    expect(council.page.locator("main")).to_contain_text("Bangor")
    council.finish()


def test_regions_page_and_the_map_with_the_keyboard(open_journey):
    j = open_journey("regions-keyboard-map")
    page = j.page
    keys = Keyboard(j)
    j.go("/regions/")
    expect(page.locator("h1")).to_have_text("Nations and regions")
    expect(page.locator("main")).to_contain_text("Counts below 3 are held back")
    assert keys.sweep() > 12  # every tile is a stop, and there is no trap
    wales = tile(page, "Wales")
    keys.tab_to(wales)
    keys.press("Enter")
    assert page.url.endswith("/testbeds/?region=wales")
    expect(page.locator("main")).to_contain_text("Caernarfon Harbour Smart Quay")
    # On the catalogue the map narrows the search: Tab to North East and choose it.
    keys.tab_to(tile(page, "North East"))
    keys.press("Enter")
    assert "region=north-east" in page.url and "region=wales" not in page.url
    expect(tile(page, "North East")).to_have_attribute("aria-current", "true")
    j.screenshot("catalogue-north-east")
    j.finish()


def test_regions_page_compares_public_outcomes(open_journey):
    """The public outcomes measure: a map whose tiles are named links to the register filtered
    to their region, counts below 3 held back, the table's column, and the same in Welsh.
    Counts are read, not assumed: other journeys publish outcomes in the shared database."""
    j = open_journey("regions-public-outcomes")
    page = j.page
    main = page.locator("main")
    j.go("/regions/")
    j.link("Public outcomes", within=main)
    assert "measure=outcomes" in page.url
    expect(main.locator(".app-tile-map__svg").first).to_be_visible()
    expect(main).to_contain_text("Public outcomes by nation and region")
    compared = main.locator('[aria-labelledby="compare"] table thead')
    expect(compared).to_contain_text("Public outcomes")
    links = main.locator(".app-tile-map__svg a")
    expect(links).to_have_count(12)
    for index in range(12):
        name = links.nth(index).get_attribute("aria-label")
        assert re.search(r", [A-Z][A-Za-z ,]+: (fewer than 3|\d+ public outcomes?)$", name), name
        assert links.nth(index).get_attribute("href").startswith("/outcomes/?region=")
    # The demo's outcome is on Keel Square, Sunderland: the North East has one or more.
    north_east = tile(page, "North East")
    label = north_east.get_attribute("aria-label")
    assert not label.endswith(": 0 public outcomes"), label
    j.screenshot("public-outcomes")
    j.click(north_east)
    assert page.url.endswith("/outcomes/?region=north-east")
    expect(page.locator("h1")).to_have_text("Outcomes register")
    expect(page.locator("#id_region")).to_have_value("north-east")
    j.finish()

    cy = open_journey("regions-public-outcomes-welsh")
    cy.go("/regions/?measure=outcomes")
    cy.link("Cymraeg")
    expect(cy.page.locator("html")).to_have_attribute("lang", "cy")
    expect(cy.page.locator("main")).to_contain_text("Canlyniadau cyhoeddus")
    expect(tile(cy.page, "Cymru")).to_have_count(1)
    cy.screenshot("public-outcomes-in-welsh")
    cy.finish()
