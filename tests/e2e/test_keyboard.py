"""Journey 2 with the keyboard alone: sign up, set up the start-up, search, request a trial.

Only Tab, Shift+Tab, Enter, Space and typing move through the pages (opening the verification
link is what the person's e-mail program does). Every Tab must move focus forward in the page and
show it (an outline or a box-shadow, on the element or, for GOV.UK radios and checkboxes, on
their drawn box); whole pages are tabbed through to their end, and back, to show there is no
trap. The test bed is a demo one that confirms requests at once, so this journey stands alone.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Locator, expect

from .browser import PASSWORD, Journey, days
from .steps import verification_link

pytestmark = pytest.mark.e2e

TESTBED = "Mowbray Park Living Lab"  # demo data: North East, needs no approval, 7 days' notice

FOCUS = """(target) => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {index: -1, description: "the page itself", visible: false, isTarget: false};
  }
  const all = Array.from(document.querySelectorAll("*"));
  const drawn = (node, pseudo) => {
    const style = getComputedStyle(node, pseudo);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
      && !/rgba\\([^)]*,\\s*0\\)|transparent/.test(style.outlineColor);
    return outline || (style.boxShadow && style.boxShadow !== "none");
  };
  let visible = drawn(el, null);
  if (!visible && el.matches(".govuk-radios__input, .govuk-checkboxes__input")) {
    const label = el.parentElement.querySelector("label");
    visible = !!label && drawn(label, "::before");
  }
  const box = el.getBoundingClientRect();
  return {
    index: all.indexOf(el),
    segmented: el.matches("input[type=date], input[type=time], input[type=datetime-local]"),
    description: el.outerHTML.slice(0, 120),
    visible: visible && box.width > 0 && box.height > 0,
    isTarget: target !== null && (el === target || target.contains(el)),
  };
}"""


def within_date_field(previous: dict, now: dict) -> bool:
    """Tab moves between the day, month and year of Chromium's date field: not a trap."""
    return now["segmented"] and now["index"] == previous["index"]


class Keyboard:
    """Moves through a Journey's pages with the keyboard only, checking focus at each step."""

    def __init__(self, journey: Journey) -> None:
        self.j = journey
        self.page = journey.page

    def _focus(self, target: Locator | None = None) -> dict:
        handle = target.element_handle() if target is not None else None
        return self.page.evaluate(FOCUS, handle)

    def tab_to(self, target: Locator, *, limit: int = 250) -> None:
        """Tab (or Shift+Tab, if the target comes before the focus) until the target has focus.

        Each step must move focus the right way through the page and show it.
        """
        expect(target).to_be_visible()
        previous = self._focus(target)
        if previous["isTarget"]:
            return
        backwards = previous["index"] != -1 and target.evaluate(
            "(el) => !!(el.compareDocumentPosition(document.activeElement)"
            " & Node.DOCUMENT_POSITION_FOLLOWING)"
        )
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            now = self._focus(target)
            assert now["index"] != -1, f"{key} left the page before reaching {target}"
            onward = (
                now["index"] < previous["index"] if backwards else now["index"] > previous["index"]
            )
            assert onward or within_date_field(previous, now), (
                f"{key} moved focus the wrong way or nowhere (a trap?): "
                f"from {previous['description']} to {now['description']}"
            )
            assert now["visible"], f"focus is not visible on {now['description']}"
            if now["isTarget"]:
                return
            previous = now
        raise AssertionError(f"{target} not reached in {limit} presses of {key}")

    def sweep(self, *, limit: int = 400) -> int:
        """Tab through a freshly loaded page until focus leaves it, then Shift+Tab back to the top.

        Focus must move forward at every Tab and leave the page at the end (no trap), Shift+Tab
        must retrace the same stops, and focus must always show. Returns the number of stops.
        """
        assert self._focus()["index"] == -1, "sweep from the top of a freshly loaded page"
        forward = self._walk("Tab", limit, lambda now, before: now > before)
        assert forward, "nothing on the page takes focus"
        # Past the end, focus is in the browser's own controls; Shift+Tab comes back to the last
        # stop (Chromium may pass by the top of the page first), then must retrace the way.
        for _ in range(3):
            self.page.keyboard.press("Shift+Tab")
            if self._focus()["index"] == forward[-1]:
                break
        else:
            raise AssertionError("Shift+Tab does not come back to the end of the page")
        backward = [forward[-1]]
        for _ in forward[1:]:
            self.page.keyboard.press("Shift+Tab")
            now = self._focus()
            assert now["visible"], f"focus is not visible on {now['description']}"
            backward.append(now["index"])
        assert forward == list(reversed(backward)), "Shift+Tab did not retrace the Tab order"
        return len(forward)

    def _walk(self, key: str, limit: int, onward) -> list[int]:
        stops: list[int] = []
        previous = {"index": None, "description": "the edge of the page", "segmented": False}
        for _ in range(limit):
            self.page.keyboard.press(key)
            now = self._focus()
            if now["index"] == -1:
                return stops
            if previous["index"] is not None:
                assert onward(now["index"], previous["index"]) or within_date_field(
                    previous, now
                ), f"{key} went from {previous['description']} to {now['description']}"
            assert now["visible"], f"focus is not visible on {now['description']}"
            stops.append(now["index"])
            previous = now
        raise AssertionError(f"still inside the page after {limit} presses of {key}: a trap")

    def press(self, key: str) -> None:
        """A key that loads a page (Enter on a link or a button)."""
        with self.j.navigation():
            self.page.keyboard.press(key)

    def type_into(self, target: Locator, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)

    def type_date(self, target: Locator, value: datetime.date) -> None:
        """Type a date into a GOV.UK date input (``target``: its boxes' container): day, Tab,
        month, Tab, year."""
        boxes = target.locator("input")
        for index, text in enumerate((str(value.day), str(value.month), str(value.year))):
            self.type_into(boxes.nth(index), text)
        self.j.expect_date(target, value)


