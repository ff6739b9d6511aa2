"""The six journeys of issue 9, in order: each continues from the data the previous one left.

1. a provider lists a test bed (capacity 1, approval needed, no notice) with a photo;
2. a new start-up signs up, verifies its e-mail, sets up, finds that test bed, requests a trial;
3. the provider approves it; a second start-up meets the conflict and joins the waitlist;
4. the first start-up plans, starts, measures, adds a photo, writes the outcome and submits;
5. the programme officer asks for a change, the start-up resubmits, the officer accepts and
   downloads the final pack;
6. an anonymous visitor checks that pack (and an altered copy) on /verify/<code>/.

Every page load in each journey is audited with axe (WCAG 2.2 AA) and for images without alt
text; each test ends by asserting none was found.
"""

import re

import pytest
from playwright.sync_api import expect

from .browser import days, today
from .steps import (
    TestBedSpec,
    approve,
    find_test_bed,
    jpeg,
    list_test_bed,
    officer_enrols,
    request_trial,
    review,
    run_trial,
    set_up_start_up,
    sign_up,
    submit_evidence,
)

pytestmark = pytest.mark.e2e

TESTBED = TestBedSpec(name="Wearside Robotics Yard", town="Sunderland")
STARTUP_EMAIL = "founder@yardbot.example"
STARTUP_NAME = "Rhiannon Price"
TRIAL = "Yardbot deliveries from the Wearside yard"
TRIAL_DAYS = 7
STATE: dict = {}


def needs(*keys: str) -> list:
    missing = [key for key in keys if key not in STATE]
    if missing:
        pytest.fail(f"an earlier journey did not finish (no {', '.join(missing)})", pytrace=False)
    return [STATE[key] for key in keys]


def test_1_provider_lists_a_test_bed_with_a_photo(open_journey, tmp_path):
    j = open_journey("1-provider-lists-test-bed")
    j.sign_in("provider@demo.test")
    STATE["testbed"] = list_test_bed(j, TESTBED, jpeg(tmp_path / "yard.jpg"))
    j.finish()


def test_2_start_up_signs_up_finds_the_test_bed_and_requests(open_journey, e2e_server):
    needs("testbed")
    j = open_journey("2-start-up-signs-up-and-requests")
    sign_up(j, e2e_server, email=STARTUP_EMAIL, name=STARTUP_NAME)
    set_up_start_up(j, organisation="Yardbot Robotics Ltd")
    officer = open_journey("2b-officer-enrols-the-start-up")
    officer_enrols(officer, "Yardbot Robotics Ltd")
    officer.finish()
    find_test_bed(j, TESTBED.name, first_day=today(), last_day=days(13), min_days=TRIAL_DAYS)
    STATE["trial"] = request_trial(j, title=TRIAL, first_day=today(), last_day=days(TRIAL_DAYS - 1))
    j.finish()


def test_3_provider_approves_and_a_second_start_up_joins_the_waitlist(open_journey):
    testbed, trial = needs("testbed", "trial")
    provider = open_journey("3a-provider-approves")
    provider.sign_in("provider@demo.test")
    approve(provider, TRIAL, trial)
    provider.screenshot("approved")
    provider.finish()

    j = open_journey("3b-second-start-up-meets-the-conflict")
    page = j.page
    j.sign_in("startup2@demo.test")
    j.go(testbed)
    j.link("Request a trial")
    page.get_by_label("Trial title").fill("Tidal shuttle pilot")
    page.get_by_label("What do you want to trial?").fill("On-demand shuttle dispatch.")
    j.fill_date("#id_first_day", days(3))
    j.fill_date("#id_last_day", days(9))
    j.button("Send request")
    assert j.status_of_current_page() == 409
    conflict = page.locator(".govuk-error-summary")
    expect(conflict).to_contain_text("Those days are full")
    # The message offers the nearest free dates, e.g. "… free from 14 March 2027 …".
    expect(conflict).to_contain_text(re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}"))
    j.screenshot("conflict")
    j.button("Join the waitlist for these days")
    j.expect_success("You are on the waitlist.")
    j.link(f"{TESTBED.name}:", exact=False)
    expect(page.locator("h1")).to_have_text("Tidal shuttle pilot")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Waiting")
    j.screenshot("waitlist-entry")
    j.finish()


def test_4_start_up_runs_the_trial_and_submits(open_journey, tmp_path):
    (trial,) = needs("trial")
    j = open_journey("4-start-up-runs-the-trial")
    j.sign_in(STARTUP_EMAIL, password="demo-pass-2026-new")
    run_trial(j, trial, jpeg(tmp_path / "robot.jpg", colour=(200, 90, 40)))
    STATE["submitted"] = True
    j.finish()


def test_5_officer_asks_for_a_change_then_accepts_and_downloads(open_journey, tmp_path):
    trial, _ = needs("trial", "submitted")
    officer = open_journey("5a-officer-asks-for-a-change")
    officer.sign_in("officer@demo.test")
    officer.go("/trials/")
    officer.link(TRIAL)
    review(
        officer,
        trial,
        decision="Ask for changes",
        comments="Add what the next steps are after the trial.",
    )
    expect(officer.page.locator(".app-status-tag")).to_have_text("Changes requested")
    officer.screenshot("changes-requested")

    startup = open_journey("5b-start-up-resubmits")
    page = startup.page
    startup.sign_in(STARTUP_EMAIL, password="demo-pass-2026-new")
    startup.go(trial)
    expect(page.locator("#packs ~ table")).to_contain_text("Add what the next steps are")
    startup.link("Write the outcome")
    page.get_by_label("Next steps").fill("Procure through the council's dynamic purchasing system.")
    startup.button("Save outcome")
    submit_evidence(startup)
    expect(page.locator(".app-status-tag")).to_have_text("Submitted for review")
    startup.finish()

    review(officer, trial, decision="Accept the evidence", comments="Clear and complete.")
    page = officer.page
    expect(page.locator(".app-status-tag")).to_have_text("Accepted")
    final = page.locator("#packs ~ table tbody tr", has_text="Final")
    expect(final).to_have_count(1)
    code = final.locator("td").nth(1).inner_text().strip()
    officer.screenshot("accepted")
    with page.expect_download() as download_info:
        final.get_by_role("link", name=re.compile("^Download PDF")).click()
    download = download_info.value
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert download.suggested_filename.endswith(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    STATE["pack_code"], STATE["pack_pdf"] = code, pdf.read_bytes()
    officer.finish()


def test_6_anyone_verifies_the_pack(open_journey, tmp_path):
    code, pdf = needs("pack_code", "pack_pdf")
    j = open_journey("6-anyone-verifies-the-pack")
    page = j.page
    j.go(f"/verify/{code}/")
    expect(page.locator(".govuk-panel")).to_contain_text("final, signed off")
    genuine = tmp_path / "pack.pdf"
    genuine.write_bytes(pdf)
    page.set_input_files("#id_file", str(genuine))
    j.button("Check the file")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "byte-for-byte identical"
    )
    j.screenshot("genuine")
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(pdf.replace(b"Clear and complete.", b"Clear and complete!", 1) + b"\n%")
    page.set_input_files("#id_file", str(altered))
    j.button("Check the file")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Not a match")
    j.screenshot("not-a-match")
    j.finish()
