"""The challenge journey of issue 17, in order, each test continuing from the last:

1. the public body (provider@) sets a challenge closing a few minutes from now, with criteria,
   a question and one of its test beds, publishes it and invites two assessors;
2. a start-up (startup@) asks a clarification, then applies with the keyboard alone (each step
   a plain form post) and submits; a second start-up (startup2@) applies too;
3. the assessor (assessor@) accepts the e-mailed invitation, declares a conflict on one
   application and scores the other; a second assessor (officer@) scores it as well;
4. once the closing time has passed, the owner awards it from the ranking, and a trial request
   carrying the plan and KPIs appears in the public body's queue.

Every page is audited with axe (WCAG 2.2 AA) and each test ends by asserting none failed.
"""

from __future__ import annotations

import datetime
import re
import time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .browser import days
from .test_keyboard import Keyboard

pytestmark = pytest.mark.e2e

UK = ZoneInfo("Europe/London")
TITLE = "Fewer missed bin collections in Hendon"
OBJECTIVE = "Halve missed collections on the Hendon rounds."
KPI = "Missed collections a week"
TESTBED = "Sunderland 5G Smart Street"
CLOSE_IN = datetime.timedelta(minutes=5)
STATE: dict = {}


def needs(*keys: str) -> list:
    missing = [key for key in keys if key not in STATE]
    if missing:
        pytest.fail(f"an earlier journey did not finish (no {', '.join(missing)})", pytrace=False)
    return [STATE[key] for key in keys]


def invitation_link(server, email: str) -> str:
    messages = server.mail_to(email)
    assert messages, f"no e-mail was sent to {email}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/challenges/assessor-invitations/\S+/", body)
    assert match, f"no invitation link in:\n{body}"
    return match.group(0)


def test_1_public_body_publishes_a_challenge(open_journey):
    j = open_journey("challenges-1-public-body-publishes")
    page = j.page
    j.sign_in("provider@demo.test")
    j.go("/challenges/")
    j.link("Set a challenge")
    closes = (datetime.datetime.now(UK) + CLOSE_IN).replace(second=0, microsecond=0)
    closes += datetime.timedelta(minutes=1)
    page.fill("#id_title", TITLE)
    page.fill("#id_summary", "Bins are missed on the Hendon rounds.")
    page.fill("#id_problem", "Crews miss bins when rounds change; residents complain.")
    j.fill_date("#id_closes_on", closes.date())
    page.fill("#id_closes_time", closes.strftime("%H:%M"))
    j.button("Save")
    j.expect_success("Draft saved")
    page.fill("#id_name_1", "Fit to the problem")
    page.fill("#id_weight_1", "60")
    page.fill("#id_name_2", "Team")
    page.fill("#id_weight_2", "30")
    j.button("Save and continue")
    expect(page.locator(".govuk-error-summary")).to_contain_text("add up to 90")
    page.fill("#id_weight_2", "40")
    j.button("Save and continue")
    page.fill("#id_text_1", "Is your company registered in the UK?")
    page.select_option("#id_kind_1", "yes-no")
    j.button("Save and continue")
    value = page.locator("#id_testbed option", has_text=TESTBED).first.get_attribute("value")
    page.select_option("#id_testbed", value)
    j.button("Add the test bed")
    j.expect_success("The test bed has been added")
    j.link("Back to the challenge")
    j.button("Publish the challenge")
    j.expect_success("The challenge is published")
    expect(page.locator("main")).to_contain_text(re.compile(r"(BST|GMT)"))
    STATE["challenge"] = page.url.split("/challenges/")[1].strip("/")
    j.link("Applications and assessors")
    j.link("Invite assessors")
    for email in ("assessor@demo.test", "officer@demo.test"):
        page.fill("#id_email", email)
        j.button("Send the invitation")
        j.expect_success("An invitation has been sent")
    j.finish()


def test_2_start_up_asks_and_applies_with_the_keyboard(open_journey):
    (slug,) = needs("challenge")
    j = open_journey("challenges-2-start-up-applies-keyboard")
    page = j.page
    keys = Keyboard(j)
    main = page.locator("main")
    j.sign_in("startup@demo.test")
    j.go(f"/challenges/{slug}/")
    keys.tab_to(main.get_by_role("link", name="Ask a question about this challenge"))
    keys.press("Enter")
    keys.type_into(page.locator("#id_question"), "Can a university be our partner?")
    keys.tab_to(main.get_by_role("button", name="Send the question"))
    keys.press("Enter")
    j.expect_success("Your question has been sent")
    keys.tab_to(main.get_by_role("link", name="Apply", exact=True))
    keys.press("Enter")
    keys.tab_to(main.get_by_role("button", name="Start your application"))
    keys.press("Enter")
    keys.type_into(page.locator("#id_title"), "BinSense for Hendon")
    keys.type_into(page.locator("#id_summary"), "Fill sensors tell crews which bins to empty.")
    keys.tab_to(main.get_by_role("button", name="Save and continue"))
    keys.press("Enter")
    keys.tab_to(main.get_by_label("Yes"))
    page.keyboard.press("Space")
    keys.tab_to(main.get_by_role("button", name="Save and continue"))
    keys.press("Enter")
    keys.type_into(page.locator("#id_objectives"), OBJECTIVE)
    keys.tab_to(main.get_by_role("button", name="Save and continue"))
    keys.press("Enter")
    keys.type_into(page.locator("#id_name_1"), KPI)
    keys.type_into(page.locator("#id_baseline_1"), "40")
    keys.type_into(page.locator("#id_target_1"), "20")
    keys.tab_to(main.get_by_role("button", name="Save and continue"))
    keys.press("Enter")
    keys.tab_to(main.get_by_label(re.compile(TESTBED)))
    page.keyboard.press("Space")
    keys.type_date(page.locator("#id_first_day"), days(60))
    keys.type_date(page.locator("#id_last_day"), days(73))
    keys.tab_to(main.get_by_role("button", name="Save and continue"))
    keys.press("Enter")
    keys.tab_to(main.get_by_role("button", name="Submit your application"))
    keys.press("Enter")
    j.expect_success("Your application has been submitted")
    j.finish()

    other = open_journey("challenges-2b-second-start-up-applies")
    page = other.page
    other.sign_in("startup2@demo.test")
    other.go(f"/challenges/{slug}/apply/")
    other.button("Start your application")
    page.fill("#id_title", "Tidal Rounds")
    page.fill("#id_summary", "Route planning for bin crews.")
    other.button("Save and continue")
    page.get_by_label("Yes").check()
    other.button("Save and continue")
    page.fill("#id_objectives", "Plan rounds so no bin is missed.")
    other.button("Save and continue")
    page.fill("#id_name_1", "Missed bins")
    page.fill("#id_baseline_1", "30")
    page.fill("#id_target_1", "10")
    other.button("Save and continue")
    page.get_by_label(re.compile(TESTBED)).check()
    other.fill_date("#id_first_day", days(90))
    other.fill_date("#id_last_day", days(100))
    other.button("Save and continue")
    other.button("Submit your application")
    other.expect_success("Your application has been submitted")
    other.finish()


