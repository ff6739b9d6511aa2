"""A tile-grid map drawn on the server as SVG: one equal square per area, placed on a grid.

UK statistical publications draw the nations and regions this way: every area gets the
same weight, whatever its size, and sits roughly where it lies. Each tile is coloured by
the band its value falls in, and carries the band's pattern too, so the map does not rely
on colour alone; the tile's short name and its value are written in a white label inside
it (dark text: 19:1). A dark outline keeps pale tiles visible against the page (3:1).

Tiles with an address are real links (``<a href>`` inside the SVG), named for screen
readers by ``aria-label`` ("NE 12, North East: 12 test beds"), reached with the Tab key in the
order of the grid (row by row), with a visible focus outline from the stylesheet. The SVG
is a ``group`` labelled by its title, not an ``img``: an image would hide its links.
Show the same figures as a table under the map (``templates/includes/tile_map.html``).

As in ``core.charts``: presentation attributes only (the Content Security Policy blocks
``style``), every piece of caller text escaped, ids unique per call (``chart_id`` makes
them fixed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from .charts import TEXT_COLOUR, _chart_id, _num, _text, format_number

TILE = 82  # the side of a tile
GAP = 10  # room for the focus outline between tiles
MARGIN = 8
PITCH = TILE + GAP
OUTLINE = "#0b0c0c"
NO_DATA = "#f3f2f1"  # GOV.UK light grey: no value, or a value held back
# Pale to dark GOV.UK blues; each band also has its own pattern (see _pattern).
BAND_COLOURS = ["#d2e2f1", "#a5c6e3", "#5694ca", "#1d70b8", "#003078"]
PATTERN_INK = ["#0b0c0c", "#0b0c0c", "#ffffff", "#ffffff", "#ffffff"]


@dataclass(frozen=True)
class Tile:
    """One area on the grid. ``value`` None means no figure (or one held back)."""

    code: str
    short: str  # a few letters, written in the tile
    name: str  # the full name, for the link's accessible name and the tooltip
    column: int
    row: int
    value: float | None
    display: str  # what the tile shows: "12", "45%", "<3", "–"
    href: str = ""
    spoken: str = ""  # the value in words where the tile's text is terse ("fewer than 3")
    selected: bool = False


@dataclass(frozen=True)
class Band:
    """Values from ``low`` to ``high`` (inclusive), drawn in one colour and pattern."""

    index: int
    low: float
    high: float
    label: str

    @property
    def colour(self) -> str:
        return BAND_COLOURS[self.index]


def count_bands(values: Sequence[float | None]) -> list[Band]:
    """Bands for counts: 0 alone, then up to four of equal width up to the largest count."""
    top = int(max((v for v in values if v is not None and math.isfinite(v)), default=0))
    bands = [Band(0, 0, 0, "0")]
    width = max(math.ceil(top / 4), 1)
    low = 1
    while low <= top:
        high = min(low + width - 1, top)
        label = format_number(low) if low == high else f"{format_number(low)}–{format_number(high)}"
        bands.append(Band(len(bands), low, high, label))
        low = high + 1
    return bands


def percent_bands() -> list[Band]:
    """Fixed bands for shares in percent: 0, then quarters."""
    return [
        Band(0, 0, 0, "0%"),
        Band(1, 0, 25, "1–25%"),
        Band(2, 25, 50, "26–50%"),
        Band(3, 50, 75, "51–75%"),
        Band(4, 75, math.inf, "76–100%"),
    ]


def band_of(value: float | None, bands: Sequence[Band]) -> Band | None:
    """The band a value falls in (the first whose top it does not pass); None for no value."""
    if value is None or not bands:
        return None
    for band in bands:
        if value <= band.high:
            return band
    return bands[-1]


def _pattern(cid: str, index: int) -> str:
    """Band patterns, from plain to dense: none, dots, diagonal lines, cross-hatch, grid."""
    ink = PATTERN_INK[index]
    shapes = {
        0: "",
        1: f'<circle cx="3" cy="3" r="1.3" fill="{ink}"/>',
        2: f'<path d="M-1,7 L7,-1" stroke="{ink}" stroke-width="1.5"/>',
        3: f'<path d="M-1,7 L7,-1 M-1,-1 L7,7" stroke="{ink}" stroke-width="1.2"/>',
        4: f'<path d="M0,3 H6 M3,0 V6" stroke="{ink}" stroke-width="1.5"/>',
    }[index]
    return (
        f'<pattern id="{cid}-band{index}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{BAND_COLOURS[index]}"/>{shapes}</pattern>'
    )


def swatch_svg(band: Band | None, *, chart_id: str) -> SafeString:
    """A small square in a band's colour and pattern (or the no-data grey), for a legend."""
    cid = _chart_id(chart_id)
    fill = NO_DATA
    defs = ""
    if band is not None:
        defs = f"<defs>{_pattern(cid, band.index)}</defs>"
        fill = f"url(#{cid}-band{band.index})"
    return mark_safe(  # noqa: S308 - no caller text
        f'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
        f'aria-hidden="true" focusable="false" class="app-tile-map__swatch">{defs}'
        f'<rect x="1" y="1" width="22" height="22" fill="{fill}" stroke="{OUTLINE}"/></svg>'
    )


