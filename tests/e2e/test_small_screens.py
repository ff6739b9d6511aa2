"""Issue 22, points 1–4 in a real browser, on a desktop (1280 px) and on a phone (375 px).

Every page load is audited by the Journey: axe (WCAG 2.2 AA, target size included), images'
alt text, and no sideways scrolling (document width <= window width). The journeys only look
and go back, so the shared demo data stays as the other journeys expect it:

- 1: "Mark as complete", "Cancel the trial" and a photo's "Remove" each open an "are you
  sure" page that says what will happen; "No, go back" changes nothing;
- 3: signing in lands on the person's dashboard; the navigation lights the section;
- 4: tables, the calendar and the photo table fit the screen; the Welsh header too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .browser import PASSWORD

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 375]
ACTIVE_TRIAL = "Smart bins at the bus depot"


def lit(j) -> list[str]:
    items = j.page.locator("#navigation [aria-current]").all_text_contents()
    return [text.strip() for text in items]


def nav_link(j, name: str) -> None:
    """Follow a navigation link; on a phone the menu is behind its "Menu" button first."""
    toggle = j.page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible():
        toggle.click()
    j.link(name, within=j.page.locator("#navigation"))


def sign_in(j, email: str) -> None:
    j.go("/accounts/login/")
    j.page.fill("#id_login", email)
    j.page.fill("#id_password", PASSWORD)
    expect(j.page.get_by_label("Remember me")).to_be_visible()
    j.button("Sign in")
    assert j.page.url.endswith("/dashboard/"), j.page.url
    expect(j.page.locator("h1")).to_have_text("Dashboard")


@pytest.mark.parametrize("width", WIDTHS)
def test_start_up_dashboard_and_confirmation_pages(open_journey, width):
    j = open_journey(f"issue22-start-up-{width}", width=width)
    page = j.page
    sign_in(j, "startup@demo.test")
    main = page.locator("main")
    row = main.locator("tr", has_text=ACTIVE_TRIAL)
    expect(row).to_contain_text("Record measurements and log progress")
    if width == 375:
        # Stacked: each cell names its column.
        assert row.locator("td").first.evaluate("td => getComputedStyle(td).display") == "block"
    j.screenshot("dashboard")

    j.link(ACTIVE_TRIAL, within=main)
    expect(page.locator("main")).to_contain_text("Add to my calendar")
    j.button("Mark as complete")
    expect(page.locator("h1")).to_have_text("Mark the trial as complete?")
    expect(main).to_contain_text("go back to the test bed")
    expect(main.get_by_label("Keep the booking to its end", exact=False)).to_be_visible()
    j.screenshot("complete-are-you-sure")
    j.link("No, go back")
    expect(page.locator(".app-status-tag")).to_have_text("Active")

    j.button("Cancel the trial")
    expect(page.locator("h1")).to_have_text("Cancel the trial?")
    expect(main).to_contain_text("go back to the test bed")
    j.link("No, go back")
    expect(page.locator(".app-status-tag")).to_have_text("Active")

    j.go("/trials/")
    assert lit(j) == ["Trials"]
    j.finish()


@pytest.mark.parametrize("width", WIDTHS)
def test_provider_dashboard_test_beds_and_photo_removal(open_journey, width):
    j = open_journey(f"issue22-provider-{width}", width=width)
    page = j.page
    sign_in(j, "provider@demo.test")
    main = page.locator("main")
    expect(main).to_contain_text("Requests waiting for your decision")
    expect(main).to_contain_text("Running this week")
    assert lit(j) == ["Dashboard"]
    j.screenshot("dashboard")

    nav_link(j, "Your test beds")
    assert lit(j) == ["Your test beds"]
    j.link("Sunderland 5G Smart Street", within=main)
    assert lit(j) == ["Your test beds"]  # managing a test bed is not "Find test beds"
    remove = main.locator("#photos ~ table").get_by_role("button", name="Remove").first
    box = remove.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    j.screenshot("manage")
    j.click(remove)
    expect(page.locator("h1")).to_have_text("Remove this photo?")
    j.link("No, go back")
    expect(page.locator("#photos ~ table img")).not_to_have_count(0)

    j.go("/trials/requests/")
    assert lit(j) == ["Requests"]
    nav_link(j, "Find test beds")
    assert lit(j) == ["Find test beds"]
    j.finish()


@pytest.mark.parametrize("width", WIDTHS)
def test_officer_dashboard_and_reviews(open_journey, width):
    j = open_journey(f"issue22-officer-{width}", width=width)
    sign_in(j, "officer@demo.test")
    main = j.page.locator("main")
    # The journeys share one demo database and others accept packs, so read the first pack
    # waiting today rather than naming one.
    waiting = main.locator("#reviews + ul li a").first
    expect(waiting).to_be_visible()
    title = waiting.inner_text().strip()
    assert title
    nav_link(j, "Reviews")
    assert lit(j) == ["Reviews"]
    expect(main).to_contain_text(title)
    j.finish()


@pytest.mark.parametrize("width", WIDTHS)
def test_calendar_and_welsh_catalogue_fit(open_journey, width):
    j = open_journey(f"issue22-calendar-welsh-{width}", width=width)
    page = j.page
    j.go("/testbeds/")
    j.link("Sunderland 5G Smart Street", within=page.locator("main"))
    today = page.locator(".app-calendar [aria-current=date]")
    expect(today).to_contain_text("Today")
    for cell in page.locator(".app-calendar td").all()[:14]:
        assert cell.evaluate("td => td.scrollWidth <= td.clientWidth + 1"), "text spills out"
    j.link("Cymraeg")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator(".app-calendar [aria-current=date]")).to_contain_text("Heddiw")
    j.go("/testbeds/")
    j.finish()
