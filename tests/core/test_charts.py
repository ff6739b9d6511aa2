"""Server-side SVG charts: well-formed, accessible, CSP-safe, escaped and to scale."""

import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from core.charts import (
    BAR_COLOUR,
    BASELINE_COLOUR,
    TARGET_COLOUR,
    Bar,
    bar_chart_svg,
    bar_display,
    format_number,
    kpi_chart_svg,
    progress_bar_svg,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "x"'
D = datetime.date


def parse(svg: str) -> ET.Element:
    """The SVG parsed strictly as XML, checked for the rules every chart must keep."""
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    # Accessible name and description: role=img, labelled by ids that exist.
    assert root.get("role") == "img"
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    labelled_by = root.get("aria-labelledby").split()
    assert len(labelled_by) == 2
    assert set(labelled_by) <= ids
    title, desc = (root.find(f".//*[@id='{ident}']") for ident in labelled_by)
    assert title.tag == f"{NS}title" and title.text
    assert desc.tag == f"{NS}desc" and desc.text
    # Scales: a viewBox matching the width and height attributes.
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0 and height > 0
    # CSP: no style attribute or element, no script, no event handler, no external reference.
    for el in root.iter():
        assert el.tag not in (f"{NS}style", f"{NS}script", f"{NS}foreignObject")
        assert "style" not in el.attrib
        assert not any(name.lower().startswith("on") for name in el.attrib)
        assert not any("href" in name for name in el.attrib)
    assert "style" not in svg.lower().replace("app-chart", "")
    return root


def title_of(root: ET.Element) -> str:
    return root.find(f".//*[@id='{root.get('aria-labelledby').split()[0]}']").text


def desc_of(root: ET.Element) -> str:
    return root.find(f".//*[@id='{root.get('aria-labelledby').split()[1]}']").text


def rects(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{NS}rect")


def texts(root: ET.Element) -> list[str]:
    """The visible text of every <text> element (without <title> tooltips)."""
    return [
        (el.text or "") + "".join(child.tail or "" for child in el) for el in root.iter(f"{NS}text")
    ]


def viewbox(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(part) for part in root.get("viewBox").split())
    return width, height


# --- bar chart --------------------------------------------------------------------------

BARS = [Bar("North East", 12), Bar("London", 6), Bar("Wales", 3)]


def test_bar_chart_is_accessible_well_formed_svg():
    svg = bar_chart_svg(BARS, title="Trials by region", chart_id="regions")
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.get("aria-labelledby") == "regions-title regions-desc"
    assert title_of(root) == "Trials by region"
    assert desc_of(root) == "3 bars; largest: North East 12"


def test_bar_chart_rows_derive_the_height():
    one = parse(bar_chart_svg(BARS[:1], title="t", chart_id="a"))
    three = parse(bar_chart_svg(BARS, title="t", chart_id="a"))
    assert viewbox(three)[1] - viewbox(one)[1] == pytest.approx(64)
    assert len(rects(three)) == 3


def test_bar_widths_are_proportional_to_the_values():
    root = parse(bar_chart_svg(BARS, title="t", chart_id="a"))
    widths = [float(rect.get("width")) for rect in rects(root)]
    assert widths[0] / widths[1] == pytest.approx(2, rel=0.01)
    assert widths[0] / widths[2] == pytest.approx(4, rel=0.01)
    # Every bar starts at the same x and stays inside the viewBox.
    assert len({rect.get("x") for rect in rects(root)}) == 1
    for rect in rects(root):
        assert float(rect.get("x")) + float(rect.get("width")) <= viewbox(root)[0]
        assert rect.get("fill") == BAR_COLOUR


def test_bar_chart_scales_to_max_value_and_clips_beyond_it():
    root = parse(
        bar_chart_svg(
            [Bar("a", 50), Bar("b", 100), Bar("c", 150)], title="t", max_value=100, chart_id="a"
        )
    )
    half, full, over = (float(rect.get("width")) for rect in rects(root))
    assert full / half == pytest.approx(2, rel=0.01)
    assert over == full


def test_bar_chart_values_and_labels_are_shown():
    root = parse(
        bar_chart_svg(
            [Bar("Done", 75.5), Bar("Booked", 1234), Bar("Custom", 3, display="three (est.)")],
            title="t",
            unit="%",
            chart_id="a",
        )
    )
    shown = texts(root)
    for text in ("Done", "75.5%", "Booked", "1,234%", "Custom", "three (est.)"):
        assert text in shown


def test_word_units_are_spaced_and_symbols_are_not():
    assert bar_display(Bar("a", 4), "days") == "4 days"
    assert bar_display(Bar("a", 4), "%") == "4%"
    assert bar_display(Bar("a", 4, display="four"), "%") == "four"
    assert format_number(Decimal("2.50")) == "2.5"
    assert format_number(1234567) == "1,234,567"
    assert format_number(float("nan")) == "0"


def test_zero_values_are_a_thin_stub():
    root = parse(bar_chart_svg([Bar("a", 10), Bar("b", 0), Bar("c", -4)], title="t", chart_id="a"))
    big, zero, negative = (float(rect.get("width")) for rect in rects(root))
    assert 0 < zero <= 3
    assert negative == zero
    assert big > 100
    assert "-4" in texts(root)  # the real value is still shown


def test_all_zero_values_are_stubs_without_dividing_by_zero():
    root = parse(bar_chart_svg([Bar("a", 0), Bar("b", 0)], title="t", chart_id="a"))
    assert [float(rect.get("width")) for rect in rects(root)] == [2, 2]
    assert desc_of(root) == "2 bars; no value is above zero"


def test_non_finite_values_do_not_break_the_chart():
    root = parse(
        bar_chart_svg(
            [Bar("a", float("nan")), Bar("b", float("inf")), Bar("c", 5)], title="t", chart_id="a"
        )
    )
    assert len(rects(root)) == 3


def test_empty_bar_chart_says_no_data():
    root = parse(bar_chart_svg([], title="Trials by sector", chart_id="a"))
    assert rects(root) == []
    assert texts(root) == ["No data"]
    assert desc_of(root) == "No data"
    assert title_of(root) == "Trials by sector"
    assert viewbox(root)[1] <= 48


def test_long_labels_are_truncated_with_the_full_label_in_a_title():
    label = "Newcastle upon Tyne Hospitals NHS Foundation Trust, Freeman Road site"
    root = parse(bar_chart_svg([Bar(label, 1)], title="t", chart_id="a"))
    label_el = root.find(f".//{NS}text")
    visible = texts(root)[0]
    assert visible.endswith("…")
    assert len(visible) < len(label)
    assert label.startswith(visible[:-1])
    assert label_el.find(f"{NS}title").text == label


def test_short_labels_are_not_truncated():
    root = parse(bar_chart_svg([Bar("Wales", 1)], title="t", chart_id="a"))
    assert root.find(f".//{NS}text").find(f"{NS}title") is None
    assert texts(root)[0] == "Wales"


def test_hostile_text_is_escaped_everywhere():
    svg = bar_chart_svg(
        [Bar(HOSTILE, 1, display=HOSTILE), Bar("x" * 80 + HOSTILE, 2)],
        title=HOSTILE,
        unit=HOSTILE,
        colour='red" onload="alert(1)',
        chart_id="a",
    )
    assert "<script" not in svg
    assert 'onload="' not in svg
    root = parse(svg)
    # Parsing undoes the escaping: the text comes back exactly as given.
    assert title_of(root) == HOSTILE
    assert desc_of(root) == f"2 bars; largest: {'x' * 80 + HOSTILE} 2{HOSTILE}"
    tooltips = [el.text for el in root.iter(f"{NS}title")]
    assert HOSTILE in tooltips  # the long display text, truncated on screen
    assert "x" * 80 + HOSTILE in tooltips  # the long label, truncated on screen
    assert all(rect.get("fill") == 'red" onload="alert(1)' for rect in rects(root))


def test_characters_xml_forbids_are_dropped():
    root = parse(bar_chart_svg([Bar("bell\x07 and nul\x00", 1)], title="a\x1bb", chart_id="a"))
    assert title_of(root) == "ab"
    assert "bell and nul" in texts(root)


def test_ids_are_unique_per_call_and_deterministic_with_chart_id():
    first = bar_chart_svg(BARS, title="t")
    second = bar_chart_svg(BARS, title="t")
    assert parse(first).get("aria-labelledby") != parse(second).get("aria-labelledby")
    assert bar_chart_svg(BARS, title="t", chart_id="x") == bar_chart_svg(
        BARS, title="t", chart_id="x"
    )


def test_chart_id_is_made_safe_for_ids():
    root = parse(bar_chart_svg(BARS, title="t", chart_id='1 bad" id'))
    labelled_by = root.get("aria-labelledby").split()
    assert len(labelled_by) == 2
    for ident in labelled_by:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", ident)


def test_width_sets_the_viewbox():
    root = parse(bar_chart_svg(BARS, title="t", width=400, chart_id="a"))
    assert viewbox(root)[0] == 400
    for rect in rects(root):
        assert float(rect.get("x")) + float(rect.get("width")) <= 400


# --- KPI chart --------------------------------------------------------------------------


def kpi_lines(root: ET.Element) -> dict[str, ET.Element]:
    """The dashed reference lines by colour."""
    return {
        line.get("stroke"): line for line in root.iter(f"{NS}line") if line.get("stroke-dasharray")
    }


def assert_inside(root: ET.Element) -> None:
    width, height = viewbox(root)
    for circle in root.iter(f"{NS}circle"):
        cx, cy, r = (float(circle.get(name)) for name in ("cx", "cy", "r"))
        assert r <= cx <= width - r
        assert r <= cy <= height - r
    for line in root.iter(f"{NS}line"):
        for name, limit in (("x1", width), ("x2", width), ("y1", height), ("y2", height)):
            assert 0 <= float(line.get(name)) <= limit


def test_kpi_chart_with_many_points():
    points = [(D(2026, 3, 1), 12.0), (D(2026, 1, 1), 5.0), (D(2026, 2, 1), Decimal("8.5"))]
    svg = kpi_chart_svg(points, baseline=4, target=10, title="Wait (days)", chart_id="k")
    root = parse(svg)
    assert title_of(root) == "Wait (days)"
    assert desc_of(root) == "Baseline 4, target 10; 3 measurements, latest 12 on 1 Mar 2026."
    circles = root.findall(f".//{NS}circle")
    assert len(circles) == 3
    xs = [float(circle.get("cx")) for circle in circles]
    assert xs == sorted(xs)  # sorted by date
    # Higher values are drawn higher (smaller y).
    ys = [float(circle.get("cy")) for circle in circles]
    assert ys[0] > ys[1] > ys[2]
    assert root.find(f".//{NS}polyline") is not None
    lines = kpi_lines(root)
    assert set(lines) == {BASELINE_COLOUR, TARGET_COLOUR}
    assert lines[BASELINE_COLOUR].get("stroke-dasharray") != lines[TARGET_COLOUR].get(
        "stroke-dasharray"
    )
    # The target (10) is above the baseline (4); the 12 point is above the target.
    target_y = float(lines[TARGET_COLOUR].get("y1"))
    baseline_y = float(lines[BASELINE_COLOUR].get("y1"))
    assert ys[2] < target_y < baseline_y
    assert "Baseline" in texts(root) and "Target" in texts(root)
    assert "1 Jan 2026" in texts(root) and "1 Mar 2026" in texts(root)
    assert_inside(root)


def test_kpi_axis_covers_baseline_target_and_points():
    root = parse(
        kpi_chart_svg(
            [(D(2026, 1, 1), -50), (D(2026, 1, 2), 300)],
            baseline=100,
            target=200,
            title="t",
            chart_id="k",
        )
    )
    assert_inside(root)
    axis = root.find(f".//{NS}path").get("d")
    top, bottom = (float(n) for n in re.findall(r"V?([\d.]+)", axis)[1:3])
    for circle in root.iter(f"{NS}circle"):
        assert top <= float(circle.get("cy")) <= bottom
    for line in kpi_lines(root).values():
        assert top <= float(line.get("y1")) <= bottom


def test_kpi_chart_with_no_points_still_shows_baseline_and_target():
    root = parse(kpi_chart_svg([], baseline=3, target=1, title="t", unit="%", chart_id="k"))
    assert set(kpi_lines(root)) == {BASELINE_COLOUR, TARGET_COLOUR}
    assert root.find(f".//{NS}circle") is None
    assert "No measurements yet" in texts(root)
    assert desc_of(root) == "Baseline 3%, target 1%; no measurements yet."
    assert_inside(root)


def test_kpi_chart_with_one_point_puts_it_in_the_middle():
    root = parse(kpi_chart_svg([(D(2026, 5, 4), 7)], baseline=5, target=9, title="t", chart_id="k"))
    circles = root.findall(f".//{NS}circle")
    assert len(circles) == 1
    assert root.find(f".//{NS}polyline") is None
    width, _ = viewbox(root)
    assert 0.3 * width < float(circles[0].get("cx")) < 0.7 * width
    assert circles[0].find(f"{NS}title").text == "4 May 2026: 7"
    assert_inside(root)


def test_kpi_chart_with_points_on_the_same_date():
    root = parse(
        kpi_chart_svg(
            [(D(2026, 5, 4), 7), (D(2026, 5, 4), 8)],
            baseline=5,
            target=9,
            title="t",
            chart_id="k",
        )
    )
    xs = {circle.get("cx") for circle in root.iter(f"{NS}circle")}
    assert len(xs) == 1
    assert_inside(root)


def test_kpi_chart_with_baseline_equal_to_target_and_points():
    root = parse(
        kpi_chart_svg(
            [(D(2026, 1, 1), 5), (D(2026, 1, 8), 5)],
            baseline=5,
            target=5,
            title="t",
            chart_id="k",
        )
    )
    lines = kpi_lines(root)
    assert lines[BASELINE_COLOUR].get("y1") == lines[TARGET_COLOUR].get("y1")
    # The two labels are moved apart so both can be read.
    label_y = {
        "".join(el.itertext()): float(el.get("y"))
        for el in root.iter(f"{NS}text")
        if "".join(el.itertext()) in ("Baseline", "Target")
    }
    assert abs(label_y["Baseline"] - label_y["Target"]) >= 12
    assert_inside(root)


def test_kpi_chart_all_zero_and_non_finite_points():
    root = parse(
        kpi_chart_svg(
            [(D(2026, 1, 1), 0), (D(2026, 1, 2), float("nan"))],
            baseline=0,
            target=0,
            title="t",
            chart_id="k",
        )
    )
    assert len(root.findall(f".//{NS}circle")) == 1
    assert_inside(root)


def test_kpi_chart_escapes_text_and_is_deterministic():
    def make():
        return kpi_chart_svg(
            [(D(2026, 1, 1), 1)], baseline=0, target=2, title=HOSTILE, unit=HOSTILE, chart_id="k"
        )

    svg = make()
    assert "<script" not in svg
    root = parse(svg)
    assert title_of(root) == HOSTILE
    assert svg == make()
    assert parse(kpi_chart_svg([], baseline=0, target=1, title="t")).get(
        "aria-labelledby"
    ) != parse(kpi_chart_svg([], baseline=0, target=1, title="t")).get("aria-labelledby")


# --- progress bar -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fraction", "share", "percent"),
    [(0.456, 0.456, 46), (0, 0, 0), (1, 1, 100), (1.7, 1, 100), (-0.2, 0, 0), (float("nan"), 0, 0)],
)
def test_progress_bar_is_clipped(fraction, share, percent):
    root = parse(progress_bar_svg(fraction, label="Trial progress", width=204, chart_id="p"))
    track, filled = rects(root)
    assert float(filled.get("width")) == pytest.approx(200 * share, abs=0.01)
    assert float(filled.get("width")) <= float(track.get("width"))
    assert title_of(root) == "Trial progress"
    assert desc_of(root) == f"{percent}% complete"


def test_progress_bar_escapes_its_label():
    svg = progress_bar_svg(0.5, label=HOSTILE)
    assert "<script" not in svg
    assert title_of(parse(svg)) == HOSTILE


# --- template tags and the include ------------------------------------------------------


def test_template_tags_render_the_charts():
    template = Template(
        "{% load charts %}"
        '{% bar_chart bars title="Regions" unit="%" chart_id="b" %}'
        '{% kpi_chart points baseline=1 target=3 title="KPI" chart_id="k" %}'
        '{% progress_bar 0.5 label="Progress" chart_id="p" %}'
        "{% for bar in bars %}[{{ bar|bar_value:'%' }}]{% endfor %}"
    )
    html = template.render(Context({"bars": BARS, "points": [(D(2026, 1, 1), 2)]}))
    assert html.count("<svg ") == 3
    assert bar_chart_svg(BARS, title="Regions", unit="%", chart_id="b") in html
    assert kpi_chart_svg([(D(2026, 1, 1), 2)], baseline=1, target=3, title="KPI", chart_id="k") in (
        html
    )
    assert progress_bar_svg(0.5, label="Progress", chart_id="p") in html
    assert "[12%][6%][3%]" in html


def test_template_tag_treats_missing_optional_values_as_defaults():
    template = Template(
        "{% load charts %}{% bar_chart bars title=title max_value=missing chart_id=missing %}"
    )
    html = template.render(Context({"bars": BARS, "title": HOSTILE}))
    root = parse(html)
    assert title_of(root) == HOSTILE  # escaped once, not twice


def test_chart_with_table_include_lists_every_label_and_value():
    bars = [Bar("North East", 12), Bar(HOSTILE, 3.5), Bar("Wales", 0, display="none yet")]
    html = render_to_string(
        "includes/chart_with_table.html",
        {
            "bars": bars,
            "title": "Trials by region",
            "unit": " trials",
            "label_heading": "Region",
            "value_heading": "Trials",
            "chart_id": "regions",
        },
    )
    assert '<figure class="app-chart">' in html
    assert "<figcaption" in html and "Trials by region</figcaption>" in html
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert svg == bar_chart_svg(bars, title="Trials by region", unit=" trials", chart_id="regions")
    parse(svg)
    assert '<details class="govuk-details"' in html
    assert "Show the figures as a table" in html
    assert "<script>" not in html

    # The table (escaped HTML, parsed as XML here) holds the chart's figures.
    table = ET.fromstring(re.search(r"<table .*?</table>", html, re.S).group(0))
    assert table.get("class") == "govuk-table"
    headers = [
        "".join(th.itertext()).strip() for th in table.iter("th") if th.get("scope") == "col"
    ]
    assert headers == ["Region", "Trials"]
    rows = [
        ("".join(tr.find("th").itertext()).strip(), "".join(tr.find("td").itertext()).strip())
        for tr in table.find("tbody").iter("tr")
    ]
    assert rows == [("North East", "12 trials"), (HOSTILE, "3.5 trials"), ("Wales", "none yet")]


def test_chart_with_table_include_has_default_headings_and_no_table_without_bars():
    html = render_to_string("includes/chart_with_table.html", {"bars": BARS, "title": "T"})
    assert '<th scope="col" class="govuk-table__header">Item</th>' in html
    assert "Value</th>" in html
    empty = render_to_string("includes/chart_with_table.html", {"bars": [], "title": "T"})
    assert "No data" in empty
    assert "<table" not in empty
