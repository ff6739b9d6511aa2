"""The evidence-pack PDF, read back with pypdf. No database: the renderer sees plain data."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from trials.pdf.content import (
    PackApproval,
    PackContent,
    PackEvent,
    PackFile,
    PackKpi,
    PackLogEntry,
    PackMeasurement,
    PackOutcomeItem,
    PackPhoto,
    PackReview,
)
from trials.pdf.render import render_evidence_pack

UTC = datetime.UTC
VERIFY_URL = "https://testbed.exchange/verify/TBX-7KQ2-M9PD/"
REVIEWED_SHA = hashlib.sha256(b"version 1").hexdigest()
WELSH = "Gŵyl y Gŷd: Ŵyn, Ŷd, â ê î ô û – “quoted” ‘text’"
SECTIONS = [
    "Executive summary",
    "Test bed and setting",
    "Plan and objectives",
    "Approvals",
    "Technology readiness",
    "Key performance indicators",
    "Measurements",
    "Progress log and observations",
    "Timeline",
    "Photos",
    "Evidence files",
    "Outcome and recommendation",
]
HOSTILE = [
    "<b>not bold</b>",
    "<font size=80>huge</font>",
    '<img src="/etc/passwd"/>',
    "Fish & chips &amp; &nbsp; peas",
    "<para>inner</para>",
    "a < b and c<d unbalanced <",
]


def jpeg(path: Path, size: tuple[int, int], colour: str) -> str:
    Image.new("RGB", size, colour).save(path, "JPEG", quality=85)
    return str(path)


def measurement(day: int, value: str, note: str = "") -> PackMeasurement:
    return PackMeasurement(
        date=datetime.date(2027, 3, day),
        value=Decimal(value),
        note=note,
        recorded_by="Priya Shah",
    )


def kpis() -> tuple[PackKpi, ...]:
    response = PackKpi(
        name="Alerts acted on within five minutes",
        unit="%",
        baseline=Decimal("40.00"),
        target=Decimal("80.00"),
        direction="higher",
        method="Share of alerts with a logged response inside five minutes",
        data_source="Ward alert system export",
        latest=Decimal("82.5000"),
        progress=1.06,
        met=True,
        no_measurement_reason="",
        measurements=(
            measurement(3, "55.25", "First full week"),
            measurement(10, "82.50", "Night shift included"),
        ),
    )
    falls = PackKpi(
        name="Falls per 1,000 bed days",
        unit="falls",
        baseline=Decimal("1250"),
        target=Decimal("900"),
        direction="lower",
        method="Incident reports",
        data_source="Datix",
        latest=Decimal("1100"),
        progress=0.43,
        met=False,
        no_measurement_reason="",
        measurements=(measurement(17, "1100", "Two falls at night"),),
    )
    satisfaction = PackKpi(
        name="Patient satisfaction",
        unit="score",
        baseline=Decimal("3"),
        target=Decimal("4"),
        direction="higher",
        method="Survey",
        data_source="Exit survey",
        latest=None,
        progress=None,
        met=None,
        no_measurement_reason="The survey was postponed by the trust.",
    )
    return (response, falls, satisfaction)


@pytest.fixture
def photos(tmp_path: Path) -> tuple[PackPhoto, ...]:
    return (
        PackPhoto(jpeg(tmp_path / "a.jpg", (800, 600), "teal"), "Sensor above bed 4", "Sensor"),
        PackPhoto(jpeg(tmp_path / "b.jpg", (600, 900), "orange"), "Nurse station", "Screen"),
        PackPhoto(jpeg(tmp_path / "c.jpg", (1600, 1200), "navy"), "", "Charging dock"),
    )


@pytest.fixture
def content(photos: tuple[PackPhoto, ...]) -> PackContent:
    return PackContent(
        code="TBX-7KQ2-M9PD",
        version=2,
        status="Submitted for review",
        verify_url=VERIFY_URL,
        generated_at=datetime.datetime(2027, 5, 2, 9, 30, tzinfo=UTC),
        trial_title="Falls detection on an acute medical ward",
        trial_reference="Trial 42",
        startup_name="Wearwell Analytics Ltd",
        testbed_name="Ward 7 living lab",
        provider_name="Sunderland City Council",
        testbed_region="North East",
        testbed_place="Sunderland SR1 3SD",
        testbed_summary="A 28-bed acute medical ward with a living-lab agreement.",
        programme_name="North East Innovation Programme",
        first_day=datetime.date(2027, 3, 3),
        last_day=datetime.date(2027, 4, 30),
        product_name="Wearwell Falls Sensor",
        problem_statement="Falls at night go unnoticed for too long.",
        objectives="Cut the time to respond to a fall.\nKeep false alarms low.",
        hypothesis="Ceiling sensors halve response times.",
        setting_and_participants="Nursing staff on Ward 7; 112 patients consented.",
        approvals=(
            PackApproval("Data protection impact assessment (DPIA)", "In place", "Signed."),
            PackApproval("Ethics review", "Not needed", "Service evaluation"),
        ),
        approvals_note="Approved by the trust's information governance lead.",
        trl_start=5,
        trl_target=7,
        trl_achieved=6,
        executive_summary="The sensor cut response times.\n\n" + WELSH,
        recommendation="Scale",
        kpis=kpis(),
        log_entries=(
            PackLogEntry(datetime.date(2027, 3, 4), "Priya Shah", "Wearwell", "progress", "Set up"),
            PackLogEntry(
                datetime.date(2027, 3, 9), "Sam Jones", "Sunderland CC", "observation", "Calm"
            ),
        ),
        events=(
            PackEvent(
                datetime.datetime(2027, 2, 1, 9, 15, tzinfo=UTC), "Priya Shah", "", "Requested", ""
            ),
            PackEvent(
                datetime.datetime(2027, 2, 3, 14, 5, tzinfo=UTC),
                "Sam Jones",
                "Requested",
                "Approved",
                "Welcome aboard",
            ),
        ),
        photos=photos,
        files=(
            PackFile(
                "results.csv", "Raw readings", "csv", 1_258_291, hashlib.sha256(b"a").hexdigest()
            ),
            PackFile("report.pdf", "Final report", "pdf", 2048, hashlib.sha256(b"b").hexdigest()),
        ),
        outcome=(
            PackOutcomeItem("Results against objectives", "Response times fell by half."),
            PackOutcomeItem("Lessons learned", "Train night staff first."),
        ),
    )


@pytest.fixture
def reviewed(content: PackContent) -> PackContent:
    review = PackReview(
        reviewer="Dr Alex Morgan",
        reviewer_organisation="North East Innovation Programme",
        decision="Accepted",
        decided_at=datetime.datetime(2027, 5, 1, 16, 5, tzinfo=UTC),
        comments="Clear and well evidenced.",
        reviewed_version=1,
        reviewed_sha256=REVIEWED_SHA,
    )
    return dataclasses.replace(content, version=2, status="Accepted – final", review=review)


def empty_content(content: PackContent) -> PackContent:
    return dataclasses.replace(
        content,
        kpis=(),
        log_entries=(),
        events=(),
        photos=(),
        files=(),
        outcome=(),
        approvals=(),
        recommendation="",
        executive_summary="",
        programme_name="",
        trl_start=None,
        trl_target=None,
        trl_achieved=None,
    )


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def flat(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) collapsed to single spaces."""
    return " ".join(text.split())


