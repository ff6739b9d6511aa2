"""The programme board summary (PDF and HTML page) and the CSV report's formatting."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from programmes import portfolio
from programmes.board import board_summary, plain_number, yes_no
from programmes.pdf import render_board_summary
from tests.factories import MembershipFactory, ProgrammeFactory, TestBedFactory
from tests.programmes.pdf_layout import metadata, overlapping, text_boxes
from tests.programmes.test_portfolio import kpi, make_trial

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Coastal Innovation")


@pytest.fixture
def officer_client(client, programme):
    client.force_login(MembershipFactory(organisation=programme.team).user)
    return client


def _summary_pdf(client, programme, query="") -> bytes:
    response = client.get(reverse("programmes:summary_pdf", args=[programme.pk]) + query)
    assert response.status_code == 200
    return response.content


def _busy_programme(programme, trials=14):
    """Trials in every state, with recommendations and long names, across regions."""
    statuses = ["accepted", "submitted", "completed", "active", "requested", "declined"]
    recommendations = ["scale", "scale", "adapt", "stop", "", ""]
    made = []
    for number in range(trials):
        trial = make_trial(
            programme,
            status=statuses[number % len(statuses)],
            recommendation=recommendations[number % len(recommendations)],
            title=f"Smart lamppost sensing along the promenade, phase {number}",
            testbed=TestBedFactory(region=["north-east", "wales", "scotland"][number % 3]),
        )
        kpi(trial, baseline=10, target=20, values=[25 if number % 2 else 12])
        made.append(trial)
    return made


def test_headline_headings_no_longer_print_over_each_other(officer_client, programme):
    _busy_programme(programme)
    pdf = _summary_pdf(officer_client, programme)
    boxes = text_boxes(pdf)
    assert boxes, "pdfium read no text"
    assert overlapping(boxes) == []
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_overlap_check_catches_text_printed_over_other_text():
    """The check itself bites: two strings drawn at the same place overlap."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 700, "Median days to decision")
    page.drawString(150, 700, "Median days completion")
    page.drawString(100, 600, "Apart")
    page.save()
    assert overlapping(text_boxes(out.getvalue()))


def test_summary_names_trials_and_their_outcomes_and_counts_recommendations(
    officer_client, programme
):
    made = _busy_programme(programme, trials=6)
    text = PdfReader(io.BytesIO(_summary_pdf(officer_client, programme))).pages[0].extract_text()
    assert "Trials and their outcomes" in text
    assert made[0].reference in text  # accepted: first
    assert "Scale up" in text and "Adapt and trial again" in text
    summary = board_summary(programme, portfolio.PortfolioFilter(), "all trials")
    counts = {code: n for code, _label, n in summary.recommendations}
    assert counts == {"stop": 1, "adapt": 1, "scale": 2}
    assert summary.no_recommendation == 2
    assert [t.status_code for t in summary.trials][:2] == ["accepted", "submitted"]
    first = summary.trials[0]
    assert (first.kpis, first.kpis_met) == (1, 0)
    assert (summary.trials[1].kpis, summary.trials[1].kpis_met) == (1, 1)


def test_a_long_programme_still_fits_one_page_and_counts_the_rest(officer_client, programme):
    _busy_programme(programme, trials=20)
    pdf = _summary_pdf(officer_client, programme)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "10 more trials are listed in the CSV report." in PdfReader(io.BytesIO(pdf)).pages[
        0
    ].extract_text().replace("\n", " ")
    assert overlapping(text_boxes(pdf)) == []


def test_summary_queries_do_not_grow_with_trials(programme):
    _busy_programme(programme, trials=3)
    with CaptureQueriesContext(connection) as few:
        board_summary(programme, portfolio.PortfolioFilter(), "")
    _busy_programme(programme, trials=15)
    with CaptureQueriesContext(connection) as many:
        board_summary(programme, portfolio.PortfolioFilter(), "")
    assert len(many) == len(few)


def test_pdf_carries_title_and_language(officer_client, programme):
    pdf = _summary_pdf(officer_client, programme)
    assert metadata(pdf)["Title"] == "Portfolio summary: Coastal Innovation"
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    with translation.override("cy"):
        welsh = render_board_summary(board_summary(programme, portfolio.PortfolioFilter(), ""))
    assert PdfReader(io.BytesIO(welsh)).trailer["/Root"]["/Lang"] == "cy"


