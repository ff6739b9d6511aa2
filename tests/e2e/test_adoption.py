"""The adoption journey of issue 16, in order, each test continuing from the last:

1. the programme officer (officer@) accepts the submitted pack of "Connected bins on the bus
   corridor"; the trial page now shows what happened next (undecided);
2. the test bed's public body (admin@, for Transport for Greater Manchester) records
   *procuring*, then *adopted* with the framework, a notice link, the value, a start date and
   the scale — a bad value first, refused with a field error; the history shows both versions;
3. both parties opt in to the register (start-up, then public body) and the outcome appears
   at /outcomes/ for anyone, with its filters and in its CSV;
4. another public body (provider@, Sunderland City Council) registers interest from the
   public outcome; the start-up sees it on the adoption page;
5. the start-up submits the 6-month impact report (an empty KPI result refused first).

Every page is audited with axe (WCAG 2.2 AA) and each test ends by asserting none failed.
"""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from .browser import days
from .steps import review

pytestmark = pytest.mark.e2e

TITLE = "Connected bins on the bus corridor"
STATE: dict = {}


def needs(*keys: str) -> list:
    missing = [key for key in keys if key not in STATE]
    if missing:
        pytest.fail(f"an earlier journey did not finish (no {', '.join(missing)})", pytrace=False)
    return [STATE[key] for key in keys]


def test_1_officer_accepts_the_pack(open_journey):
    j = open_journey("adoption-1-officer-accepts")
    page = j.page
    j.sign_in("officer@demo.test")
    j.go("/trials/")
    j.link(TITLE)
    trial = page.url.removeprefix(j.base_url)
    review(j, trial, decision="Accept the evidence", comments="Strong evidence.")
    expect(page.locator(".app-status-tag")).to_have_text("Accepted")
    panel = page.locator("#adoption")
    expect(panel).to_contain_text("Undecided")
    j.click(panel.get_by_role("link", name="Adoption, impact reports and the register"))
    expect(page.locator("h1")).to_have_text("What happened next")
    STATE["trial"] = trial
    j.finish()


def test_2_public_body_records_procuring_then_adopted(open_journey):
    (trial,) = needs("trial")
    j = open_journey("adoption-2-public-body-decides")
    page = j.page
    j.sign_in("admin@demo.test")
    j.go(trial + "adoption/")
    j.link("Record the decision")
    page.get_by_label("Procuring", exact=True).check()
    page.get_by_label("Open tender", exact=True).check()
    j.button("Save the decision")
    j.expect_success("Decision recorded.")
    j.link("Change the decision")
    page.get_by_label("Adopted", exact=True).check()
    page.get_by_label("Framework call-off", exact=True).check()
    page.get_by_label("Framework name").fill("G-Cloud 14")
    page.get_by_label("Public notice link (optional)").fill(
        "https://www.contractsfinder.service.gov.uk/Notice/bus-corridor-bins"
    )
    page.get_by_label("Contract value in pounds").fill("-50")
    j.fill_date("#id_start_date", days(30))
    page.get_by_label("Sites", exact=True).fill("30")
    j.button("Save the decision")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The amount cannot be negative.")
    page.get_by_label("Contract value in pounds").fill("96000.50")
    j.button("Save the decision")
    j.expect_success("Decision recorded.")
    history = page.locator(".app-timeline")
    expect(history).to_contain_text("Version 2: Adopted")
    expect(history).to_contain_text("Version 1: Procuring")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("£96,000.50")
    j.screenshot("adopted")
    j.finish()


def _opt_in(j, trial: str, summary: str | None) -> None:
    page = j.page
    j.go(trial + "adoption/")
    j.link("Publish or withdraw")
    if summary:
        page.get_by_label("Summary for the register").fill(summary)
    page.get_by_label("We agree to publish this outcome in the public register").check()
    j.button("Save")
    j.expect_success("Your choice about the register is saved.")


def test_3_both_opt_in_and_the_outcome_is_public(open_journey):
    (trial,) = needs("trial")
    startup = open_journey("adoption-3a-start-up-opts-in")
    startup.sign_in("startup@demo.test")
    _opt_in(startup, trial, "Bins at 30 bus stops that tell crews when they are full.")
    startup.finish()
    body = open_journey("adoption-3b-public-body-opts-in")
    body.sign_in("admin@demo.test")
    _opt_in(body, trial, None)
    body.finish()

    anyone = open_journey("adoption-3c-anyone-reads-the-register")
    page = anyone.page
    anyone.go("/outcomes/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_label("Adoption status").select_option("adopted")
    anyone.button("Filter")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    anyone.link(TITLE)
    expect(page.locator("main")).to_contain_text("Framework call-off: G-Cloud 14")
    expect(page.get_by_role("link", name="Verify the evidence pack")).to_be_visible()
    STATE["outcome"] = page.url.removeprefix(anyone.base_url)
    response = page.request.get(anyone.url("/outcomes/outcomes.csv"))
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    row = next(r for r in rows if r["title"] == TITLE)
    assert row["adoption_status"] == "adopted" and row["contract_value_gbp"] == "96000.50"
    anyone.finish()


def test_4_another_public_body_registers_interest(open_journey):
    (outcome,) = needs("outcome")
    j = open_journey("adoption-4-another-body-is-interested")
    page = j.page
    j.sign_in("provider@demo.test")
    j.go(outcome)
    j.link("We want to adopt this too")
    page.get_by_label("A short note (optional)").fill("We have 200 bus stops to cover.")
    j.button("Register interest")
    j.expect_success("Your interest is registered.")
    expect(page.locator("main")).to_contain_text("Sunderland City Council has registered interest")
    j.finish()


def test_5_start_up_submits_the_six_month_report(open_journey):
    (trial,) = needs("trial")
    j = open_journey("adoption-5-start-up-reports")
    page = j.page
    j.sign_in("startup@demo.test")
    j.go(trial + "adoption/")
    expect(page.locator("#interest ~ ul")).to_contain_text("Sunderland City Council")
    j.link("6 months")
    page.get_by_label("Contract 1: buyer").fill("Bury Council")
    page.get_by_label("Contract 1: value (£)").fill("24000")
    j.fill_date("#id_contracts\\.0\\.date", days(0))
    page.get_by_label("Private investment raised since the trial (£)").fill("150000")
    page.get_by_label("Investment round").fill("Seed")
    page.get_by_label("Jobs created").fill("3")
    j.button("Submit the report")
    expect(page.locator(".govuk-error-summary")).to_contain_text("was sustained, improved")
    for group in page.locator("fieldset", has_text="in live use").all():
        group.get_by_label("Sustained", exact=True).check()
    j.button("Submit the report")
    j.expect_success("Impact report submitted.")
    expect(page.locator("#reports ~ table")).to_contain_text("Submitted")
    j.screenshot("report-submitted")
    j.finish()