def all_text(pdf: bytes) -> str:
    return flat("\n".join(pages_text(pdf)))


def test_renders_a_pdf_with_every_section_heading(content):
    pdf = render_evidence_pack(content)
    assert pdf.startswith(b"%PDF-")
    text = all_text(pdf)
    for heading in SECTIONS:
        assert heading in text
    assert "Sign-off" not in text


def test_cover_names_the_trial_and_its_parties(content):
    cover = flat(pages_text(render_evidence_pack(content))[0])
    for expected in [
        "Test Bed Exchange",
        "Evidence pack",
        "Falls detection on an acute medical ward",
        "Wearwell Analytics Ltd",
        "Ward 7 living lab",
        "Sunderland City Council",
        "North East · Sunderland SR1 3SD",
        "North East Innovation Programme",
        "3 March 2027 – 30 April 2027",
        "TBX-7KQ2-M9PD",
        "Submitted for review",
        "Check this pack is genuine at",
        VERIFY_URL,
    ]:
        assert expected in cover


def test_cover_has_a_qr_code_and_a_link_to_the_check_page(content):
    page = read(render_evidence_pack(content)).pages[0]
    links = [annotation.get_object()["/A"]["/URI"] for annotation in page["/Annots"]]
    assert links == [VERIFY_URL]


