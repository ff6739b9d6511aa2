"""Accessible documents (issue 22, point 8): the board summary and the evidence packs as HTML
pages beside their PDFs, checked with axe (WCAG 2.2 AA) like every page of a Journey.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .steps import PROGRAMME

pytestmark = pytest.mark.e2e


def test_officer_reads_the_board_summary_as_a_web_page(open_journey):
    j = open_journey("documents-board-summary-page")
    page = j.page
    main = page.locator("main")
    j.sign_in("officer@demo.test")
    j.link("Programmes")
    j.link(PROGRAMME)
    j.link("Board summary as a web page", within=main)
    expect(page.locator("h1")).to_have_text(PROGRAMME)
    expect(main.locator("caption", has_text="Recommendations")).to_have_count(1)
    expect(main.get_by_role("link", name="Download this summary as a one-page PDF")).to_be_visible()
    j.screenshot("board-summary")
    j.finish()


def test_start_up_reads_its_accepted_pack_as_a_web_page_and_from_the_check_page(open_journey):
    j = open_journey("documents-evidence-pack-page")
    page = j.page
    main = page.locator("main")
    j.sign_in("startup@demo.test")
    j.go("/trials/")
    j.link("Livestock water monitoring on a hill farm", within=main)
    j.link("Read as a web page", within=main, exact=False)
    expect(page.locator("h1")).to_have_text("Livestock water monitoring on a hill farm")
    expect(main.locator("#kpis")).to_be_visible()
    expect(main.locator("article")).to_have_attribute("lang", re.compile("^(en|cy)"))
    j.screenshot("pack-page")
    j.link("Check this pack is genuine", within=main)
    expect(page.locator("h1")).to_contain_text("TBX-")
    j.link("Read this pack as an accessible web page", within=main)
    expect(page.locator("h1")).to_have_text("Livestock water monitoring on a hill farm")
    j.finish()


def test_start_up_corrects_a_mistyped_measurement(open_journey):
    j = open_journey("documents-correct-a-measurement")
    page = j.page
    main = page.locator("main")
    j.sign_in("startup@demo.test")
    j.go("/trials/")
    j.link("Smart bins at the bus depot", within=main)
    j.click(main.get_by_role("link", name=re.compile("^Correct the value of")).first)
    expect(page.locator("h1")).to_contain_text("Correct a measurement")
    page.get_by_label("Value").fill("not a number")
    j.button("Save the correction")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("Value").fill("41.5")
    page.get_by_label("Why are you correcting it? (optional)").fill("Typed the wrong week's figure")
    j.button("Save the correction")
    j.expect_success("The measurement has been corrected.")
    expect(main.locator("#timeline ~ ol")).to_contain_text("Value corrected")
    expect(main.locator("#timeline ~ ol")).to_contain_text("Typed the wrong week's figure")
    j.screenshot("corrected")
    j.finish()
