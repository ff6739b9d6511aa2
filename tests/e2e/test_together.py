"""Issue 18 in the browser: a trial run together.

The start-up invites a company partner → the partner signs up through the link (without
JavaScript), adds a log entry and a file → the three sides exchange messages → the start-up
asks to extend by two weeks → the provider approves → the trial page and the calendar feed
show the new end. Every page is audited with axe (WCAG 2.2 AA).
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .browser import PASSWORD, page_path
from .steps import jpeg

pytestmark = pytest.mark.e2e

TRIAL = "Air quality sensing on Keel Square"  # demo data: requested, Smart Street (capacity 1)
PARTNER_EMAIL = "kit@sensorco.example"
PARTNER_NAME = "Kit Armstrong"
PARTNER_ORG = "SensorCo Ltd"


def invitation_link(server, email: str) -> str:
    messages = server.mail_to(email)
    assert messages, f"no e-mail was sent to {email}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/trials/partners/invitations/\S+/", body)
    assert match, f"no invitation link in:\n{body}"
    return match.group(0)


def write_message(j, trial_path: str, text: str) -> None:
    j.go(f"{trial_path}messages/")
    j.page.get_by_label("Message", exact=True).fill(text)
    j.button("Send message")
    j.expect_success("Your message has been sent.")


def long_date(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def test_a_trial_run_together(open_journey, e2e_server, tmp_path):
    provider = open_journey("together-1-provider-approves")
    provider.sign_in("provider@demo.test")
    provider.go("/trials/requests/")
    card = provider.page.locator(".govuk-summary-card", has_text=TRIAL)
    trial_path = page_path(card.get_by_role("link", name=TRIAL).get_attribute("href"))
    provider.click(card.get_by_role("button", name=f"Approve {TRIAL}"))
    provider.expect_success("The trial is approved")

    startup = open_journey("together-2-start-up-invites")
    page = startup.page
    startup.sign_in("startup@demo.test")
    startup.go(trial_path)
    startup.link("Invite a partner")
    startup.button("Send the invitation")
    assert startup.status_of_current_page() == 400
    page.get_by_label("Their e-mail address").fill(PARTNER_EMAIL)
    page.get_by_label("Technology partner").check()
    page.get_by_label("What they bring").fill("Supplies and calibrates the sensors")
    startup.button("Send the invitation")
    startup.expect_success(f"The invitation has been sent to {PARTNER_EMAIL}")
    expect(page.locator("#partners ~ table")).to_contain_text("Invited")

    partner = open_journey("together-3-partner-joins", javascript=False)
    ppage = partner.page
    partner.go(invitation_link(e2e_server, PARTNER_EMAIL))
    expect(ppage.locator("h1")).to_contain_text(TRIAL)
    partner.link("Create an account", within=ppage.locator("main"))
    ppage.get_by_label("Email").fill(PARTNER_EMAIL)
    ppage.get_by_label("Full name").fill(PARTNER_NAME)
    ppage.get_by_label("Password", exact=True).fill(PASSWORD + "-partner")
    ppage.get_by_label("Password (again)").fill(PASSWORD + "-partner")
    partner.button("Sign up")
    # The link proved the address: straight back to the invitation, signed in.
    expect(ppage.locator("header")).to_contain_text(PARTNER_NAME)
    ppage.get_by_label("A new organisation (company or university)").check()
    ppage.get_by_label("Name of the new organisation").fill(PARTNER_ORG)
    ppage.get_by_label("Company", exact=True).check()
    ppage.locator("#id_region").select_option(label="North East")
    partner.button("Join the trial as a partner")
    partner.expect_success(f"{PARTNER_ORG} is now a partner in this trial.")
    expect(ppage.locator("h1")).to_have_text(TRIAL)
    ppage.locator("summary", has_text="Add a log entry").click()
    ppage.get_by_label("Entry").fill("Sensors calibrated against the reference station.")
    partner.button("Add to log")
    partner.expect_success("The entry has been added to the log.")
    expect(ppage.locator("#log ~ *").first).to_contain_text(PARTNER_ORG)
    partner.link("Add a photo or document")
    ppage.set_input_files("#id_file", str(jpeg(tmp_path / "sensor.jpg", colour=(90, 140, 60))))
    ppage.get_by_label("What it shows").fill("A sensor on a lamp post")
    partner.button("Upload")
    partner.expect_success("The file has been added")
    expect(ppage.locator("#files ~ *").first).to_contain_text(PARTNER_ORG)
    partner.screenshot("partner-on-trial")

    write_message(startup, trial_path, "Welcome aboard, SensorCo.")
    write_message(partner, trial_path, "Thanks. The sensors are calibrated.")
    write_message(provider, trial_path, "Site access is from 8am on weekdays.")
    partner.go(trial_path)
    expect(ppage.locator("header")).to_contain_text("Messages")
    for j in (startup, partner):
        j.go(f"{trial_path}messages/")
        expect(j.page.locator(".app-message")).to_have_count(3)
        expect(j.page.locator(".app-message").last).to_contain_text("Site access is from 8am")
    partner.screenshot("messages")
    partner.finish()

    startup.go(trial_path)
    dates = page.locator(".govuk-summary-list__row", has_text="Dates").first
    last = dates.inner_text().split("–")[-1].strip().splitlines()[0]  # then "Add to my calendar"
    old_last = datetime.datetime.strptime(last, "%d %B %Y").date()
    new_last = old_last + datetime.timedelta(days=14)
    startup.link("Ask to extend, shorten or move the trial")
    startup.fill_date("#id_last_day", new_last)
    page.get_by_label("Why do the dates need to change?").fill("Two more weeks of winter data.")
    startup.button("Ask for the new dates")
    startup.expect_success("Your change has been sent.")

    provider.go("/trials/requests/")
    change = provider.page.locator(".govuk-summary-card", has_text="Two more weeks of winter data")
    expect(change).to_contain_text(long_date(new_last))
    provider.click(change.get_by_role("link", name=re.compile("Approve or decline")))
    provider.button("Approve the new dates")
    provider.expect_success("The new dates are approved and booked.")
    provider.finish()

    startup.go(trial_path)
    expect(dates).to_contain_text(long_date(new_last))
    expect(page.locator("#timeline ~ ol")).to_contain_text("Dates changed")
    startup.go("/organisations/")
    startup.link("Wearwell Analytics Ltd")
    address = page.locator("code.app-code", has_text="/calendars/organisations/")
    if address.count() == 0:
        startup.button("Create a calendar address")
    body = page.request.get(address.inner_text().strip()).text()
    assert f"DTEND;VALUE=DATE:{new_last + datetime.timedelta(days=1):%Y%m%d}" in body
    startup.screenshot("extended")
    startup.finish()