def test_html_page_has_the_same_content_and_links_the_pdf(officer_client, programme):
    made = _busy_programme(programme, trials=4)
    response = officer_client.get(reverse("programmes:summary", args=[programme.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "Coastal Innovation" in page
    for trial in made:
        assert trial.reference in page
    assert "Scale up" in page
    assert reverse("programmes:summary_pdf", args=[programme.pk]) in page
    detail = officer_client.get(reverse("programmes:detail", args=[programme.pk]))
    assert reverse("programmes:summary", args=[programme.pk]) in detail.content.decode()


def test_html_summary_is_for_the_programmes_officers_only(client, programme, startup):
    client.force_login(startup.user)
    assert client.get(reverse("programmes:summary", args=[programme.pk])).status_code == 404


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("99.4000000000000"), "99.4"),
        (Decimal("-3.0000"), "-3"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.0500"), "0.05"),
        (Decimal("-0.0000"), "0"),
        (2.5, "2.5"),
        (12, "12"),
        (None, ""),
    ],
)
def test_plain_number(value, text):
    assert plain_number(value) == text


def test_yes_no_in_the_readers_language():
    assert (yes_no(True), yes_no(0), yes_no(None)) == ("Yes", "No", "")
    with translation.override("cy"):
        assert (yes_no(True), yes_no(False)) == ("Ie", "Na")


def _csv_rows(client, programme) -> list[dict]:
    response = client.get(f"/api/v1/programmes/{programme.pk}/report.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_labels_with_codes_beside_them_plain_numbers_and_yes_no(officer_client, programme):
    trial = make_trial(
        programme,
        status="accepted",
        recommendation="scale",
        testbed=TestBedFactory(region="north-east", sectors=["transport"]),
    )
    kpi(trial, baseline=Decimal("-3"), target=Decimal("99.4"), values=[Decimal("99.4")])
    kpi(trial, baseline=10, target=5, direction="lower", values=[Decimal("7.25")])
    kpi(trial, baseline=1, target=2)
    rows = _csv_rows(officer_client, programme)
    assert len(rows) == 3
    first = rows[0]
    assert (first["status"], first["status_code"]) == ("Accepted", "accepted")
    assert (first["recommendation"], first["recommendation_code"]) == ("Scale up", "scale")
    assert (first["region"], first["region_code"]) == ("North East", "north-east")
    assert first["sector_codes"] == "transport" and first["sectors"] == "Transport and mobility"
    assert (first["baseline"], first["target"], first["latest"]) == ("-3", "99.4", "99.4")
    assert (first["direction"], first["direction_code"]) == ("Higher is better", "higher")
    assert first["met"] == "Yes"
    assert (rows[1]["latest"], rows[1]["met"], rows[1]["direction_code"]) == ("7.25", "No", "lower")
    assert (rows[2]["latest"], rows[2]["met"]) == ("", "")
    for row in rows:
        for cell in row.values():
            assert cell not in ("True", "False", "None")
        for name in ("baseline", "target", "latest"):
            assert not re.search(r"\.\d*0$", row[name]), row[name]


def test_csv_labels_follow_the_readers_language(officer_client, programme):
    trial = make_trial(programme, status="accepted", recommendation="stop")
    kpi(trial, baseline=1, target=2, values=[3])
    officer_client.cookies["django_language"] = "cy"
    response = officer_client.get(
        f"/api/v1/programmes/{programme.pk}/report.csv", HTTP_ACCEPT_LANGUAGE="cy"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["status_code"] == "accepted" and row["status"] != "Accepted"
    assert row["met"] == "Ie"


def test_json_keeps_codes_with_labels_and_plain_numbers(officer_client, programme):
    trial = make_trial(programme, status="submitted", recommendation="adapt")
    kpi(trial, baseline=Decimal("2.5000"), target=4, values=[Decimal("99.4")])
    data = json.loads(officer_client.get(f"/api/v1/programmes/{programme.pk}/report.json").content)
    item = data["trials"][0]
    assert (item["status"], item["status_label"]) == ("submitted", "Submitted for review")
    assert (item["recommendation"], item["recommendation_label"]) == (
        "adapt",
        "Adapt and trial again",
    )
    assert item["kpis"][0]["baseline"] == "2.5" and item["kpis"][0]["latest"] == "99.4"
    assert item["kpis"][0]["met"] is True
