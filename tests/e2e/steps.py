"""The journeys' steps, shared by the ordinary, the no-JavaScript and the keyboard runs.

Each step drives the pages as a person would (labels, buttons and links by their names) and
asserts what the person should see. Every page load is audited by the Journey.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import expect

from .browser import PASSWORD, Journey, error_summary_problems, page_path, today

PROGRAMME = "North East Digital Trials"


def jpeg(path: Path, colour: tuple[int, int, int] = (30, 110, 160)) -> Path:
    """A small photo-like JPEG made with Pillow."""
    image = Image.new("RGB", (800, 600), colour)
    for x in range(0, 800, 40):
        for y in range(0, 600, 40):
            image.putpixel((x, y), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


@dataclass
class TestBedSpec:
    __test__ = False

    name: str
    town: str
    sector: str = "Transport and mobility"
    region: str = "North East"
    capacity: int = 1
    notice_days: int = 0
    min_days: int = 5
    photo_alt: str = "A fenced yard with a charging bay and two delivery robots"


def list_test_bed(j: Journey, spec: TestBedSpec, photo: Path) -> str:
    """Journey 1: a signed-in provider lists a test bed, adds a photo and publishes it.

    Returns the test bed's public path.
    """
    page = j.page
    j.go("/testbeds/mine/")
    j.link("List a new test bed")
    page.get_by_label("Name", exact=True).fill(spec.name)
    page.get_by_label("Summary", exact=True).fill(
        f"{spec.name}: a real site for close-to-market trials."
    )
    page.get_by_label("Description", exact=True).fill(
        "A secure site with power, connectivity and staff who help set up each trial."
    )
    page.get_by_label("Facilities (optional)").fill("Power\nPrivate 5G\nSecure storage")
    page.locator("#id_region").select_option(label=spec.region)
    page.get_by_label("Town or city").fill(spec.town)
    page.get_by_label(spec.sector, exact=True).check()
    page.get_by_label("How many trials can run at the same time").fill(str(spec.capacity))
    page.get_by_label("Shortest trial, in days").fill(str(spec.min_days))
    page.get_by_label("Longest trial, in days").fill("60")
    page.get_by_label("Notice needed before a trial starts, in days").fill(str(spec.notice_days))
    expect(page.get_by_label("We approve each request before it is confirmed")).to_be_checked()
    page.get_by_label("Contact e-mail address").fill("testbeds@sunderland.example")
    j.screenshot("new-test-bed-form")
    j.button("Save as draft")
    j.expect_success("has been saved as a draft")
    expect(page.locator("h1")).to_have_text(spec.name)
    manage_path = page_path(page.url)

    j.link("Add a photo")
    page.set_input_files("#id_image", str(photo))
    page.get_by_label("Describe the photo for people who cannot see it").fill(spec.photo_alt)
    page.get_by_label("Caption (optional)").fill("The yard, looking north")
    j.button("Upload photo")
    j.expect_success("The photo has been added.")
    expect(page.get_by_role("img", name=spec.photo_alt)).to_be_visible()
    j.button("Publish")
    j.expect_success("is published")
    j.screenshot("published")

    j.link("View the listing")
    expect(page.locator("h1")).to_have_text(spec.name)
    photo_img = page.locator(".app-photo-grid img")
    expect(photo_img).to_have_attribute("alt", spec.photo_alt)
    if j.javascript:
        assert photo_img.evaluate("img => img.complete && img.naturalWidth > 0"), "photo not shown"
    j.screenshot("listing")
    assert manage_path.endswith("/manage/")
    return page_path(page.url)


def sign_up(j: Journey, server, *, email: str, name: str) -> None:
    """Journey 2, first half: sign up, verify the e-mail address from the e-mail, sign in."""
    page = j.page
    j.go("/")
    j.link("Create an account", within=page.locator("main"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD + "-new")
    page.get_by_label("Password (again)").fill(PASSWORD + "-new")
    j.screenshot("sign-up")
    j.button("Sign up")
    expect(page.locator("h1")).to_contain_text("Verify")
    j.go(verification_link(server, email))
    j.button("Confirm")
    expect(page.locator("header")).to_contain_text(name)


def verification_link(server, email: str) -> str:
    messages = server.mail_to(email)
    assert messages, f"no e-mail was sent to {email}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert match, f"no verification link in:\n{body}"
    return match.group(0)


def set_up_start_up(j: Journey, *, organisation: str) -> None:
    """A new person sets up their start-up from the home page."""
    page = j.page
    j.go("/")
    j.link("Set up your organisation")
    page.get_by_label("Start-up or small business: we want to trial a product").check()
    page.get_by_label("Name of the organisation").fill(organisation)
    page.locator("#id_region").select_option(label="North East")
    j.button("Set up organisation")
    j.expect_success(f"{organisation} has been set up.")


def officer_enrols(j: Journey, organisation: str) -> None:
    """The programme's officer finds the new start-up on the programme's Start-ups page and
    enrols it (a trial may only join a programme its start-up takes part in)."""
    page = j.page
    main = page.locator("main")
    j.sign_in("officer@demo.test")
    j.go("/programmes/")
    j.link(PROGRAMME, within=main)
    j.link("Start-ups", within=main)
    page.get_by_label("Start-up's name").fill(organisation.split()[0])
    j.button("Find start-ups")
    j.button(f"Enrol {organisation}")
    j.expect_success(f"{organisation} takes part in {PROGRAMME}")
    expect(main.locator("td", has_text=organisation)).to_have_count(1)


def enrol_in_programme(server, organisation: str) -> None:
    """The programme team enrols the new start-up in the demo programme (an operator's
    command: a trial may only join a programme its start-up takes part in)."""
    server.manage("enrol_in_programme", PROGRAMME, organisation)


def find_test_bed(j: Journey, name: str, *, first_day, last_day, min_days: int) -> None:
    """Search the catalogue by region and free dates, and open the test bed."""
    page = j.page
    j.go("/testbeds/")
    page.locator("summary", has_text="Region").click()
    page.get_by_label("North East", exact=True).check()
    j.fill_date("#id_available_from", first_day)
    j.fill_date("#id_available_to", last_day)
    page.get_by_label("For at least (days)").fill(str(min_days))
    j.button("Search")
    assert "region=north-east" in page.url and "available_from=" in page.url
    expect(page.locator("#result-count")).to_contain_text("found")
    j.screenshot("catalogue-results")
    j.link(name)
    expect(page.locator("h1")).to_have_text(name)


def request_trial(j: Journey, *, title: str, first_day, last_day) -> str:
    """From the test bed's page: request a trial, after an empty attempt shows every error."""
    page = j.page
    j.link("Request a trial")
    j.button("Send request")
    assert j.status_of_current_page() == 400
    expect(page).to_have_title(re.compile(r"^Error:"))
    assert error_summary_problems(j) == []
    summary_links = page.locator(".govuk-error-summary a")
    assert summary_links.count() >= 4  # title, summary, first day, last day
    if j.javascript:
        # GOV.UK Frontend moves focus to the summary, so screen readers announce it first.
        expect(page.locator(".govuk-error-summary")).to_be_focused()
    j.screenshot("request-errors")
    page.get_by_label("Trial title").fill(title)
    page.get_by_label("What do you want to trial?").fill(
        "Autonomous last-mile delivery robots: route reliability and public acceptance."
    )
    j.fill_date("#id_first_day", first_day)
    j.fill_date("#id_last_day", last_day)
    page.locator("#id_programme").select_option(label=PROGRAMME)
    j.button("Send request")
    j.expect_success("Your request has been sent.")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".app-status-tag")).to_have_text("Requested")
    j.screenshot("trial-requested")
    return page_path(page.url)


