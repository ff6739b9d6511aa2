"""The catalogue's map of the nations and regions: a region filter you can see."""

from __future__ import annotations

import functools

from django.http import QueryDict
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from accounts.models import Region
from accounts.regions import RegionFigure, region_tiles
from core.charts import format_number
from core.tilemap import TileMap, count_bands

from .postcodes import postcode_region, region_disagrees
from .selectors import CatalogueQuery, catalogue_region_counts


def catalogue_map(query: CatalogueQuery, params: QueryDict) -> TileMap:
    """Each tile: how many test beds the search finds there; its link narrows to that region."""
    counts = catalogue_region_counts(query)
    base = params.copy()
    for name in ("region", "page"):
        base.pop(name, None)

    def href(code: str) -> str:
        link = base.copy()
        link.setlist("region", [code])
        return f"{reverse('testbeds:catalogue')}?{link.urlencode()}"

    figures = {code: _figure(counts.get(code, 0)) for code in Region.values}
    tiles = region_tiles(figures, href=href, selected=set(query.region))
    return TileMap(
        title=_("Test beds found, by region"),
        tiles=tiles,
        bands=count_bands([tile.value for tile in tiles]),
        value_heading=_("Test beds"),
        chart_id="catalogue-map",
    )


def _figure(count: int) -> RegionFigure:
    spoken = ngettext("%(count)s test bed", "%(count)s test beds", count) % {
        "count": format_number(count)
    }
    return RegionFigure(count, format_number(count), spoken)


def location_map_html(region: str) -> tuple[str, SafeString]:
    """The title and SVG of ``location_map(region)`` in the active language, drawn once per
    region and language in each process: they depend on nothing else."""
    return _location_map_html(region, get_language())


@functools.lru_cache(maxsize=64)
def _location_map_html(region: str, language: str | None) -> tuple[str, SafeString]:
    tile_map = location_map(region)
    return str(tile_map.title), tile_map.svg


def location_map(region: str) -> TileMap:
    """The test bed's region lit on the map of nations and regions: where it is, at a glance,
    without coordinates or anything looked up on the network."""
    label = str(Region(region).label) if region in Region.values else ""
    here = RegionFigure(1, _("Here"), _("The test bed is here"))
    tiles = region_tiles({region: here} if label else {}, selected={region})
    return TileMap(
        title=_("Where it is: %(region)s") % {"region": label},
        tiles=tiles,
        bands=count_bands([tile.value for tile in tiles]),
        value_heading=_("Test bed"),
        chart_id="location-map",
    )


def listing_place(region: str, postcode: str) -> dict:
    """Where a listing puts its test bed, for the provider after saving: the region's tile and
    name, and the region its postcode is in, worked out from the postcode area here (see
    testbeds.postcodes). A postcode in another region than the one chosen is pointed out."""
    from_postcode = postcode_region(postcode, region) if postcode else ""
    label = str(Region(region).label) if region in Region.values else ""
    postcode_label = str(Region(from_postcode).label) if from_postcode else ""
    warning = ""
    if region_disagrees(postcode, region):
        warning = _(
            "The postcode %(postcode)s is in %(postcode_region)s, but the listing says "
            "%(region)s. Check the region or the postcode."
        ) % {"postcode": postcode, "postcode_region": postcode_label, "region": label}
    return {
        "region": label,
        "postcode": postcode,
        "postcode_region": postcode_label,
        "warning": warning,
        "map": location_map(region),
    }
