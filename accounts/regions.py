"""The twelve ITL1 nations and regions on a tile grid, as UK statistical releases draw them.

One equal square each, roughly where it lies::

          SCO
    NI          NE
          NW    YH
    WAL   WM    EM    EE
          SW    SE    LDN
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy

from core.tilemap import Tile

from .models import Region

# (column, row) of each region's tile.
TILE_GRID: dict[str, tuple[int, int]] = {
    Region.SCOTLAND: (1, 0),
    Region.NORTHERN_IRELAND: (0, 1),
    Region.NORTH_EAST: (2, 1),
    Region.NORTH_WEST: (1, 2),
    Region.YORKSHIRE_HUMBER: (2, 2),
    Region.WALES: (0, 3),
    Region.WEST_MIDLANDS: (1, 3),
    Region.EAST_MIDLANDS: (2, 3),
    Region.EAST_OF_ENGLAND: (3, 3),
    Region.SOUTH_WEST: (1, 4),
    Region.SOUTH_EAST: (2, 4),
    Region.LONDON: (3, 4),
}

# A few letters for each tile; the full name is the link's accessible name and in the table.
SHORT_NAMES = {
    Region.NORTH_EAST: pgettext_lazy("region on the map", "NE"),
    Region.NORTH_WEST: pgettext_lazy("region on the map", "NW"),
    Region.YORKSHIRE_HUMBER: pgettext_lazy("region on the map", "Y&H"),
    Region.EAST_MIDLANDS: pgettext_lazy("region on the map", "EM"),
    Region.WEST_MIDLANDS: pgettext_lazy("region on the map", "WM"),
    Region.EAST_OF_ENGLAND: pgettext_lazy("region on the map", "EoE"),
    Region.LONDON: pgettext_lazy("region on the map", "LDN"),
    Region.SOUTH_EAST: pgettext_lazy("region on the map", "SE"),
    Region.SOUTH_WEST: pgettext_lazy("region on the map", "SW"),
    Region.WALES: pgettext_lazy("region on the map", "WAL"),
    Region.SCOTLAND: pgettext_lazy("region on the map", "SCO"),
    Region.NORTHERN_IRELAND: pgettext_lazy("region on the map", "NI"),
}


@dataclass(frozen=True)
class RegionFigure:
    """A region's value on a map: the number, its text in the tile, and in words if terse."""

    value: float | None
    display: str
    spoken: str = ""


def region_tiles(
    figures: Mapping[str, RegionFigure],
    *,
    href: Callable[[str], str] | None = None,
    selected: set[str] | frozenset[str] = frozenset(),
) -> list[Tile]:
    """A tile for every region (those missing from ``figures`` show "–"), in grid order."""
    tiles = []
    for code, name in Region.choices:
        column, row = TILE_GRID[code]
        figure = figures.get(code, RegionFigure(None, "–"))
        tiles.append(
            Tile(
                code=code,
                short=str(SHORT_NAMES[code]),
                name=str(name),
                column=column,
                row=row,
                value=figure.value,
                display=figure.display,
                spoken=figure.spoken,
                href=href(code) if href else "",
                selected=code in selected,
            )
        )
    return sorted(tiles, key=lambda tile: (tile.row, tile.column))