def approve(j: Journey, title: str, trial_path: str) -> None:
    """The provider approves the request from the queue."""
    page = j.page
    j.go("/trials/requests/")
    card = page.locator(".govuk-summary-card", has_text=title)
    expect(card.get_by_text("Yes", exact=True)).to_be_visible()
    j.screenshot("approval-queue")
    j.click(card.get_by_role("button", name=f"Approve {title}"))
    j.expect_success("The trial is approved")
    expect(page.locator(".govuk-summary-card", has_text=title)).to_have_count(0)
    j.go(trial_path)
    expect(page.locator(".app-status-tag")).to_have_text("Approved")


def run_trial(j: Journey, trial_path: str, photo: Path) -> None:
    """Journey 4: plan, KPI, start, measure, photo, log, complete, outcome, submit."""
    page = j.page
    j.go(trial_path)
    expect(page.locator(".app-status-tag")).to_have_text("Approved")
    j.link("Edit the plan")
    page.get_by_label("Product name").fill("Yardbot")
    page.get_by_label("The problem it solves").fill("Vans idle in city streets.")
    page.get_by_label("Objectives").fill("Deliver 95% of parcels on time\nNo safety incidents")
    page.locator("#id_trl_start").select_option("6")
    page.locator("#id_trl_target").select_option("7")
    j.button("Save plan")
    j.expect_success("The plan has been saved.")

    # A KPI form sent empty shows each error in the summary too.
    j.link("Add a KPI")
    j.button("Add KPI")
    assert error_summary_problems(j) == []
    page.get_by_label("Name", exact=True).fill("Deliveries on time")
    page.get_by_label("Unit (optional)").fill("%")
    page.get_by_label("Baseline").fill("80")
    page.get_by_label("Target").fill("95")
    j.button("Add KPI")
    j.expect_success("The KPI has been added.")

    j.button("Start the trial")
    j.expect_success("The trial has started.")
    expect(page.locator(".app-status-tag")).to_have_text("Active")

    kpi = page.locator(".govuk-summary-card", has_text="Deliveries on time")
    kpi.locator("summary", has_text="Record a measurement").click()
    kpi.get_by_label("Value").fill("96.5")
    # The date comes prefilled with today, in the GOV.UK day, month and year boxes.
    j.expect_date(kpi.locator(".govuk-date-input"), today())
    kpi.get_by_label("Note (optional)").fill("First full day")
    j.click(kpi.get_by_role("button", name="Record", exact=True))
    j.expect_success("The measurement has been recorded.")
    expect(kpi.get_by_text("Target met")).to_be_visible()

    j.link("Add a photo or document")
    page.set_input_files("#id_file", str(photo))
    page.get_by_label("What it shows").fill("A robot leaving the yard")
    j.button("Upload")
    j.expect_success("The file has been added")
    expect(page.get_by_role("img", name="A robot leaving the yard")).to_be_visible()

    page.locator("summary", has_text="Add a progress entry").click()
    j.expect_date(page.locator("#id_date"), today())
    page.get_by_label("Entry").fill("All robots on the route by 9am.")
    j.button("Add to log")
    j.expect_success("The entry has been added to the log.")
    j.screenshot("trial-active")

    j.button("Mark as complete")
    # Asks first, saying which days go back (issue 22.1); the default gives them back.
    expect(page.locator("h1")).to_have_text("Mark the trial as complete?")
    j.screenshot("complete-are-you-sure")
    j.button("Mark as complete")
    j.expect_success("The trial is complete.")
    expect(page.locator(".app-status-tag")).to_have_text("Completed")
    gaps = page.locator("#submit + .govuk-inset-text")
    expect(gaps).to_contain_text("the lessons learned")
    j.screenshot("submission-gaps")

    j.link("Write the outcome")
    page.get_by_label("Results against the objectives").fill("96.5% on time, above the target.")
    page.locator("#id_trl_achieved").select_option("7")
    page.get_by_label("Lessons learned").fill("Kerb heights matter more than weather.")
    page.get_by_label("Safety incidents").fill("None")
    page.get_by_label("Scale up", exact=True).check()
    j.button("Save outcome")
    j.expect_success("The outcome has been saved.")

    submit_evidence(j)
    expect(page.locator(".app-status-tag")).to_have_text("Submitted for review")
    expect(page.locator("#packs ~ table")).to_contain_text("Download PDF")
    j.screenshot("submitted")


def submit_evidence(j: Journey) -> None:
    """Submit, through the "are you sure" page."""
    j.button("Submit evidence for review")
    expect(j.page.locator("h1")).to_have_text("Submit the evidence for review?")
    j.button("Submit evidence for review")
    j.expect_success("Submitted.")


def review(j: Journey, trial_path: str, *, decision: str, comments: str) -> None:
    """The programme officer records a decision on the latest pack."""
    page = j.page
    j.go(trial_path)
    expect(page.locator("#review")).to_be_visible()
    page.get_by_label(decision, exact=True).check()
    page.get_by_label("Comments").fill(comments)
    j.button("Record decision")
    j.expect_success("Your decision has been recorded")