def test_the_qr_code_scans_to_the_check_page(content):
    """Rendered to pixels as a phone camera would see the printed page, and decoded."""
    import pypdfium2
    import zxingcpp

    pdf = pypdfium2.PdfDocument(render_evidence_pack(content))
    image = pdf[0].render(scale=150 / 72).to_pil()
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [VERIFY_URL]


def test_kpi_table_shows_names_values_and_whether_each_was_met(content):
    text = all_text(render_evidence_pack(content))
    assert "Alerts acted on within five minutes % 40 80 82.5 Yes" in text
    assert "Falls per 1,000 bed days falls 1,250 900 1,100 No" in text
    assert "Patient satisfaction score 3 4 – Not measured" in text
    assert "The survey was postponed by the trust." in text


def test_kpi_chart_shows_progress_with_the_real_figure(content):
    text = all_text(render_evidence_pack(content))
    assert "Progress towards target (%)" in text
    assert "106%" in text  # drawn capped at 100, labelled with the real figure
    assert "43%" in text
    assert "not measured" in text


def test_measurements_are_listed_per_kpi(content):
    text = all_text(render_evidence_pack(content))
    assert "3 March 2027 55.25 First full week Priya Shah" in text
    assert "10 March 2027 82.5 Night shift included Priya Shah" in text
    assert "17 March 2027 1,100 Two falls at night Priya Shah" in text
    assert "Higher values are better." in text


def test_log_timeline_and_files(content):
    text = all_text(render_evidence_pack(content))
    assert "4 March 2027 · Progress · Priya Shah, Wearwell Set up" in text
    assert "9 March 2027 · Provider observation · Sam Jones, Sunderland CC Calm" in text
    # 14:05 UTC on 3 February is 14:05 in London (GMT).
    assert "3 February 2027, 14:05 Sam Jones Requested → Approved Welcome aboard" in text
    assert "1.2 MB" in text
    assert "2.0 KB" in text
    digest = hashlib.sha256(b"a").hexdigest()
    assert digest in text.replace(" ", "")


def test_page_footer_counts_pages(content):
    pdf = render_evidence_pack(content)
    texts = pages_text(pdf)
    total = len(texts)
    assert total > 3
    assert "Page 1 of" not in texts[0]  # the cover has no footer
    for number, text in enumerate(texts[1:], 2):
        assert f"Page {number} of {total}" in text
        assert "Pack TBX-7KQ2-M9PD · version 2" in text
        assert "Test Bed Exchange · Falls detection on an acute medical ward" in text


def test_metadata(content):
    reader = read(render_evidence_pack(content))
    meta = reader.metadata
    assert meta.title == "Evidence pack: Falls detection on an acute medical ward"
    assert meta.author == "Wearwell Analytics Ltd"
    assert meta.subject == "Test Bed Exchange evidence pack TBX-7KQ2-M9PD version 2"
    assert meta.creator == "Test Bed Exchange"
    assert meta["/CreationDate"] == "D:20270502093000+00'00'"


