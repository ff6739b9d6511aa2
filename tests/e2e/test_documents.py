"""Issue 22 journeys: the board summary and evidence packs as HTML pages (point 8), a
correction before submission (point 7), and a request that carries its plan, KPIs and
approvals to the provider (point 2). Every page is checked with axe (WCAG 2.2 AA).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .browser import days
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


def test_start_up_requests_with_plan_kpis_and_approvals_and_provider_approves_with_a_note(
    open_journey,
):
    """Issue 22, point 2: the provider decides on the whole proposal, not a paragraph."""
    title = "Kerbside air sensors with a plan"
    startup = open_journey("proposal-start-up-requests")
    page = startup.page
    main = page.locator("main")
    startup.sign_in("startup2@demo.test")
    startup.go("/testbeds/")
    startup.link("Sunderland 5G Smart Street", within=main)
    startup.link("Request a trial")
    expect(main).to_contain_text("Approvals this test bed requires")
    expect(main).to_contain_text("(required by this test bed)")
    page.get_by_label("Trial title").fill(title)
    page.get_by_label("What do you want to trial?").fill("NO2 sensors on ten lamp posts.")
    startup.fill_date("#id_first_day", days(200))
    startup.fill_date("#id_last_day", days(213))
    page.get_by_label("Objectives (optional)").fill("Show readings within 10% of the reference.")
    page.locator("input[name=approval_dpia][value=in-place]").check()
    page.locator("#id_kpi1_name").fill("Agreement with the reference station")
    page.locator("#id_kpi1_baseline").fill("70")
    page.locator("#id_kpi1_target").fill("90")
    startup.screenshot("request-with-proposal")
    startup.button("Send request")
    startup.expect_success("Your request has been sent.")
    startup.finish()

    provider = open_journey("proposal-provider-approves-with-a-note")
    page = provider.page
    provider.sign_in("provider@demo.test")
    provider.go("/trials/requests/")
    card = page.locator("section.govuk-summary-card", has_text=title)
    expect(card).to_contain_text("Show readings within 10% of the reference.")
    expect(card).to_contain_text("Agreement with the reference station")
    expect(card).to_contain_text("Approvals this test bed requires")
    card.locator("textarea[name=note]").fill("Meet us at the Keel Square kiosk at 9am.")
    provider.click(card.get_by_role("button", name=f"Approve {title}"))
    provider.expect_success("approved")
    provider.finish()