def test_keyboard_only_sign_up_search_and_request(open_journey, e2e_server):
    j = open_journey("keyboard-2-start-up-signs-up-and-requests")
    page = j.page
    keys = Keyboard(j)
    main = page.locator("main")
    email = "keys@tidyparks.example"

    j.go("/")
    keys.tab_to(page.locator(".govuk-skip-link"))
    keys.tab_to(main.get_by_role("link", name="Create an account"))
    keys.press("Enter")

    keys.type_into(page.locator("#id_email"), email)
    keys.type_into(page.locator("#id_full_name"), "Kit Owusu")
    keys.type_into(page.locator("#id_password1"), PASSWORD + "-keys")
    keys.type_into(page.locator("#id_password2"), PASSWORD + "-keys")
    keys.tab_to(main.get_by_role("button", name="Sign up"))
    keys.press("Enter")
    expect(page.locator("h1")).to_contain_text("Verify")

    j.go(verification_link(e2e_server, email))  # the link in the e-mail
    keys.tab_to(main.get_by_role("button", name="Confirm"))
    keys.press("Enter")
    keys.tab_to(main.get_by_role("link", name="Set up your organisation"))
    keys.press("Enter")

    start_up = page.get_by_label("Start-up or small business: we want to trial a product")
    keys.tab_to(start_up)
    page.keyboard.press("Space")
    expect(start_up).to_be_checked()
    keys.type_into(page.get_by_label("Name of the organisation"), "Tidy Parks Ltd")
    keys.tab_to(page.locator("#id_region"))
    page.keyboard.type("North East")
    expect(page.locator("#id_region")).to_have_value("north-east")
    keys.tab_to(main.get_by_role("button", name="Set up organisation"))
    keys.press("Enter")
    j.expect_success("Tidy Parks Ltd has been set up.")

    keys.tab_to(page.get_by_role("link", name="Find test beds"))
    keys.press("Enter")
    assert keys.sweep() > 20
    keys.tab_to(page.locator("summary", has_text="Region"))
    page.keyboard.press("Enter")
    keys.tab_to(page.get_by_label("North East", exact=True))
    page.keyboard.press("Space")
    expect(page.get_by_label("North East", exact=True)).to_be_checked()
    keys.type_date(page.locator("#id_available_from"), days(30))
    keys.type_date(page.locator("#id_available_to"), days(50))
    keys.type_into(page.get_by_label("For at least (days)"), "10")
    keys.tab_to(main.get_by_role("button", name="Search"))
    keys.press("Enter")
    j.screenshot("catalogue-results")
    keys.tab_to(main.get_by_role("link", name=TESTBED))
    keys.press("Enter")

    keys.tab_to(main.get_by_role("link", name="Request a trial"))
    keys.press("Enter")
    assert keys.sweep() > 5
    keys.tab_to(main.get_by_role("button", name="Send request"))
    keys.press("Enter")
    # The error summary takes focus; its first link takes the person to the field.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    keys.tab_to(page.locator(".govuk-error-summary a").first)
    page.keyboard.press("Enter")
    expect(page.locator("#id_title")).to_be_focused()
    page.keyboard.type("Litter-bin fill sensors in Mowbray Park")
    keys.type_into(page.get_by_label("What do you want to trial?"), "Fill sensors on 20 bins.")
    keys.type_date(page.locator("#id_first_day"), days(30))
    keys.type_date(page.locator("#id_last_day"), days(39))
    keys.tab_to(main.get_by_role("button", name="Send request"))
    keys.press("Enter")
    j.expect_success("Your trial is confirmed")
    expect(page.locator("h1")).to_have_text("Litter-bin fill sensors in Mowbray Park")
    j.screenshot("trial-confirmed")
    j.finish()
