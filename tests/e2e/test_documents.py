"""Accessible documents (issue 22, point 8): the board summary and the evidence packs as HTML
pages beside their PDFs, checked with axe (WCAG 2.2 AA) like every page of a Journey.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