def tile_map_svg(
    tiles: Sequence[Tile],
    *,
    title: str,
    bands: Sequence[Band],
    chart_id: str | None = None,
) -> SafeString:
    """The map: a square per tile at (column, row), coloured and patterned by band."""
    cid = _chart_id(chart_id)
    columns = max((tile.column for tile in tiles), default=0) + 1
    rows = max((tile.row for tile in tiles), default=0) + 1
    width, height = columns * PITCH - GAP + 2 * MARGIN, rows * PITCH - GAP + 2 * MARGIN
    used = sorted({band.index for band in bands})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-tile-map__svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="group" '
        f'aria-labelledby="{cid}-title">',
        f'<title id="{cid}-title">{_text(title)}</title>',
        "<defs>" + "".join(_pattern(cid, index) for index in used) + "</defs>",
    ]
    for tile in sorted(tiles, key=lambda t: (t.row, t.column)):
        parts.append(_tile(cid, tile, band_of(tile.value, bands)))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of caller text is escaped


def _tile(cid: str, tile: Tile, band: Band | None) -> str:
    x, y = MARGIN + tile.column * PITCH, MARGIN + tile.row * PITCH
    fill = NO_DATA if band is None else f"url(#{cid}-band{band.index})"
    stroke_width = 4 if tile.selected else 1.5
    # The words written in the tile come first, so people who speak to their computer can
    # say them (WCAG 2.5.3, label in name): "SCO 4, Scotland: 4 test beds".
    name = f"{tile.short} {tile.display}, {tile.name}: {tile.spoken or tile.display}"
    label_width, label_height = TILE - 12, 46
    body = (
        f'<rect class="app-tile-map__tile" x="{x}" y="{y}" width="{TILE}" height="{TILE}" '
        f'fill="{fill}" stroke="{OUTLINE}" stroke-width="{stroke_width}"/>'
        f'<rect x="{x + 6}" y="{y + TILE - label_height - 6}" width="{label_width}" '
        f'height="{label_height}" fill="#ffffff" stroke="{OUTLINE}" stroke-width="0.5"/>'
        # One text, two lines: the space between them keeps "SCO 4" two words for
        # assistive technology, as it is for the eye.
        f'<text x="{_num(x + TILE / 2)}" text-anchor="middle" fill="{TEXT_COLOUR}">'
        f'<tspan x="{_num(x + TILE / 2)}" y="{y + TILE - label_height + 11}" font-size="15" '
        f'font-weight="bold">{_text(tile.short)}</tspan> '
        f'<tspan x="{_num(x + TILE / 2)}" y="{y + TILE - 12}" '
        f'font-size="{14 if len(tile.display) > 5 else 17}">{_text(tile.display)}</tspan></text>'
    )
    if tile.href:
        current = ' aria-current="true"' if tile.selected else ""
        return (
            f'<a href="{_text(tile.href)}" aria-label="{_text(name)}"{current}>'
            f"<title>{_text(name)}</title>{body}</a>"
        )
    return f'<g role="img" aria-label="{_text(name)}"><title>{_text(name)}</title>{body}</g>'


@dataclass(frozen=True)
class LegendEntry:
    swatch: SafeString
    label: str


@dataclass(frozen=True)
class TileMap:
    """A map ready for ``templates/includes/tile_map.html``: the SVG, its key and its table."""

    title: str
    tiles: Sequence[Tile]
    bands: Sequence[Band]
    value_heading: str  # the table's heading for the values ("Test beds")
    chart_id: str
    no_data_label: str = ""  # the key's entry for grey tiles, when some tile has no value

    @property
    def svg(self) -> SafeString:
        return tile_map_svg(self.tiles, title=self.title, bands=self.bands, chart_id=self.chart_id)

    @property
    def legend(self) -> list[LegendEntry]:
        entries = [
            LegendEntry(swatch_svg(band, chart_id=f"{self.chart_id}-key{band.index}"), band.label)
            for band in self.bands
        ]
        if self.no_data_label and any(tile.value is None for tile in self.tiles):
            entries.append(
                LegendEntry(
                    swatch_svg(None, chart_id=f"{self.chart_id}-key-none"), self.no_data_label
                )
            )
        return entries
