"""/regions/: the nations and regions compared on published data, for anyone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.cache import cache_anonymous_page

from .regions import SUPPRESS_BELOW, public_map, public_measures, public_region_table


@cache_anonymous_page
def regions_page(request: HttpRequest) -> HttpResponse:
    """Published figures only, so the same for every anonymous visitor: kept a minute, and
    forgotten when a test bed or a challenge is published or closed, or an outcome enters or
    leaves the public register (core.cache)."""
    measures = public_measures()
    chosen = next((m for m in measures if m.key == request.GET.get("measure")), measures[0])
    rows, counts = public_region_table(measures)
    context = {
        "measures": measures,
        "measure": chosen,
        "region_map": public_map(chosen, counts[chosen.key]),
        "rows": rows,
        "suppress_below": SUPPRESS_BELOW,
    }
    return render(request, "programmes/regions.html", context)
