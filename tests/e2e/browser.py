"""What every browser journey shares: a page that audits itself after each page load.

A ``Journey`` wraps one Playwright page. Every navigation goes through it (``go``, ``click``,
``submit``), and after each page load it runs axe-core with the WCAG 2.0/2.1/2.2 A and AA
rules, counts images without alt text and notes the HTTP status. ``finish()`` asserts the
journey met no violation, no 5xx and no page left unaudited, listing each problem with its page
and targets.

axe is injected with ``page.evaluate``, which Chromium runs outside the page's Content Security
Policy (the CSP forbids inline scripts without a nonce, so ``add_script_tag`` would be blocked).
With JavaScript disabled Playwright cannot evaluate in the page at all, so the page's HTML is
audited in a second, script-enabled page: the same markup, its own scripts removed (as they never
ran), the stylesheets loaded from the live server through a ``<base>`` element.
"""

from __future__ import annotations

import datetime
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, Response, expect

HERE = Path(__file__).resolve().parent
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOTS = HERE / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "demo-pass-2026"
HEAD = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
    summary: v.nodes.length ? v.nodes[0].failureSummary : "",
  }));
}"""

PAGE_FACTS = """() => ({
  imagesWithoutAlt: Array.from(document.querySelectorAll("img:not([alt])")).map(
    (img) => img.getAttribute("src")
  ),
  title: document.title,
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  widest: Array.from(document.querySelectorAll("main *"))
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + "." + String(el.className).split(" ")[0]),
})"""


def today() -> datetime.date:
    """Today where the service runs (its TIME_ZONE), which decides when a trial can start."""
    return datetime.datetime.now(ZoneInfo("Europe/London")).date()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def page_path(url: str) -> str:
    """The URL without its scheme, host and fragment, as the report lists it."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, ""))