def test_3_assessors_declare_and_score(open_journey, e2e_server):
    (slug,) = needs("challenge")
    for email, conflicted in (("assessor@demo.test", True), ("officer@demo.test", False)):
        j = open_journey(f"challenges-3-{email.split('@')[0]}-assesses")
        page = j.page
        main = page.locator("main")
        j.sign_in(email)
        j.go(invitation_link(e2e_server, email))
        j.button("Accept the invitation")
        j.expect_success("You are now an assessor")
        rows = main.locator("tbody tr")
        tidal = rows.filter(has_text="Tidal Mobility")
        wearwell = rows.filter(has_text="Wearwell")
        if conflicted:
            j.click(tidal.get_by_role("link", name=re.compile("Declare any conflict")))
            page.get_by_label("Yes, I have a conflict of interest").check()
            j.button("Continue")
            j.expect_success("Conflict declared")
            expect(main).not_to_contain_text("Tidal Rounds")
        j.click(wearwell.get_by_role("link", name=re.compile("Declare any conflict")))
        page.get_by_label("No, I have no conflict of interest").check()
        j.button("Continue")
        expect(main).to_contain_text("BinSense for Hendon")
        for select in main.locator("select").all():
            select.select_option("8")
        j.button("Submit your scores")
        j.expect_success("Your scores are submitted")
        j.finish()
    STATE["assessed"] = True


def test_4_owner_awards_and_the_trial_request_arrives(open_journey):
    slug, _ = needs("challenge", "assessed")
    j = open_journey("challenges-4-owner-awards")
    page = j.page
    j.sign_in("provider@demo.test")
    j.go(f"/challenges/{slug}/")
    closes = page.locator("dd", has_text=re.compile(r"(BST|GMT)")).nth(1).inner_text()
    assert closes
    deadline = time.monotonic() + CLOSE_IN.total_seconds() + 150
    while time.monotonic() < deadline:
        j.go(f"/challenges/{slug}/ranking/")
        if page.get_by_role("link", name=re.compile("^Decide")).count():
            break
        time.sleep(10)
    row = page.locator("tbody tr", has_text="Wearwell")
    expect(row).to_contain_text("8.0")
    j.click(row.get_by_role("link", name=re.compile("^Decide")))
    page.get_by_label("Awarded").check()
    page.fill("#id_feedback", "A clear plan with measurable KPIs.")
    j.button("Send the decision")
    j.expect_success("The decision has been sent")
    j.go("/trials/requests/")
    card = page.locator(".govuk-summary-card", has_text="BinSense for Hendon")
    expect(card).to_be_visible()
    j.go("/trials/")
    j.link("BinSense for Hendon")
    main = page.locator("main")
    expect(main).to_contain_text(OBJECTIVE)
    expect(main).to_contain_text(KPI)
    expect(main).to_contain_text(TITLE)
    j.finish()


def test_5_the_other_challenge_pages(open_journey):
    """The pages the journey above does not pass through, audited the same way: the owner's
    list, test bed requests, questions from applicants (answered and published), the change
    form; the start-up's withdrawal page and its list."""
    slug, _ = needs("challenge", "assessed")
    j = open_journey("challenges-5-other-pages")
    page = j.page
    j.sign_in("provider@demo.test")
    j.go("/challenges/mine/")
    j.go("/challenges/testbed-requests/")
    j.go(f"/challenges/{slug}/clarifications/")
    j.link(re.compile("Answer and publish"), exact=False)
    page.fill("#id_question", "Can a university be a partner?")
    page.fill("#id_answer", "Yes: name it on the first page of the application.")
    j.button("Publish to everyone")
    j.expect_success("The answer is published")
    j.go(f"/challenges/{slug}/edit/")
    j.go(f"/challenges/{slug}/")
    expect(page.locator("#clarifications ~ div").first).to_contain_text(
        "Can a university be a partner?"
    )
    j.finish()
    other = open_journey("challenges-5b-start-up-pages")
    other.sign_in("startup@demo.test")
    other.go("/challenges/mine/")
    other.link("Keeping Sunderland's streets safe in winter")
    other.link("Withdraw this application")
    expect(other.page.locator("h1")).to_have_text("Withdraw your application")
    other.finish()
