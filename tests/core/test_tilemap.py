"""The tile-grid map: well-formed, CSP-safe, escaped, links named for screen readers, banded."""

import math
import xml.etree.ElementTree as ET

from accounts.models import Region
from accounts.regions import TILE_GRID, RegionFigure, region_tiles
from core.tilemap import (
    BAND_COLOURS,
    NO_DATA,
    TileMap,
    band_of,
    count_bands,
    percent_bands,
    tile_map_svg,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert(1)</script> & "x"'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    # A group (an img would hide its links from screen readers), named by its title.
    assert root.get("role") == "group"
    title = root.find(f".//*[@id='{root.get('aria-labelledby')}']")
    assert title.tag == f"{NS}title" and title.text
    for el in root.iter():
        assert el.tag not in (f"{NS}style", f"{NS}script", f"{NS}foreignObject")
        assert "style" not in el.attrib
        assert not any(name.lower().startswith("on") for name in el.attrib)
    return root


def tiles(values: dict, **kwargs):
    figures = {code: RegionFigure(v, "–" if v is None else str(v)) for code, v in values.items()}
    return region_tiles(figures, href=lambda code: f"/testbeds/?region={code}", **kwargs)


def test_the_grid_places_twelve_regions_on_distinct_squares():
    assert set(TILE_GRID) == set(Region.values) and len(Region.values) == 12
    assert len(set(TILE_GRID.values())) == 12
    column = {code: position[0] for code, position in TILE_GRID.items()}
    row = {code: position[1] for code, position in TILE_GRID.items()}
    # Roughly where they lie: Scotland at the top, London in the south-east corner,
    # Wales west of the West Midlands, Northern Ireland west of the North East.
    assert row[Region.SCOTLAND] == 0
    assert row[Region.LONDON] == max(row.values())
    assert column[Region.LONDON] == max(column.values())
    assert column[Region.WALES] < column[Region.WEST_MIDLANDS]
    assert column[Region.NORTHERN_IRELAND] < column[Region.NORTH_EAST]


def test_every_tile_is_a_named_link_in_reading_order():
    values = {code: index for index, code in enumerate(Region.values)}
    svg = tile_map_svg(tiles(values), title="Test beds", bands=count_bands(values.values()))
    root = parse(svg)
    links = root.findall(f"{NS}a")
    assert len(links) == 12
    names = [link.get("aria-label") for link in links]
    # The top row first, the bottom-right tile last; the words in the tile start the name.
    assert names[0] == "SCO 10, Scotland: 10"
    assert names[-1] == "LDN 6, London: 6"
    assert all(link.get("href").startswith("/testbeds/?region=") for link in links)
    # The short name and the value are written in every tile, not only coloured.
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert "SCO 10" in texts and "LDN 6" in texts  # two words, as for the eye


def test_selected_tiles_are_marked_for_sight_and_screen_readers():
    svg = tile_map_svg(
        tiles({Region.WALES: 2}, selected={Region.WALES}), title="T", bands=count_bands([2])
    )
    root = parse(svg)
    wales = next(a for a in root.findall(f"{NS}a") if "Wales" in a.get("aria-label"))
    assert wales.get("aria-current") == "true"
    tile = next(r for r in wales.iter(f"{NS}rect") if r.get("class") == "app-tile-map__tile")
    assert tile.get("stroke-width") == "4"


def test_caller_text_is_escaped():
    svg = tile_map_svg(tiles({Region.WALES: 1}), title=HOSTILE, bands=count_bands([1]))
    root = parse(svg)
    assert "<script>" not in svg
    assert root.find(f"{NS}title").text == HOSTILE


def test_count_bands_are_whole_numbers_of_equal_width():
    bands = count_bands([0, 1, 5, 12, None])
    assert [(b.low, b.high, b.label) for b in bands] == [
        (0, 0, "0"),
        (1, 3, "1–3"),
        (4, 6, "4–6"),
        (7, 9, "7–9"),
        (10, 12, "10–12"),
    ]
    assert [band_of(v, bands).label for v in (0, 1, 3, 4, 12)] == [
        "0",
        "1–3",
        "1–3",
        "4–6",
        "10–12",
    ]
    assert band_of(None, bands) is None
    assert [(b.low, b.high) for b in count_bands([2])] == [(0, 0), (1, 1), (2, 2)]
    assert [b.label for b in count_bands([0, 0])] == ["0"]


def test_percent_bands_cover_every_share():
    bands = percent_bands()
    assert [band_of(v, bands).label for v in (0, 0.4, 25, 25.1, 99, 100, 140)] == [
        "0%",
        "1–25%",
        "1–25%",
        "26–50%",
        "76–100%",
        "76–100%",
        "76–100%",
    ]
    assert bands[-1].high == math.inf


def test_bands_differ_by_pattern_as_well_as_colour():
    values = {Region.WALES: 0, Region.LONDON: 4, Region.SCOTLAND: None}
    svg = tile_map_svg(tiles(values), title="T", bands=count_bands([0, 4]))
    root = parse(svg)
    patterns = {p.get("id"): p for p in root.iter(f"{NS}pattern")}
    fills = {}
    for link in root.findall(f"{NS}a"):
        tile = next(r for r in link.iter(f"{NS}rect") if r.get("class") == "app-tile-map__tile")
        fills[link.get("aria-label").split(", ")[1].split(":")[0]] = tile.get("fill")
    assert fills["Scotland"] == NO_DATA  # no figure: grey, and "–" written in it
    wales, london = (fills[name][5:-1] for name in ("Wales", "London"))
    assert patterns[wales].find(f"{NS}rect").get("fill") == BAND_COLOURS[0]
    assert patterns[london].find(f"{NS}rect").get("fill") == BAND_COLOURS[4]
    assert len(list(patterns[wales])) == 1  # plain
    assert len(list(patterns[london])) == 2  # a colour and a pattern drawn over it


def test_the_key_lists_each_band_and_the_grey_for_no_figure():
    values = {Region.WALES: 0, Region.LONDON: 4, Region.SCOTLAND: None}
    tile_map = TileMap(
        title="T",
        tiles=tiles(values),
        bands=count_bands([0, 4]),
        value_heading="Test beds",
        chart_id="m",
        no_data_label="fewer than 3",
    )
    assert [entry.label for entry in tile_map.legend] == ["0", "1", "2", "3", "4", "fewer than 3"]
    for entry in tile_map.legend:
        assert ET.fromstring(entry.swatch).get("aria-hidden") == "true"