class Journey:
    """One person's browser tab, auditing every page it loads."""

    def __init__(self, page: Page, *, base_url: str, name: str, auditor: Page | None) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.auditor = auditor  # a script-enabled page, when this one runs without JavaScript
        self.violations: list[str] = []
        self.visited: list[str] = []
        self.audited: list[str] = []
        self.statuses: dict[str, int] = {}
        self.shots = 0
        for old in (SCREENSHOTS / name).glob("*.png"):
            old.unlink()
        self.audit_seconds = 0.0
        page.on("framenavigated", self._navigated)
        page.on("response", self._response)

    @property
    def javascript(self) -> bool:
        return self.auditor is None

    # Navigation ---------------------------------------------------------------------

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.base_url):
            self.visited.append(page_path(frame.url))

    def _response(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.statuses[page_path(response.url)] = response.status

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def go(self, path: str) -> Response | None:
        response = self.page.goto(self.url(path))
        self.audit()
        return response

    @contextmanager
    def navigation(self) -> Iterator[None]:
        """Wait for the page load the block causes, then audit the new page."""
        with self.page.expect_navigation():
            yield
        self.audit()

    def click(self, target: Locator | str) -> None:
        """Click a link or button that loads a page."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.navigation():
            locator.click()

    def button(self, name: str, *, within: Locator | None = None) -> None:
        scope = within or self.page.locator("main")
        self.click(scope.get_by_role("button", name=name, exact=True))

    def link(self, name: str, *, within: Locator | None = None, exact: bool = True) -> None:
        scope = within or self.page
        self.click(scope.get_by_role("link", name=name, exact=exact).first)

    def status_of_current_page(self) -> int | None:
        return self.statuses.get(page_path(self.page.url))

    # Common steps -------------------------------------------------------------------

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.go("/accounts/login/")
        self.page.fill("#id_login", email)
        self.page.fill("#id_password", password)
        self.button("Sign in")
        expect(self.page.locator("header").get_by_role("link", name="Sign out")).to_be_visible()

    def expect_success(self, text: str) -> None:
        expect(self.page.locator(".govuk-notification-banner--success")).to_contain_text(text)

    def fill_date(self, selector: str, value: datetime.date) -> None:
        """Fill a GOV.UK date input (core.dates.DateField): its day, month and year boxes."""
        self.page.fill(f"{selector}_day", str(value.day))
        self.page.fill(f"{selector}_month", str(value.month))
        self.page.fill(f"{selector}_year", str(value.year))

    def expect_date(self, group, value: datetime.date) -> None:
        """A GOV.UK date input (a locator of its boxes' container) shows ``value``."""
        from playwright.sync_api import expect

        boxes = group.locator("input")
        expect(boxes.nth(0)).to_have_value(str(value.day))
        expect(boxes.nth(1)).to_have_value(str(value.month))
        expect(boxes.nth(2)).to_have_value(str(value.year))

    # Auditing -----------------------------------------------------------------------

    def audit(self) -> None:
        """axe, alt text and status for the page now shown."""
        started = time.monotonic()
        page = self.page
        page.wait_for_load_state("load")
        path = page_path(page.url)
        status = self.statuses.get(path)
        if status is not None and status >= 500:
            self.violations.append(f"{path}: answered HTTP {status}")
        if not self.javascript and "js-enabled" in (
            page.locator("body").get_attribute("class") or ""
        ):
            self.violations.append(f"{path}: scripts ran in a page meant to have none")
        target = self.inspectable()
        if not target.evaluate("typeof window.axe !== 'undefined'"):
            target.evaluate(AXE_SOURCE)
        for violation in target.evaluate(AXE_RUN, WCAG_TAGS):
            self.violations.append(
                f"{path}: {violation['id']} ({violation['impact']}) {violation['help']}\n"
                f"    on {', '.join(violation['targets'][:10])}\n"
                f"    {violation['summary'].strip()}"
            )
        facts = target.evaluate(PAGE_FACTS)
        if facts["scrollWidth"] > facts["innerWidth"]:  # issue 22.4: no sideways scrolling
            self.violations.append(
                f"{path}: scrolls sideways at {facts['innerWidth']} px "
                f"(page {facts['scrollWidth']} px wide; {', '.join(facts['widest'])})"
            )
        for src in facts["imagesWithoutAlt"]:
            self.violations.append(f"{path}: image without alt text: {src}")
        self.audited.append(path)
        self.audit_seconds += time.monotonic() - started

    def inspectable(self) -> Page:
        """A page to run scripts in with the current page's DOM: itself, or its mirror."""
        if self.javascript:
            return self.page
        html = SCRIPT.sub("", self.page.content())
        base = f'<base href="{self.page.url}">'
        html = HEAD.sub(lambda m: f"{m.group(0)}{base}", html, count=1)
        self.auditor.set_content(html, wait_until="load")
        return self.auditor

    def screenshot(self, label: str) -> Path:
        self.shots += 1
        folder = SCREENSHOTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def finish(self) -> None:
        """Assert the journey met no accessibility violation and every page was audited."""
        unaudited = sorted(set(self.visited) - set(self.audited))
        problems = list(self.violations)
        problems += [f"{path}: loaded but not audited" for path in unaudited]
        record_pages(self.name, self.audited, self.audit_seconds)
        assert not problems, f"{len(problems)} problem(s) in {self.name}:\n" + "\n".join(problems)


def record_pages(name: str, pages: list[str], audit_seconds: float) -> None:
    """Keep the list of pages each journey checked next to the screenshots, for people."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "pages-checked.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = {"audit_seconds": round(audit_seconds, 1), "pages": pages}
    path.write_text(json.dumps(data, indent=2) + "\n")


def error_summary_problems(journey: Journey) -> list[str]:
    """Each field error must be linked from the error summary, and each link must lead somewhere."""
    return journey.inspectable().evaluate(
        """() => {
      const problems = [];
      const summary = document.querySelector(".govuk-error-summary");
      if (!summary) return ["no error summary on the page"];
      if (!summary.querySelector("[role=alert]") && summary.getAttribute("role") !== "alert")
        problems.push("the error summary is not announced (no role=alert)");
      const links = Array.from(summary.querySelectorAll("a[href^='#']")).map(
        (a) => a.getAttribute("href").slice(1)
      );
      for (const id of links) {
        if (!document.getElementById(id)) problems.push(`summary link #${id} leads nowhere`);
      }
      const groups = document.querySelectorAll(".govuk-form-group--error");
      if (!groups.length) problems.push("no field is marked as in error");
      for (const group of groups) {
        const field = group.querySelector("input, select, textarea");
        if (!field) continue;
        if (!links.includes(field.id))
          problems.push(`the error of #${field.id} is not in the error summary`);
        const message = group.querySelector(".govuk-error-message");
        if (!message) problems.push(`#${field.id} has no error message`);
      }
      return problems;
    }"""
    )