def test_same_content_renders_identical_bytes(content, reviewed):
    first = render_evidence_pack(content)
    render_evidence_pack(reviewed)  # other work in between must leave no trace
    second = render_evidence_pack(content)
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_different_content_renders_different_bytes(content):
    changed = dataclasses.replace(content, status="Withdrawn")
    assert render_evidence_pack(content) != render_evidence_pack(changed)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_text_is_printed_literally(content, hostile):
    kpi = dataclasses.replace(content.kpis[0], name=f"KPI {hostile}")
    pdf = render_evidence_pack(
        dataclasses.replace(
            content,
            trial_title=f"Title {hostile}",
            executive_summary=f"Summary {hostile}",
            kpis=(kpi,),
            outcome=(PackOutcomeItem(f"Heading {hostile}", f"Outcome {hostile}"),),
        )
    )
    text = all_text(pdf)
    for where in ["Title", "Summary", "KPI", "Heading", "Outcome"]:
        assert f"{where} {hostile}" in text
    assert read(pdf).metadata.title == f"Evidence pack: Title {hostile}"


def test_welsh_letters_and_typographic_punctuation_survive(content):
    text = all_text(render_evidence_pack(content))
    assert "ŵ" in text
    assert WELSH in text


def test_only_dejavu_fonts_are_embedded(content):
    reader = read(render_evidence_pack(content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert all("DejaVu" in name for name in fonts), fonts


def test_photos_are_embedded_as_the_original_jpeg_bytes(content):
    reader = read(render_evidence_pack(content))
    originals = {Path(photo.path).read_bytes() for photo in content.photos}
    embedded = set()
    for page in reader.pages:
        for image in page["/Resources"].get("/XObject", {}).values():
            image = image.get_object()
            assert image["/Filter"] == ["/DCTDecode"] or image["/Filter"] == "/DCTDecode"
            embedded.add(image._data)
    assert embedded == originals


def test_photos_keep_their_aspect_ratio_and_fit_the_page(content):
    reader = read(render_evidence_pack(content))
    sizes = []
    for page in reader.pages:
        for image in page.images:
            sizes.append(image.image.size)
    assert sorted(sizes) == sorted([(800, 600), (600, 900), (1600, 1200)])
    text = all_text(render_evidence_pack(content))
    assert "Photo 1. Sensor above bed 4" in text
    assert "Photo 3. Charging dock" in text  # alt text stands in for a missing caption


def test_missing_photo_says_so(content, tmp_path):
    missing = PackPhoto(str(tmp_path / "gone.jpg"), "Lost photo", "")
    not_a_jpeg = tmp_path / "broken.jpg"
    not_a_jpeg.write_bytes(b"not an image")
    broken = PackPhoto(str(not_a_jpeg), "Broken photo", "")
    text = all_text(render_evidence_pack(dataclasses.replace(content, photos=(missing, broken))))
    assert text.count("Photo not available") == 2
    assert "Photo 1. Lost photo" in text
    assert "Photo 2. Broken photo" in text


def test_sign_off_page_on_a_reviewed_version(reviewed):
    texts = pages_text(render_evidence_pack(reviewed))
    last = texts[-1]
    assert "Sign-off" in last
    for expected in ["Dr Alex Morgan", "North East Innovation Programme", "Accepted"]:
        assert expected in last
    assert "1 May 2027, 17:05" in last  # British Summer Time
    assert REVIEWED_SHA in "".join(last.split())
    assert f"Page {len(texts)} of {len(texts)}" in last


def test_empty_content_says_what_is_missing(content):
    pdf = render_evidence_pack(empty_content(content))
    text = all_text(pdf)
    for heading in SECTIONS:
        assert heading in text
    for sentence in [
        "No summary was given.",
        "No approvals were recorded.",
        "No key performance indicators were set for this trial.",
        "No measurements were recorded.",
        "No progress was logged and no observations were recorded.",
        "No events were recorded.",
        "No photos were added.",
        "No evidence files were added.",
        "No outcome was recorded.",
        "No recommendation was given.",
    ]:
        assert sentence in text
    assert "Programme" not in pages_text(pdf)[0]


def test_outline_lists_the_sections_on_their_pages(reviewed):
    reader = read(render_evidence_pack(reviewed))
    entries = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert list(entries) == [*SECTIONS, "Sign-off"]
    for title, page in entries.items():
        assert title in reader.pages[page].extract_text()


def test_very_long_text_without_spaces_renders(content):
    blob = "x" * 20_000
    kpi = dataclasses.replace(
        content.kpis[0], name="y" * 500, measurements=(measurement(3, "1", blob),)
    )
    pdf = render_evidence_pack(
        dataclasses.replace(
            content,
            trial_title="t" * 2_000,
            executive_summary=blob,
            kpis=(kpi,),
            log_entries=(PackLogEntry(datetime.date(2027, 3, 4), "a", "b", "progress", blob),),
            files=(PackFile("f" * 300, blob[:3000], "pdf", 1, "0" * 64),),
        )
    )
    text = "".join(all_text(pdf).split())
    assert text.count("x" * 1000) >= 3


def with_measurements(content: PackContent, *measurements: PackMeasurement) -> PackContent:
    return dataclasses.replace(
        content, kpis=(dataclasses.replace(content.kpis[0], measurements=measurements),)
    )


def test_a_table_cell_longer_than_a_page_splits_across_pages(content):
    note = " ".join(f"word{n}" for n in range(6_000))
    pdf = render_evidence_pack(with_measurements(content, measurement(3, "1", note)))
    texts = pages_text(pdf)
    holding = [number for number, text in enumerate(texts) if "word" in text]
    assert len(holding) >= 3
    assert "word0" in texts[holding[0]]
    assert "word5999" in texts[holding[-1]]
    for number in holding:
        assert "Recorded by" in texts[number]  # the table's heading row repeats on each page


def test_short_table_rows_are_not_torn_at_a_page_foot(content):
    """Notes of 1 to 8 lines: a row that does not fit moves whole to the next page."""
    rows = [measurement(3, "1", " ".join([f"note{n}x"] * (8 + (n * 3) % 40))) for n in range(60)]
    texts = pages_text(render_evidence_pack(with_measurements(content, *rows)))
    for n in range(60):
        assert sum(f"note{n}x" in text for text in texts) == 1, f"row {n} was split"


def test_a_long_log_entry_flows_across_pages(content):
    text = "\n\n".join(" ".join(f"w{block}x{n}" for n in range(100)) for block in range(60))
    entry = PackLogEntry(datetime.date(2027, 3, 4), "Priya Shah", "Wearwell", "progress", text)
    texts = pages_text(render_evidence_pack(dataclasses.replace(content, log_entries=(entry,))))
    holding = [number for number, page in enumerate(texts) if "w0x0" in page or "w59x99" in page]
    assert holding[-1] - holding[0] >= 2


def test_bytes_do_not_depend_on_where_the_photos_are_stored(content, tmp_path):
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    photos = []
    for photo in content.photos:
        target = moved / f"renamed-{Path(photo.path).name}"
        target.write_bytes(Path(photo.path).read_bytes())
        photos.append(dataclasses.replace(photo, path=str(target)))
    relocated = dataclasses.replace(content, photos=tuple(photos))
    assert render_evidence_pack(relocated) == render_evidence_pack(content)


def test_cell_text_keeps_its_paragraphs_and_extra_details_are_listed(content):
    note = "First paragraph of the note.\n\nSecond paragraph of the note."
    changed = with_measurements(content, measurement(3, "1", note))
    text = all_text(
        render_evidence_pack(dataclasses.replace(changed, extra={"Funding": "£50,000"}))
    )
    assert "First paragraph of the note. Second paragraph of the note." in text
    assert "Further details Funding £50,000" in text
