"""Issue 22 journeys: the board summary and evidence packs as HTML pages (point 8), a
correction before submission (point 7), a request that carries its plan, KPIs and approvals
to the provider (point 2) and the programme outputs (point 5). Every page is checked with axe
(WCAG 2.2 AA) and for sideways scrolling; points 2 and 5 run on a desktop (1280 px) and on a
phone (375 px), as in test_small_screens.py.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from .browser import days
from .steps import PROGRAMME

pytestmark = pytest.mark.e2e

WIDTHS = [1280, 375]


def nav_link(j, name: str) -> None:
    """Follow a navigation link; on a phone the menu is behind its "Menu" button first."""
    toggle = j.page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible():
        toggle.click()
    j.link(name, within=j.page.locator("#navigation"))


@pytest.mark.parametrize("width", WIDTHS)
def test_officer_takes_the_programme_outputs(open_journey, width, tmp_path):
    """Issue 22, point 5: the board summary as a web page with its one-page PDF, and the CSV
    with human labels beside the codes. Only reads, so the shared demo data is untouched."""
    j = open_journey(f"documents-programme-outputs-{width}", width=width)
    page = j.page
    main = page.locator("main")
    j.sign_in("officer@demo.test")
    nav_link(j, "Programmes")
    j.link(PROGRAMME, within=main)
    with page.expect_download() as download_info:
        main.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows, "the demo programme's CSV has rows"
    assert {"status", "status_code", "recommendation", "recommendation_code"} <= set(rows[0])
    labels = {row["status_code"]: row["status"] for row in rows}
    assert labels.get("accepted") == "Accepted", labels
    for row in rows:
        assert row["status"] and row["status"] != row["status_code"], row
        for cell in row.values():
            assert cell not in ("True", "False", "None"), row
        for name in ("baseline", "target", "latest"):
            assert not re.search(r"\.\d*0$", row.get(name) or ""), row

    j.link("Board summary as a web page", within=main)
    expect(page.locator("h1")).to_have_text(PROGRAMME)
    expect(main.locator("caption", has_text="Recommendations")).to_have_count(1)
    pdf_link = main.get_by_role("link", name="Download this summary as a one-page PDF")
    expect(pdf_link).to_be_visible()
    box = pdf_link.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    pdf = page.request.get(j.url(pdf_link.get_attribute("href")))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
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


# Each width books its own days on the one-at-a-time test bed, under its own title, so the two
# runs (and the other journeys) never meet.
PROPOSAL_DAYS = {1280: (200, 213), 375: (240, 253)}


@pytest.mark.parametrize("width", WIDTHS)
def test_start_up_requests_with_plan_kpis_and_approvals_and_provider_approves_with_a_note(
    open_journey, width
):
    """Issue 22, point 2: the provider decides on the whole proposal, not a paragraph: it is
    in the approval queue and on the decision page, and the approval carries a note."""
    title = f"Kerbside air sensors with a plan ({width} px)"
    note = f"Meet us at the Keel Square kiosk at 9am ({width} px)."
    first, last = PROPOSAL_DAYS[width]
    startup = open_journey(f"proposal-start-up-requests-{width}", width=width)
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
    startup.fill_date("#id_first_day", days(first))
    startup.fill_date("#id_last_day", days(last))
    page.get_by_label("Objectives (optional)").fill("Show readings within 10% of the reference.")
    page.locator("input[name=approval_dpia][value=in-place]").check()
    page.locator("#id_kpi1_name").fill("Agreement with the reference station")
    page.locator("#id_kpi1_baseline").fill("70")
    page.locator("#id_kpi1_target").fill("90")
    startup.screenshot("request-with-proposal")
    startup.button("Send request")
    startup.expect_success("Your request has been sent.")
    startup.finish()

    provider = open_journey(f"proposal-provider-approves-with-a-note-{width}", width=width)
    page = provider.page
    main = page.locator("main")
    provider.sign_in("provider@demo.test")
    nav_link(provider, "Requests")
    card = page.locator("section.govuk-summary-card", has_text=title)
    expect(card).to_contain_text("Show readings within 10% of the reference.")
    expect(card).to_contain_text("Agreement with the reference station")
    expect(card).to_contain_text("Approvals this test bed requires")
    expect(card.get_by_role("button", name=f"Approve {title}")).to_be_enabled()
    provider.screenshot("approval-queue")

    # The decision page: the same proposal, and the approval with its note.
    provider.link(title, within=card)
    expect(page.locator("h1")).to_contain_text(title)
    expect(main.locator("#plan + dl")).to_contain_text("Show readings within 10% of the reference.")
    expect(main.locator("#plan + dl")).to_contain_text("Approvals")
    expect(main.locator("#kpis ~ section.govuk-summary-card").first).to_contain_text(
        "Agreement with the reference station"
    )
    page.locator("#approve-note").fill(note)
    provider.screenshot("decision-page")
    provider.button("Approve request")
    provider.expect_success("approved")
    expect(page.locator(".app-status-tag")).to_have_text("Approved")
    expect(main).to_contain_text(note)
    provider.finish()
